"""The Streamlit pages as plain functions; app.py and app_pages/*.py only call into here."""

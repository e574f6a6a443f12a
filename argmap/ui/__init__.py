"""The Streamlit pages as plain functions; app_main.py and app_pages/*.py only call into here."""

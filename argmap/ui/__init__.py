"""The Streamlit pages as plain functions; app.py and pages/*.py only call into here."""

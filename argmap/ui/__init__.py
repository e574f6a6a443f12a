"""The Streamlit pages as plain functions; the app script and app_pages/*.py only call here."""

"""The web app's entry script, alone in its folder: `streamlit run` puts the script's folder
first on ``sys.path``, and here that exposes no module but ``streamlit_app``."""

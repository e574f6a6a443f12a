"""argmap web app in a checkout: `streamlit run app.py`. The app itself is
``argmap/ui/app/streamlit_app.py``, which an install starts with `argmap app`."""

from argmap.ui.app.streamlit_app import main

main()

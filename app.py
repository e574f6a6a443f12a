"""argmap web app in a checkout: `streamlit run app.py`. The app itself is
``argmap/ui/app_main.py``, which an install starts with `argmap app`."""

from argmap.ui.app_main import main

main()

"""The argmap web app: `argmap app` runs this file with `streamlit run`; a checkout's
`app.py` calls ``main`` (so `streamlit run app.py` is the same app).

Page set-up, first-run indexing, navigation and the shared sidebar. Each page is a script in
``argmap/ui/app_pages/`` (not ``pages/``, a name Streamlit would auto-load) calling a plain
function in argmap.ui, so tests drive the same code the browser does.
"""

from importlib.resources import files

import streamlit as st

from argmap.ui import state
from argmap.ui.app_pages import path

# A shipped file, served by this server: an emoji or :material/...: favicon is fetched
# from a CDN on every page load, and argmap never leaves loopback.
ICON = str(files("argmap.ui").joinpath("icon.png"))


def main() -> None:
    st.set_page_config(page_title="argmap", page_icon=ICON, layout="wide")
    state.guarded(state.ensure_corpus, where=st.sidebar)
    nav = st.navigation(
        [
            st.Page(path("chat"), title="Chat", icon=":material/chat:", default=True),
            st.Page(path("map"), title="Argument map", icon=":material/account_tree:"),
            st.Page(path("prep"), title="Debate prep", icon=":material/gavel:"),
            st.Page(path("lookup"), title="Citation lookup", icon=":material/search:"),
            st.Page(path("sources"), title="Sources", icon=":material/upload_file:"),
        ]
    )
    state.guarded(state.sidebar, where=st.sidebar)
    nav.run()


if __name__ == "__main__":
    main()

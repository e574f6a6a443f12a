"""argmap web app: `streamlit run app.py`.

A thin shell: page set-up, first-run indexing, navigation and the shared sidebar. Each page
is a two-line script in app_pages/ (not pages/, a name Streamlit would auto-load) calling a
plain function in argmap.ui, so tests drive the same code the browser does.
"""

from importlib.resources import files

import streamlit as st

from argmap.ui import state

# A shipped file, served by this server: an emoji or :material/...: favicon is fetched
# from a CDN on every page load, and argmap never leaves loopback.
ICON = str(files("argmap.ui").joinpath("icon.png"))
st.set_page_config(page_title="argmap", page_icon=ICON, layout="wide")
state.guarded(state.ensure_corpus, where=st.sidebar)
nav = st.navigation(
    [
        st.Page("app_pages/chat.py", title="Chat", icon=":material/chat:", default=True),
        st.Page("app_pages/map.py", title="Argument map", icon=":material/account_tree:"),
        st.Page("app_pages/prep.py", title="Debate prep", icon=":material/gavel:"),
        st.Page("app_pages/lookup.py", title="Citation lookup", icon=":material/search:"),
        st.Page("app_pages/sources.py", title="Sources", icon=":material/upload_file:"),
    ]
)
state.guarded(state.sidebar, where=st.sidebar)
nav.run()

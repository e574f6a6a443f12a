"""Streamlit page script: all logic lives in argmap.ui.map_page.page (plain, testable)."""

from argmap.ui import map_page, state

state.guarded(map_page.page)

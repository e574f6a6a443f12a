"""Streamlit page script: all logic lives in argmap.ui.lookup_page.page (plain, testable)."""

from argmap.ui import lookup_page, state

state.guarded(lookup_page.page)

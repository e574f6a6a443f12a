"""Streamlit page script: all logic lives in argmap.ui.prep.page (plain, testable)."""

from argmap.ui import prep, state

state.guarded(prep.page)

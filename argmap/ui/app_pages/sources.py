"""Streamlit page script: all logic lives in argmap.ui.sources.page (plain, testable)."""

from argmap.ui import sources, state

state.guarded(sources.page)

"""Streamlit page script: all logic lives in argmap.ui.chat.page (plain, testable)."""

from argmap.ui import chat, state

state.guarded(chat.page)

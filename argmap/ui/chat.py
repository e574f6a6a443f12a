"""Chat page: questions answered from the discussion, every citation verified and openable.

History lives in ``st.session_state`` as (question, Answer) turns. Answer text is corpus text,
so it is escaped like any comment; only the numbered markers of *verified* citations become
badges, and each verified citation gets a popover with the quote highlighted in its post.
Dropped citations are listed separately as dropped, never as sources.
"""

from __future__ import annotations

import re

import streamlit as st

from argmap import api
from argmap.records import Answer
from argmap.ui import state
from argmap.ui.app_pages import path
from argmap.ui.components import cited_post, who
from argmap.ui.render import escape_md

HISTORY = "chat_history"
EXAMPLES = (
    "Does the ban cover police outside the US?",
    "Who argued the ban is a publicity stunt?",
    "What did people say about facial recognition?",
    "Summarize the arguments for and against",
)
MAP_PAGE = path("map")
_MARKER = re.compile(r"\\\[([A-Za-z0-9_.:\\-]{1,24})\\\]")


def answer_md(answer: Answer) -> str:
    """Escaped answer text with verified markers as badges and unverified ones struck out."""
    valid = {c.key for c in answer.citations}

    def badge(m: re.Match[str]) -> str:
        key = m.group(1).replace("\\", "")
        if key in valid:
            return f":blue-badge[{escape_md(key)}]"
        return f":gray-badge[~~{escape_md(key)}~~ unverified]"

    return _MARKER.sub(badge, escape_md(answer.answer))


def show_answer(answer: Answer) -> None:
    if answer.abstained:
        st.info(escape_md(answer.answer) or "The discussion doesn't cover that.")
    else:
        st.markdown(answer_md(answer))
    if answer.citations:
        index = api.open_corpus(state.active_corpus())
        cols = st.columns(min(len(answer.citations), 4))
        for i, c in enumerate(answer.citations):
            post = index.posts.get(c.post_id)
            with cols[i % len(cols)].popover(
                f"[{escape_md(c.key)}] {escape_md(who(post))}", width="stretch"
            ):
                st.caption(f"Verified quote, cited as [{escape_md(c.key)}]")
                cited_post(index, c.post_id, c.start, c.end, quote=c.quote)
    if answer.dropped:
        st.caption(
            f"{len(answer.dropped)} citation(s) could not be verified against the discussion "
            "and were removed."
        )
    if answer.route == "overview":
        st.page_link(MAP_PAGE, label="Open the argument map", icon=":material/account_tree:")
        st.caption(f"From the argument map \u00b7 engine: {escape_md(answer.engine)}")
    else:
        st.caption(f"engine: {escape_md(answer.engine)}")


class Stream:
    """Shows a generative engine's draft as it streams (escaped); verified text replaces it."""

    def __init__(self) -> None:
        self.box = st.empty()
        self.text = ""

    def __call__(self, token: str) -> None:
        self.text += token
        self.box.markdown(escape_md(self.text) + " \u258c")

    def clear(self) -> None:
        self.box.empty()


def _ask(question: str, turns: list[tuple[str, Answer]]) -> Answer:
    """``api.ask`` with the earlier Answers as history; streams when the engine can."""
    engine = state.active_engine()
    stream = Stream() if engine != "extractive" else None
    try:
        return api.ask(
            question, history=[a for _, a in turns] or None,
            corpus=state.active_corpus(), engine=engine, on_token=stream,
        )
    finally:
        if stream is not None:
            stream.clear()


def page() -> None:
    st.title("Ask the discussion")
    corpus = state.active_corpus()
    if corpus is None:
        st.warning("No corpus yet: add one under Sources.")
        return
    state.warm_up(corpus)
    turns: list[tuple[str, Answer]] = st.session_state.setdefault(HISTORY, [])
    asked = (st.chat_input("Ask about the story or the comments") or "").strip()
    with st.sidebar:
        if st.button("Clear conversation", icon=":material/delete:", disabled=not (turns or asked)):
            turns.clear()
            st.rerun()
    if not turns and not asked:
        st.caption("Answers quote the discussion; open a numbered source to see it in its thread.")
        st.caption("Try: " + " \u00b7 ".join(f"*{escape_md(q)}*" for q in EXAMPLES))
    for question, answer in turns:
        with st.chat_message("user"):
            st.markdown(escape_md(question))
        with st.chat_message("assistant"):
            show_answer(answer)
    if asked:
        with st.chat_message("user"):
            st.markdown(escape_md(asked))
        with st.chat_message("assistant"):
            with st.spinner("Reading the thread\u2026"):
                answer = _ask(asked, turns)
            show_answer(answer)
        turns.append((asked, answer))

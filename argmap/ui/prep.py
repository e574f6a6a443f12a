"""Debate prep page: pick a side, read the brief, download it as Markdown or JSON.

The brief's Markdown is meant for a file, not for this page: its quotes are corpus text,
so the page renders the brief's JSON itself, escaping every quote, and offers the Markdown
only as a download.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from argmap import api
from argmap.records import people_phrase
from argmap.store import CorpusIndex
from argmap.ui import state
from argmap.ui.components import cited_post, pid
from argmap.ui.render import escape_md

SIDE_LABELS = {"for": "For the proposition", "against": "Against the proposition"}


def brief_files(
    side: str, corpus: str, proposition: str | None = None
) -> tuple[dict[str, Any], str, str]:
    """(brief data, Markdown, JSON) for one side."""
    from argmap.brief import render_markdown

    data = api.brief(side, corpus=corpus, proposition=proposition).to_dict()
    return data, render_markdown(data), json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def quote_block(index: CorpusIndex, q: dict[str, Any]) -> None:
    """One quote, escaped, with who said it and a popover showing it in its post."""
    who = str(q.get("author", ""))
    cols = st.columns([6, 1])
    cols[0].markdown(
        f":gray[\u201c]{escape_md(' '.join(str(q['quote']).split()))}:gray[\u201d]  \n"
        f":gray[\u2014 {escape_md(who)}] {pid(str(q['post_id']))}"
    )
    with cols[1].popover("Context", width="stretch"):
        cited_post(index, str(q["post_id"]), q.get("start"), q.get("end"), quote=str(q["quote"]))


def show_brief(index: CorpusIndex, brief: dict[str, Any]) -> None:
    st.subheader("Strongest points")
    if not brief["key_points"]:
        st.caption("No key points on this side in the corpus.")
    for i, kp in enumerate(brief["key_points"], 1):
        count = people_phrase(int(kp["distinct_authors"]), int(kp.get("anonymous_posts", 0)))
        with st.container(border=True):
            st.markdown(
                f"**{i}\\. {escape_md(kp['key_point'])}**  \n"
                f":gray[{count}]"
            )
            for q in kp["quotes"]:
                quote_block(index, q)
            if kp["rebuttals"]:
                st.markdown("*Rebuttals it drew, to be ready for:*")
                for q in kp["rebuttals"]:
                    quote_block(index, q)
    for title, key in (
        ("Objections nobody answered", "unanswered_objections"),
        ("Open questions", "open_questions"),
    ):
        st.subheader(title)
        items = brief.get(key) or []
        if not items:
            st.caption("None.")
        for q in items:
            quote_block(index, q)
    others = brief.get("other_side_points") or []
    if others:
        st.subheader("What the other side will say")
        st.markdown("\n".join(f"- {escape_md(str(p))}" for p in others))


def page() -> None:
    st.title("Debate prep")
    corpus = state.active_corpus()
    if corpus is None:
        st.warning("No corpus yet: add one under Sources.")
        return
    proposition = state.proposition_field(corpus)
    side = st.radio(
        "I will argue", list(SIDE_LABELS), format_func=SIDE_LABELS.__getitem__,
        horizontal=True, key="prep_side",
    )
    with st.spinner("Preparing the brief\u2026"):
        brief, md, js = brief_files(side, corpus, proposition)
    cols = st.columns([1, 1, 4])
    cols[0].download_button(
        "Markdown", md, file_name=f"brief-{corpus}-{side}.md", mime="text/markdown",
        icon=":material/download:", key="dl_md",
    )
    cols[1].download_button(
        "JSON", js, file_name=f"brief-{corpus}-{side}.json", mime="application/json",
        icon=":material/download:", key="dl_json",
    )
    show_brief(api.open_corpus(corpus), brief)

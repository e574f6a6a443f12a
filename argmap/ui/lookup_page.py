"""Citation lookup page: paste a quote, type words or a name; see the span in its thread.

The search can arrive in the URL (``?q=...&by=quote``) so the chat's citation popovers and
the map link here, and a result can be shared by copying the address.
"""

from __future__ import annotations

import streamlit as st

from argmap import api
from argmap.lookup import MODES, LookupHit
from argmap.store import CorpusIndex
from argmap.ui import state
from argmap.ui.components import lookup_link, pid, post_header, thread_tree, who
from argmap.ui.render import escape_md, post_md

_LABELS = {
    "auto": "Auto", "quote": "Pasted quote", "words": "Words", "author": "Author",
    "post": "Post id",
}


def _from_url() -> None:
    """Copy ``?q=&by=`` into the widgets once per distinct URL search."""
    q, by = st.query_params.get("q"), st.query_params.get("by", "auto")
    if q and st.session_state.get("_lookup_url") != (q, by):
        st.session_state["_lookup_url"] = (q, by)
        st.session_state["lookup_q"] = q
        st.session_state["lookup_by"] = by if by in MODES else "auto"


def show_hit(index: CorpusIndex, hit: LookupHit, n: int) -> None:
    post = index.posts[hit.post_id]
    if hit.own:
        note = ":green-badge[own words]"
    else:
        original = index.posts.get(hit.original_post_id or "")
        note = f":orange-badge[quoted from {escape_md(who(original))}]"
    with st.container(border=True):
        post_header(post, note)
        st.caption(f"characters {hit.start}\u2013{hit.end} of the post \u00b7 match: {hit.match}")
        exact = hit.match in ("quote", "words")  # a whole post needs no highlight
        st.markdown(post_md(post, hit.start if exact else None, hit.end if exact else None))
        if not hit.own and hit.original_post_id:
            original = index.posts.get(hit.original_post_id)
            st.markdown(
                f"These words are {escape_md(who(post))} quoting "
                f"**{escape_md(who(original))}** {pid(hit.original_post_id)}; "
                "they are credited to the original post."
            )
            lookup_link(hit.original_post_id, "post", label="Open the original post")
        with st.expander("Thread context", expanded=n == 0):
            thread_tree(index, hit.ancestors, post, hit.replies)


def page() -> None:
    st.title("Citation lookup")
    corpus = state.active_corpus()
    if corpus is None:
        st.warning("No corpus yet: add one under Sources.")
        return
    _from_url()
    st.session_state.setdefault("lookup_by", "auto")
    with st.form("lookup"):
        st.text_area(
            "Paste a quote, type some words, or an author's name", key="lookup_q", height=90,
            placeholder='e.g. "13th amendment", or a sentence copied from a comment',
        )
        st.radio(
            "Search by", MODES, key="lookup_by", horizontal=True,
            format_func=lambda m: _LABELS[m],
        )
        st.form_submit_button("Look up", icon=":material/search:")
    query = str(st.session_state.get("lookup_q") or "").strip()
    if not query:
        st.caption("Finds who said it, the exact character span, and the thread around it.")
        return
    mode = str(st.session_state.get("lookup_by", "auto"))
    if (st.query_params.get("q"), st.query_params.get("by")) != (query[:500], mode):
        # keep the address shareable: it always holds the search on screen
        st.session_state["_lookup_url"] = (query[:500], mode)
        st.query_params.update({"q": query[:500], "by": mode})
    result = api.lookup(query, mode=mode, corpus=corpus)
    index = api.open_corpus(corpus)
    if not result.hits:
        st.info(f"Nothing in {escape_md(corpus)} matches that ({_LABELS[result.mode].lower()}).")
        return
    own = sum(h.own for h in result.hits)
    st.caption(
        f"{len(result.hits)} result(s) by {_LABELS[result.mode].lower()}: {own} in the author's "
        f"own words, {len(result.hits) - own} quoted from someone else"
    )
    for n, hit in enumerate(result.hits):
        show_hit(index, hit, n)

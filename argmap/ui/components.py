"""Widgets several pages share: a cited post in its thread, and the thread tree.

Every string that came from a corpus passes through ``render`` escaping before it reaches
``st.markdown``; labels of popovers and expanders are Markdown too, so they are escaped as well.
"""

from __future__ import annotations

import streamlit as st

from argmap.records import Post, who
from argmap.store import CorpusIndex
from argmap.ui.app_pages import path
from argmap.ui.render import escape_md, post_md, snippet, tree_prefix

LOOKUP_PAGE = path("lookup")


def pid(post_id: str) -> str:
    """A post id as safe Markdown (ids come from source files, so no code spans: a backtick
    in an id would end one)."""
    return f":gray[#{escape_md(post_id)}]"


def post_header(post: Post, note: str = "") -> None:
    bits = [f"**{escape_md(who(post))}**", pid(post.id)]
    if post.time:
        bits.append(escape_md(post.time))
    if post.truncated:
        bits.append("*cut short at the source*")
    if note:
        bits.append(note)
    st.markdown(" \u00b7 ".join(bits))


def lookup_link(text: str, mode: str, label: str = "Open in Citation lookup") -> None:
    """A link to the lookup page that carries the search in the URL (shareable, no HTML)."""
    st.page_link(
        LOOKUP_PAGE, label=label, icon=":material/search:",
        query_params={"q": text[:500], "by": mode},
    )


def cited_post(
    index: CorpusIndex, post_id: str, start: int | None, end: int | None, quote: str = ""
) -> None:
    """A cited post in full with the cited span highlighted, its parent, replies and a link."""
    post = index.posts.get(post_id)
    if post is None:
        st.warning(f"Post {escape_md(post_id)} is not in corpus {escape_md(index.name)}.")
        return
    post_header(post)
    if post.title and post.kind == "article":
        st.markdown(f"*{escape_md(post.title)}*")
    st.markdown(post_md(post, start, end))
    if post.quotes:
        st.caption("Grey text is quoted from an earlier post, not this author's own words.")
    parent = index.posts.get(post.parent_id) if post.parent_id else None
    if parent is not None:
        st.markdown(
            f"**In reply to** {escape_md(who(parent))} {pid(parent.id)}: "
            f"{escape_md(snippet(parent.own_text or parent.text))}"
        )
    replies = index.replies.get(post.id, [])
    if replies:
        st.markdown(f"**Replies ({len(replies)})**")
        for rid in replies[:8]:
            reply = index.posts.get(rid)
            if reply is not None:
                st.markdown(
                    f"\u2514\u2500 {escape_md(who(reply))} {pid(rid)}: "
                    f"{escape_md(snippet(reply.own_text or reply.text, 120))}"
                )
    if quote:
        lookup_link(quote, "quote")
    else:
        lookup_link(post.id, "post")


def thread_tree(index: CorpusIndex, ancestors: list, post: Post, replies: list) -> None:
    """Ancestors, the post itself (marked) and its replies as an indented text tree."""
    lines = []
    for node in ancestors:
        lines.append(
            f"{tree_prefix(node.level)}{escape_md(who(index.posts.get(node.post_id)))} "
            f"{pid(node.post_id)}: {escape_md(node.snippet)}"
        )
    level = len(ancestors)
    lines.append(
        f"{tree_prefix(level)}**\u25b6 {escape_md(who(post))}** {pid(post.id)} (this post)"
    )
    for node in replies:
        lines.append(
            f"{tree_prefix(node.level)}{escape_md(who(index.posts.get(node.post_id)))} "
            f"{pid(node.post_id)}: {escape_md(node.snippet)}"
        )
    st.markdown("  \n".join(lines))

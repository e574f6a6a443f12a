"""Argument map page: both sides' key points, who made them, and who rebutted whom.

The graph is a DOT string we build ourselves (node ids are generated, every label goes
through ``dot_string``), drawn by ``st.graphviz_chart`` in the browser as SVG text, so a
comment can't inject markup. The list view carries the same content for reading and
for screen readers; picking a key point shows its quotes in their posts.
"""

from __future__ import annotations

import streamlit as st

from argmap import api
from argmap.records import ArgumentMap, Author, KeyPoint, head_count, people_phrase
from argmap.store import CorpusIndex
from argmap.ui import state
from argmap.ui.components import cited_post, pid, who
from argmap.ui.render import dot_string, escape_md

SIDES = (("for", "For", "#d8f0d8", "#2e7d32"), ("against", "Against", "#f8dada", "#c62828"))
GRAPH_POINTS = 6
GRAPH_POSTS = 3


def points(amap: ArgumentMap, side: str) -> list[KeyPoint]:
    return amap.pro if side == "for" else amap.con


def people(kp: KeyPoint) -> str:
    """"3 people + 2 anonymous posts": anonymous posts are never counted as more people."""
    return people_phrase(*head_count(kp.authors))


def map_dot(amap: ArgumentMap, index: CorpusIndex) -> str:
    """A butterfly: posts -> key points FOR -> proposition <- key points AGAINST <- posts.

    Rebutting posts hang off the key point they answer with dashed red edges. Node ids are
    generated; labels are the only corpus text and go through ``dot_string``.
    """
    lines = [
        "digraph argmap {",
        "rankdir=LR; nodesep=0.12; ranksep=0.3; bgcolor=transparent;",
        'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        'edge [fontname="Helvetica", fontsize=9, color="#9e9e9e", arrowsize=0.6];',
        f"prop [label={dot_string(amap.proposition, 90, 26)}, shape=ellipse, "
        'fillcolor="#e8eaf6", fontsize=12];',
    ]
    node_of: dict[tuple[str, str], str] = {}

    def post_node(side: str, post_id: str) -> str:
        """One node per person and side (a person never pulls the two wings together).

        Anonymous posts count as one person each (``records.Author``), so each is its own
        "anonymous" node, told apart by its post id instead of repeating one label.
        """
        post = index.posts.get(post_id)
        author = Author.of(post)
        key = (side, author.key if post is not None else post_id)
        if key not in node_of:
            node_of[key] = f"p{len(node_of)}"
            if post is None or post.kind == "article" or not author.anonymous:
                label = dot_string(who(post) if post is not None else post_id, 24, 24)
            else:
                label = dot_string("anonymous", 24, 24, last=f"#{post_id}"[:24])
            lines.append(f'{node_of[key]} [label={label}, shape=note, fillcolor="white"];')
        return node_of[key]

    def edge(post: str, kp: str, side: str, attrs: str) -> str:
        # for: post -> kp (left of it); against: kp -> post drawn backwards (right of it)
        if side == "for":
            return f"{post} -> {kp} [{attrs}];"
        return f"{kp} -> {post} [dir=back, {attrs}];"

    for side, title, fill, color in SIDES:
        for i, kp in enumerate(points(amap, side)[:GRAPH_POINTS]):
            kid = f"{side[0]}{i}"
            count = f"({people(kp)})"
            label = dot_string(kp.key_point, 100, 30, last=count)
            lines.append(f'{kid} [label={label}, fillcolor="{fill}"];')
            rel = f'label="{title.lower()}", color="{color}", fontcolor="{color}"'
            lines.append(
                f"{kid} -> prop [{rel}];" if side == "for" else f"prop -> {kid} [dir=back, {rel}];"
            )
            for post_id in kp.post_ids[:GRAPH_POSTS]:
                plain = "arrowhead=none, arrowtail=none"
                lines.append(edge(post_node(side, post_id), kid, side, plain))
            for post_id in kp.rebuttals[:GRAPH_POSTS]:
                lines.append(edge(post_node(side, post_id), kid, side,
                                  'label="rebuts", style=dashed, color="#c62828", '
                                  'fontcolor="#c62828"'))
    lines.append("}")
    return "\n".join(lines)


def list_view(amap: ArgumentMap) -> None:
    cols = st.columns(2)
    for col, (side, title, _, _) in zip(cols, SIDES, strict=True):
        kps = points(amap, side)
        with col:
            st.subheader(f"{title} ({len(kps)} key points)")
            if not kps:
                st.caption("No key points on this side.")
            for n, kp in enumerate(kps, 1):
                rebut = f", {len(kp.rebuttals)} rebuttal(s)" if kp.rebuttals else ""
                st.markdown(
                    f"{n}\\. {escape_md(kp.key_point)}  \n"
                    f":gray[{people(kp)}, "
                    f"{len(kp.post_ids)} post(s){rebut}]"
                )


def point_detail(index: CorpusIndex, kp: KeyPoint) -> None:
    st.markdown(f"**{escape_md(kp.key_point)}**")
    named = [a.name for a in kp.authors if not a.anonymous][:12]
    st.caption(f"Made by {people(kp)}" + (f": {escape_md(', '.join(named))}" if named else ""))
    for q in kp.quotes:
        with st.container(border=True):
            cited_post(index, q.post_id, q.start, q.end, quote=q.quote)
    if kp.rebuttals:
        st.markdown("**Rebuttals it drew**")
        for rid in kp.rebuttals[:8]:
            post = index.posts.get(rid)
            if post is not None:
                with st.expander(f"{escape_md(who(post))} #{escape_md(rid)}"):
                    cited_post(index, rid, None, None)


def _choices(amap: ArgumentMap) -> list[tuple[str, int]]:
    return [(side, i) for side, *_ in SIDES for i in range(len(points(amap, side)))]


def page() -> None:
    st.title("Argument map")
    corpus = state.active_corpus()
    if corpus is None:
        st.warning("No corpus yet: add one under Sources.")
        return
    proposition = state.proposition_field(corpus)
    with st.spinner("Mapping the arguments\u2026"):
        amap = api.argument_map(corpus=corpus, proposition=proposition)
    index = api.open_corpus(corpus)
    st.caption(
        f"For: {people_total(amap, 'for')}; against: {people_total(amap, 'against')}; "
        f"{len(amap.neutral_posts)} neutral posts"
    )
    graph, listing = st.tabs(["Graph", "List"])
    with graph:
        st.graphviz_chart(map_dot(amap, index), width="stretch")
        st.caption("Green: for; red: against; dashed red: rebuttals. Notes are posts.")
    with listing:
        list_view(amap)
    choices = _choices(amap)
    if not choices:
        return
    st.divider()

    def label(choice: tuple[str, int]) -> str:
        kp = points(amap, choice[0])[choice[1]]
        return f"{choice[0].title()}: {kp.key_point[:90]} ({people(kp)})"

    pick = st.selectbox("Show the quotes for a key point", choices, format_func=label)
    point_detail(index, points(amap, pick[0])[pick[1]])
    unanswered = amap.unanswered[:5]
    if unanswered:
        with st.expander(f"Points against it that nobody answered ({len(amap.unanswered)})"):
            for post_id in unanswered:
                post = index.posts.get(post_id)
                st.markdown(f"{escape_md(who(post))} {pid(post_id)}: "
                            f"{escape_md((post.own_text if post else '')[:200])}")


def people_total(amap: ArgumentMap, side: str) -> str:
    authors: dict[str, Author] = {}
    for kp in points(amap, side):
        authors.update((a.key, a) for a in kp.authors)
    return people_phrase(*head_count(list(authors.values())))

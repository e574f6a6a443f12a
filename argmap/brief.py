"""Debate brief for one side, built from the cached argument map: Markdown to read, JSON for tools.

Why only the map and the corpus's own sentences: a brief someone argues from must not say
anything nobody wrote, so every line is a key point label or a quote that passed the same
verifier as chat citations (``argmap.citations.verify_citation``), with who said it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal, cast

from argmap.errors import ArgmapError
from argmap.mapping import argues, own_quote
from argmap.records import (
    ArgumentMap,
    Brief,
    BriefPoint,
    Citation,
    KeyPoint,
    participant,
    people_phrase,
)
from argmap.safetext import inline
from argmap.text import question_start
from argmap.view import CorpusView

MAX_POINTS = 6
MAX_ITEMS = 5


def _quote_of(index: CorpusView, post_id: str) -> Citation | None:
    """The post's most argument-like own sentence that the verifier credits to it."""
    units = [u for u in index.units if u.post_id == post_id]
    units.sort(key=lambda u: (not argues(u.text), u.start))
    return next((c for c in (own_quote(index.posts, u) for u in units) if c), None)


def _point(kp: KeyPoint, index: CorpusView) -> BriefPoint:
    rebuttals = [q for q in (_quote_of(index, r) for r in kp.rebuttals[:MAX_ITEMS]) if q]
    return BriefPoint(kp.key_point, kp.authors, kp.post_ids,
                      kp.quotes[:3], rebuttals)


def build_brief(index: CorpusView, amap: ArgumentMap, side: str) -> Brief:
    """The brief for ``side``."""
    if side not in ("for", "against"):
        raise ArgmapError(f"side must be 'for' or 'against', not {side!r}")
    ours, theirs = (amap.pro, amap.con) if side == "for" else (amap.con, amap.pro)
    objections = amap.unanswered if side == "for" else amap.unanswered_for
    replied = {p for p, kids in index.replies.items() if kids}
    questions: list[Citation] = []
    for u in index.units:
        if len(questions) >= MAX_ITEMS:
            break
        post = index.posts.get(u.post_id)
        if (post is None or not participant(post) or u.post_id in replied
                or (start := question_start(u.text)) is None):
            continue
        question = replace(u, start=u.start + start, text=u.text[start:].rstrip())
        if len(question.text.split()) >= 6:
            cite = own_quote(index.posts, question)
            if cite is not None:
                questions.append(cite)
    return Brief(
        proposition=amap.proposition,
        side=cast(Literal["for", "against"], side),
        key_points=[_point(kp, index) for kp in ours[:MAX_POINTS]],
        other_side_points=[kp.key_point for kp in theirs[:MAX_POINTS]],
        unanswered_objections=[
            q for q in (_quote_of(index, p) for p in objections[:MAX_ITEMS]) if q],
        open_questions=questions,
    )


def _md_quote(q: dict[str, Any]) -> str:
    """An escaped one-line block quote: quoted words can't close it, forge another or run."""
    return (f"> {inline(q['quote'])}\n>\n> -- {inline(q['author'])} "
            f"(post {inline(q['post_id'])}, chars {int(q['start'])}-{int(q['end'])})")


def render_markdown(brief: Brief | dict[str, Any]) -> str:
    """Printable Markdown; every quoted line carries its post id and character span.

    Every field from the corpus (proposition, key points, authors, ids, quotes) passes
    through ``safetext.inline``: one line, no Markdown or HTML, so opening the file in a
    viewer that allows HTML runs and fetches nothing.
    """
    if isinstance(brief, Brief):
        brief = brief.to_dict()
    side = "FOR" if brief["side"] == "for" else "AGAINST"
    out = [f"# Debate brief: arguing {side}", "",
           f"**Proposition:** {inline(brief['proposition'])}", ""]
    out += ["## Strongest points", ""]
    if not brief["key_points"]:
        out += ["_No key points on this side in the corpus._", ""]
    for i, kp in enumerate(brief["key_points"], 1):
        count = people_phrase(int(kp["distinct_authors"]), int(kp.get("anonymous_posts", 0)))
        posts = ", ".join(inline(p) for p in kp["post_ids"])
        out += [f"### {i}. {inline(kp['key_point'])}", "",
                f"_{count}; posts: {posts}_", ""]
        for q in kp["quotes"]:
            out += [_md_quote(q), ""]
        if kp["rebuttals"]:
            out += ["**Rebuttals it drew:**", ""]
            for q in kp["rebuttals"]:
                out += [_md_quote(q), ""]
    out += ["## Objections nobody answered", ""]
    out += [_md_quote(q) + "\n" for q in brief["unanswered_objections"]] or ["_None._", ""]
    out += ["## Open questions", ""]
    out += [_md_quote(q) + "\n" for q in brief["open_questions"]] or ["_None._", ""]
    return "\n".join(out).rstrip() + "\n"

"""Overview answers: the argument map's key points for one side or both, as a chat answer.

Each key point shows how many distinct people made it ("3 people + 2 anonymous posts") and
one quote of one of them. The draft goes through the same verifier as every engine's
(``check_answer``), so a quote the current posts do not contain never reaches the user; the
lines that only describe the answer (the heading, a side's title, the pointer to the map
page) need no citation. The map is the one cached at ingest (built here if missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from argmap.citations import check_answer
from argmap.intent import Side
from argmap.mapping import get_map
from argmap.records import Answer, ArgumentMap, KeyPoint, head_count, people_phrase
from argmap.text import word_key
from argmap.view import CorpusView

POINTS_PER_SIDE = 4  # both sides asked for: the most shared points of each
POINTS_ONE_SIDE = 6
MAP_PAGE = "Argument map"  # the app page listing every key point (named, not linked: CLI too)


@dataclass
class OverviewDraft:
    text: str
    keyed: dict[str, tuple[str, str]]
    uncited: list[str]  # lines that describe the answer and cite nothing


def _point_line(kp: KeyPoint, key: str) -> str | None:
    """"• <point> (N people + M anonymous posts), e.g. who: “quote” [key]"; the label is left
    out when it is the quote itself (the point's central sentence usually is)."""
    if not kp.quotes:
        return None
    q = kp.quotes[0]
    quote = " ".join(q.quote.split())
    people = f"({people_phrase(*head_count(kp.authors))})"
    same = word_key(kp.key_point).strip(". ") in word_key(quote)
    intro = f"{people}" if same else f"{kp.key_point} {people}, e.g."
    return f"\u2022 {intro} {q.author or 'Anonymous'}: \u201c{quote}\u201d [{key}]"


def draft(amap: ArgumentMap, side: Side) -> OverviewDraft:
    sides = [("for", amap.pro), ("against", amap.con)]
    if side != "both":
        sides = [(s, kps) for s, kps in sides if s == side]
    limit = POINTS_PER_SIDE if side == "both" else POINTS_ONE_SIDE
    counts = f"{len(amap.pro)} key points for, {len(amap.con)} against"
    asked = "for and against" if side == "both" else side
    head = (f"The arguments {asked} \u201c{amap.proposition}\u201d in this discussion, from its "
            f"argument map ({counts}; the most widely made first):")
    lines, uncited = [head], [head]
    keyed: dict[str, tuple[str, str]] = {}
    for name, kps in sides:
        title = f"{name.capitalize()} ({len(kps)} key point{'s' if len(kps) != 1 else ''}):"
        lines.append(title)
        uncited.append(title)
        for kp in kps[:limit]:
            key = str(len(keyed) + 1)
            line = _point_line(kp, key)
            if line is not None:
                keyed[key] = (kp.quotes[0].post_id, kp.quotes[0].quote)
                lines.append(line)
    foot = (f"The {MAP_PAGE} page lists every key point, who made it and who rebutted it.")
    lines.append(foot)
    uncited.append(foot)
    return OverviewDraft("\n".join(lines), keyed, uncited)


def overview_answer(index: CorpusView, question: str, standalone: str, side: Side,
                    engine: str) -> Answer | None:
    """The map's answer to an overview question, verified; None when the map has no quote
    that verifies (the question then goes to retrieval)."""
    amap = index.memo("overview.map", lambda: get_map(index))
    d = draft(amap, side)
    if not d.keyed:
        return None
    checked = check_answer(d.text, d.keyed, index.posts, keep_uncited=d.uncited, by_line=True)
    if checked.kept_sentences == 0:
        return None
    return Answer(question=question, answer=checked.text, abstained=False, engine=engine,
                  citations=checked.citations, dropped=checked.dropped,
                  standalone_question=standalone, route="overview")

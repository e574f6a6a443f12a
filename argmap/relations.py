"""Reply relations: does a reply support its parent, rebut it, or neither?

Why cues first: in comment threads the opening words of a reply ("It isn't.", "No.",
"Of course not", "Exactly.", "Agreed.") say how it stands toward its parent far more
reliably than any sentence-embedding similarity does, and a reply that quotes its parent
and then evaluates the quoted words the other way ("Seems like a very prudent fix to me"
under "... is not the right fix") rebuts it. Where no cue fires, the two posts' own stance
priors (argmap.stance) decide, but only when both are clear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from argmap.records import Post, Relation, ReplyRelation
from argmap.stance import cue_score

_OPEN_REBUT = re.compile(
    r"^\W*(?:no\b|nope\b|nah\b|wrong\b|it isn't\b|it is not\b|it's not\b|that isn't\b"
    r"|that is not\b|that's not\b|not really\b|of course not\b|i don't think\b|i doubt\b"
    r"|i disagree\b|bullshit\b|nonsense\b|not true\b|false\b|you need to\b|you miss\b"
    r"|we would, if\b|well, \b|really\?|seems to me\b)", re.I)
_ANY_REBUT = re.compile(
    r"(?:, not you\b|\bri+ght\.{2,}|\byou sound like\b|\bfound your problem\b"
    r"|\byou're wrong\b|\bthat's not how\b|\bnot what's happening\b)", re.I)
_OPEN_SUPPORT = re.compile(
    r"^\W*(?:exactly\b|agreed\b|i agree\b|this is exactly\b|this\.|yes\b|yep\b|indeed\b"
    r"|that's probably it\b|good point\b|true\b|\+1\b|so much this\b)", re.I)
# A question put to the parent's author ("do you support them ...?") challenges it.
_CHALLENGE = re.compile(r"\b(?:would|do|did|are|can|could) you\b[^.?!]*\?", re.I)


def cue_relation(post: Post, parent: Post) -> float:
    """>0 supports, <0 rebuts, 0 no cue; magnitude = how sure the cue is."""
    own = post.own_text.strip()
    if not own:
        return 0.0
    score = 0.0
    if _OPEN_SUPPORT.match(own):
        score += 2.0
    if _OPEN_REBUT.match(own):
        score -= 1.0 if own.lower().startswith(("well, ", "seems to me")) else 2.0
    if _ANY_REBUT.search(own):
        score -= 1.5
    if _CHALLENGE.search(own) and score == 0.0:
        score -= 1.0
    quoted = " ".join(q.text for q in post.quotes if q.from_post_id == parent.id)
    if quoted:  # evaluating the quoted words the other way rebuts them
        q, o = cue_score(quoted), cue_score(own)
        if q * o < 0:
            score -= 2.0
        elif q * o > 0:
            score += 1.0
    return score


def relation_from(cue: float, child_prior: float, parent_prior: float) -> tuple[Relation, float]:
    """Combine the cue with the two own-stance priors (logits); returns (relation, strength)."""
    agree = 0.0
    if abs(child_prior) >= 1.0 and abs(parent_prior) >= 1.0:
        agree = (1.0 if child_prior * parent_prior > 0 else -1.0) * min(
            abs(child_prior), abs(parent_prior), 2.0)
    score = cue + 0.5 * agree
    if score >= 1.0:
        return "supports", score
    if score <= -1.0:
        return "rebuts", -score
    return "neither", abs(score)


def reply_relations(
    posts: list[Post], priors: Mapping[str, float]
) -> dict[str, tuple[Relation, float]]:
    """Relation of every comment reply to its (comment) parent, by reply post id."""
    by_id = {p.id: p for p in posts}
    out: dict[str, tuple[Relation, float]] = {}
    for p in posts:
        parent = by_id.get(p.parent_id or "")
        if parent is None or parent.kind != "comment" or p.kind != "comment":
            continue
        cue = cue_relation(p, parent)
        out[p.id] = relation_from(cue, priors.get(p.id, 0.0), priors.get(parent.id, 0.0))
    return out


def as_records(rel: Mapping[str, tuple[Relation, float]],
               posts: Mapping[str, Post]) -> list[ReplyRelation]:
    return [
        ReplyRelation(pid, posts[pid].parent_id or "", r)
        for pid, (r, _) in rel.items()
    ]

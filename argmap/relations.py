"""Reply relations: does a reply agree with its parent, disagree, or neither?

The same learned pair model as post stance (argmap.stance) reads (parent's own words, reply's
own words): "for" is agreement, "against" disagreement. It was trained on Reddit reply pairs
(DEBAGREEMENT, MT-CSD) among its other sets; quoted parent text is left out of the reply so
the model judges what the replier adds, not what they repeat.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from argmap.records import Post, Relation, ReplyRelation, Stance, StanceLabel
from argmap.stance import LABELS, lean, pair_logits, probabilities

_RELATION: tuple[Relation, ...] = ("supports", "rebuts", "neither")  # the model's columns
# Combining own stance with the tree is a documented rule, not fitted (docs/experiments.md):
PROPAGATION = 0.9  # share of the parent's (clipped) lean an agreeing / disagreeing reply carries
CLIP = 3.0  # most lean a parent passes on: no chain of replies outweighs a post's own words
CLEAR = 1.0  # lean the thread must add before a post neutral in its own words takes a side


@dataclass(frozen=True)
class ReplyJudgement:
    relation: Relation
    agreement: float  # P(agrees) - P(disagrees), in [-1, 1]: how stance carries over the edge


def judge(probs: np.ndarray) -> ReplyJudgement:
    return ReplyJudgement(_RELATION[int(np.argmax(probs))], float(probs[0] - probs[1]))


def reply_relations(
    posts: list[Post], argued: Collection[str] = ()
) -> dict[str, ReplyJudgement]:
    """Relation of every comment to its parent, by reply post id, where the parent is a
    comment or one of the ``argued`` posts (an opinion post that opens the thread)."""
    by_id = {p.id: p for p in posts}
    edges = [(p, by_id[p.parent_id]) for p in posts
             if p.kind == "comment" and p.parent_id in by_id
             and (by_id[p.parent_id].kind == "comment" or p.parent_id in argued)
             and p.own_text.strip() and by_id[p.parent_id].own_text.strip()]
    probs = probabilities(pair_logits([(par.own_text, p.own_text) for p, par in edges]))
    return {p.id: judge(pr) for (p, _), pr in zip(edges, probs, strict=True)}


def as_records(rel: Mapping[str, ReplyJudgement],
               posts: Mapping[str, Post]) -> list[ReplyRelation]:
    return [ReplyRelation(pid, posts[pid].parent_id or "", j.relation) for pid, j in rel.items()]


def propagate(
    nodes: list[tuple[str, str | None]], own: Mapping[str, np.ndarray],
    rel: Mapping[str, ReplyJudgement], bonus: Mapping[str, float] | None = None,
    given: Mapping[str, float] | None = None,
) -> dict[str, StanceLabel]:
    """Each node's stance from its own words and the tree, top-down.

    ``nodes``: (id, parent id) in thread pre-order, parents first. ``own``: P(for / against /
    neutral) from the post's own words (missing: no words, neutral). ``rel``: the reply's
    relation to its parent. A node's lean is its own lean (log P(for) - log P(against)) plus
    ``bonus`` (the proposer's posts) plus, when the reply agrees or disagrees, its parent's
    clipped final lean times P(agree) - P(disagree). ``given``: the lean of parents that are
    not labelled themselves (an opening opinion post)."""
    bonus, given = bonus or {}, given or {}
    final: dict[str, float] = dict(given)
    out: dict[str, StanceLabel] = {}
    for nid, parent in nodes:
        probs = own.get(nid, np.array([0.0, 0.0, 1.0]))
        carry = bonus.get(nid, 0.0)
        j = rel.get(nid)
        if j is not None and j.relation != "neither" and parent in final:
            carry += PROPAGATION * j.agreement * float(np.clip(final[parent], -CLIP, CLIP))
        final[nid] = float(lean(probs[None])[0]) + carry
        if LABELS[int(np.argmax(probs))] == "neutral" and abs(carry) < CLEAR:
            out[nid] = StanceLabel("neutral", round(float(probs[2]), 3))
        else:
            side: Stance = "for" if final[nid] > 0 else "against"
            out[nid] = StanceLabel(side, round(float(1 / (1 + np.exp(-abs(final[nid])))), 3))
    return out

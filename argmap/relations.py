"""Reply relations: does a reply agree with its parent, disagree, or neither?

The same learned pair model as post stance (argmap.stance) reads (parent's own words, reply's
own words): "for" is agreement, "against" disagreement. It was trained on Reddit reply pairs
(DEBAGREEMENT, MT-CSD) among its other sets; quoted parent text is left out of the reply so
the model judges what the replier adds, not what they repeat.

``propagate`` combines each post's own stance with its parent's final stance through the
reply relation, top-down, by a small multinomial logistic regression (``Weights``) learned
on MT-CSD train threads and regularised on MT-CSD valid (train/propagation.py writes
models/propagation.json); the proposer's bonus is set in argmap.mapping, since MT-CSD has no
authors to learn it from.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from argmap.records import Post, Relation, ReplyRelation, StanceLabel
from argmap.stance import LABELS, label, pair_logits, probabilities

_RELATION: tuple[Relation, ...] = ("supports", "rebuts", "neither")  # the model's columns
WEIGHTS_PATH = Path(__file__).parent / "models" / "propagation.json"
_NEUTRAL = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class ReplyJudgement:
    relation: Relation
    agreement: float  # P(agrees) - P(disagrees), in [-1, 1]
    probs: tuple[float, float, float] | None = None  # P(agree / disagree / neither)

    def distribution(self) -> np.ndarray:
        if self.probs is not None:
            return np.array(self.probs)
        a = self.agreement  # a judgement given by hand: its agreement read as probabilities
        return np.array([max(a, 0.0), max(-a, 0.0), 1.0 - abs(a)])


def judge(probs: np.ndarray) -> ReplyJudgement:
    return ReplyJudgement(_RELATION[int(np.argmax(probs))], float(probs[0] - probs[1]),
                          (float(probs[0]), float(probs[1]), float(probs[2])))


@dataclass(frozen=True)
class Weights:
    """A multinomial logistic regression over ``features``: one row of coefficients and one
    intercept per class (for, against, neutral). Learned by train/propagation.py."""

    coef: list[list[float]]
    intercept: list[float]

    @classmethod
    def own_only(cls) -> Weights:
        """Each post's own words alone (the softmax of log P(own) is P(own))."""
        eye = np.eye(3, N_FEATURES)
        return cls(eye.tolist(), [0.0, 0.0, 0.0])

    def to_dict(self) -> dict[str, list]:  # type: ignore[type-arg]
        return {"coef": self.coef, "intercept": self.intercept,
                "features": list(FEATURES), "classes": list(LABELS)}

    def scores(self, x: np.ndarray) -> np.ndarray:
        return x @ np.asarray(self.coef).T + np.asarray(self.intercept)  # type: ignore[no-any-return]


FEATURES = tuple([f"log P(own {c})" for c in LABELS] + [f"P(agree) x parent {c}" for c in LABELS]
                 + [f"P(disagree) x parent {c}" for c in LABELS])
N_FEATURES = len(FEATURES)


@lru_cache(maxsize=1)
def weights() -> Weights:
    d = json.loads(WEIGHTS_PATH.read_text())
    return Weights(d["coef"], d["intercept"])


def features(own: np.ndarray, rel: np.ndarray, parent_final: np.ndarray) -> np.ndarray:
    """(n, 9) rows: log P(own), then the parent's final distribution scaled by P(agree) and
    by P(disagree). A node with no parent to read has a zero parent distribution."""
    logp = np.log(np.clip(own, 1e-6, 1.0))
    return np.hstack([logp, rel[:, :1] * parent_final, rel[:, 1:2] * parent_final])


def infer(w: Weights, own: np.ndarray, rel: np.ndarray, parent: np.ndarray,
          bonus: np.ndarray | None = None, given: np.ndarray | None = None) -> np.ndarray:
    """(n, 3) final P(for / against / neutral), top-down. Rows are in pre-order (a parent
    before its replies); ``parent`` is the parent's row or -1; ``given`` (n, 3) is the parent
    distribution of rows whose parent is not a row (an opening opinion post); ``bonus`` is
    added to the for-score (the proposer's own posts)."""
    final = np.zeros((len(own), 3))
    given = np.zeros((len(own), 3)) if given is None else given
    bonus = np.zeros(len(own)) if bonus is None else bonus
    for i in range(len(own)):
        q = final[parent[i]] if parent[i] >= 0 else given[i]
        z = w.scores(features(own[i:i + 1], rel[i:i + 1], q[None]))[0]
        z[0] += bonus[i]
        e = np.exp(z - z.max())
        final[i] = e / e.sum()
    return final


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
    given: Mapping[str, float] | None = None, w: Weights | None = None,
) -> dict[str, StanceLabel]:
    """Each node's stance from its own words and the tree, top-down, by the learned ``w``.

    ``nodes``: (id, parent id) in thread pre-order, parents first. ``own``: P(for / against /
    neutral) from the post's own words (missing: no words, neutral). ``rel``: the reply's
    relation to its parent (missing: none read, the parent is not used). ``bonus``: added to
    the for-score of the proposer's posts. ``given``: the lean (log-odds for vs against) of
    parents that are not nodes themselves (an opening opinion post)."""
    bonus, given = bonus or {}, given or {}
    w = w or weights()
    row = {nid: i for i, (nid, _) in enumerate(nodes)}
    parent = np.array([row.get(p, -1) if p is not None and nid in rel else -1
                       for nid, p in nodes])
    ahead = np.zeros((len(nodes), 3))
    for i, (nid, p) in enumerate(nodes):
        if nid in rel and p is not None and p in given and p not in row:
            ahead[i, :2] = [1 / (1 + np.exp(-given[p])), 1 / (1 + np.exp(given[p]))]
    final = infer(
        w, np.array([own.get(nid, _NEUTRAL) for nid, _ in nodes]).reshape(-1, 3),
        np.array([rel[nid].distribution() if nid in rel else _NEUTRAL
                  for nid, _ in nodes]).reshape(-1, 3),
        parent, np.array([bonus.get(nid, 0.0) for nid, _ in nodes]), ahead)
    return {nid: label(final[i]) for i, (nid, _) in enumerate(nodes)}

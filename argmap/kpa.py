"""Key Point Analysis of one side, as IBM's KPA does it (Bar-Haim et al. 2020, 2021).

1. The argument filter (argmap.argfilter) keeps the sentences that argue on the proposition
   (at its recall-first gate: a non-argument let through only stays unassigned).
2. Candidates: the short ones (a key point is a concise claim), best quality first, at most
   ``MAX_CANDIDATES`` (the cross-encoder reads one pair per call, so candidates bound the cost).
3. Every argument is matched to every candidate with the ArgKP-trained matcher
   (argmap.keypoints.match_scores, its bi-encoder head: one vector per sentence, cheap).
4. Greedy selection: the candidate covering the most not-yet-covered arguments is kept, unless
   most of the arguments it covers are already covered by kept key points: then the matcher
   says it makes the same point as those, and it is merged away. Repeat while a candidate
   still covers ``MIN_SUPPORT`` new arguments. A side where no candidate does (a few posts,
   each its own point) keeps its candidates as one-sentence key points rather than none.
5. Every argument is matched again against the kept key points alone (the matcher's scores
   depend on the set of key points it compares, and ArgKP's sets are distinct points) and joins
   its best one when the cross-encoder-rescored score (method "cross") reaches
   ``JOIN_THRESHOLD`` and step 3 had it covered by that candidate, else stays unassigned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from argmap.argfilter import gate, score
from argmap.keypoints import match_scores

# JOIN_THRESHOLD: the match_scores(method="cross") score at which an argument joins its best
# key point; COVER_THRESHOLD: the head's score at which a candidate "covers" an argument.
# Chosen together with MIN_SUPPORT on ArgKP dev by `bench/keypoints.py --grid` (the lower of
# coverage and purity, then fewest unassigned): 0.45 / 0.55 / 2 give dev coverage 0.806,
# purity 0.817, unassigned 0.438 (each threshold's own best on bench/join_threshold.py,
# 0.31 / 0.44, gave 0.778 / 0.748 / 0.298)
JOIN_THRESHOLD = 0.45
COVER_THRESHOLD = 0.55
# a candidate whose covered arguments are this much covered already makes a kept point again
# (chosen on ArgKP dev by bench/keypoints.py over 0.3 / 0.5 / 0.7 at the earlier thresholds)
MERGE_OVERLAP = 0.7
MAX_CANDIDATES = 40
CANDIDATE_WORDS = (5, 30)  # a key point is one short claim (ArgKP's are 3-20 words)
MIN_SUPPORT = 2  # a key point stands for arguments several sentences make
# above this many arguments on a side the final match uses the head alone (at its own dev
# threshold): the cross-encoder reads ~3 pairs per argument, one model pass each, which
# would take minutes on a 20k-post thread
CROSS_LIMIT = 1500


@dataclass
class Group:
    """One key point: the candidate sentence it is named by and the sentences it covers."""

    label: int  # index into the analysed sentences
    members: list[int]  # the label first, then by match score, best first
    scores: list[float] = field(default_factory=list)  # match score per member


@dataclass
class Analysis:
    groups: list[Group]  # most members first
    arguments: list[int]  # the sentences the filter kept
    unassigned: list[int]  # arguments that joined no key point


def analyse(proposition: str, sentences: list[str], embed: Any,
            threshold: float = JOIN_THRESHOLD, max_candidates: int = MAX_CANDIDATES,
            min_support: int = MIN_SUPPORT, merge_overlap: float = MERGE_OVERLAP,
            use_filter: bool = True, cover: float = COVER_THRESHOLD) -> Analysis:
    """Key points of one side's ``sentences`` (``embed``: the packaged MiniLM, for the
    filter). ``use_filter=False`` takes every sentence as an argument, candidates in the order
    given (for sets already known to be arguments)."""
    if use_filter:
        scored = score(proposition, sentences, embed)
        args = [i for i, s in enumerate(scored) if s.argument >= gate()]
        quality = {i: scored[i].quality for i in args}
    else:
        args = list(range(len(sentences)))
        quality = {i: 0.0 for i in args}
    if not args:
        return Analysis([], [], [])
    lo, hi = CANDIDATE_WORDS
    short = [i for i in args if lo <= len(sentences[i].split()) <= hi]
    seen: set[str] = set()
    cands: list[int] = []
    for i in sorted(short, key=lambda i: (-quality[i], i)):
        key = " ".join(sentences[i].lower().split())
        if key not in seen:  # the same words pasted twice are one candidate
            seen.add(key)
            cands.append(i)
    cands = cands[:max_candidates]
    if not cands:
        return Analysis([], args, list(args))
    texts = [sentences[i] for i in args]
    same = np.array([[a == c for c in cands] for a in args], dtype=bool).reshape(len(args), -1)
    s = match_scores(texts, [sentences[c] for c in cands], method="head", same=same)
    covers = s >= cover
    kept = _select(covers, cands, min_support, merge_overlap)
    if not kept:  # no point several sentences share: a side's arguments still show, singly
        kept = _select(covers, cands, 1, merge_overlap)
    if not kept:
        return Analysis([], args, list(args))
    method = "cross" if len(args) <= CROSS_LIMIT else "head"
    if method == "head":
        threshold = cover
    final = match_scores(texts, [sentences[k] for k in kept], method=method)
    best = final.argmax(axis=1)
    own = {k: j for j, k in enumerate(kept)}
    # the final score must agree with the selection's view among all candidates: alone with
    # one or two key points the head's relational features take any argument for a match
    col = [cands.index(k) for k in kept]
    agrees = covers[:, col]
    members: dict[int, list[tuple[float, int]]] = {k: [] for k in range(len(kept))}
    unassigned = []
    for row, i in enumerate(args):
        if i in own:  # a key point's own sentence always makes it
            members[own[i]].append((float(final[row, own[i]]), i))
        elif final[row, best[row]] >= threshold and agrees[row, best[row]]:
            members[int(best[row])].append((float(final[row, best[row]]), i))
        else:
            unassigned.append(i)
    groups = []
    for k, got in members.items():
        if not got:
            continue
        label = kept[k]
        got.sort(key=lambda t: (t[1] != label, -t[0], t[1]))
        groups.append(Group(label, [i for _, i in got], [sc for sc, _ in got]))
    groups.sort(key=lambda g: (-len(g.members), g.label))
    return Analysis(groups, args, unassigned)


def _select(covers: np.ndarray, cands: list[int], min_support: int,
            merge_overlap: float) -> list[int]:
    """Greedy maximum coverage over ``covers`` (argument x candidate matches)."""
    covered = np.zeros(covers.shape[0], dtype=bool)
    open_ = set(range(len(cands)))
    kept: list[int] = []
    while open_:
        gain = {j: int((covers[:, j] & ~covered).sum()) for j in open_}
        j = min(open_, key=lambda j: (-gain[j], j))  # candidates come best quality first
        if gain[j] < min_support:
            break
        open_.discard(j)
        if kept and 1 - gain[j] / covers[:, j].sum() >= merge_overlap:
            continue  # mostly arguments a kept key point has: the same point, merged into it
        kept.append(cands[j])
        covered |= covers[:, j]
    return kept

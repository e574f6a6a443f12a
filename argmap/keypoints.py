"""Key points: group one side's sentences and label each group by its most central sentence.

Extractive, as in IBM's Key Point Analysis: a key point is a short sentence somebody in the
corpus actually wrote, so it can be cited and can never say what nobody said. Grouping is
average-linkage agglomerative clustering of MiniLM vectors by cosine distance (no fixed k:
a thread has as many points as it has). ``match_scores`` is the (argument, key point) matcher that
bench/argkp.py measures on ArgKP-2021 with the shared task's scorer: a fine-tuned bi-encoder
with a relational head ranks every pair, then a cross-encoder re-scores each argument's best
candidates (reading both texts at once is what the pooled vectors cannot do, but it costs one
model pass per pair, hence only the top few).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from argmap.embeddings import MiniLMEmbeddings, _session_and_tokenizer, _text_key
from argmap.text import clean_clause, tokens

MATCHER_PATH = Path(__file__).parent / "models" / "kp_matcher.npz"
# all-MiniLM-L6-v2 fine-tuned on ArgKP-2021 train for matching (train/finetune_matcher.py), int8
ENCODER_PATH = Path(__file__).parent / "models" / "kp_minilm_int8.onnx"
# cross-encoder over (key point, argument) pairs, re-scores the matcher's top candidates
# (train/finetune_cross.py), int8
CROSS_PATH = Path(__file__).parent / "models" / "kp_cross_int8.onnx"
# how far the cross-encoder's view moves a re-scored pair, and how many key points per
# argument it re-scores; both chosen on ArgKP dev by bench/argkp.py
CROSS_WEIGHT = 0.4
CROSS_TOP = 3
# How much an argument's best key point gains for its lead over the runner-up (chosen on
# ArgKP dev by bench/argkp.py): the shared task ranks arguments by their best score, and a
# clear winner is more often right than a near tie at the same score.
CROSS_MARGIN = 0.25
# Cosine distance under which two sentences are taken as making the same point (average
# linkage); 0.55 keeps paraphrases together without merging different arguments on the seed.
DISTANCE_THRESHOLD = 0.55


MAX_LINKAGE = 2500  # rows clustered exactly; beyond, sample + nearest centroid


@dataclass
class Cluster:
    members: list[int]  # indices into the clustered items
    label: int  # index of the representative sentence
    centrality: list[float]  # per member: mean cosine to the other members


def cluster(vecs: np.ndarray, threshold: float = DISTANCE_THRESHOLD) -> list[list[int]]:
    """Index groups of ``vecs`` (unit rows), largest first."""
    n = len(vecs)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    # The same sentence pasted again clusters once; rows are keyed by a digest of their bytes
    # because np.unique(axis=0) would sort copies of the whole matrix.
    first: dict[bytes, int] = {}
    inverse = np.empty(n, dtype=np.int64)
    for i, row in enumerate(np.ascontiguousarray(vecs, dtype=np.float32)):
        inverse[i] = first.setdefault(hashlib.blake2b(row.data, digest_size=16).digest(),
                                      len(first))
    keep = np.empty(len(first), dtype=np.int64)
    keep[inverse[::-1]] = np.arange(n - 1, -1, -1)  # first occurrence of each distinct row
    labels = _linkage_labels(vecs[keep], threshold)[inverse]
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _linkage_labels(vecs: np.ndarray, threshold: float) -> np.ndarray:
    """Average-linkage cosine clusters; above MAX_LINKAGE rows (quadratic memory and time),
    cluster a fixed sample and give every other row its nearest sample cluster's label when
    that centroid lies within ``threshold``, else a cluster of its own."""
    # scipy's average linkage is sklearn's AgglomerativeClustering(linkage="average",
    # metric="cosine") without sklearn's import cost.
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(vecs)
    if n == 1:
        return np.ones(1, dtype=np.int64)
    sample = np.arange(n) if n <= MAX_LINKAGE else np.sort(
        np.random.default_rng(0).choice(n, MAX_LINKAGE, replace=False))
    base = fcluster(linkage(vecs[sample].astype(np.float64), method="average", metric="cosine"),
                    t=threshold, criterion="distance").astype(np.int64)
    if n <= MAX_LINKAGE:
        return base
    ids = np.unique(base)
    cents = np.stack([vecs[sample[base == c]].mean(axis=0) for c in ids])
    cents /= np.clip(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12, None)
    unit = vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
    labels = np.empty(n, dtype=np.int64)
    fresh = int(ids.max()) + 1
    for start in range(0, n, 4096):
        sims = unit[start : start + 4096] @ cents.T
        best = sims.argmax(axis=1)
        for j, (b, sim) in enumerate(zip(best, sims[np.arange(len(best)), best], strict=True)):
            if 1.0 - sim <= threshold:
                labels[start + j] = ids[b]
            else:
                labels[start + j], fresh = fresh, fresh + 1
    labels[sample] = base
    return labels


def label_quality(text: str) -> float:
    """Prefer key-point-like sentences: 6-25 words, a statement, no question or fragment."""
    words = len(text.split())
    score = 1.0 if 6 <= words <= 25 else 0.6 if 4 <= words <= 40 else 0.2
    if text.rstrip().endswith("?"):
        score *= 0.5
    if not text.rstrip().endswith((".", "!", '"', ")")):
        score *= 0.8  # cut mid-sentence (Slashdot truncation) or a fragment
    if clean_clause(text) != " ".join(text.split()):
        score *= 0.8  # starts inside another sentence or is cut: the label would need mending
    return score


def describe(vecs: np.ndarray, texts: list[str], members: list[int]) -> Cluster:
    """Pick the member most similar to the rest (weighted by label quality) as the label."""
    sub = vecs[members]
    if len(members) > 1:
        # sum_j cos(i, j) = v_i . sum_j v_j: linear memory, not a pairwise matrix
        self_sim = np.einsum("ij,ij->i", sub, sub)
        cent = (sub @ sub.sum(0) - self_sim) / (len(members) - 1)
    else:
        cent = np.ones(1)
    quality = np.array([label_quality(texts[i]) for i in members])
    best = int(np.argmax(np.round(cent * quality, 5)))  # a tie (two members) -> the first
    return Cluster(members, members[best], [float(c) for c in cent])


def token_overlap(arguments: list[str], key_points: list[str]) -> np.ndarray:
    """Jaccard overlap of content words, (n_arguments, n_key_points)."""
    a = [set(tokens(t)) for t in arguments]
    k = [set(tokens(t)) for t in key_points]
    out = np.zeros((len(a), len(k)), dtype=np.float32)
    for i, x in enumerate(a):
        for j, y in enumerate(k):
            if x and y:
                out[i, j] = len(x & y) / len(x | y)
    return out


def pair_features(av: np.ndarray, kv: np.ndarray, arguments: list[str],
                  key_points: list[str]) -> np.ndarray:
    """(n_args, n_kps, 5): cosine, token overlap, and how the pair stands in its row/column.

    Why relational features: a raw cosine of 0.6 is a match in one topic and noise in the
    next; the pair's margin over the argument's other key points, and over the key point's
    other arguments, transfers across topics (chosen on ArgKP dev over richer sets).
    """
    cos = np.clip(av @ kv.T, -1.0, 1.0)
    ov = token_overlap(arguments, key_points)
    row = cos - cos.mean(1, keepdims=True)
    col = cos - cos.mean(0, keepdims=True)
    second = np.sort(cos, 1)[:, -2:-1] if cos.shape[1] > 1 else np.zeros_like(cos[:, :1])
    top = cos.max(1, keepdims=True)
    margin = cos - np.where(cos >= top, second, top)
    return np.stack([cos, ov, row, col, margin], -1)


class MatcherEmbeddings(MiniLMEmbeddings):
    """Unit vectors from the fine-tuned matcher encoder: the packaged model's tokenizer,
    interface and pooling, different weights, so a separate cache key space."""

    def __init__(self, model_path: Path = ENCODER_PATH, cache_path: Path | None = None,
                 batch_size: int = 64):
        super().__init__(cache_path=cache_path, batch_size=batch_size)
        self.model_path = Path(model_path)
        digest = hashlib.blake2b(self.model_path.read_bytes(), digest_size=8).hexdigest()
        self._prefix = f"kp-matcher:{digest}\x00"  # a rebuilt model never reads stale vectors

    def _key(self, text: str) -> str:
        return _text_key(self._prefix + text)


@lru_cache(maxsize=1)
def matcher_embeddings() -> MatcherEmbeddings:
    return MatcherEmbeddings()


@lru_cache(maxsize=1)
def _matcher() -> tuple[np.ndarray, float]:
    z = np.load(MATCHER_PATH)
    return z["w"], float(z["b"])


def match_scores(
    arguments: list[str], key_points: list[str], embed: object | None = None,
    method: str = "head", overlap_weight: float = 0.0, top: int = CROSS_TOP,
    weight: float = CROSS_WEIGHT, margin: float = CROSS_MARGIN,
) -> np.ndarray:
    """Score every (argument, key point) pair in [0, 1], shape (n_args, n_kps).

    Vectors come from the fine-tuned matcher encoder (``MatcherEmbeddings``, int8 ONNX in
    ``models/``) unless ``embed`` (anything with ``embed_array(texts)``) is given.
    ``method="head"``: the logistic head in ``models/kp_matcher.npz`` (train/train_matcher.py,
    trained over the fine-tuned encoder's ``pair_features``); scores depend on the whole set
    passed, so pass all arguments and key points of one topic and side together.
    ``method="cross"``: the head's scores, with each argument's ``top`` best key points
    re-scored by the cross-encoder (``cross_scores``) and mixed in with ``weight``; pairs
    it did not re-score count as no match in its view. Each argument's best pair then gains
    ``margin`` times its lead over the second best, and all scores shrink by ``1 + margin``
    (so they stay in [0, 1] and keep their order within an argument).
    ``method="cosine"``: cosine mapped to [0, 1], optionally mixed with token overlap.
    """
    if method == "cross":
        head = match_scores(arguments, key_points, embed, "head")
        pick = np.argsort(-head, axis=1)[:, :top]
        rows = np.repeat(np.arange(len(arguments)), pick.shape[1])
        cols = pick.ravel()
        cross = np.zeros_like(head)
        z = cross_scores([(key_points[j], arguments[i]) for i, j in zip(rows, cols, strict=True)])
        cross[rows, cols] = 1.0 / (1.0 + np.exp(-z))
        mix = (1 - weight) * head + weight * cross
        if mix.shape[1] > 1 and margin:
            best = mix.argmax(axis=1)
            lead = np.diff(np.sort(mix, axis=1)[:, -2:], axis=1)[:, 0]
            mix[np.arange(len(best)), best] += margin * lead
        return (mix / (1 + margin)).astype(np.float32)  # type: ignore[no-any-return]
    if embed is None:
        embed = matcher_embeddings()
    av = embed.embed_array(arguments)  # type: ignore[attr-defined]
    kv = embed.embed_array(key_points)  # type: ignore[attr-defined]
    if method == "head":
        w, b = _matcher()
        z = pair_features(av, kv, arguments, key_points) @ w + b
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)  # type: ignore[no-any-return]
    score = (np.clip(av @ kv.T, -1.0, 1.0) + 1.0) / 2.0
    if overlap_weight:
        score = (1 - overlap_weight) * score + overlap_weight * token_overlap(arguments, key_points)
    return score.astype(np.float32)  # type: ignore[no-any-return]


def cross_scores(pairs: list[tuple[str, str]]) -> np.ndarray:
    """Cross-encoder logits for (key point, argument) pairs, read together in one input.

    One pair per model call: the int8 model quantises activations with a scale taken over the
    whole input, so in a batch a pair's score would move with its neighbours and padding
    (by up to 0.01 mAP on ArgKP dev); alone it is reproducible, at ~25% less throughput."""
    session, tok = _session_and_tokenizer(str(CROSS_PATH))
    out = np.zeros(len(pairs), dtype=np.float32)
    for i, e in enumerate(tok.encode_batch([(k or " ", a or " ") for k, a in pairs])):  # type: ignore[attr-defined]
        ids = np.array([e.ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                "token_type_ids": np.array([e.type_ids], dtype=np.int64)}
        out[i] = session.run(None, feed)[0][0, 0]  # type: ignore[attr-defined]
    return out

"""The (argument, key point) matcher that argmap.kpa builds key points with.

``match_scores`` is the matcher that bench/argkp.py measures on ArgKP-2021 with the shared
task's scorer: a fine-tuned bi-encoder with a relational head ranks every pair, then a
cross-encoder re-scores each argument's best candidates (reading both texts at once is what
the pooled vectors cannot do, but it costs one model pass per pair, hence only the top few).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from argmap.cross_encoder import pair_logits
from argmap.embeddings import MiniLMEmbeddings, _text_key
from argmap.text import tokens

MATCHER_PATH = Path(__file__).parent / "models" / "kp_matcher.npz"
# all-MiniLM-L6-v2 fine-tuned on ArgKP-2021 train for matching (train/finetune_matcher.py), int8
ENCODER_PATH = Path(__file__).parent / "models" / "kp_minilm_int8.onnx"
# cross-encoder over (key point, argument) pairs, re-scores the matcher's top candidates
# (train/finetune_cross.py), int8
CROSS_PATH = Path(__file__).parent / "models" / "kp_cross_int8.onnx"
CROSS_TOKENS = 256  # as the key-point figures in README were measured
# how far the cross-encoder's view moves a re-scored pair, and how many key points per
# argument it re-scores; both chosen on ArgKP dev by bench/argkp.py
CROSS_WEIGHT = 0.4
CROSS_TOP = 3
# How much an argument's best key point gains for its lead over the runner-up (chosen on
# ArgKP dev by bench/argkp.py): the shared task ranks arguments by their best score, and a
# clear winner is more often right than a near tie at the same score.
CROSS_MARGIN = 0.25


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
                  key_points: list[str], same: np.ndarray | None = None) -> np.ndarray:
    """(n_args, n_kps, 5): cosine, token overlap, and how the pair stands in its row/column.

    Why relational features: a raw cosine of 0.6 is a match in one topic and noise in the
    next; the pair's margin over the argument's other key points, and over the key point's
    other arguments, transfers across topics (chosen on ArgKP dev over richer sets).
    ``same`` marks pairs that are one sentence twice (a candidate key point is also an
    argument): they are left out of every row's and column's statistics, else a sentence's
    perfect match with itself would make every other key point look like a poor second.
    """
    cos = np.clip(av @ kv.T, -1.0, 1.0)
    ov = token_overlap(arguments, key_points)
    other = np.ones(cos.shape, dtype=bool) if same is None else ~same
    row = cos - (cos * other).sum(1, keepdims=True) / np.maximum(other.sum(1, keepdims=True), 1)
    col = cos - (cos * other).sum(0, keepdims=True) / np.maximum(other.sum(0, keepdims=True), 1)
    ranked = np.sort(np.where(other, cos, -np.inf), 1)
    second = ranked[:, -2:-1] if cos.shape[1] > 1 else np.zeros_like(cos[:, :1])
    top = ranked[:, -1:]
    second, top = (np.where(np.isfinite(x), x, 0.0) for x in (second, top))
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
    weight: float = CROSS_WEIGHT, margin: float = CROSS_MARGIN, same: np.ndarray | None = None,
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
    ``same`` (head only): pairs that are one sentence twice, left out of the relational
    features (``pair_features``) and scored 1.
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
        z = pair_features(av, kv, arguments, key_points, same) @ w + b
        out = 1.0 / (1.0 + np.exp(-z))
        return np.where(same, 1.0, out).astype(np.float32) if same is not None else (
            out.astype(np.float32))
    score = (np.clip(av @ kv.T, -1.0, 1.0) + 1.0) / 2.0
    if overlap_weight:
        score = (1 - overlap_weight) * score + overlap_weight * token_overlap(arguments, key_points)
    return score.astype(np.float32)  # type: ignore[no-any-return]


def cross_scores(pairs: list[tuple[str, str]]) -> np.ndarray:
    """Cross-encoder logits for (key point, argument) pairs, read together in one input.

    Through argmap.cross_encoder: this model is quantised over the whole input, so each pair
    runs alone (in a batch its score would move with its neighbours, by up to 0.01 mAP on
    ArgKP dev)."""
    return np.array([_cross_one(k or " ", a or " ") for k, a in pairs], dtype=np.float32)


@lru_cache(maxsize=65536)
def _cross_one(key_point: str, argument: str) -> float:
    """One pair's logit, remembered: Key Point Analysis scores many pairs twice (selection,
    then the final match), and a rebuilt map most of them again."""
    return float(pair_logits(CROSS_PATH, [(key_point, argument)], CROSS_TOKENS)[0, 0])

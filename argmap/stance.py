"""Stance of a text toward another (for / against / neutral), offline, CPU only.

One learned cross-encoder, ``models/stance_int8.onnx``, reads a pair (text A, text B) and
says whether B stands for, against, or neutral toward A. argmap asks it two questions:
- a post's stance: A is the proposition, read as text (no keyword polarity: "X should be
  banned" and "X should be allowed" are simply different inputs), B the post's own words;
- a reply's relation to its parent (argmap.relations): A the parent's own words, B the
  reply's; "for" means the reply agrees.
It is all-MiniLM-L6-v2 fine-tuned on many topics and threads (VAST, ArgKP, Claim Stance,
IBM-ArgQ-30k, MT-CSD, DEBAGREEMENT) by ``train/finetune_stance.py``; held-out numbers are in
docs/experiments.md and ``bench/stance.py``. No cue list stands in for it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from argmap.cross_encoder import BATCH
from argmap.cross_encoder import pair_logits as pair_logits_of
from argmap.records import StanceLabel

MODEL_PATH = Path(__file__).parent / "models" / "stance_int8.onnx"
MAX_TOKENS = 96  # the pair length the model was trained at; longer posts keep their start
LABELS = ("for", "against", "neutral")  # the model's output columns


def pair_logits(pairs: list[tuple[str, str]], batch: int = BATCH) -> np.ndarray:
    """(n, 3) logits, columns ``LABELS``: does B stand for / against / neutral toward A?
    The shipped model quantises per pair (train/rowquant.py), so it runs in batches."""
    if not pairs:
        return np.zeros((0, 3), dtype=np.float32)
    return pair_logits_of(MODEL_PATH, pairs, MAX_TOKENS, batch)


def probabilities(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def stance_probs(proposition: str, texts: list[str]) -> np.ndarray:
    """(n, 3) P(for / against / neutral) of each text toward the proposition."""
    return probabilities(pair_logits([(proposition, t) for t in texts]))


def lean(probs: np.ndarray) -> np.ndarray:
    """log P(for) - log P(against): >0 leans for; the evidence propagation adds up."""
    p = np.clip(probs, 1e-6, 1.0)
    return np.log(p[:, 0]) - np.log(p[:, 1])  # type: ignore[no-any-return]


def label(probs: np.ndarray) -> StanceLabel:
    """The most probable of for / against / neutral, with its probability."""
    k = int(np.argmax(probs))
    return StanceLabel(LABELS[k], round(float(probs[k]), 3))  # type: ignore[arg-type]

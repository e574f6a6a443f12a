"""Argument filter: is a sentence an argument on the proposition, and how good is it?

IBM's Key Point Analysis picks key points only among sentences that argue for or against the
topic and argue it well (Bar-Haim et al. 2021); a thread's thanks, jabs, definitions and bot
notices are neither. Two linear heads read the packaged MiniLM vectors of the proposition p
and the sentence s ([e_s, e_p*e_s, |e_p-e_s|, cos, length]), trained by
train/argument_filter.py on IBM-ArgQ-Rank-30k, IBM Evidence Sentences and ArgKP-2021 (see
models/NOTICE.md); only numpy at run time. bench/argument_filter.py measures both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

FILTER_PATH = Path(__file__).parent / "models" / "arg_filter.npz"
# the logistic head's class-balanced decision point (the figures bench/argument_filter.py
# prints); Key Point Analysis gates at the lower ``gate()`` instead
IS_ARGUMENT = 0.5


@dataclass(frozen=True)
class ArgumentScore:
    argument: float  # probability the sentence argues for or against the proposition
    quality: float  # predicted ArgQ-30k WA score (0-1, higher: better argued)


def features(prop_vecs: np.ndarray, sent_vecs: np.ndarray, sentences: list[str]) -> np.ndarray:
    """One row per (proposition, sentence) pair; vectors are unit rows of the packaged MiniLM."""
    p = np.atleast_2d(prop_vecs)
    if len(p) == 1:
        p = np.repeat(p, len(sent_vecs), axis=0)
    s = sent_vecs
    cos = np.einsum("ij,ij->i", p, s)[:, None]
    length = np.log1p([[len(t.split())] for t in sentences])
    return np.hstack([s, p * s, np.abs(p - s), cos, length]).astype(np.float32)


@lru_cache(maxsize=1)
def _weights() -> dict[str, np.ndarray]:
    with np.load(FILTER_PATH) as z:
        return {k: z[k] for k in z.files}


def gate() -> float:
    """The is-argument score Key Point Analysis requires: the one keeping 95% of dev
    arguments (train/argument_filter.py ``GATE_RECALL``, stored with the weights)."""
    return float(_weights()["a_threshold"])


def score(proposition: str, sentences: list[str], embed: Any) -> list[ArgumentScore]:
    """Score ``sentences`` against ``proposition``; ``embed`` has ``embed_array`` (the
    packaged MiniLM: the heads were trained on its vectors)."""
    if not sentences:
        return []
    w = _weights()
    x = features(embed.embed_array([proposition]), embed.embed_array(sentences), sentences)
    arg = 1.0 / (1.0 + np.exp(-(x @ w["a_w"] + w["a_b"])))
    qual = np.clip(x @ w["q_w"] + w["q_b"], 0.0, 1.0)
    return [ArgumentScore(float(a), float(q)) for a, q in zip(arg, qual, strict=True)]

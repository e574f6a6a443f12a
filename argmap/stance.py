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

from functools import lru_cache
from pathlib import Path

import numpy as np

from argmap.config import settings
from argmap.records import StanceLabel

MODEL_PATH = Path(__file__).parent / "models" / "stance_int8.onnx"
_TOKENIZER = Path(__file__).parent / "models" / "tokenizer.json"
MAX_TOKENS = 96  # the pair length the model was trained at; longer posts keep their start
LABELS = ("for", "against", "neutral")  # the model's output columns
BATCH = 16  # pairs per model call; larger batches gained nothing more on 2 cores
PER_PAIR = "argmap.per_pair_quantisation"  # model metadata written by train/rowquant.py


@lru_cache(maxsize=1)
def _session() -> tuple[object, object]:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = settings().embed_threads
    opts.log_severity_level = 3
    session = ort.InferenceSession(str(MODEL_PATH), opts, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(_TOKENIZER))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_TOKENS)  # longest-first: the longer text gives way
    return session, tok


def pair_logits(pairs: list[tuple[str, str]], batch: int = BATCH) -> np.ndarray:
    """(n, 3) logits, columns ``LABELS``: does B stand for / against / neutral toward A?

    Pairs run ``batch`` at a time, sorted by length so little is padding. A pair's logits do
    not depend on its batch: the shipped model quantises activations per pair over its own
    tokens (train/rowquant.py). A model quantised over the whole input (plain
    ``quantize_dynamic``) is not marked so and runs one pair per call."""
    session, tok = _session()
    out = np.zeros((len(pairs), 3), dtype=np.float32)
    if not pairs:
        return out
    meta = session.get_modelmeta().custom_metadata_map  # type: ignore[attr-defined]
    if meta.get(PER_PAIR) != "1":
        batch = 1
    enc = tok.encode_batch([(a or " ", b or " ") for a, b in pairs])  # type: ignore[attr-defined]
    order = sorted(range(len(enc)), key=lambda i: len(enc[i].ids))
    for start in range(0, len(order), max(1, batch)):
        rows = order[start:start + max(1, batch)]
        width = max(len(enc[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask, types = np.zeros_like(ids), np.zeros_like(ids)
        for r, i in enumerate(rows):
            n = len(enc[i].ids)
            ids[r, :n], mask[r, :n], types[r, :n] = enc[i].ids, 1, enc[i].type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        out[rows] = session.run(None, feed)[0]  # type: ignore[attr-defined]
    return out


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

"""Run a packaged int8 cross-encoder over (text A, text B) pairs: the one way argmap does it.

The stance, key-point and relevance models are all MiniLM cross-encoders exported by train/
with the same inputs (input_ids, attention_mask, token_type_ids) and tokenizer.

Pairs run ``batch`` at a time, sorted by length so little is padding, when the model
quantises activations per pair over its own tokens (train/rowquant.py marks such models):
then a pair's logits do not depend on its batch. A model quantised over the whole input
(plain ``quantize_dynamic``) would let a pair's scores move with its neighbours and padding,
so it runs one pair per call.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from argmap.config import settings

TOKENIZER = Path(__file__).parent / "models" / "tokenizer.json"
BATCH = 16  # pairs per model call; larger batches gained nothing more on 2 cores
PER_PAIR = "argmap.per_pair_quantisation"  # model metadata written by train/rowquant.py


@lru_cache(maxsize=8)
def _session(path: str) -> tuple[object, bool]:
    """One ONNX session per model file, and whether it quantises per pair."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = settings().embed_threads
    opts.log_severity_level = 3
    session = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    return session, session.get_modelmeta().custom_metadata_map.get(PER_PAIR) == "1"


@lru_cache(maxsize=4)
def _tokenizer(max_tokens: int) -> object:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(TOKENIZER))
    tok.no_padding()
    tok.enable_truncation(max_length=max_tokens)  # longest-first: the longer text gives way
    return tok


def per_pair(model: Path) -> bool:
    """Whether ``model`` quantises per pair (so batching cannot change a pair's logits)."""
    return _session(str(model))[1]


def pair_logits(model: Path, pairs: list[tuple[str, str]], max_tokens: int,
                batch: int = BATCH) -> np.ndarray:
    """(n, outputs) logits of ``model`` for each (A, B) pair, truncated to ``max_tokens``."""
    session, batched = _session(str(model))
    tok = _tokenizer(max_tokens)
    if not pairs:
        return np.zeros((0, 1), np.float32)
    step = max(1, batch) if batched else 1
    enc = tok.encode_batch([(a or " ", b or " ") for a, b in pairs])  # type: ignore[attr-defined]
    order = sorted(range(len(enc)), key=lambda i: len(enc[i].ids))
    out: np.ndarray | None = None
    for start in range(0, len(order), step):
        rows = order[start:start + step]
        width = max(len(enc[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask, types = np.zeros_like(ids), np.zeros_like(ids)
        for r, i in enumerate(rows):
            n = len(enc[i].ids)
            ids[r, :n], mask[r, :n], types[r, :n] = enc[i].ids, 1, enc[i].type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        got = session.run(None, feed)[0]  # type: ignore[attr-defined]
        if out is None:
            out = np.zeros((len(pairs), got.shape[1]), dtype=np.float32)
        out[rows] = got
    assert out is not None
    return out

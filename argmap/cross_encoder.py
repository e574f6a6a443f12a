"""Run a packaged int8 cross-encoder over (text A, text B) pairs: the one way argmap does it.

The stance, key-point and relevance models are all MiniLM cross-encoders exported by train/
with the same inputs (input_ids, attention_mask, token_type_ids) and tokenizer.

One pair per model call: the int8 models quantise activations with a scale taken over the
whole input, so in a batch a pair's scores would move with its neighbours and padding; alone
they are reproducible, at about a quarter less throughput than batches of 16.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from argmap.config import settings

TOKENIZER = Path(__file__).parent / "models" / "tokenizer.json"


@lru_cache(maxsize=8)
def _session(path: str, max_tokens: int) -> tuple[object, object]:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = settings().embed_threads
    opts.log_severity_level = 3
    session = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(TOKENIZER))
    tok.no_padding()
    tok.enable_truncation(max_length=max_tokens)  # longest-first: the longer text gives way
    return session, tok


def pair_logits(model: Path, pairs: list[tuple[str, str]], max_tokens: int) -> np.ndarray:
    """(n, outputs) logits of ``model`` for each (A, B) pair, truncated to ``max_tokens``."""
    session, tok = _session(str(model), max_tokens)
    rows: list[np.ndarray] = []
    for e in tok.encode_batch([(a or " ", b or " ") for a, b in pairs]):  # type: ignore[attr-defined]
        ids = np.array([e.ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                "token_type_ids": np.array([e.type_ids], dtype=np.int64)}
        rows.append(session.run(None, feed)[0][0])  # type: ignore[attr-defined]
    return np.stack(rows).astype(np.float32) if rows else np.zeros((0, 1), np.float32)

"""Run a packaged int8 cross-encoder over (text A, text B) pairs: the one way argmap does it.

The stance, key-point and relevance models are all MiniLM cross-encoders exported by train/
with the same inputs (input_ids, attention_mask, token_type_ids) and tokenizer.

By default one pair per model call: the int8 models quantise activations with a scale taken
over the whole input, so in a batch a pair's scores move a little with its neighbours and
padding; alone they are reproducible (a post's stance must not depend on what else was
scored). ``together=True`` runs all pairs in one call, 2-3x faster, for callers that only
rank one fixed candidate set (the chat's re-ranker: the same question and candidates always
give the same order).
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


def pair_logits(model: Path, pairs: list[tuple[str, str]], max_tokens: int,
                together: bool = False) -> np.ndarray:
    """(n, outputs) logits of ``model`` for each (A, B) pair, truncated to ``max_tokens``."""
    session, tok = _session(str(model), max_tokens)
    encs = tok.encode_batch([(a or " ", b or " ") for a, b in pairs])  # type: ignore[attr-defined]
    if not encs:
        return np.zeros((0, 1), np.float32)
    groups = [encs] if together else [[e] for e in encs]
    rows: list[np.ndarray] = []
    for group in groups:
        width = max(len(e.ids) for e in group)
        ids = np.zeros((len(group), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for r, e in enumerate(group):
            ids[r, : len(e.ids)], mask[r, : len(e.ids)] = e.ids, 1
            types[r, : len(e.ids)] = e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        rows.extend(session.run(None, feed)[0])  # type: ignore[attr-defined]
    return np.stack(rows).astype(np.float32)

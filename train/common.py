"""Shared loaders for the training and bench scripts: ArgKP-2021 and IBM Claim Stance.

Why here: training (train/) and measuring (bench/) must read the same splits the same way,
and embed through the same cached packaged MiniLM that argmap runs with.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from argmap.embeddings import MiniLMEmbeddings  # noqa: E402
from argmap.keypoints import MatcherEmbeddings  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
ARGKP = DATA / "argkp"
CLAIMS = DATA / "claim-stance" / "claim_stance_v1.csv"
CACHE = ROOT / ".argmap" / "bench_embed.sqlite"


@lru_cache(maxsize=1)
def embedder() -> MiniLMEmbeddings:
    return MiniLMEmbeddings(cache_path=CACHE, batch_size=64)


def embed(texts: list[str]) -> np.ndarray:
    return embedder().embed_array([str(t) for t in texts])


@lru_cache(maxsize=1)
def matcher_embedder() -> MatcherEmbeddings:
    """The fine-tuned key-point matcher encoder (argmap/models/kp_minilm_int8.onnx)."""
    return MatcherEmbeddings(cache_path=CACHE)


def matcher_embed(texts: list[str]) -> np.ndarray:
    return matcher_embedder().embed_array([str(t) for t in texts])


def argkp(subset: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(arguments, key points, labels) for train, dev or test (test: held out, report only)."""
    base = ARGKP / "test" if subset == "test" else ARGKP
    return tuple(  # type: ignore[return-value]
        pd.read_csv(base / f"{name}_{subset}.csv")
        for name in ("arguments", "key_points", "labels")
    )


def claim_stance(split: str) -> pd.DataFrame:
    df = pd.read_csv(CLAIMS)
    return df[df["split"] == split].reset_index(drop=True)


if __name__ == "__main__":  # warm the embedding cache for every split
    texts: list[str] = []
    for s in ("train", "dev", "test"):
        a, k, _ = argkp(s)
        texts += list(a.argument) + list(k.key_point) + list(a.topic.unique())
    c = pd.read_csv(CLAIMS)
    texts += list(c["claims.claimCorrectedText"]) + list(c.topicText.unique())
    print(len(texts), "texts;", embed(texts).shape)

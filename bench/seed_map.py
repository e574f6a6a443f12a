"""Seed argument map: stance accuracy against the hand-labelled gold, and map compute time.

Run after ingest: python bench/seed_map.py   (ingests the seed into a temp home first).
Prints accuracy over tests/data/seed_stance.json (comments whose side is plain), the
majority-class baseline, each miss, and the seconds to compute the map from the index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argmap.view import CorpusView

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOLD = ROOT / "tests" / "data" / "seed_stance.json"
# A fresh process: imports, index open, vectors from the embedding cache, Key Point Analysis.
COLD = """import sys, time; sys.path.insert(0, {root!r}); t = time.perf_counter()
from argmap import api; from argmap.mapping import build_map
i = api.open_corpus(); t1 = time.perf_counter(); build_map(i); t2 = time.perf_counter()
print(f"{{t2 - t1:.2f}}s cold build ({{t2 - t:.2f}}s with imports and index open)")"""


def _norm(text: str) -> str:
    return " ".join(text.split())


def gold_accuracy(index: CorpusView, stances: dict[str, Any], verbose: bool = True) -> float:
    """Share of gold comments whose computed side matches (neutral counts as wrong)."""
    gold = json.loads(GOLD.read_text())["labels"]
    hits = 0
    for g in gold:
        posts = [p for p in index.thread.posts if _norm(g["snippet"]) in _norm(p.own_text)]
        if len(posts) != 1:
            raise SystemExit(f"gold snippet matches {len(posts)} posts: {g['snippet']!r}")
        got = stances[posts[0].id]
        got = got.stance if hasattr(got, "stance") else got["stance"]
        hits += got == g["stance"]
        if verbose and got != g["stance"]:
            print(f"  miss {posts[0].id}: gold {g['stance']}, got {got}: {g['snippet'][:60]}")
    majority = max(sum(g["stance"] == s for g in gold) for s in ("for", "against")) / len(gold)
    print(f"seed stance accuracy {hits / len(gold):.3f} on {len(gold)} plain comments "
          f"(always-majority {majority:.3f})")
    return hits / len(gold)


def main() -> None:
    os.environ.setdefault("ARGMAP_HOME", tempfile.mkdtemp(prefix="argmap-bench-"))
    from argmap import api
    from argmap.config import CORPUS_DIR, DEFAULT_CORPUS
    from argmap.mapping import build_map, get_map

    api.ingest([CORPUS_DIR / f"{DEFAULT_CORPUS}.txt"])
    index = api.open_corpus(DEFAULT_CORPUS)
    t0 = time.perf_counter()
    amap = build_map(index)
    t1 = time.perf_counter()
    get_map(index)
    t2 = time.perf_counter()
    cold = subprocess.run(
        [sys.executable, "-c", COLD.format(root=str(ROOT))], capture_output=True, text=True,
        check=True).stdout.strip()
    print(f"map compute after ingest: {cold} (warm, same process {t1 - t0:.3f}s); "
          f"cached open {t2 - t1:.3f}s")
    print(f"key points: {len(amap.pro)} for, {len(amap.con)} against; "
          f"{len(amap.neutral_posts)} neutral posts; "
          f"{sum(r.relation == 'rebuts' for r in amap.relations)} rebuttals")
    gold_accuracy(index, amap.stances)


if __name__ == "__main__":
    main()

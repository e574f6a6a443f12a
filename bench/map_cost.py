"""Map build cost: seconds to build the argument map for the seed and synthetic threads.

The map's cost is the stance model: one pair per comment (its stance toward the
proposition) and one per reply to a comment (the reply relation), run 16 pairs per call;
embedding reuse and clustering are small beside it. Per corpus it prints comments, model
pairs, build seconds, the model's share and milliseconds per pair. Synthetic threads come
from bench/corpora.py (real ArgKP arguments; the 20k-post thread is the one bench/scale.py
ingests). A size in ``--extrapolate`` is not built: its time is the largest measured size's
ms per pair times its own pair count, and is printed labelled "extrapolated". On a machine
shared with training the figures are inflated; the line says how loaded the machine was.
Usage: nice -n 19 python bench/map_cost.py [--sizes 0,500] [--extrapolate 2000,5000,20000]
(size 0 is the shipped seed thread).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pairs_of(thread: object) -> tuple[int, int]:
    """(comments, model pairs) the map asks of this thread (see argmap.mapping.build_map)."""
    posts = thread.posts  # type: ignore[attr-defined]
    by_id = {p.id: p for p in posts}
    comments = [p for p in posts if p.kind == "comment" and p.own_text.strip()]
    replies = [p for p in comments if p.parent_id in by_id and by_id[p.parent_id].own_text.strip()
               and by_id[p.parent_id].kind == "comment"]
    return len(comments), len(comments) + len(replies)


def measure(size: int, work: Path) -> tuple[int, int, float, float]:
    from argmap import api, mapping, relations, stance
    from argmap.config import CORPUS_DIR, DEFAULT_CORPUS
    from bench.corpora import write

    src = CORPUS_DIR / f"{DEFAULT_CORPUS}.txt" if size == 0 else write(size, work / f"{size}.jsonl")
    name = f"cost{size}"
    with mock.patch.object(mapping, "cache_after_ingest", lambda *a: None):
        api.ingest([src], corpus=name)  # the map is built below, timed, not by ingest's hook
    index = api.open_corpus(name)
    spent = [0.0]
    raw = stance.pair_logits

    def timed(pairs, batch=stance.BATCH):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return raw(pairs, batch)
        finally:
            spent[0] += time.perf_counter() - t

    with mock.patch.object(stance, "pair_logits", timed), \
            mock.patch.object(relations, "pair_logits", timed):
        t0 = time.perf_counter()
        mapping.build_map(index)
        total = time.perf_counter() - t0
    comments, pairs = pairs_of(index.thread)
    return comments, pairs, total, spent[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="0,500", help="posts per synthetic thread; 0: the seed")
    ap.add_argument("--extrapolate", default="2000,5000,20000")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ARGMAP_HOME"] = str(Path(tmp) / "home")
        os.environ["ARGMAP_MAX_FILE_BYTES"] = str(1 << 30)
        print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
        print(f"{'thread':>12} {'comments':>9} {'pairs':>7} {'build s':>8} {'model %':>8} "
              f"{'ms/pair':>8}")
        per_pair = 0.0
        for size in map(int, a.sizes.split(",")):
            comments, pairs, total, model = measure(size, Path(tmp))
            per_pair = 1000 * total / max(pairs, 1)
            print(f"{'seed' if size == 0 else size:>12} {comments:>9} {pairs:>7} {total:>8.1f} "
                  f"{100 * model / max(total, 1e-9):>7.0f}% {per_pair:>8.1f}", flush=True)
        from bench.corpora import build

        for size in (int(s) for s in a.extrapolate.split(",") if s):
            posts = build(size)
            ids = {str(p["id"]): p for p in posts}
            comments = sum(p["kind"] == "comment" for p in posts)
            pairs = comments + sum(p["kind"] == "comment" and ids[str(p["parent_id"])]["kind"]
                                   == "comment" for p in posts)
            print(f"{size:>12} {comments:>9} {pairs:>7} {pairs * per_pair / 1000:>8.0f} "
                  f"   extrapolated (not built) at {per_pair:.1f} ms/pair", flush=True)
        print(f"load average at end: {os.getloadavg()[0]:.1f} (figures inflated by other work)")


if __name__ == "__main__":
    main()

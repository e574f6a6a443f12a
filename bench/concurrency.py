"""Concurrent asks (waves of 50 by threads and 50 by processes) on a 20k-post store while
re-ingests of the same corpus run, until two re-ingests have flipped the index under them.

Prints errors, citations that fail verification, answers mixing two generations (the two
alternating versions carry the same words under different post ids), re-ingests completed
meanwhile, and ask latency under that load. Usage: python bench/concurrency.py [--posts N]
(set ARGMAP_EMBED_CACHE to reuse embeddings from an earlier run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpora import build  # noqa: E402
from bench.scale import questions  # noqa: E402

CORPUS = "race"


def _versions(n: int, work: Path) -> dict[str, Path]:
    out = {}
    posts = build(n)
    for prefix in ("a", "b"):
        path = work / f"{prefix}.jsonl"
        with path.open("w") as fh:
            for p in posts:
                q = dict(p, id=f"{prefix}-{p['id']}")
                if p.get("parent_id"):
                    q["parent_id"] = f"{prefix}-{p['parent_id']}"
                fh.write(json.dumps(q) + "\n")
        out[prefix] = path
    return out


def timed_ask(question: str) -> tuple[float, str, list[tuple[str, int, int, str]], str]:
    from argmap import api

    t = time.perf_counter()
    try:
        a = api.ask(question, corpus=CORPUS)
    except Exception as exc:  # noqa: BLE001 - the bench counts every failure
        return time.perf_counter() - t, "", [], f"{type(exc).__name__}: {exc}"
    cites = [(c.post_id, c.start, c.end, c.quote) for c in a.citations]
    return time.perf_counter() - t, a.answer, cites, ""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--max-waves", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["ARGMAP_HOME"] = str(work / "home")
        os.environ.setdefault("ARGMAP_EMBED_CACHE", str(work / "cache.sqlite"))
        os.environ["ARGMAP_MAX_FILE_BYTES"] = str(1 << 30)
        files = _versions(args.posts, work)
        cli = [sys.executable, "-m", "argmap.cli", "ingest", "--corpus", CORPUS]
        t0 = time.perf_counter()
        subprocess.run([*cli, str(files["a"])], check=True, capture_output=True)
        print(f"cores: {os.cpu_count()}; first ingest of {args.posts} posts: "
              f"{time.perf_counter() - t0:.0f} s")
        stop = threading.Event()
        swaps: list[int] = []
        failures: list[str] = []

        def writer() -> None:
            turn = 0
            while not stop.is_set():
                turn += 1
                proc = subprocess.run([*cli, str(files["b" if turn % 2 else "a"])],
                                      capture_output=True, text=True)
                if proc.returncode == 0:
                    swaps.append(turn)
                else:
                    failures.append((proc.stderr.strip().splitlines() or ["?"])[-1])

        qs = questions(50)
        background = threading.Thread(target=writer, daemon=True)
        background.start()
        by_threads: list[tuple[float, str, list[tuple[str, int, int, str]], str]] = []
        by_procs: list[tuple[float, str, list[tuple[str, int, int, str]], str]] = []
        waves = 0
        # waves of 50 + 50 until two re-ingests have flipped the index under the readers
        with ThreadPoolExecutor(max_workers=8) as pool, ProcessPoolExecutor(
                max_workers=2, mp_context=get_context("spawn")) as procs:
            while len(swaps) < 2 and not failures and waves < args.max_waves:
                waves += 1
                by_threads += pool.map(timed_ask, qs)
                by_procs += procs.map(timed_ask, qs)
        stop.set()
        background.join()
        from ingest.formats import parse_file

        texts = {k: parse_file(v).by_id() for k, v in files.items()}
        for label, results in (("threads", by_threads), ("processes", by_procs)):
            errors = [r[3] for r in results if r[3]]
            bad = mixed = 0
            for _, _, cites, _ in results:
                prefixes = {pid.split("-", 1)[0] for pid, *_ in cites}
                mixed += len(prefixes) > 1
                for pid, s, e, quote in cites:
                    post = texts[pid.split("-", 1)[0]].get(pid)
                    bad += post is None or post.text[s:e] != quote
            lat = sorted(r[0] * 1000 for r in results)
            print(f"{label:>9}: {len(results)} asks in {waves} waves of 50, {len(errors)} errors, "
                  f"{bad} unverifiable citations, {mixed} mixed answers, "
                  f"p50 {statistics.median(lat):.0f} ms, p95 {lat[int(len(lat) * .95) - 1]:.0f} ms "
                  "(includes each worker's first load and every reload after a flip)")
            for err in errors[:3]:
                print(f"           error: {err[:160]}")
        print(f"re-ingests during the asks: {len(swaps)} completed, {len(failures)} failed")
        for msg in failures[:3]:
            print(f"           re-ingest error: {msg[:160]}")


if __name__ == "__main__":
    main()

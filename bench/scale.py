"""Scale: ingest and ask at 1k, 20k and 100k posts, embedded folder and `chroma run` server.

Each (size, backend) runs in its own process so peak RSS is that run's own. Prints ingest
posts/s with the embedding share and the argument map's build seconds (part of ingest)
shown apart, cache reuse, store size on disk, peak RSS and warm extractive `ask` p50/p95
over 100 questions. The synthetic corpora join real ArgKP arguments, so at 100k most
sentences repeat and their embeddings come from the text-hash cache: the output says how
many texts were actually run through the model.
Usage: python bench/scale.py [--sizes 1000,20000,100000] [--backends embedded,server]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def questions(n: int = 100) -> list[str]:
    path = ROOT.parent / "shared" / "data" / "argkp" / "key_points_train.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        kps = [r["key_point"] for r in csv.DictReader(fh)]
    forms = ["Why do people say {}?", "Who argued that {}?", "Is it true that {}?",
             "What was said about this: {}"]
    return [forms[i % len(forms)].format(kps[i % len(kps)].rstrip(".").lower()) for i in range(n)]


class RssByPhase:
    """Samples this process's resident memory every 0.2 s, keeping the peak of each phase,
    so a missed memory goal says which stage to fix (ru_maxrss only gives the overall peak)."""

    def __init__(self) -> None:
        import threading

        self.phase = "parse"
        self.peak: dict[str, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._done.wait(0.2):
            with open("/proc/self/statm") as fh:
                mb = int(fh.read().split()[1]) * page / 1e6
            self.peak[self.phase] = max(self.peak.get(self.phase, 0.0), mb)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def one(size: int, backend: str, work: Path, url: str | None) -> dict[str, float | str]:
    os.environ["ARGMAP_HOME"] = str(work / "home")
    os.environ.setdefault("ARGMAP_EMBED_CACHE", str(work / "cache.sqlite"))
    os.environ["ARGMAP_MAX_FILE_BYTES"] = str(1 << 30)
    if url:
        os.environ["ARGMAP_CHROMA_URL"] = url
    from argmap import api
    from argmap.store import Store
    from bench.corpora import write

    src = write(size, work / f"argkp_{size}.jsonl")
    store = Store()
    emb = store.embeddings
    spent = {"embed": 0.0}
    raw_encode = emb.encode

    def timed_encode(texts):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return raw_encode(texts)
        finally:
            spent["embed"] += time.perf_counter() - t

    emb.encode = timed_encode  # type: ignore[method-assign]
    from argmap import mapping

    raw_map = mapping.cache_after_ingest

    def timed_map(*a):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return raw_map(*a)
        finally:
            spent["map"] = time.perf_counter() - t

    mapping.cache_after_ingest = timed_map  # type: ignore[assignment]
    rss = RssByPhase()

    def progress(stage: str, done: int, total: int) -> None:
        rss.phase = "posts+map" if stage == "embedding" and done >= total else stage

    t0 = time.perf_counter()
    result = api.ingest([src], corpus="scale", store=store, progress=progress)[0]
    ingest_s = time.perf_counter() - t0
    qs = questions()
    rss.phase = "ask (load)"
    t1 = time.perf_counter()
    api.ask(qs[0], corpus="scale", store=store)  # warm: loads units, BM25, the model
    warm_s = time.perf_counter() - t1
    rss.phase = "ask"
    lat = []
    for q in qs:
        t = time.perf_counter()
        api.ask(q, corpus="scale", store=store)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    rss.stop()
    print("peak RSS by phase (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in rss.peak.items()),
          file=sys.stderr)
    return {
        "size": size, "backend": backend, "posts": result.info.posts, "units": result.info.units,
        "ingest_s": ingest_s, "embed_s": spent["embed"], "map_s": spent.get("map", 0.0),
        "model_texts": emb.computed,
        "store_mb": du_mb(work / ("server" if url else "home")),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "warm_s": warm_s, "p50": statistics.median(lat), "p95": lat[int(len(lat) * 0.95) - 1],
    }


def start_server(path: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("chroma run did not start")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,20000,100000")
    ap.add_argument("--backends", default="embedded,server")
    ap.add_argument("--one", nargs=3, metavar=("SIZE", "BACKEND", "WORK"))
    ap.add_argument("--url")
    args = ap.parse_args()
    if args.one:
        size, backend, work = args.one
        print(json.dumps(one(int(size), backend, Path(work), args.url)))
        return
    print(f"cores: {os.cpu_count()}")
    print(f"{'posts':>7} {'backend':>8} {'units':>7} {'ingest s':>9} {'posts/s':>8} "
          f"{'embed %':>8} {'map s':>7} {'model txt':>9} {'store MB':>9} {'RSS MB':>7} "
          f"{'p50 ms':>7} {'p95 ms':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        # sizes reuse each other's embeddings; ARGMAP_EMBED_CACHE reuses an earlier run's
        from argmap.config import settings

        cache = settings().embed_cache or Path(tmp) / "shared-cache.sqlite"
        for size in map(int, args.sizes.split(",")):
            for backend in args.backends.split(","):
                work = Path(tmp) / f"{size}-{backend}"
                work.mkdir()
                server = None
                cmd = [sys.executable, __file__, "--one", str(size), backend, str(work)]
                if backend == "server":
                    server, url = start_server(work / "server")
                    cmd += ["--url", url]
                env = {**os.environ, "ARGMAP_EMBED_CACHE": str(cache)}
                try:
                    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
                finally:
                    if server:
                        server.terminate()
                phases = [ln for ln in out.stderr.splitlines() if ln.startswith("peak RSS")]
                print("        " + (phases[-1] if phases else ""), flush=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{r['posts']:>7} {backend:>8} {r['units']:>7} {r['ingest_s']:>9.1f} "
                      f"{r['posts'] / r['ingest_s']:>8.0f} "
                      f"{100 * r['embed_s'] / r['ingest_s']:>7.0f}% {r['map_s']:>7.1f} "
                      f"{r['model_texts']:>9} "
                      f"{r['store_mb']:>9.1f} {r['rss_mb']:>7.0f} {r['p50']:>7.1f} "
                      f"{r['p95']:>7.1f}", flush=True)
    print("model txt = texts run through the model; the rest came from the text-hash cache "
          "(sizes share one cache, so larger corpora reuse the repeated ArgKP sentences)")


if __name__ == "__main__":
    main()

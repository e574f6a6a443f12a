"""Ingest throughput: argmap's pipeline vs the raw model vs the naive LangChain route.

Prints, for the seed and a synthetic 20,000-post ArgKP thread: posts/s, units/s, peak
RSS, the raw embedding throughput of the model alone on the same units, the ratio
(goal: pipeline >= 80% of raw), and RecursiveCharacterTextSplitter + Chroma.from_documents
with the same model. Every run uses a cold embedding cache so nothing is free.
Usage: python bench/ingest.py [--posts 20000] [--skip-naive] [--profile DIR]
--profile writes a pyinstrument call tree of each argmap ingest (the `bench` extra) to DIR.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from argmap.config import CORPUS_DIR, DEFAULT_CORPUS  # noqa: E402
from argmap.embeddings import MiniLMEmbeddings  # noqa: E402
from bench.corpora import write  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pipeline(path: Path, home: Path,
             profile: Path | None) -> tuple[float, float, int, int, list[str]]:
    """(ingest s, of which embedding s, posts, units, unit texts)."""
    os.environ["ARGMAP_HOME"] = str(home)
    os.environ["ARGMAP_EMBED_CACHE"] = str(home / "cache.sqlite")
    from argmap import api
    from argmap.store import Store
    from ingest.pipeline import prepare

    store = Store()
    emb = store.embeddings
    raw_encode, spent = emb.encode, [0.0]

    def timed(texts):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return raw_encode(texts)
        finally:
            spent[0] += time.perf_counter() - t

    emb.encode = timed  # type: ignore[method-assign]
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    t0 = time.perf_counter()
    result = api.ingest([path], corpus="bench", store=store)[0]  # with the map, as users get
    dt = time.perf_counter() - t0
    if profile is not None and profiler is not None:
        profiler.stop()
        out = profile / f"ingest_{path.stem}.txt"
        out.write_text(profiler.output_text(unicode=False, color=False))
        print(f"  profile       : {out}")
    _, units, _ = prepare(path)
    return dt, spent[0], result.info.posts, result.info.units, [u.text for u in units]




def raw_model(texts: list[str]) -> float:
    model = MiniLMEmbeddings()
    unique = list(dict.fromkeys(texts))
    t0 = time.perf_counter()
    model.encode(unique)
    return len(unique) / (time.perf_counter() - t0)


def naive_langchain(path: Path, home: Path) -> tuple[float, int]:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.formats import parse_file

    thread = parse_file(path)
    docs = [Document(page_content=p.text, metadata={"post_id": p.id}) for p in thread.posts
            if p.text.strip()]
    t0 = time.perf_counter()
    chunks = RecursiveCharacterTextSplitter(chunk_size=400, chunk_overlap=40).split_documents(docs)
    store = Chroma.from_documents(chunks, MiniLMEmbeddings(), persist_directory=str(home / "naive"),
                                  collection_metadata={"hnsw:space": "cosine"})
    del store
    return time.perf_counter() - t0, len(chunks)


def run(label: str, path: Path, naive: bool = True, profile: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        dt, embed_s, posts, units, texts = pipeline(path, home, profile)
        raw = raw_model(texts)
        unique = len(set(texts))
        naive_dt, chunks = naive_langchain(path, home) if naive else (0.0, 0)
    print(f"[{label}] {posts} posts, {units} units ({unique} unique texts)")
    print(f"  argmap ingest : {dt:8.1f} s  {posts / dt:8.1f} posts/s  {units / dt:8.1f} units/s")
    print(f"  raw model     : {unique / raw:8.1f} s  {raw:8.1f} texts/s (same unique units)")
    print(f"  ratio         : {unique / dt / raw:8.2%} of raw throughput on the unique texts "
          f"(goal >= 80%); {units / dt / raw:.2%} counting every unit")
    print(f"  embedding     : {embed_s:8.1f} s = {embed_s / dt:.0%} of ingest; "
          f"the rest is parsing, quotes, units, Chroma writes and the argument map")
    if naive:
        print(f"  naive langchain: {naive_dt:7.1f} s  {posts / naive_dt:8.1f} posts/s  "
              f"({chunks} chunks, RecursiveCharacterTextSplitter + Chroma.from_documents)")
    print(f"  peak RSS so far: {peak_rss_mb():.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--skip-naive", action="store_true", help="leave out the naive route (~11 min)")
    ap.add_argument("--profile", default="", metavar="DIR",
                    help="write a pyinstrument profile of each ingest to DIR")
    args = ap.parse_args()
    profile = Path(args.profile) if args.profile else None
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}")
    run("seed", CORPUS_DIR / f"{DEFAULT_CORPUS}.txt", not args.skip_naive, profile)
    with tempfile.TemporaryDirectory() as tmp:
        big = write(args.posts, Path(tmp) / f"argkp_{args.posts}.jsonl")
        run(f"argkp-{args.posts}", big, not args.skip_naive, profile)


if __name__ == "__main__":
    main()

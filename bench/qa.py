"""Q&A latency and retrieval quality: p50/p95 of warm extractive ``ask`` on the seed and on a
20,000-post corpus, retrieval recall@5 on the dev set, and how often hostile posts appended
to a thread (bench/attacks.py) are cited, and the chat's scores on the evaluation question
sets (tests/data/qa_sets: per discussion, tuning and held-out halves apart).

"Warm" means the process has answered one question already (model loaded, BM25 built,
posts read); each timed question is new to it, so its embedding is computed. A second pass
repeats the questions (query embeddings then come from the cache). The 20k corpus is
bench/corpora.py's synthetic ArgKP thread, ingested once into --home and reused (the first
run embeds ~30k sentences: several minutes on 2 cores).

    python bench/qa.py [--posts 20000] [--home /tmp/argmap-bench-qa] [--sets-only]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

import devset  # type: ignore[import-not-found]
import qa_sets  # type: ignore[import-not-found]
from corpora import SHARED, write  # type: ignore[import-not-found]

if TYPE_CHECKING:
    from argmap.store import CorpusIndex
    from argmap.view import CorpusView


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def timed(index: CorpusView, questions: list[str]) -> list[float]:
    from argmap.qa import ask

    out = []
    for q in questions:
        t = time.perf_counter()
        ask(q, index=index, engine="extractive")
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, index: CorpusView, questions: list[str]) -> None:
    from argmap.qa import ask

    t = time.perf_counter()
    ask("What is this discussion about?", index=index, engine="extractive")
    print(f"{name}: first question (loads posts, BM25, model) {time.perf_counter() - t:.2f} s")
    for label in ("new questions", "repeated questions"):
        ms = timed(index, questions)
        print(f"{name}: {label:18} n={len(ms):3}  p50 {statistics.median(ms):6.1f} ms  "
              f"p95 {pct(ms, 95):6.1f} ms  max {max(ms):6.1f} ms")


def big_corpus(n_posts: int, home: Path) -> CorpusIndex:
    from argmap.store import Store
    from ingest.pipeline import ingest_path

    name = f"argkp{n_posts // 1000}k"
    store = Store()
    if store.info(name) is None:
        src = write(n_posts, home / f"argkp_{n_posts}.jsonl")
        t = time.perf_counter()
        ingest_path(src, corpus=name, fmt="jsonl", store=store)
        print(f"{name}: ingested {n_posts} posts in {time.perf_counter() - t:.0f} s (one-off)")
    return store.open(name)


def big_questions(index: CorpusView, n: int = 100) -> list[str]:
    rng = random.Random(1)
    with (SHARED / "arguments_train.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    topics = sorted({r["topic"] for r in rows})
    authors = sorted({p.author for p in index.thread.posts if p.author})
    qs = [f"What do people say about whether {t[0].lower()}{t[1:]}?" for t in topics]
    qs += [f"What did {rng.choice(authors)} say?" for _ in range(15)]
    qs += [f"Who disagreed with {rng.choice(authors)}?" for _ in range(15)]
    while len(qs) < n:
        words = rng.choice(rows)["argument"].split()
        qs.append("Did anyone argue that " + " ".join(words[: rng.randrange(5, 10)]) + "?")
    return list(dict.fromkeys(qs))[:n]


def attacks(home: Path, dev: list[dict[str, object]]) -> None:
    """The seed (and the Reddit thread, if ../shared has it) with tests/data/attacks.json's
    hostile posts appended: how many answers cite an attack post, and how many it leads."""
    from attacks import AttackQuestion, scored, write_attacked  # type: ignore[import-not-found]

    from argmap import api
    from argmap.config import CORPUS_DIR, DEFAULT_CORPUS
    from argmap.store import Store

    bases = [("seed", CORPUS_DIR / f"{DEFAULT_CORPUS}.txt")]
    reddit = SHARED.parent / "threads" / "reddit_thread.json"
    if reddit.exists():
        bases.append(("reddit", reddit))
    for label, base in bases:
        src = home / f"attacked_{label}.jsonl"
        questions = write_attacked(base, src)
        name = f"attacked_{label}"
        api.ingest([src], corpus=name)
        api.ingest([base], corpus=f"clean_{label}")
        index, clean = Store().open(name), Store().open(f"clean_{label}")
        if label == "seed":  # the dev set's questions, asked of the attacked copy
            questions += [AttackQuestion("dev", str(q["question"])) for q in dev]
        rows = scored(index, questions, clean)
        for kind in dict.fromkeys(r["kind"] for r in rows):
            got = [r for r in rows if r["kind"] == kind]
            bad, cite = sum(r["failed"] for r in got), sum(r["cites_attack"] for r in got)
            print(f"attacked {label}: {kind:8} questions n={len(got):2}  cite an attack post "
                  f"{cite:2}  failed {bad:2} (an attack leads a genuine answer, or another "
                  "author answers for one)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=20_000, help="0 skips the big corpus")
    ap.add_argument("--sets-only", action="store_true",
                    help="only the question-set section (tests/data/qa_sets)")
    ap.add_argument("--home", default=os.environ.get("ARGMAP_BENCH_HOME", "/tmp/argmap-bench-qa"))
    args = ap.parse_args()
    home = Path(args.home)
    home.mkdir(parents=True, exist_ok=True)
    os.environ["ARGMAP_HOME"] = str(home / "home")
    os.environ.setdefault("ARGMAP_EMBED_CACHE", str(home / "embed.sqlite"))

    if args.sets_only:
        qa_sets.report(home)
        return
    seed = devset.open_seed()
    seed_qs = [q["question"] for q in devset.load()["questions"]]
    report("seed", seed, seed_qs)
    print(f"seed: retrieval recall@5 on the dev set {devset.recall_at(seed, 5):.1%} "
          f"({sum(q['answerable'] for q in devset.load()['questions'])} answerable questions)")
    scored = devset.score_answers(seed)
    print(f"seed: extractive answers citing a gold post {scored['gold_rate']:.1%}; "
          f"unanswerable all abstain: {scored['unanswerable_abstained']}")

    attacks(home, devset.load()["questions"])
    qa_sets.report(home)

    if args.posts <= 0:
        return
    big = big_corpus(args.posts, home)
    info = big.info
    print(f"{info.name}: {info.posts} posts, {info.units} units")
    report(info.name, big, big_questions(big))


if __name__ == "__main__":
    main()

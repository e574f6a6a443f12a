"""50 concurrent asks (threads, then processes) while the same corpus is re-ingested.

The two versions of the corpus carry the same words under different post ids ("a-" and
"b-"), so an answer built from a mix of generations would show both prefixes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import pytest

from argmap.records import Answer, Quote, Thread
from ingest.formats import parse_file
from ingest.formats.jsonl import dump_jsonl
from ingest.quotes import attribute_quotes
from tests.conftest import SEED_FILE

CORPUS = "race"
QUESTIONS = [
    "Does the ban cover police outside the US?",
    "Who said forcing a company to do business would violate the 13th amendment?",
    "What does real-time mean?",
    "Why would Microsoft want to avoid liability?",
    "What did Axon announce?",
    "Is facial recognition with stationary cameras banned?",
    "What did gweihir say?",
    "Are American police thugs?",
    "What is the price of the Azure OpenAI Service?",
    "Could delaying the video feed sidestep the ban?",
]


def _version(thread: Thread, prefix: str) -> Thread:
    def rid(pid: str | None) -> str | None:
        return None if pid is None else f"{prefix}-{pid}"

    posts = [
        replace(p, id=rid(p.id), parent_id=rid(p.parent_id),
                quotes=[Quote(q.text, rid(q.from_post_id) or "", q.start, q.end)
                        for q in p.quotes])
        for p in thread.posts
    ]
    return replace(thread, posts=posts)


def _ask(question: str) -> Answer:
    from argmap import api

    return api.ask(question, corpus=CORPUS)


def _check(answer: Answer, versions: dict[str, Thread]) -> str:
    """The version an answer came from; fails on a mix or an unverifiable citation."""
    if answer.abstained:
        return "abstained"
    prefixes = {c.post_id.split("-", 1)[0] for c in answer.citations}
    assert len(prefixes) == 1, f"answer mixes generations: {answer.citations}"
    prefix = prefixes.pop()
    posts = versions[prefix].by_id()
    for c in answer.citations:
        post = posts[c.post_id]
        assert post.text[c.start:c.end] == c.quote
        assert any(s <= c.start and c.end <= e for s, e in post.own_spans())
    return prefix


@pytest.mark.slow
def test_asks_during_reingest_see_one_whole_generation(tmp_path: Path) -> None:
    seed = attribute_quotes(parse_file(SEED_FILE))
    versions = {"a": _version(seed, "a"), "b": _version(seed, "b")}
    files = {}
    for key, thread in versions.items():
        files[key] = tmp_path / f"{key}.jsonl"
        files[key].write_text(dump_jsonl(thread))
    cli = [sys.executable, "-m", "argmap.cli", "ingest", "--corpus", CORPUS]
    subprocess.run([*cli, str(files["a"])], check=True, capture_output=True, timeout=300)

    stop = threading.Event()
    swaps: list[int] = []

    def writer() -> None:
        turn = 0
        while not stop.is_set():
            turn += 1
            src = files["b" if turn % 2 else "a"]
            proc = subprocess.run([*cli, str(src)], capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr
            swaps.append(turn)

    background = threading.Thread(target=writer, daemon=True)
    background.start()
    try:
        questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(50)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            by_threads = list(pool.map(_ask, questions))
        with ProcessPoolExecutor(max_workers=3, mp_context=get_context("spawn")) as pool:
            by_processes = list(pool.map(_ask, questions))
    finally:
        stop.set()
        background.join(timeout=300)
    assert swaps, "the re-ingest never completed during the asks"
    seen = [_check(a, versions) for a in by_threads + by_processes]
    assert len(seen) == 100
    assert {"a", "b"} & set(seen), seen
    assert os.environ["ARGMAP_HOME"]  # the isolated home, shared with the workers by env

"""kill -9 at 20 random points of an ingest: the previous index stays complete every time."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from argmap.config import DEFAULT_CORPUS
from argmap.store import Store
from tests.conftest import ARGKP_SAMPLE, SEED_FILE

KILLS = int(os.environ.get("ARGMAP_KILL_POINTS", "20"))


def _fresh_corpus(path: Path, n: int, salt: str) -> Path:
    """A JSONL thread whose texts are new to the embedding cache, so embedding takes a while."""
    rows = []
    args = ARGKP_SAMPLE.read_text().splitlines()[1 : n + 1]
    for i, line in enumerate(args):
        parent = f"p{i // 3}" if i else None
        rows.append({"id": f"p{i}", "kind": "comment", "author": f"user{i % 50}",
                     "text": f"{line.split(',', 1)[1][:300]} ({salt} {i})", "parent_id": parent})
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


def _state(store: Store) -> tuple[str, int, int, int]:
    index = store.open(DEFAULT_CORPUS)
    hits = index.dense_search(store.embeddings.embed_query("facial recognition"), 5)
    assert len(index.thread.posts) == index.info.posts
    return index.info.generation, index.info.posts, len(index.units), len(hits)


def _ingest(src: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "argmap.cli", "ingest", str(src), "--corpus", DEFAULT_CORPUS],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_kill_at_random_points_keeps_previous_index(tmp_path: Path, isolated_home: Path) -> None:
    env = {**os.environ, "ARGMAP_EMBED_CACHE": str(tmp_path / "cold-cache.sqlite")}
    subprocess.run([sys.executable, "-m", "argmap.cli", "ingest", str(SEED_FILE)],
                   check=True, env=env, capture_output=True, timeout=300)
    previous = _state(Store())
    rng = random.Random(20)
    killed_mid_write = 0
    for attempt in range(KILLS):
        src = _fresh_corpus(tmp_path / f"big{attempt}.jsonl", 300, f"kill{attempt}")
        proc = _ingest(src, env)
        time.sleep(rng.uniform(0.5, 4.0))
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
            killed_mid_write += 1
        proc.wait()
        now = _state(Store())
        if now != previous:
            # the flip happened (the run finished, or was killed after the flip, e.g. while
            # caching the argument map): then the new index must be the complete new corpus
            assert now[1] == 300 and now[2] > 0 and now[3] == 5, f"kill {attempt}: {now}"
        else:
            assert not finished, f"run {attempt} finished without replacing the index"
        previous = now
    assert killed_mid_write >= 3, "too few kills landed before the run ended"
    done = _ingest(src, env)
    assert done.wait(timeout=600) == 0
    store = Store()
    info = store.info(DEFAULT_CORPUS)
    assert info is not None and info.posts == 300
    # orphans of the killed runs are gone: at most the current and the previous generation
    names = [str(getattr(c, "name", c)) for c in store.client.list_collections()]
    gens = {n.split(".")[1] for n in names if n.startswith(DEFAULT_CORPUS + ".")}
    assert info.generation in gens and len(gens) <= 2

"""A killed ingest leaves the previous index complete; the next ingest succeeds."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from argmap.config import DEFAULT_CORPUS
from argmap.store import Store
from tests.conftest import SEED_FILE, SHARED


def _fresh_corpus(path: Path, n: int, salt: str) -> Path:
    """A JSONL thread whose texts are new to the embedding cache, so embedding takes a while."""
    rows = []
    args = (SHARED / "argkp" / "arguments_train.csv").read_text().splitlines()[1 : n + 1]
    for i, line in enumerate(args):
        parent = f"p{i // 3}" if i else None
        rows.append({"id": f"p{i}", "kind": "comment", "author": f"user{i % 50}",
                     "text": f"{line.split(',', 1)[1][:300]} ({salt} {i})", "parent_id": parent})
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


def _seed_state(store: Store) -> tuple[int, int, int]:
    index = store.open(DEFAULT_CORPUS)
    hits = index.dense_search(store.embeddings.embed_query("facial recognition"), 5)
    return index.info.posts, len(index.units), len(hits)


def test_kill_mid_ingest_keeps_previous_index(tmp_path: Path, isolated_home: Path) -> None:
    env = {**os.environ, "ARGMAP_EMBED_CACHE": str(tmp_path / "cold-cache.sqlite")}
    subprocess.run([sys.executable, "-m", "argmap.cli", "ingest", str(SEED_FILE)],
                   check=True, env=env, capture_output=True, timeout=300)
    before = Store().info(DEFAULT_CORPUS)
    expected = _seed_state(Store())
    rng = random.Random(7)
    for attempt in range(3):
        src = _fresh_corpus(tmp_path / f"big{attempt}.jsonl", 600, f"kill{attempt}")
        proc = subprocess.Popen(
            [sys.executable, "-m", "argmap.cli", "ingest", str(src), "--corpus", DEFAULT_CORPUS],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(2.0, 6.0))
        assert proc.poll() is None, "ingest finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        store = Store()
        assert store.info(DEFAULT_CORPUS) == before
        assert _seed_state(store) == expected
    done = subprocess.run(
        [sys.executable, "-m", "argmap.cli", "ingest", str(src), "--corpus", DEFAULT_CORPUS],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    store = Store()
    info = store.info(DEFAULT_CORPUS)
    assert info is not None and info.posts == 600
    # orphans of the killed runs are gone; only the current and previous generations remain
    names = [str(getattr(c, "name", c)) for c in store.client.list_collections()]
    gens = {n.split(".")[1] for n in names if n.startswith(DEFAULT_CORPUS + ".")}
    assert gens == {info.generation, before.generation}  # type: ignore[union-attr]

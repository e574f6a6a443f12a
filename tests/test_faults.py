"""Disk full, read-only store, remote embeddings: clear errors, nothing half written."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from argmap.cli import main
from argmap.config import DEFAULT_CORPUS
from argmap.errors import ArgmapError
from argmap.store import Store
from bench.corpora import write as write_corpus
from tests.builders import tmpfs as mount_tmpfs
from tests.conftest import SEED_FILE, requires_shared
from tests.embed_server import embeddings_server


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs: full or read-only disks for real."""
    with mount_tmpfs(tmp_path / "mnt", "size=6m") as mnt:
        yield mnt


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Each step in its own process: Chroma keeps per-process state a full disk can wedge."""
    return subprocess.run([sys.executable, "-m", "argmap.cli", *args], capture_output=True,
                          text=True, timeout=600)


@pytest.mark.slow
@requires_shared("argkp/arguments_train.csv")  # bench.corpora builds the big thread from it
def test_disk_full_is_one_line_and_keeps_previous_index(tmpfs: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGMAP_HOME", str(tmpfs / "home"))
    assert _cli("ingest", str(SEED_FILE)).returncode == 0
    before = json.loads(_cli("show", "c64443218", "--json").stdout)
    big = write_corpus(3000, tmp_path / "big.jsonl")
    failed = _cli("ingest", str(big), "--corpus", DEFAULT_CORPUS)
    err = failed.stderr.strip()
    assert failed.returncode == 2 and "\n" not in err and "Traceback" not in err, err
    assert "full" in err and "previous index is unchanged" in err, err
    # while the disk stays full, even opening says so (never "delete the folder")
    stuck = _cli("show", "c64443218", "--json")
    assert stuck.returncode == 2 and "is full" in stuck.stderr and "delete" not in stuck.stderr
    # once space is freed, the previous index is there, complete, and the next ingest works
    subprocess.run(["mount", "-o", "remount,size=200m", str(tmpfs)], check=True)
    assert json.loads(_cli("show", "c64443218", "--json").stdout) == before
    posts = json.loads(_cli("posts", "--json").stdout)
    assert len(posts) == 45
    assert _cli("ingest", str(big), "--corpus", DEFAULT_CORPUS).returncode == 0
    assert len(json.loads(_cli("posts", "--json").stdout)) == 3000


@pytest.mark.slow
def test_read_only_store_is_one_line(tmpfs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGMAP_HOME", str(tmpfs / "home"))
    assert _cli("ingest", str(SEED_FILE)).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    for args in (["ingest", str(SEED_FILE), "--corpus", "other"], ["show", "article"]):
        proc = _cli(*args)
        err = proc.stderr.strip()
        assert proc.returncode == 2 and "read-only" in err and "\n" not in err, err


@pytest.mark.slow
def test_remote_embeddings_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    with embeddings_server() as (url, calls):
        monkeypatch.setenv("ARGMAP_EMBED_URL", url)
        monkeypatch.setenv("ARGMAP_EMBED_MODEL", "minilm-remote")
        assert main(["ingest", str(SEED_FILE)]) == 0
        assert sum(calls) >= 100  # every unit went through the endpoint
        store = Store()
        index = store.open(DEFAULT_CORPUS)
        assert index.info.embed_model.startswith("openai:minilm-remote@")
        hits = index.dense_search(store.embeddings.embed_query("13th amendment"), 1)
        assert "13th amendment" in hits[0][0].text
    monkeypatch.delenv("ARGMAP_EMBED_URL")
    with pytest.raises(ArgmapError, match="was embedded with openai:minilm-remote"):
        Store().open(DEFAULT_CORPUS)


def test_unreachable_embeddings_endpoint_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARGMAP_EMBED_URL", "http://127.0.0.1:9/v1")
    assert main(["ingest", str(SEED_FILE)]) == 2
    err = capsys.readouterr().err.strip()
    assert "embeddings endpoint failed" in err and "\n" not in err
    monkeypatch.delenv("ARGMAP_EMBED_URL")
    assert Store().info(DEFAULT_CORPUS) is None

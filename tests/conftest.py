"""Every test gets its own ARGMAP_HOME; the seed is ingested once per session into its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from argmap.config import CORPUS_DIR, DEFAULT_CORPUS

# The large data sets live beside the clone (../shared/data), not in it; the small inputs
# every clone needs are vendored in tests/fixtures/ (sources and licences in its README).
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REDDIT = FIXTURES / "threads" / "reddit_thread.json"
HN_FIXTURES = FIXTURES / "threads" / "hn_algolia_fixtures.json"
ARGKP_SAMPLE = FIXTURES / "argkp" / "arguments_train_sample.csv"
SEED_FILE = CORPUS_DIR / f"{DEFAULT_CORPUS}.txt"
_ARGMAP_VARS = ("ARGMAP_HOME", "ARGMAP_CHROMA_URL", "ARGMAP_ENGINE", "ARGMAP_CORPUS")


def requires_shared(relative: str) -> pytest.MarkDecorator:
    """Skip (one line, naming the test) in a clone without ``../shared/data/<relative>``."""
    return pytest.mark.skipif(not (SHARED / relative).exists(),
                              reason=f"needs ../shared/data/{relative} (not in this clone)")


@pytest.fixture(scope="session")
def embed_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embed") / "cache.sqlite"


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embed_cache: Path
) -> Iterator[Path]:
    for var in _ARGMAP_VARS:
        monkeypatch.delenv(var, raising=False)
    for var in list(__import__("os").environ):
        if var.startswith("ARGMAP_MAX_"):
            monkeypatch.delenv(var, raising=False)
    home = tmp_path / "argmap-home"
    monkeypatch.setenv("ARGMAP_HOME", str(home))
    monkeypatch.setenv("ARGMAP_EMBED_CACHE", str(embed_cache))
    yield home


@pytest.fixture(scope="session")
def seed_home(tmp_path_factory: pytest.TempPathFactory, embed_cache: Path) -> Path:
    """A home with the shipped seed ingested once; tests must only read it."""
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("seed-home")
    mp.setenv("ARGMAP_HOME", str(home))
    mp.setenv("ARGMAP_EMBED_CACHE", str(embed_cache))
    mp.delenv("ARGMAP_CHROMA_URL", raising=False)
    try:
        from argmap import api

        api.ingest([SEED_FILE])
    finally:
        mp.undo()
    return home


@pytest.fixture
def seed(seed_home: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The seed corpus index, read-only (ARGMAP_HOME points at the shared seed home)."""
    from argmap.store import Store

    monkeypatch.setenv("ARGMAP_HOME", str(seed_home))
    return Store().open(DEFAULT_CORPUS)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_chroma_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A real `chroma run` server on loopback storing under ``data``; returns it and its URL."""
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    data.mkdir(parents=True, exist_ok=True)
    with (data / "server.log").open("w") as log:
        proc = subprocess.Popen(
            [exe, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).read()
            return proc, url
        except OSError as exc:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                log_text = (data / "server.log").read_text()
                raise RuntimeError(f"chroma run did not start: {log_text}") from exc
            time.sleep(0.3)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on loopback for the whole session; yields its URL."""
    proc, url = start_chroma_server(tmp_path_factory.mktemp("chroma-server"))
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(params=["embedded", "server"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a store test against the embedded folder and against a real Chroma server."""
    if request.param == "server":
        url = request.getfixturevalue("chroma_server")
        monkeypatch.setenv("ARGMAP_CHROMA_URL", url)
    return str(request.param)

"""Settings: one validated class read when used; bad values and unusable paths are one line."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from argmap import api
from argmap.cli import main
from argmap.config import (
    ABSTAIN_THRESHOLD,
    PROJECT_ROOT,
    SettingsError,
    overridden,
    settings,
    with_table,
)
from argmap.errors import ArgmapError
from argmap.store import _write_problem
from tests.builders import tmpfs
from tests.conftest import start_chroma_server

CSV = "id,author,comment\n1,ann,Phones should be banned in class.\n2,ben,No they should not.\n"


def _one_error_line(capsys: pytest.CaptureFixture[str], rc: int) -> str:
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and err.startswith("argmap: error:"), err
    return err


def test_readme_settings_table_is_the_generated_one() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert with_table(readme) == readme, "run: python -m argmap.config --write README.md"


def test_settings_are_read_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert settings().abstain_threshold == ABSTAIN_THRESHOLD
    monkeypatch.setenv("ARGMAP_ABSTAIN_THRESHOLD", "0.25")
    monkeypatch.setenv("ARGMAP_MAX_POSTS", "7")
    monkeypatch.setenv("ARGMAP_EMBED_CACHE", "")  # empty is unset, as in a shell
    cfg = settings()
    assert cfg.abstain_threshold == 0.25 and cfg.limits.max_posts == 7
    assert cfg.cache_path == cfg.home / "embed_cache.sqlite"


def test_openai_variables_are_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ARGMAP_OPENAI_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    assert settings().openai_api_key is None
    monkeypatch.setenv("OPENAI_API_KEY", "sk-plain")
    key = settings().openai_api_key
    assert key is not None and key.get_secret_value() == "sk-plain" and "sk-" not in repr(key)
    monkeypatch.setenv("ARGMAP_OPENAI_API_KEY", "sk-ours")
    key = settings().openai_api_key
    assert key is not None and key.get_secret_value() == "sk-ours"


def test_cli_override_does_not_touch_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGMAP_CHROMA_URL", "http://127.0.0.1:1")
    with overridden(chroma_url="http://127.0.0.1:2", corpus=None):
        assert settings().chroma_url == "http://127.0.0.1:2"
        assert settings().corpus == "slashdot_microsoft_police_ai"
    assert settings().chroma_url == "http://127.0.0.1:1"
    assert os.environ["ARGMAP_CHROMA_URL"] == "http://127.0.0.1:1"


@pytest.mark.parametrize(("var", "value", "argv"), [
    ("ARGMAP_MAX_POSTS", "abc", ["ingest", "{csv}"]),
    ("ARGMAP_ABSTAIN_THRESHOLD", "x", ["ask", "Should phones be banned?"]),
    ("ARGMAP_LLM_TIMEOUT", "-1", ["corpora"]),
    ("ARGMAP_CHROMA_URL", "htp:/x", ["corpora"]),
    ("ARGMAP_CHROMA_URL", "http://[::1", ["posts"]),
])
def test_invalid_setting_is_one_line_naming_it(
    var: str, value: str, argv: list[str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    csv = tmp_path / "phones.csv"
    csv.write_text(CSV)
    monkeypatch.setenv(var, value)
    err = _one_error_line(capsys, main([a.format(csv=csv) for a in argv]))
    assert var in err and repr(value) in err, err


@pytest.mark.parametrize("url", ["htp:/x", "http://[::1", "ftp://host", "host:99999"])
def test_malformed_chroma_url_flag_is_one_line(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _one_error_line(capsys, main(["corpora", "--chroma-url", url]))
    assert "--chroma-url" in err and repr(url) in err, err


def test_invalid_setting_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "ARGMAP_MAX_POSTS": "abc"}
    out = subprocess.run([sys.executable, "-m", "argmap.cli", "corpora"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "ARGMAP_MAX_POSTS='abc'" in out.stderr


def test_settings_read_deep_inside_are_one_error_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from argmap.qa import threshold

    monkeypatch.setenv("ARGMAP_ABSTAIN_THRESHOLD", "x")
    with pytest.raises(SettingsError, match="ARGMAP_ABSTAIN_THRESHOLD='x'"):
        threshold()


def test_negative_lookup_limit_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_error_line(capsys, main(["lookup", "banned", "--limit", "-5"]))
    assert "limit" in err and "-5" in err, err


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A read-only tmpfs: root ignores permission bits, not a read-only mount."""
    with tmpfs(tmp_path / "ro", "ro,size=1m") as mnt:
        yield mnt


@pytest.mark.parametrize("where", ["under a file", "a folder", "read-only"])
def test_unusable_embedding_cache_is_one_line(
    where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tmp_path: Path, request: pytest.FixtureRequest,
) -> None:
    csv = tmp_path / "phones.csv"
    csv.write_text(CSV)
    if where == "under a file":
        cache = csv / "cache.sqlite"
    elif where == "a folder":
        cache = tmp_path / "cache.sqlite"
        cache.mkdir()
    else:
        cache = request.getfixturevalue("read_only_dir") / "cache" / "cache.sqlite"
    monkeypatch.setenv("ARGMAP_EMBED_CACHE", str(cache))
    err = _one_error_line(capsys, main(["ingest", str(csv)]))
    assert "ARGMAP_EMBED_CACHE" in err and str(cache) in err and "full" not in err, err
    assert not api.corpora()  # nothing half written


def test_only_a_full_disk_is_called_full(tmp_path: Path) -> None:
    home = Path("/srv/argmap")

    def said(exc: Exception, local: Path | None = None) -> str:
        return _write_problem(home, exc, local)

    permission = said(PermissionError(errno.EACCES, "Permission denied"))
    readonly = said(sqlite3.OperationalError("attempt to write a readonly database"))
    other = said(RuntimeError("collection has gone away"))
    for msg in (permission, readonly, other):
        assert "full" not in msg and "disk" not in msg, msg
    assert "read-only" in readonly and "gone away" in other
    assert "full" in said(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert "full" in said(sqlite3.OperationalError("database or disk is full"))
    # an error that names no cause, on a local disk with room: no guess either
    assert "full" not in said(RuntimeError("Error in compaction"), tmp_path)


@pytest.mark.server
@pytest.mark.slow
def test_server_lost_mid_write_is_not_called_a_full_disk(tmp_path: Path) -> None:
    """A real Chroma server stopped between the units and the posts: a network error, so
    the message must not send the user to free disk space."""
    proc, url = start_chroma_server(tmp_path / "server")
    csv = tmp_path / "phones.csv"
    csv.write_text(CSV)

    def stop_server(stage: str, done: int, total: int) -> None:
        if stage == "embedding" and done:
            proc.terminate()
            proc.wait(timeout=30)

    try:
        with overridden(chroma_url=url), pytest.raises(ArgmapError) as caught:
            api.ingest([csv], progress=stop_server)
    finally:
        proc.kill()
    msg = str(caught.value)
    assert "could not write" in msg and "full" not in msg and "disk" not in msg, msg


def test_only_the_settings_class_reads_the_environment() -> None:
    """One settings class: a module reading ARGMAP_* itself would escape validation and the
    CLI's overrides (the stance model once read ARGMAP_EMBED_THREADS on its own)."""
    import ast

    root = Path(__file__).resolve().parents[1]
    readers = []
    for path in [*root.joinpath("argmap").rglob("*.py"), *root.joinpath("ingest").rglob("*.py")]:
        if path.name == "config.py" and path.parent.name == "argmap":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.append(f"{path.relative_to(root)}:{node.lineno}")
    assert readers == []

"""Ingest end to end through the CLI: summary, show/posts JSON, idempotence, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from argmap.cli import main
from argmap.config import DEFAULT_CORPUS
from argmap.store import Store
from tests.conftest import REDDIT, SEED_FILE

POST_FIELDS = {
    "post_id", "kind", "author", "author_id", "parent_id", "depth", "text", "own_text",
    "quotes", "truncated", "replies",
}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "argmap.cli", *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300,
    )


@pytest.mark.slow
def test_ingest_prints_summary_and_show_has_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(SEED_FILE)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{DEFAULT_CORPUS}: ") and "44 comments" in line
    assert main(["posts", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["kind"] == "article" and sum(r["kind"] == "comment" for r in rows) == 44
    assert all(POST_FIELDS <= set(r) for r in rows)
    quoting = next(r for r in rows if r["quotes"])
    assert main(["show", quoting["post_id"], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == quoting
    q = shown["quotes"][0]
    assert shown["text"][q["start"]:q["end"]] == q["text"]
    assert q["text"].strip() not in shown["own_text"]
    # replies[] and parent_id agree both ways
    by_id = {r["post_id"]: r for r in rows}
    for r in rows:
        for child in r["replies"]:
            assert by_id[child]["parent_id"] == r["post_id"]


@pytest.mark.slow
def test_python_m_ingest_defaults_to_shipped_corpus() -> None:
    proc = subprocess.run([sys.executable, "-m", "ingest"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert DEFAULT_CORPUS in proc.stdout


def test_reingest_same_source_adds_nothing() -> None:
    store = Store()
    first = main(["ingest", str(SEED_FILE)])
    info1 = store.info(DEFAULT_CORPUS)
    assert first == 0 and info1 is not None
    collections_before = sorted(str(c) for c in store.client.list_collections())
    assert main(["ingest", str(SEED_FILE)]) == 0
    info2 = store.info(DEFAULT_CORPUS)
    assert info2 == info1
    assert sorted(str(c) for c in store.client.list_collections()) == collections_before


@pytest.mark.slow
def test_corpora_live_side_by_side(tmp_path: Path) -> None:
    reddit = REDDIT
    assert main(["ingest", str(SEED_FILE)]) == 0
    assert main(["ingest", str(reddit), "--corpus", "reddit-demo"]) == 0
    names = [c.name for c in Store().corpora()]
    assert names == sorted([DEFAULT_CORPUS, "reddit-demo"])
    assert Store().open("reddit-demo").info.posts == 200


def _bad_inputs(tmp: Path) -> dict[str, list[str]]:
    empty = tmp / "empty.txt"
    empty.write_text("")
    binary = tmp / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    bad_json = tmp / "bad.json"
    bad_json.write_text('{"children": [1, 2,')
    wrong = tmp / "wrong.json"
    wrong.write_text(json.dumps({"hello": "world"}))
    big = tmp / "big.txt"
    with big.open("wb") as fh:
        fh.write(b"  \xe2\x80\xa2 a comment\n" * (20 * 1024 * 1024 // 16))
    deep = tmp / "deep.jsonl"
    lines = [json.dumps({"id": "p0", "kind": "comment", "text": "root"})]
    lines += [json.dumps({"id": f"p{i}", "kind": "comment", "text": f"reply {i}",
                          "parent_id": f"p{i - 1}"}) for i in range(1, 10_000)]
    deep.write_text("\n".join(lines))
    odd = tmp / "notes.xyz"
    odd.write_text("just some words\nwith no structure at all\n")
    return {
        "empty": [str(empty)],
        "binary": [str(binary)],
        "invalid json": [str(bad_json)],
        "wrong shape": [str(wrong)],
        "20 MB": [str(big)],
        "10,000 deep": [str(deep)],
        "unknown format name": [str(SEED_FILE), "--format", "nosuch"],
        "undetectable": [str(odd)],
        "unreadable": [str(tmp / "missing.txt")],
        "directory": [str(tmp)],
    }


@pytest.mark.slow
def test_bad_inputs_one_line_nonzero_index_untouched(tmp_path: Path) -> None:
    assert main(["ingest", str(SEED_FILE)]) == 0
    before = Store().info(DEFAULT_CORPUS)
    for name, args in _bad_inputs(tmp_path).items():
        proc = run_cli("ingest", *args, "--corpus", DEFAULT_CORPUS)
        assert proc.returncode != 0, name
        err = proc.stderr.strip()
        assert err.startswith("argmap: error:") and "\n" not in err, (name, err)
        assert "Traceback" not in proc.stderr, name
        assert Store().info(DEFAULT_CORPUS) == before, name
    assert Store().open(DEFAULT_CORPUS).info.posts == before.posts  # type: ignore[union-attr]

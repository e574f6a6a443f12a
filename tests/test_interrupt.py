"""Ctrl-C during `argmap ingest` says which index is live (issue 15 item 7).

KeyboardInterrupt is raised from the store's hooks just before and just after the flip,
so each case is hit exactly, not by timing a signal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap import cli
from argmap import store as store_mod
from argmap.store import Store
from tests.builders import two_post_jsonl


def _interrupt(corpus: str, gen: str) -> None:
    raise KeyboardInterrupt


@pytest.fixture
def before(tmp_path: Path) -> str:
    assert cli.main(["ingest", str(two_post_jsonl(tmp_path / "v1.jsonl", "cameras")),
                     "--corpus", "intr"]) == 0
    info = Store().info("intr")
    assert info is not None
    return info.generation


def test_interrupt_before_the_flip_keeps_the_previous_index(
    before: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    monkeypatch.setattr(store_mod.hooks, "before_flip", _interrupt)
    v2 = two_post_jsonl(tmp_path / "v2.jsonl", "drones")
    code = cli.main(["ingest", str(v2), "--corpus", "intr"])
    err = capsys.readouterr().err.strip()
    assert code == 130
    info = Store().info("intr")
    assert info is not None and info.generation == before
    assert "before the new index of 'intr' went live" in err
    assert f"previous index (generation {before}" in err and "unchanged" in err
    assert err.count("\n") == 0
    monkeypatch.setattr(store_mod.hooks, "before_flip", None)
    # the interrupted writer released the corpus: the next ingest need not wait
    assert cli.main(["ingest", str(tmp_path / "v2.jsonl"), "--corpus", "intr"]) == 0


def test_interrupt_after_the_flip_says_the_new_index_is_live(
    before: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    monkeypatch.setattr(store_mod.hooks, "after_flip", _interrupt)
    v2 = two_post_jsonl(tmp_path / "v2.jsonl", "drones")
    code = cli.main(["ingest", str(v2), "--corpus", "intr"])
    err = capsys.readouterr().err.strip()
    assert code == 130
    info = Store().info("intr")
    assert info is not None and info.generation != before
    assert "unchanged" not in err
    assert f"after the new index of 'intr' went live (generation {info.generation}" in err
    assert "drones" in Store().open("intr").thread.posts[0].text
    assert err.count("\n") == 0

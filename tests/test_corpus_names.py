"""Names derived from file names never silently replace another file's corpus (issue 15
item 3): `a b.jsonl` and `a_b.jsonl` both derive `a_b`; non-ASCII stems stay distinct."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap import cli
from argmap.errors import InputError
from argmap.store import Store, check_corpus_name, corpus_name_for
from ingest.pipeline import ingest_path
from tests.builders import two_post_jsonl


def test_non_ascii_stems_derive_distinct_valid_names() -> None:
    stems = ["переговоры", "讨论", "переговоры-2", "a b", "a_b"]
    names = [corpus_name_for(s) for s in stems]
    assert all(check_corpus_name(n) == n for n in names)
    assert len(set(names[:3])) == 3  # each non-ASCII stem its own corpus
    assert corpus_name_for("café") == "cafe"  # accents transliterate
    assert corpus_name_for("讨论") == corpus_name_for("讨论")  # stable: re-ingest finds it


def test_derived_name_never_replaces_another_files_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ingest_path(two_post_jsonl(tmp_path / "a b.jsonl", "cameras"))
    assert first.corpus == "a_b"
    other = two_post_jsonl(tmp_path / "a_b.jsonl", "drones")
    with pytest.raises(InputError, match="--replace") as err:
        ingest_path(other)
    assert "'a b.jsonl'" in str(err.value) and "\n" not in str(err.value)
    kept = Store().open("a_b")
    assert kept.info.generation == first.info.generation
    assert "cameras" in kept.thread.posts[0].text

    capsys.readouterr()
    assert cli.main(["ingest", str(other)]) == 2
    err_line = capsys.readouterr().err.strip()
    assert "--replace" in err_line and "\n" not in err_line

    # the same file, edited, still re-ingests into its derived name; unchanged is a no-op
    two_post_jsonl(tmp_path / "a b.jsonl", "cameras and drones")
    again = ingest_path(tmp_path / "a b.jsonl")
    assert not again.unchanged and again.corpus == "a_b"
    assert ingest_path(tmp_path / "a b.jsonl").unchanged

    replaced = ingest_path(other, replace=True)
    assert replaced.corpus == "a_b"
    assert "drones" in Store().open("a_b").thread.posts[0].text


def test_non_ascii_file_names_become_two_corpora(tmp_path: Path) -> None:
    ru = ingest_path(two_post_jsonl(tmp_path / "переговоры.jsonl", "cameras"))
    zh = ingest_path(two_post_jsonl(tmp_path / "讨论.jsonl", "drones"))
    assert ru.corpus != zh.corpus
    assert {c.name for c in Store().corpora()} == {ru.corpus, zh.corpus}

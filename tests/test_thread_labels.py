"""The hand-labelled thread sets: each file follows the schema, and every labelled post is a
comment of the parsed thread, by the same author (parser only: no model runs here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.thread_labels import LABELS_DIR, LabelError, all_labels, load, source_file
from ingest.formats import parse_file

FILES = sorted(LABELS_DIR.glob("*.json"))


def test_there_are_three_labelled_threads_of_thirty_posts_or_more() -> None:
    labels = [lab for _, lab in all_labels()]
    assert len(labels) >= 3
    for lab in labels:
        assert len(lab.posts) >= 30, lab.name
        assert {p.stance for p in lab.posts} - {"neutral"}, f"{lab.name}: no post takes a side"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_labelled_post_is_a_comment_of_the_parsed_thread(
    path: Path, tmp_path: Path
) -> None:
    labels = load(path)
    src = source_file(labels, tmp_path)
    if src is None:
        pytest.skip(f"{labels.name}: its thread is not on this machine ({labels.source})")
    thread = parse_file(src)
    posts = thread.by_id()
    for lab in labels.posts:
        assert lab.id in posts, f"{labels.name}: no post {lab.id}"
        assert posts[lab.id].kind == "comment", lab.id
        assert posts[lab.id].author == lab.author, lab.id
    if labels.proposer is not None:  # the proposer opened the thread and is labelled later
        assert thread.posts[0].author == labels.proposer
        assert any(p.author == labels.proposer for p in labels.posts)


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("proposition"), "missing proposition"),
    (lambda d: d["posts"][0].update(stance="pro"), "is not one of"),
    (lambda d: d["posts"][0].update(argument="yes"), "true or false"),
    (lambda d: d["posts"].append(dict(d["posts"][0])), "labelled twice"),
    (lambda d: d["proposer"].pop("why"), "proposer needs"),
])
def test_a_label_file_off_the_schema_is_refused(change, message, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = json.loads(FILES[0].read_text(encoding="utf-8"))
    change(d)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(d))
    with pytest.raises(LabelError, match=message):
        load(bad)

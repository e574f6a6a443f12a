"""Units: sentences of a post's own words, offsets exact into ``post.text``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from argmap.records import Post, Quote, Thread
from ingest import units as units_mod
from ingest.formats import parse_file
from ingest.formats.hn import parse_hn
from ingest.units import units_for_post, units_for_thread
from tests.conftest import HN_FIXTURES, REDDIT

DATA = Path(__file__).resolve().parent / "data"
SEED = Path(__file__).resolve().parents[1] / "corpus" / "slashdot_microsoft_police_ai.txt"


def corpora() -> list[Thread]:
    threads = [
        parse_file(REDDIT),
        parse_file(DATA / "sample.csv"),
        parse_file(DATA / "sample.jsonl"),
    ]
    for entry in json.loads(HN_FIXTURES.read_text()):
        if isinstance(entry["reply"], dict) and "children" in entry["reply"]:
            threads.append(parse_hn(json.dumps(entry["reply"])))
    try:
        import ingest.formats.slashdot  # noqa: F401
    except ImportError:
        pass
    else:
        threads.append(parse_file(SEED))
    try:  # with quotes attributed (as the pipeline does), units must avoid quoted words
        from ingest.quotes import attribute_quotes
    except ImportError:
        return threads
    return threads + [attribute_quotes(t) for t in threads]


def check_units(post: Post, units: list, max_chars: int = 400) -> None:  # type: ignore[type-arg]
    own = post.own_spans()
    for u in units:
        assert post.text[u.start : u.end] == u.text
        assert u.text == u.text.strip() and any(c.isalnum() for c in u.text)
        assert len(u.text) <= max_chars
        assert any(s <= u.start and u.end <= e for s, e in own), "unit outside own words"
        assert u.id == f"{post.id}:{u.start}-{u.end}" and u.post_id == post.id
    assert [u.start for u in units] == sorted(u.start for u in units)


def test_offsets_exact_over_all_corpora() -> None:
    total = 0
    for thread in corpora():
        by_id = thread.by_id()
        units = units_for_thread(thread)
        total += len(units)
        for post in thread.posts:
            check_units(post, [u for u in units if u.post_id == post.id])
        assert len({u.id for u in units}) == len(units)
        assert all(by_id[u.post_id].author == u.author for u in units)
    assert total > 800


def test_quotes_are_not_units_of_the_quoter() -> None:
    text = "> The ban is global.\nNo, it is US only. Read it."
    post = Post(
        id="c",
        kind="comment",
        text=text,
        author="bob",
        parent_id="a",
        depth=2,
        quotes=[Quote(text="The ban is global.", from_post_id="a", start=2, end=20)],
    )
    units = units_for_post(post)
    assert [u.text for u in units] == ["No, it is US only.", "Read it."]
    assert all(u.start >= 20 for u in units)
    u = units[0]
    assert (u.author, u.kind, u.depth, u.parent_id) == ("bob", "comment", 2, "a")


def test_sentences_strip_and_drop_punctuation_only() -> None:
    text = "  First one here.   Second, Mr. Smith said?  \n\n ... \n--\nThird!  "
    units = units_for_post(Post(id="p", kind="comment", text=text))
    assert [u.text for u in units] == ["First one here.", "Second, Mr. Smith said?", "Third!"]


def test_repeated_sentences_get_their_own_offsets() -> None:
    text = "Yes. Yes. No. Yes."
    units = units_for_post(Post(id="p", kind="comment", text=text))
    assert [(u.start, u.text) for u in units] == [
        (0, "Yes."),
        (5, "Yes."),
        (10, "No."),
        (14, "Yes."),
    ]


def test_long_sentence_is_split_exactly() -> None:
    text = "Intro. " + " ".join(f"word{i}, and" for i in range(300)) + " end."
    post = Post(id="p", kind="comment", text=text)
    units = units_for_post(post, max_chars=120)
    assert len(units) > 10
    check_units(post, units, max_chars=120)
    assert "".join(u.text for u in units).replace(" ", "") == text.replace(" ", "")


def test_fast_path_agrees_with_pysbd(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [p.text for t in corpora() for p in t.posts]
    fast = [
        [(u.start, u.end) for u in units_for_post(Post(id="x", kind="comment", text=t))]
        for t in texts
    ]
    monkeypatch.setattr(units_mod, "_MAYBE_BOUNDARY", re.compile(r"(?s)."))  # always pysbd
    slow = [
        [(u.start, u.end) for u in units_for_post(Post(id="x", kind="comment", text=t))]
        for t in texts
    ]
    assert fast == slow


def test_hostile_long_posts_feed_pysbd_bounded_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """pysbd slows sharply on long many-sentence inputs (see units._blocks), so its work is
    counted rather than timed: blocks of at most _WINDOW characters, each character once."""
    fed: list[int] = []
    real = units_mod._segmenter

    class Counting:
        def processor(self, chunk: str) -> Any:
            fed.append(len(chunk))
            return real().processor(chunk)

    monkeypatch.setattr(units_mod, "_segmenter", Counting)
    for text in ("a. " * 5000, "line\n" * 5000, "x" * 50_000):
        fed.clear()
        units = units_for_post(Post(id="p", kind="comment", text=text))
        assert units and all(text[u.start : u.end] == u.text for u in units)
        assert max(fed, default=0) <= units_mod._WINDOW and sum(fed) <= len(text), text[:10]
        if text.startswith("a. "):
            assert len(fed) > 1  # the sentences did go to pysbd, in several blocks


def test_a_large_thread_is_split_over_helper_interpreters_with_the_same_units(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past PARALLEL_MIN_POSTS posts, helper interpreters (`units.serve`) split the work;
    the units are the same, in the same order, and a helper that fails costs only time."""
    from ingest.quotes import attribute_quotes
    from tests.conftest import SEED_FILE

    thread = attribute_quotes(parse_file(SEED_FILE))
    serial = units_mod._units_for_posts(thread.posts, 400)
    monkeypatch.setattr(units_mod, "PARALLEL_MIN_POSTS", 2)
    monkeypatch.setattr(units_mod, "_cores", lambda: 3)
    spawned: list[list[str]] = []
    real_popen = units_mod.subprocess.Popen

    def popen(args: list[str], **kw: object) -> object:
        spawned.append(args)
        return real_popen(args, **kw)  # type: ignore[call-overload]

    done_here: list[int] = []
    real_share = units_mod._units_for_posts

    def share(posts: list[Post], max_chars: int) -> list[object]:
        done_here.append(len(posts))
        return real_share(posts, max_chars)  # type: ignore[return-value]

    monkeypatch.setattr(units_mod.subprocess, "Popen", popen)
    monkeypatch.setattr(units_mod, "_units_for_posts", share)
    assert units_mod.units_for_thread(thread) == serial
    assert len(spawned) == 2 and spawned[0][1] == "-I"  # isolated: no cwd on the import path
    assert done_here == [15]  # this process did a third of the 45 posts; helpers the rest
    done_here.clear()
    monkeypatch.setattr(units_mod.sys, "executable", "/bin/false")  # helpers die at once
    assert units_mod.units_for_thread(thread) == serial
    assert done_here == [15, 15, 15]  # their shares were done here

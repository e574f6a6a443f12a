"""Source parsers, format detection and parse_file's guards against bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from argmap.config import Limits
from argmap.errors import InputError
from argmap.records import Post, Quote, Thread
from ingest.formats import FORMATS, detect_format, dump_jsonl, parse_file
from ingest.formats.csvfmt import parse_csv
from ingest.formats.hn import html_to_text, parse_hn
from ingest.formats.jsonl import parse_jsonl
from tests.conftest import HN_FIXTURES, REDDIT

DATA = Path(__file__).resolve().parent / "data"
SEED = Path(__file__).resolve().parents[1] / "corpus" / "slashdot_microsoft_police_ai.txt"


def hn_item17() -> dict[str, Any]:
    entries = json.loads(HN_FIXTURES.read_text())
    return next(e["reply"] for e in entries if e["url"].endswith("/items/17"))


def check_tree(t: Thread) -> None:
    """Pre-order, parents resolve, depth = parent depth + 1, ids unique."""
    seen: dict[str, Post] = {}
    for p in t.posts:
        assert p.id not in seen
        if p.parent_id is None:
            assert p.depth == (0 if p.kind == "article" else 1)
        else:
            assert p.parent_id in seen, "parent must come before its reply"
            assert p.depth == seen[p.parent_id].depth + 1
        seen[p.id] = p


# --- Reddit -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reddit() -> Thread:
    return parse_file(REDDIT)


def test_reddit_counts_depth_and_stubs(reddit: Thread) -> None:
    raw = json.loads(REDDIT.read_text())
    stubs = count = 0
    stack = list(raw[1]["data"]["children"])
    while stack:
        node = stack.pop()
        if node["kind"] == "more":
            stubs += 1
            count += node["data"]["count"]
        elif node["data"].get("replies"):
            stack += node["data"]["replies"]["data"]["children"]
    assert reddit.format == "reddit" and reddit.source == str(REDDIT)
    article, comments = reddit.posts[0], reddit.posts[1:]
    assert article.kind == "article" and article.id == "t3_1cebxh" and article.depth == 0
    assert article.title.startswith("my wife passed away") and article.author == "hglkgkjd"
    assert article.text.startswith("it feels like") and "reddit.com/r/self" in article.source_url
    assert len(comments) == 199 and all(p.kind == "comment" for p in comments)
    assert max(p.depth for p in comments) == 10
    assert reddit.metadata["more_stubs"] == stubs == 125
    assert reddit.metadata["more_count"] == count
    check_tree(reddit)


def test_reddit_authors_parents_and_text(reddit: Thread) -> None:
    first = reddit.posts[1]
    assert (first.id, first.author, first.parent_id, first.depth) == (
        "t1_c9ftsjg",
        "bacon_cake",
        "t3_1cebxh",
        1,
    )
    assert first.time.startswith("2013-04-15T")
    bodies = [p.text for p in reddit.posts]
    assert bodies.count("[deleted]") == 4 and bodies.count("[removed]") == 1
    assert not any("&gt;" in b or "&amp;" in b for b in bodies)  # Reddit's escapes undone
    assert any(b.startswith(">") for b in bodies)
    raw_parent = {}
    stack = list(json.loads(REDDIT.read_text())[1]["data"]["children"])
    while stack:
        node = stack.pop()
        if node["kind"] == "t1":
            raw_parent[node["data"]["name"]] = node["data"]["parent_id"]
            if node["data"].get("replies"):
                stack += node["data"]["replies"]["data"]["children"]
    assert {p.id: p.parent_id for p in reddit.posts[1:]} == raw_parent


# --- Hacker News --------------------------------------------------------------------------


def test_hn_item17_tree() -> None:
    t = parse_hn(json.dumps(hn_item17()), "items17.json")
    assert [(p.id, p.parent_id, p.depth, p.author) for p in t.posts] == [
        ("hn-17", None, 1, "pg"),
        ("hn-1079", "hn-17", 2, "dmon"),
        ("hn-454426", "hn-17", 2, "Arrington"),
    ]
    assert all(p.kind == "comment" for p in t.posts)  # a comment root: no article in the file
    assert t.posts[0].text == "Is there anywhere to eat on Sandhill Road?"
    assert t.posts[2].text == "This is why we can't have nice things."
    check_tree(t)


def test_hn_html_to_text() -> None:
    html = (
        'first<p>a &amp; b &#x27;c&#x27; <a href="http://x.org/long/path">x.org/long/...</a>'
        " <i>really</i></p><p>code:<pre><code>  x = 1\n\n  y = 2\n</code></pre>&lt;b&gt;"
    )
    assert html_to_text(html) == (
        "first\n\na & b 'c' x.org/long/... really\n\ncode:\n\n  x = 1\n\n  y = 2\n\n<b>"
    )
    assert html_to_text("<p>a</p><p>b<br>c</p>") == "a\n\nb\nc"


def test_hn_story_and_deleted_children() -> None:
    story = {
        "id": 1,
        "type": "story",
        "title": "Ban",
        "url": "https://x.org",
        "text": None,
        "author": "op",
        "children": [
            {
                "id": 2,
                "type": "comment",
                "text": None,
                "author": None,
                "children": [
                    {
                        "id": 3,
                        "type": "comment",
                        "text": "<p>reply to a deleted one</p>",
                        "author": "b",
                        "children": [],
                    },
                ],
            },
            {"id": 4, "type": "comment", "text": None, "author": None, "children": []},
        ],
    }
    t = parse_hn(json.dumps(story))
    assert [p.id for p in t.posts] == ["hn-1", "hn-2", "hn-3"]  # deleted leaf hn-4 dropped
    art, deleted, reply = t.posts
    assert (art.kind, art.title, art.text, art.source_url) == (
        "article",
        "Ban",
        "Ban\n\nhttps://x.org",
        "https://x.org",
    )
    assert deleted.text == "" and reply.parent_id == "hn-2" and reply.depth == 2
    assert t.title == "Ban"


# --- CSV and JSONL ------------------------------------------------------------------------


def test_csv_sample() -> None:
    t = parse_file(DATA / "sample.csv")
    assert t.format == "csv" and t.title == "sample"
    assert [(p.id, p.parent_id, p.depth, p.author) for p in t.posts] == [
        ("csv-1", None, 1, "alice"),
        ("csv-2", "csv-1", 2, "bob"),
        ("csv-4", "csv-2", 3, "alice"),
        ("csv-3", None, 1, "carol"),  # blank row 5 had no replies: dropped
    ]
    assert (
        t.posts[1].text
        == 'Does it? "Any law enforcement globally" is in the terms.\nRead them again.'
    )
    assert t.posts[0].time == "2024-05-02T10:00:00Z" and not t.posts[0].text.startswith("\ufeff")


def test_csv_minimal_columns_and_aliases() -> None:
    t = parse_csv("id,comment\n7,only text\n")
    assert [(p.id, p.author, p.parent_id, p.depth) for p in t.posts] == [("csv-7", "", None, 1)]
    t3c = parse_csv("comment-id,comment-body,interview\n1,hello,Ann\n")
    assert (t3c.posts[0].id, t3c.posts[0].text, t3c.posts[0].author) == ("csv-1", "hello", "Ann")


@pytest.mark.parametrize(
    "text, needle",
    [
        ("id,comment,parent_id\n1,a,\n2,b,99\n", "unknown post 'csv-99'"),
        ("id,comment,parent_id\n1,a,2\n2,b,1\n", "cycle"),
        ("id,comment,parent_id\n1,a,1\n", "cycle"),
        ("id,comment\n1,a\n1,b\n", "duplicate"),
        ("id,text\n1,a\n", "lacks column"),
        ("id,comment\n,a\n", "empty id"),
    ],
)
def test_csv_errors(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_csv(text, "bad.csv")


def test_csv_round_trip(tmp_path: Path) -> None:
    rows = [("1", "top", ""), ("2", 'with "quotes", commas\nand lines', "1"), ("3", "b", "")]
    path = tmp_path / "t.csv"
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "comment", "parent_id"])
        w.writerows(rows)
    t = parse_file(path)
    assert [(p.id[4:], p.text, (p.parent_id or "csv-")[4:]) for p in t.posts] == rows


def test_jsonl_sample_orders_and_quotes() -> None:
    t = parse_file(DATA / "sample.jsonl")
    assert t.format == "jsonl" and t.title == "Microsoft bans police AI"
    assert [(p.id, p.depth) for p in t.posts] == [("a1", 0), ("c2", 1), ("c3", 2), ("c1", 1)]
    q = t.posts[1].quotes[0]
    assert t.posts[1].text[q.start : q.end] == q.text and q.from_post_id == "a1"
    assert "Microsoft bans" not in t.posts[1].own_text


@pytest.mark.parametrize("source", ["reddit", "hn", "csv", "jsonl"])
def test_jsonl_round_trip(source: str) -> None:
    t = {
        "reddit": lambda: parse_file(REDDIT),
        "hn": lambda: parse_hn(json.dumps(hn_item17())),
        "csv": lambda: parse_file(DATA / "sample.csv"),
        "jsonl": lambda: parse_file(DATA / "sample.jsonl"),
    }[source]()
    # words of unknown origin: the one credit a file may give that names no post
    t.posts[-1].quotes.append(Quote(text=t.posts[-1].text[:3], from_post_id="", start=0, end=3))
    t.posts[-1].truncated = True
    back = parse_jsonl(dump_jsonl(t))
    assert back.posts == t.posts


def test_jsonl_keeps_odd_line_separators() -> None:
    t = Thread(title="", posts=[Post(id="1", kind="comment", text="a\u2028b\x0cc\r\nd", depth=1)])
    assert parse_jsonl(dump_jsonl(t)).posts == t.posts


# --- Detection ----------------------------------------------------------------------------


def test_detect_each_format() -> None:
    assert detect_format(REDDIT.read_text(), "r.json") == "reddit"
    assert detect_format(json.dumps(hn_item17(), indent=1), "h.json") == "hn"
    assert detect_format((DATA / "sample.csv").read_text(encoding="utf-8-sig"), "x.txt") == "csv"
    assert detect_format("a,b\n1,2\n", "x.csv") == "csv"
    assert detect_format((DATA / "sample.jsonl").read_text(), "x.txt") == "jsonl"
    assert detect_format('{"id": 1, "kind": "comment", "text": "one"}', "x") == "jsonl"
    assert set(FORMATS) == {"slashdot", "reddit", "hn", "csv", "jsonl"}


def test_detect_slashdot_seed() -> None:
    pytest.importorskip("ingest.formats.slashdot")
    assert detect_format(SEED.read_text(encoding="utf-8"), str(SEED)) == "slashdot"
    t = parse_file(SEED)
    assert t.format == "slashdot" and t.posts


def test_detect_unknown() -> None:
    with pytest.raises(InputError, match="cannot tell the format of notes.txt; pass --format"):
        detect_format("just some words\nmore words\n", "notes.txt")


# --- Bad input: one line, names the file --------------------------------------------------


def chain_jsonl(n: int) -> str:
    lines = [{"id": "0", "kind": "article", "text": "root"}]
    lines += [
        {"id": str(i), "kind": "comment", "text": "x", "parent_id": str(i - 1)}
        for i in range(1, n + 1)
    ]
    return "\n".join(json.dumps(x) for x in lines)


def chain_hn(n: int) -> str:
    return (
        '{"id":0,"type":"story","title":"t","children":['
        + "".join(f'{{"id":{i},"type":"comment","text":"x","children":[' for i in range(1, n + 1))
        + "]}" * n
        + "]}"
    )


def chain_reddit(n: int) -> str:
    head = '[{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"p","title":"t"}}]}},'
    open_ = "".join(
        f'{{"kind":"Listing","data":{{"children":[{{"kind":"t1","data":{{"id":"c{i}","body":"x",'
        '"replies":'
        for i in range(n)
    )
    return head + open_ + '""' + "}}]}}" * n + "]"


BAD: dict[str, tuple[str | bytes, str | None, str]] = {
    "empty": ("", None, "is empty"),
    "blank": ("  \n\n ", None, "is empty"),
    "nul": (b"id,comment\n1,a\x00b\n", None, "binary"),
    "latin1": ("id,comment\n1,caf\u00e9\n".encode("latin-1"), None, "not UTF-8"),
    "badjson": ('{"id": 1,\n "children": [}', None, "invalid JSON at line 2, column"),
    "badjsonl": ('{"id": 1, "kind": "comment", "text": "a"}\n{"id": 2,', None, "line 2"),
    "shape": ('{"hits": []}', None, "shape"),
    "shape_hn": ('{"hits": []}', "hn", "not a Hacker News"),
    "shape_reddit": ("[1, 2]", "reddit", "not a Reddit"),
    "deep_jsonl": (chain_jsonl(10_000), None, "deeper than max_depth=500"),
    "deep_hn": (chain_hn(10_000), None, "deep"),
    "deep_reddit": (chain_reddit(10_000), "reddit", "deep"),
    "dup": (
        '{"id":1,"kind":"comment","text":"a"}\n{"id":1,"kind":"comment","text":"b"}',
        None,
        "duplicate",
    ),
    "orphan": ('{"id":1,"kind":"comment","text":"a","parent_id":9}', None, "unknown post"),
    "notext": ('{"id":1,"kind":"comment"}', "jsonl", "missing required field 'text'"),
    "badkind": ('{"id":1,"kind":"post","text":"a"}', "jsonl", "kind must be 'article' or"),
    "format": ("id,comment\n1,a\n", "xml", "unknown format 'xml'; pass --format one of"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line(tmp_path: Path, case: str) -> None:
    content, fmt, needle = BAD[case]
    path = tmp_path / f"{case}.data"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_file(path, fmt)
    msg = str(err.value)
    assert needle in msg and str(path) in msg and "\n" not in msg and "Traceback" not in msg


def test_moderately_deep_json_within_limits_parses(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(chain_hn(450))  # 900+ JSON levels: beyond json's default recursion
    assert max(p.depth for p in parse_file(path).posts) == 450


def test_too_big_rejected_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024)  # 20 MB of NULs: rejected for size before being read
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    with pytest.raises(InputError, match=r"big.csv: 20971520 bytes, bigger than max_file_bytes"):
        parse_file(path)
    assert path not in opened
    monkeypatch.setenv("ARGMAP_MAX_FILE_BYTES", "100")
    with pytest.raises(InputError, match="max_file_bytes=100"):
        parse_file(DATA / "sample.csv")


@pytest.mark.parametrize(
    "limits, needle",
    [
        (Limits(max_posts=3), "more than max_posts=3"),
        (Limits(max_post_chars=20), "more than max_post_chars=20"),
        (Limits(max_depth=1), "deeper than max_depth=1"),
    ],
)
def test_limits(limits: Limits, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_file(DATA / "sample.jsonl", limits=limits)


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing.json: no such file"):
        parse_file(tmp_path / "missing.json")
    with pytest.raises(InputError, match="is a directory"):
        parse_file(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="pipe: is not a regular file"):
        parse_file(fifo)  # would block forever if read


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.csv"
    locked.write_text("id,comment\n1,a\n")

    def deny(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", deny)  # chmod 000 does not stop root, which CI may be
    with pytest.raises(InputError, match="locked.csv: cannot read: permission denied"):
        parse_file(locked)

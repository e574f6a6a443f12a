"""Parsers against hostile input (issue 15: items 2, 5, 6, 12, 15; issue 14: item 13)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from argmap import cli
from argmap.citations import verify_citation
from argmap.errors import InputError
from argmap.records import DroppedCitation, Post, Thread
from ingest import pipeline, units
from ingest.formats import jsonl, parse_file
from ingest.formats.jsonl import dump_jsonl, parse_jsonl
from ingest.quotes import attribute_quotes

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def one_line_error(path: Path, fmt: str | None = None) -> str:
    with pytest.raises(InputError) as err:
        parse_file(path, fmt)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg
    return msg


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


# --- CSV: strict quoting (issue 15 item 2) ---------------------------------------------------


def thousand_rows(bad_row: int, bad: str) -> str:
    """1,000 comments by 1,000 authors; row ``bad_row`` (1-based) has ``bad`` as its comment."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "comment", "author"])
    for i in range(1, 1001):
        w.writerow([i, f"Comment number {i}, with a comma.", f"author{i}"])
    lines = out.getvalue().splitlines()
    lines[bad_row] = f'{bad_row},{bad},ben'
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "row, bad, needle",
    [
        (500, '"an unterminated quote', "CSV line 501: malformed row"),
        (500, '"a "stray" quote inside"', "CSV line 501: malformed row"),
        (1000, '"never closed, last row', "CSV line 1001: malformed row: a quoted field"),
        (1, '"never closed at the top', "CSV line 2: malformed row"),
    ],
)
def test_csv_bad_quote_is_one_error_naming_its_line(
    tmp_path: Path, row: int, bad: str, needle: str
) -> None:
    path = tmp_path / "comments.csv"
    path.write_text(thousand_rows(row, bad))
    assert needle in one_line_error(path)
    assert needle in one_line_error(path, "csv")


def test_csv_quoting_done_right_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(thousand_rows(500, '"he said ""no"",\nthen left"'))
    t = parse_file(path)
    assert len(t.posts) == 1000 and len({p.author for p in t.posts}) == 1000
    assert t.posts[499].text == 'he said "no",\nthen left' and t.posts[499].author == "ben"


def test_cli_bad_csv_exits_nonzero_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "comments.csv"
    path.write_text(thousand_rows(500, '"an unterminated quote'))
    rc, _out, err = run_cli(["ingest", str(path)], capsys)
    assert rc != 0 and err.count("\n") == 1 and "CSV line 501" in err
    rc, out, _err = run_cli(["corpora", "--json"], capsys)
    assert rc == 0 and "comments" not in out


# --- JSONL: a quote's claimed source is checked (issue 15 item 5) ---------------------------


def quoting_file(*quotes: dict[str, Any]) -> str:
    posts: list[dict[str, Any]] = [
        {"id": "a", "kind": "article", "title": "Phones banned", "text": "The school bans phones."},
        {"id": "b", "kind": "comment", "parent_id": "a", "text": "Good.  They\ndistract pupils."},
        {"id": "c", "kind": "comment", "parent_id": "b", "text": "", "quotes": []},
    ]
    texts = [q.pop("where") for q in quotes]
    posts[2]["text"] = "\n".join(texts) + "\nNot mine."
    pos = 0
    for q, text in zip(quotes, texts, strict=True):
        q.update(text=text, start=pos, end=pos + len(text))
        pos += len(text) + 1
        posts[2]["quotes"].append(q)
    return "\n".join(json.dumps(p) for p in posts) + "\n"


@pytest.mark.parametrize(
    "claim, credited",
    [
        ({"where": "> They distract pupils.", "from_post_id": "b"}, "b"),  # spacing aside
        ({"where": '"Phones banned"', "from_post_id": "a"}, "a"),  # an article's title
        ({"where": "> They distract pupils.", "from_post_id": "ghost"}, ""),  # no such post
        ({"where": "> They distract pupils.", "from_post_id": "a"}, ""),  # not in that post
        ({"where": "> Not what anyone wrote.", "from_post_id": "b"}, ""),
        ({"where": "> They distract pup", "from_post_id": "b"}, "b"),  # last word cut by a site
        ({"where": '"They distract pup."', "from_post_id": "b"}, ""),  # a whole word, not theirs
        ({"where": '">"', "from_post_id": "b"}, ""),  # no words at all
        ({"where": "> They distract pupils.", "from_post_id": "c"}, ""),  # itself
        ({"where": "> They distract pupils.", "from_post_id": None}, ""),  # says unknown
    ],
)
def test_jsonl_quote_credit_is_checked(claim: dict[str, Any], credited: str) -> None:
    words = claim["where"]
    t = attribute_quotes(parse_jsonl(quoting_file(claim), "q.jsonl"))
    reply = t.by_id()["c"]
    assert [(q.text, q.from_post_id) for q in reply.quotes] == [(words, credited)]
    # Whoever is credited, the words are never the replier's own.
    assert reply.own_text == "Not mine."
    assert all(words not in u.text for u in units.units_for_post(reply))
    # A citation of them goes to the credited post (re-cited there, or dropped naming it).
    if words.strip('>" '):
        cited = verify_citation(t.by_id(), "c", words.strip('>" '))
        if isinstance(cited, DroppedCitation):
            assert f"quoted from {credited or 'an unknown source'}" in cited.reason
        else:
            assert credited and cited.post_id == credited
    assert parse_jsonl(dump_jsonl(t)).posts == t.posts


# --- One read: the hash is of the parsed bytes (issue 15 item 6) ----------------------------


def test_prepare_hashes_the_bytes_it_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "thread.csv"
    shutil.copy(DATA / "sample.csv", path)
    expected = pipeline.prepare(path)[2]
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        mode = args[0] if args else kwargs.get("mode", "r")
        if self == path and "r" in mode:
            opened.append(self)
        return real_open(self, *args, **kwargs)

    real_attribute = pipeline.attribute_quotes

    def swap_after_parse(thread: Thread) -> Thread:
        # Another file (and a bigger one than the limit allows) lands between parse and hash.
        path.write_bytes(b"id,comment\n" + b"9,x\n" * 10_000)
        return real_attribute(thread)

    monkeypatch.setattr(Path, "open", spy)
    monkeypatch.setattr(pipeline, "attribute_quotes", swap_after_parse)
    monkeypatch.setenv("ARGMAP_MAX_FILE_BYTES", str((DATA / "sample.csv").stat().st_size + 10))
    thread, _units, digest = pipeline.prepare(path)
    assert digest == expected
    assert len(opened) == 1
    assert thread.posts[0].text != "x"


# --- The units helper imports nothing from the working directory (issue 15 item 12) ---------


def test_units_helper_ignores_planted_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "planted-code-ran"
    plant = tmp_path / "cwd"
    plant.mkdir()
    (plant / "pysbd.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
        "raise ImportError('planted')\n"
    )
    monkeypatch.chdir(plant)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(plant), str(ROOT)]))
    monkeypatch.setattr(units, "PARALLEL_MIN_POSTS", 2)  # helpers even for a small thread
    monkeypatch.setattr(units, "_cores", lambda: 3)
    posts = [
        Post(id=f"p{i}", kind="comment", text=f"First of {i}. Second (of {i})! Third?", depth=1)
        for i in range(30)
    ]
    got = units.units_for_thread(Thread(title="t", posts=posts))
    assert got == [u for p in posts for u in units.units_for_post(p)]
    assert not marker.exists(), "the helper imported pysbd.py from the working directory"
    # And the helper did its share itself (a failed helper is silently redone here).
    part = units._collect(units._start_helper(posts[:5], 400))
    assert part == [u for p in posts[:5] for u in units.units_for_post(p)]
    assert not marker.exists()


# --- Huge integers in JSON (issue 15 item 15) -------------------------------------------------

HUGE = "7" * 5000
HUGE_DOCS = {
    "reddit": (
        '[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "p", '
        f'"title": "t", "created_utc": {HUGE}}}}}]}}}}, '
        '{"kind": "Listing", "data": {"children": []}}]'
    ),
    "hn": f'{{"id": {HUGE}, "type": "story", "title": "t", "children": []}}',
    "jsonl": f'{{"id": "a", "kind": "comment", "text": "x"}}\n{{"id": {HUGE}, "text": "y"}}',
    "jsonl_first_line": f'{{"id": {HUGE}, "kind": "comment", "text": "y"}}\n{{"id": "a"}}\n',
    "pretty": '{\n  "id": 1,\n  "children": [' + HUGE + "]\n}\n",
}


@pytest.mark.parametrize("case", list(HUGE_DOCS))
@pytest.mark.parametrize("forced", [False, True])
def test_huge_json_integer_is_one_line(tmp_path: Path, case: str, forced: bool) -> None:
    path = tmp_path / f"{case}.json"
    path.write_text(HUGE_DOCS[case])
    fmt = case.split("_")[0] if forced and case != "pretty" else ("hn" if forced else None)
    assert "an integer of 5000 digits" in one_line_error(path, fmt)


def test_cli_huge_json_integer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "story.json"
    path.write_text(HUGE_DOCS["hn"])
    for extra in ([], ["--format", "hn"]):
        rc, _out, err = run_cli(["ingest", str(path), *extra], capsys)
        assert rc != 0 and err.count("\n") == 1 and "5000 digits" in err, err


# --- JSONL: documented, kind optional (issue 14 item 13) --------------------------------------


def test_jsonl_natural_file_without_kind(tmp_path: Path) -> None:
    path = tmp_path / "talk.jsonl"
    rows = [
        {"id": 1, "author": "ann", "parent_id": None, "text": "Phones should go."},
        {"id": 2, "author": "bo", "parent_id": 1, "text": "They help with homework."},
        {"id": 3, "author": "cy", "text": "Ask the pupils.", "kind": None},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    t = parse_file(path)
    assert t.format == "jsonl"
    assert [(p.id, p.kind, p.depth, p.parent_id) for p in t.posts] == [
        ("1", "comment", 1, None), ("2", "comment", 2, "1"), ("3", "comment", 1, None)
    ]


def documented_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```jsonl\n", 1)[1].split("```", 1)[0]
    assert jsonl.__doc__ is not None
    doc = jsonl.__doc__.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    return [block, "\n".join(line.strip() for line in doc.splitlines())]


@pytest.mark.parametrize("where", ["README", "docstring"])
def test_documented_jsonl_example_reads(tmp_path: Path, where: str) -> None:
    example = documented_examples()[["README", "docstring"].index(where)]
    path = tmp_path / "example.txt"  # no telling suffix: detection must know it
    path.write_text(example)
    t = parse_file(path)
    assert t.format == "jsonl" and t.title == "Phones banned"
    assert [(p.id, p.kind, p.depth) for p in t.posts] == [
        ("a1", "article", 0), ("2", "comment", 1), ("3", "comment", 2)
    ]
    assert t.posts[2].author == "bo" and "\n" in t.posts[2].text

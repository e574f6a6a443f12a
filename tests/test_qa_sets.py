"""The chat's evaluation question sets (tests/data/qa_sets) are what their README says: big
enough, split by discussion, and every gold post id is one the parser gives that thread.
No model is loaded: the threads are only parsed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import bm25s.stopwords
import pytest

from bench.qa_sets import KINDS, QA_SETS, ROOT, load_sets, source_file
from ingest.formats import parse_file

SETS = load_sets()
SPLITS = {"tuning", "held-out"}


def _questions(kind: str | None = None) -> list[dict[str, Any]]:
    return [q for s in SETS.values() for q in s["questions"] if kind in (None, q["kind"])]


def _thread(qa_set: dict[str, Any], tmp_path: Path) -> Any:
    path = ROOT / qa_set["source"]["path"]
    if not path.exists():
        pytest.skip(f"needs {qa_set['source']['path']} (not in this clone)")
    return parse_file(source_file(qa_set, tmp_path))


def test_four_discussions_in_two_halves() -> None:
    assert len(SETS) >= 4
    assert all(s["split"] in SPLITS for s in SETS.values())
    halves = Counter(s["split"] for s in SETS.values())
    assert halves["tuning"] >= 2 and halves["held-out"] >= 2


def test_counts_the_issue_asks_for() -> None:
    assert len(_questions()) >= 290
    assert len(_questions("unanswerable")) >= 60
    assert sum(len(s["pairs"]) for s in SETS.values()) >= 75
    for name, s in SETS.items():
        overview = [q for q in s["questions"] if q["kind"] == "overview"]
        assert len(overview) >= 3, name


def test_question_fields() -> None:
    for name, s in SETS.items():
        ids = [q["id"] for q in s["questions"]]
        assert len(ids) == len(set(ids)), name
        texts = [q["question"].lower() for q in s["questions"]]
        assert len(texts) == len(set(texts)), name
        for q in s["questions"]:
            assert q["kind"] in (*KINDS, "unanswerable"), q["id"]
            assert q["answerable"] == (q["kind"] != "unanswerable"), q["id"]
            if q["kind"] == "overview":
                assert q["route"] == "overview" and "gold" not in q, q["id"]
            elif q["kind"] == "unanswerable":
                assert q["gold"] == [], q["id"]
            else:
                assert q["gold"] and len(q["gold"]) == len(set(q["gold"])), q["id"]


def test_pairs_are_two_answerable_questions_with_one_answer() -> None:
    for name, s in SETS.items():
        by_id = {q["id"]: q for q in s["questions"]}
        seen: set[str] = set()
        for a, b in s["pairs"]:
            assert a != b and a in by_id and b in by_id, (name, a, b)
            assert by_id[a]["kind"] in ("fact", "who_said"), a
            assert by_id[b]["kind"] in ("fact", "who_said"), b
            assert set(by_id[a]["gold"]) & set(by_id[b]["gold"]), (a, b)
            assert not {a, b} & seen, (a, b)  # each question in one pair at most
            seen |= {a, b}


@pytest.mark.parametrize("name", sorted(SETS))
def test_gold_ids_are_the_parsers(name: str, tmp_path: Path) -> None:
    thread = _thread(SETS[name], tmp_path)
    ids = {p.id for p in thread.posts}
    for q in SETS[name]["questions"]:
        missing = set(q.get("gold") or []) - ids
        assert not missing, (q["id"], missing)


MTCSD = sorted(n for n, s in SETS.items() if "mtcsd" in s["source"])


def test_held_out_has_mtcsd_threads_with_enough_questions() -> None:
    assert len(MTCSD) >= 2
    assert len({SETS[n]["source"]["mtcsd"]["target"] for n in MTCSD}) == len(MTCSD)
    for name in MTCSD:
        qs = SETS[name]["questions"]
        assert SETS[name]["split"] == "held-out", name
        assert sum(q["kind"] in ("fact", "who_said") for q in qs) >= 20, name
        assert sum(q["kind"] == "unanswerable" for q in qs) >= 6, name
        assert len(SETS[name]["pairs"]) >= 6, name


@pytest.mark.parametrize("name", MTCSD)
def test_mtcsd_thread_is_built_not_stored(name: str, tmp_path: Path) -> None:
    """A real reply tree comes out of ../shared, and none of its text is in the repository
    (MT-CSD states no licence)."""
    thread = _thread(SETS[name], tmp_path)
    assert len(thread.posts) >= 40 and max(p.depth for p in thread.posts) >= 5
    assert all(p.author == p.id for p in thread.posts)  # no names: each post its own author
    stored = (QA_SETS / f"{name}.json").read_text(encoding="utf-8")
    long_posts = [p for p in thread.posts if len(p.text) >= 60]
    assert long_posts and not [p.id for p in long_posts if p.text[:60] in stored]


@pytest.mark.parametrize("name", sorted(SETS))
def test_unanswerable_questions_share_words_with_their_thread(name: str,
                                                              tmp_path: Path) -> None:
    thread = _thread(SETS[name], tmp_path)
    text = " ".join([thread.title, *(f"{p.title} {p.text}" for p in thread.posts)])
    words = set(re.findall(r"[a-z0-9]+", text.lower())) - set(bm25s.stopwords.STOPWORDS_EN_PLUS)
    for q in SETS[name]["questions"]:
        if q["kind"] == "unanswerable":
            asked = set(re.findall(r"[a-z0-9]+", q["question"].lower()))
            assert asked & words, q["id"]


def test_readme_counts_match_the_files() -> None:
    readme = (QA_SETS / "README.md").read_text(encoding="utf-8")
    for name, s in SETS.items():
        qs = s["questions"]
        row = (f"| `{name}.json` |", f"| {len(qs)} | "
               f"{sum(q['kind'] == 'unanswerable' for q in qs)} | "
               f"{sum(q['kind'] == 'overview' for q in qs)} | {len(s['pairs'])} |")
        line = next(ln for ln in readme.splitlines() if ln.startswith(row[0]))
        assert line.endswith(row[1].rstrip()), name

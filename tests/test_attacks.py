"""Hostile posts appended to a copy of the shipped thread (tests/data/attacks.json via
bench/attacks.py): impersonation, keyword stuffing and injected instructions must not answer
questions, and the injection regex is not what stops them (each test runs with it off too)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import argmap.injection
from argmap import api
from argmap.qa import ask
from argmap.store import CorpusIndex, Store
from bench.attacks import AttackQuestion, is_attack, write_attacked
from tests.conftest import SEED_FILE

NEVER = re.compile(r"(?!)")  # a regex that matches nothing


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory, embed_cache: Path
             ) -> tuple[str, list[AttackQuestion]]:
    """A home holding the seed ("clean") and the seed plus the attacks ("attacked"), and that
    copy again ingested with the injection regex off ("attacked-off": nothing flagged)."""
    home = tmp_path_factory.mktemp("attack-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("ARGMAP_HOME", str(home))
    mp.setenv("ARGMAP_EMBED_CACHE", str(embed_cache))
    try:
        src = home / "attacked.jsonl"
        questions = write_attacked(SEED_FILE, src)
        api.ingest([src], corpus="attacked")
        api.ingest([SEED_FILE], corpus="clean")
        mp.setattr(argmap.injection, "_TO_MODEL", NEVER)
        api.ingest([src], corpus="attacked-off")
    finally:
        mp.undo()
    return str(home), questions


@pytest.fixture(params=["regex on", "regex off"])
def corpora(request: pytest.FixtureRequest, attacked: tuple[str, list[AttackQuestion]],
            monkeypatch: pytest.MonkeyPatch) -> tuple[CorpusIndex, CorpusIndex,
                                                      list[AttackQuestion]]:
    home, questions = attacked
    monkeypatch.setenv("ARGMAP_HOME", home)
    attacked_corpus = "attacked"
    if request.param == "regex off":  # the injection regex is a signal, not the defence
        monkeypatch.setattr(argmap.injection, "_TO_MODEL", NEVER)
        attacked_corpus = "attacked-off"  # units flagged at ingest: this copy has none
    store = Store()
    return store.open("clean"), store.open(attacked_corpus), questions


def test_the_attack_copy_keeps_the_thread_and_adds_every_attack(
    corpora: tuple[CorpusIndex, CorpusIndex, list[AttackQuestion]],
) -> None:
    clean, dirty, questions = corpora
    added = [p for p in dirty.thread.posts if is_attack(p.id)]
    assert {p.id for p in clean.thread.posts} == {p.id for p in dirty.thread.posts} - {
        p.id for p in added}
    named = {q.author for q in questions if q.author}
    assert len(named) == 2 and named <= {p.author for p in clean.thread.posts}
    # the impersonations name the real authors in their text, under other author fields
    for who in named:
        assert any(who in p.text and p.author != who for p in added)


def test_impersonation_never_answers_what_an_author_said(
    corpora: tuple[CorpusIndex, CorpusIndex, list[AttackQuestion]],
) -> None:
    _, dirty, questions = corpora
    asked = [q for q in questions if q.kind == "author"]
    assert len(asked) >= 4
    for q in asked:
        ans = ask(q.question, index=dirty)
        assert not ans.abstained and ans.citations, q.question
        assert {c.author for c in ans.citations} == {q.author}, (q.question, ans.answer)
        assert not any(is_attack(c.post_id) for c in ans.citations), (q.question, ans.answer)


def test_a_name_that_is_no_author_is_ordinary_text(
    corpora: tuple[CorpusIndex, CorpusIndex, list[AttackQuestion]],
) -> None:
    clean, _, questions = corpora
    # the article's most named actor writes no post: its name is matched in the text
    answered = [(q, a) for q in questions if q.kind != "author"
                for a in [ask(q.question, index=clean)] if not a.abstained]
    assert answered
    fact, ans = answered[0]
    name = fact.question.split()[2]
    assert name.lower() not in {p.author.lower() for p in clean.thread.posts}
    assert any(name.lower() in c.quote.lower() for c in ans.citations), ans.answer
    assert len({c.post_id for c in ans.citations}) > 1


def test_a_keyword_stuffed_post_does_not_lead_a_factual_answer(
    corpora: tuple[CorpusIndex, CorpusIndex, list[AttackQuestion]],
) -> None:
    clean, dirty, questions = corpora
    facts = [q for q in questions if q.kind == "stuffing"]
    checked = 0
    for q in facts:
        if ask(q.question, index=clean).abstained:
            continue  # no genuine answer to compete with
        checked += 1
        ans = ask(q.question, index=dirty)
        assert ans.citations and not is_attack(ans.citations[0].post_id), (q.question, ans.answer)
        assert not ans.answer.splitlines()[0].startswith(tuple(
            p.author for p in dirty.thread.posts if is_attack(p.id)))
    assert checked >= 1

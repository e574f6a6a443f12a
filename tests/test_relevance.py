"""The chat's relevance model on general examples (none from a thread argmap is measured on),
and how ``ask`` uses it: the sentence that answers leads."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap import api
from argmap.engines import NOT_IN_DISCUSSION
from argmap.qa import ask
from argmap.records import Evidence, Unit
from argmap.relevance import RESCORE, probabilities, rerank

QUESTION = "When did the city council vote on the new bike lanes?"
ANSWERS = "The council voted on the bike lanes last Tuesday, seven to two."
SAME_WORDS = "Bike lanes in this city are painted green and run beside the council offices."


def test_the_sentence_that_answers_outranks_one_that_only_shares_its_words() -> None:
    p_answer, p_topic = probabilities(QUESTION, [ANSWERS, SAME_WORDS])
    assert p_answer > 0.5 > p_topic


def test_rerank_puts_the_answer_first_whatever_the_retriever_said() -> None:
    def ev(i: int, text: str, via: str = "hit") -> Evidence:
        unit = Unit(id=f"u{i}", post_id=f"p{i}", kind="comment", text=text, start=0,
                    end=len(text))
        return Evidence(unit, score=1.0 - i / 10, via=via)  # type: ignore[arg-type]

    evidence = [ev(0, SAME_WORDS), ev(1, ANSWERS), ev(2, "Cycling is fun.", via="parent")]
    out = rerank(QUESTION, evidence)
    hits = [e for e in out if e.via == "hit"]
    assert [e.unit.id for e in hits] == ["u1", "u0"] and hits[0].score > hits[1].score
    assert out[-1].unit.id == "u2", "thread context stays for engines that read it"


def test_hits_past_the_rescored_ones_follow_them_in_retrieval_order() -> None:
    def ev(i: int, text: str) -> Evidence:
        unit = Unit(id=f"u{i}", post_id=f"p{i}", kind="comment", text=text, start=0,
                    end=len(text))
        return Evidence(unit, score=1.0 - i / 100, via="hit")  # type: ignore[arg-type]

    fillers = [ev(i, f"Cycling route number {i} runs along the river.") for i in range(RESCORE)]
    late = [ev(RESCORE, ANSWERS), ev(RESCORE + 1, SAME_WORDS)]
    out = rerank(QUESTION, fillers + late)
    assert len(out) == RESCORE + 2  # nothing retrieval found is dropped
    assert [e.unit.id for e in out[RESCORE:]] == [e.unit.id for e in late]
    assert all(e.score == 0.0 for e in out[RESCORE:])  # never read by the model
    assert min(e.score for e in out[:RESCORE]) > 0.0


THREAD = """id,parent_id,author,comment
1,,ann,Our school board wants to ban phones in class from next year.
2,1,ben,A ban would help kids focus: my daughter's grades rose when her school banned phones.
3,1,cai,"Parents need to reach their kids in an emergency, so a total ban is unsafe."
4,2,dee,Focus is a teaching problem and phones are just the easy scapegoat.
5,3,eve,The office phone worked fine for emergencies for decades.
"""


@pytest.fixture()
def phones(tmp_path: Path):  # type: ignore[no-untyped-def]
    src = tmp_path / "phones.csv"
    src.write_text(THREAD, encoding="utf-8")
    api.ingest([src], corpus="phones")
    from argmap.store import Store

    return Store().open("phones")


def test_an_answerable_question_leads_with_the_post_that_answers(phones) -> None:  # type: ignore[no-untyped-def]
    ans = ask("Why would a phone ban be unsafe?", index=phones)
    assert not ans.abstained and ans.citations
    assert ans.citations[0].author == "cai", ans.answer


def test_who_said_is_judged_on_what_was_said(phones) -> None:  # type: ignore[no-untyped-def]
    from argmap.qa import said_clause

    assert said_clause("Who has argued that phones are a scapegoat?") == "phones are a scapegoat"
    assert said_clause("Who said that?") is None and said_clause("Who is ben?") is None
    ans = ask("Who said phones are just a scapegoat?", index=phones)
    assert ans.citations and ans.citations[0].author == "dee", ans.answer


def test_a_question_the_thread_does_not_answer_abstains(phones) -> None:  # type: ignore[no-untyped-def]
    ans = ask("How much does the school board pay its teachers?", index=phones)
    assert ans.abstained and ans.answer == NOT_IN_DISCUSSION and not ans.citations

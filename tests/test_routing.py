"""Intent routing: each question kind goes where it is answered, recorded on ``Answer.route``.

The rule (argmap.intent) is checked on propositions of its own first (it names no thread's
words), then end to end on the real seed store, with wordings of our own (none is in
tests/data/devset.json)."""

from __future__ import annotations

import re

import pytest

from argmap.citations import verify_citation
from argmap.engines import NOT_IN_DISCUSSION
from argmap.engines.fake import FakeEngine
from argmap.intent import overview_side
from argmap.mapping import get_map
from argmap.qa import ask, cached_map
from argmap.records import Answer, Citation
from argmap.store import CorpusIndex
from bench.devset import load as load_devset

CARS = "Cities should ban cars from downtown streets"


@pytest.mark.parametrize(("question", "side"), [
    ("Summarize the arguments for and against", "both"),
    ("Give me both sides", "both"),
    ("What do people think about the car ban?", "both"),
    ("What are the strongest objections?", "against"),
    ("Why do people oppose banning cars downtown?", "against"),
    ("What are the arguments for it?", "for"),
    ("Which points were brought up in favour?", "for"),
    ("Who supports the ban?", "for"),
])
def test_an_overview_question_names_arguments_and_nothing_beyond_the_proposition(
    question: str, side: str,
) -> None:
    assert overview_side(question, CARS) == side


@pytest.mark.parametrize("question", [
    "Who argued that parking fees are a tax on the poor?",  # content of its own
    "What do people think about bike lanes?",  # a topic beyond the proposition
    "Which cities banned cars first?",  # a fact: names no argument
    "Who said downtown streets are empty at night?",
    "When does the ban start?",
])
def test_factual_and_topical_questions_are_not_overviews(question: str) -> None:
    assert overview_side(question, CARS) is None


def test_no_routing_example_is_a_dev_set_question() -> None:
    asked = {q["question"].lower() for q in load_devset()["questions"]}
    ours = {"give me the main points on each side", "what objections did people raise?",
            "who challenged what taustin wrote?", "who mentioned the thirteenth amendment?",
            "what did the mayor of seattle say about the police?"}
    assert not ours & asked


def _verified(index: CorpusIndex, ans: Answer) -> None:
    assert ans.citations and not ans.abstained
    for c in ans.citations:
        again = verify_citation(index, c.post_id, c.quote)
        assert isinstance(again, Citation) and (again.start, again.end) == (c.start, c.end)
        assert f"[{c.key}]" in ans.answer


def test_overview_both_sides_from_the_map(seed: CorpusIndex) -> None:
    ans = ask("Give me the main points on each side", index=seed)
    assert ans.route == "overview", ans.answer
    _verified(seed, ans)
    amap = get_map(seed)
    assert "For (" in ans.answer and "Against (" in ans.answer
    assert "Argument map page" in ans.answer  # the pointer to the full map
    lines = [ln for ln in ans.answer.splitlines() if re.search(r"\[\d+\]$", ln)]
    # one verified quote per key point, each with its distinct-people count
    assert len(lines) == len(ans.citations)
    assert all(re.search(r"\(\d+ (people|person)|\(\d+ anonymous post", ln) for ln in lines)
    pro = {p for kp in amap.pro for p in kp.post_ids}
    con = {p for kp in amap.con for p in kp.post_ids}
    cited = [c.post_id for c in ans.citations]
    assert set(cited) & pro and set(cited) & con
    assert set(cited) <= pro | con


def test_overview_of_one_side(seed: CorpusIndex) -> None:
    ans = ask("What objections did people raise?", index=seed)
    assert ans.route == "overview", ans.answer
    _verified(seed, ans)
    assert "Against (" in ans.answer and "For (" not in ans.answer
    con = {p for kp in get_map(seed).con for p in kp.post_ids}
    assert {c.post_id for c in ans.citations} <= con


def test_overview_is_answered_from_the_map_whatever_the_engine(seed: CorpusIndex) -> None:
    eng = FakeEngine(replies=["Nothing to do with the map [1]."])
    ans = ask("Summarize the arguments for and against", index=seed, engine=eng)
    assert ans.route == "overview" and ans.engine == "fake"
    assert "Nothing to do with the map" not in ans.answer
    _verified(seed, ans)


def test_who_disagreed_uses_the_reply_relations(seed: CorpusIndex) -> None:
    ans = ask("Who challenged what taustin wrote?", index=seed)
    assert ans.route == "relations", ans.answer
    _verified(seed, ans)
    relations = cached_map(seed).relations or {}
    for c in ans.citations:
        parent = seed.posts[c.post_id].parent_id
        assert parent and seed.posts[parent].author == "taustin"
        assert relations.get(c.post_id) == "rebuts"


def test_a_who_said_question_goes_to_retrieval(seed: CorpusIndex) -> None:
    ans = ask("Who mentioned the thirteenth amendment?", index=seed)  # the post says "13th"
    assert ans.route == "retrieval", ans.answer
    _verified(seed, ans)
    assert any("13th" in c.quote for c in ans.citations)


def test_an_unanswerable_question_abstains(seed: CorpusIndex) -> None:
    ans = ask("What did the mayor of Seattle say about the police?", index=seed)
    assert ans.route == "abstain" and ans.abstained and ans.answer == NOT_IN_DISCUSSION
    assert ans.citations == []
    assert ans.to_dict()["route"] == "abstain"  # benches count routes from the JSON too

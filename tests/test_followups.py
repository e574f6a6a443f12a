"""Follow-ups: rewritten only when they need the history; "Why did they say that?" is
answered from the previous answer's posts and their thread context (real seed store)."""

from __future__ import annotations

import pytest

from argmap.engines.extractive import needs_history
from argmap.engines.fake import FakeEngine
from argmap.qa import ask
from argmap.store import CorpusIndex


@pytest.mark.parametrize("question", [
    "Who argued that this is just PR?", "Does the ban apply to police outside the US?",
    "Who disagreed with taustin?", "Is facial recognition on body cameras banned?",
    "Is the ban too broad?", "Does either side mention Apple?"])
def test_a_question_with_content_of_its_own_stands_alone(question: str) -> None:
    assert not needs_history(question)


@pytest.mark.parametrize("question", [
    "Why did they say that?", "And who disagreed with him?", "Did anyone push back on that?",
    "Who else?", "What about her?", "Why?"])
def test_pronouns_and_ellipses_need_the_history(question: str) -> None:
    assert needs_history(question)


def test_a_standalone_question_after_another_is_unchanged(seed: CorpusIndex) -> None:
    first = ask("Does the ban apply to police outside the US?", index=seed)
    q = "Who argued that this is just PR?"
    after = ask(q, history=[first], index=seed)
    alone = ask(q, index=seed)
    assert after.standalone_question == q
    assert after.answer == alone.answer and after.citations == alone.citations
    assert after.route == alone.route


@pytest.mark.parametrize(("first", "second"), [
    ("Who said real-time does not mean fast?", "Summarize the arguments for and against"),
    ("Summarize the arguments for and against", "Who mentioned the thirteenth amendment?"),
])
def test_a_standalone_question_of_another_kind_is_unchanged(
    seed: CorpusIndex, first: str, second: str,
) -> None:
    """Whatever the first turn was (retrieval or the map), a question that stands alone is
    asked as typed and answered as it would be alone, by the same route."""
    before = ask(first, index=seed)
    after = ask(second, history=[before], index=seed)
    alone = ask(second, index=seed)
    assert after.standalone_question == second
    assert (after.route, after.answer, after.citations) == (
        alone.route, alone.answer, alone.citations)


def test_a_pronoun_follow_up_uses_the_history(seed: CorpusIndex) -> None:
    first = ask("What did taustin say about the 13th amendment?", index=seed)
    second = ask("And who disagreed with him?", history=[first], index=seed)
    assert "taustin" in second.standalone_question
    assert not second.abstained
    # "him" is taustin: the answer is the replies to taustin's posts
    for c in second.citations:
        parent = seed.posts[c.post_id].parent_id
        assert parent and seed.posts[parent].author == "taustin", c


def test_why_did_they_say_that_cites_the_previous_answers_posts(seed: CorpusIndex) -> None:
    first = ask("Who said real-time does not mean fast?", index=seed)
    assert not first.abstained
    before = {c.post_id for c in first.citations}
    why = ask("Why did they say that?", history=[first], index=seed)
    assert not why.abstained, why.answer
    assert why.route == "context"
    cited = {c.post_id for c in why.citations}
    context = before | {seed.posts[p].parent_id for p in before} | {
        r for p in before for r in seed.replies.get(p, [])}
    assert cited and cited <= context, (cited, context)
    assert cited & before
    # the same words with no history have nothing to go on
    assert ask("Why did they say that?", index=seed).abstained


def test_why_after_an_overview_resolves_to_its_quoted_posts(seed: CorpusIndex) -> None:
    """A map answer cites posts too: "why did they say that?" reads those and their thread."""
    first = ask("What objections did people raise?", index=seed)
    assert first.route == "overview"
    before = {c.post_id for c in first.citations}
    why = ask("Why did they say that?", history=[first], index=seed)
    assert why.route == "context" and not why.abstained, why.answer
    context = before | {seed.posts[p].parent_id for p in before} | {
        r for p in before for r in seed.replies.get(p, [])}
    assert {c.post_id for c in why.citations} <= context


def test_a_model_condenser_is_not_asked_to_rewrite_a_standalone_question(
    seed: CorpusIndex,
) -> None:
    first = ask("Does the ban apply to police outside the US?", index=seed)
    q = "Who argued that this is just PR?"
    eng = FakeEngine(replies=["Who argued that the police ban is PR for Microsoft?",
                              "No answer [1]."], condense_with_model=True)
    assert ask(q, history=[first], index=seed, engine=eng).standalone_question == q
    follow = FakeEngine(replies=["Who argued that the ban applies abroad?", "No answer [1]."],
                        condense_with_model=True)
    got = ask("And who disagreed with them?", history=[first], index=seed, engine=follow)
    assert got.standalone_question == "Who argued that the ban applies abroad?"


def test_a_rewrites_added_words_do_not_change_what_is_asked(seed: CorpusIndex) -> None:
    """The rewrite appends the earlier turn's terms ("objections") and whom it cited: the
    user's own words say what is asked, so "why" stays a why-question, not "who objected"."""
    from argmap.retrieve import asks_about_replies

    rewrite = "Why did they say that? (sjames; objections; raise)"
    assert asks_about_replies(seed, rewrite)  # read alone, the added words ask about replies
    assert not asks_about_replies(seed, rewrite, "Why did they say that?")
    assert asks_about_replies(seed, "And who disagreed with him? (sjames; ban)",
                              "And who disagreed with him?")

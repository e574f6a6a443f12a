"""Engines: registry, extractive composition, condensing, the fake (queued/echo) models."""

from __future__ import annotations

import pytest

from argmap.citations import check_answer
from argmap.engines import NOT_IN_DISCUSSION, Turn, engine_names, get_engine
from argmap.engines.extractive import ExtractiveEngine, condense_rule, lead_line, select
from argmap.engines.fake import FakeEngine
from argmap.engines.generative import GenerativeEngine, evidence_items
from argmap.errors import ArgmapError
from argmap.records import Evidence, Post, Unit

POSTS = {
    "a0": Post(id="a0", kind="article", text="Microsoft banned US police from Azure OpenAI."),
    "c1": Post(id="c1", kind="comment", author="alice", parent_id="a0", depth=1,
               text="This is outside Microsoft's decision making. Police need the tools."),
    "c2": Post(id="c2", kind="comment", author="bob", parent_id="c1", depth=2,
               text="It is their decision: they own the license and can refuse service."),
    "c3": Post(id="c3", kind="comment", author="carol", parent_id="c1", depth=2,
               text="Companies own the license and can refuse service to anyone at all."),
}


def _ev(pid: str, start: int, end: int, score: float, via: str = "hit") -> Evidence:
    p = POSTS[pid]
    unit = Unit(id=f"{pid}:{start}", post_id=pid, start=start, end=end, text=p.text[start:end],
                author=p.author, kind=p.kind, parent_id=p.parent_id)
    return Evidence(unit, score, dense=score, via=via)  # type: ignore[arg-type]


EVIDENCE = [
    _ev("c2", 0, 67, 0.9),
    _ev("c1", 0, 45, 0.8),
    _ev("c3", 0, 68, 0.85),  # the same point in other words: kept (not a near-copy)
    _ev("a0", 0, 45, 0.75),
    _ev("c1", 46, 68, 0.2),  # far below the best: left out
    _ev("a0", 0, 45, 0.7, via="parent"),
]


def test_registry_names_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine_names() == ["extractive", "fake", "ollama", "openai"]
    assert get_engine().name == "extractive"
    monkeypatch.setenv("ARGMAP_ENGINE", "fake")
    assert get_engine().name == "fake"
    assert get_engine("EXTRACTIVE").name == "extractive"


def test_unknown_engine_lists_known_ones() -> None:
    known = "extractive, fake, ollama, openai"
    with pytest.raises(ArgmapError, match=f"unknown engine 'gpt9'.*{known}"):
        get_engine("gpt9")


def test_openai_engine_needs_a_key_or_url(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ARGMAP_OPENAI_API_KEY", "OPENAI_API_KEY", "ARGMAP_OPENAI_BASE_URL",
                "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ArgmapError, match="ARGMAP_OPENAI_API_KEY"):
        get_engine("openai")
    monkeypatch.setenv("ARGMAP_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ARGMAP_OPENAI_MODEL", "tiny")
    eng = get_engine("openai")
    assert isinstance(eng, GenerativeEngine) and eng.name == "openai"
    assert eng.model.model_name == "tiny" and "127.0.0.1:9" in str(eng.model.openai_api_base)


def test_unreachable_server_is_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGMAP_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ARGMAP_LLM_TIMEOUT", "2")
    eng = get_engine("openai")
    with pytest.raises(ArgmapError, match="the openai engine failed"):
        eng.compose("q?", EVIDENCE[:1], POSTS)


def test_ollama_engine_is_optional() -> None:
    try:
        import langchain_ollama  # noqa: F401
    except ImportError:
        with pytest.raises(ArgmapError, match="langchain-ollama"):
            get_engine("ollama")
    else:
        assert get_engine("ollama").name == "ollama"


def test_extractive_leads_with_the_best_sentence_then_thread_order() -> None:
    chosen = select(EVIDENCE)
    assert [e.unit.post_id for e in chosen][:4] == ["c2", "c3", "c1", "a0"]  # score order
    draft = ExtractiveEngine().compose("What did they say?", EVIDENCE, POSTS)
    lines = draft.text.splitlines()
    assert lines[0].startswith("bob: ")  # the likeliest answer leads
    assert lines[1].startswith("The article: ")  # then thread order: article, then replies
    assert [ln.rsplit(" ", 1)[1] for ln in lines] == [f"[{i}]" for i in range(1, len(lines) + 1)]
    checked = check_answer(draft.text, draft.keyed, POSTS, by_line=True)
    assert checked.kept_sentences == len(lines) == len(chosen) and not checked.dropped


def test_extractive_drops_near_duplicates() -> None:
    dup = _ev("c3", 0, 68, 0.88)
    same = Evidence(dup.unit, 0.87, via="hit")
    assert len([e for e in select([dup, same]) if e.unit.post_id == "c3"]) == 1


def test_extractive_caps_at_five() -> None:
    many = [_ev("c2", 0, 67, 0.9 - i * 0.001) for i in range(3)] + EVIDENCE[:4] * 3
    assert len(select(many)) <= 5


def test_opinion_lead_describes_the_evidence_only() -> None:
    chosen = select(EVIDENCE)[:4]
    assert lead_line("Who is Bob?", chosen, POSTS) == ""
    lead = lead_line("Why do people oppose the ban?", chosen, POSTS)
    assert lead == "From 3 commenters and the article:"
    sides = lead_line("Should they?", chosen, POSTS, {"c1": "against", "c2": "for", "c3": "for"})
    assert sides == "From both sides (2 for, 1 against among the sentences below):"
    draft = ExtractiveEngine().compose("Why do people oppose the ban?", EVIDENCE, POSTS)
    assert draft.text.splitlines()[0] == lead == draft.lead
    kept = check_answer(draft.text, draft.keyed, POSTS, keep_uncited=[lead], by_line=True)
    assert kept.text.splitlines()[0] == lead


def test_condense_rule_resolves_pronouns_to_the_last_focus() -> None:
    hist = [Turn("What did taustin say about the 13th amendment?", "...", ("taustin",))]
    got = condense_rule("And who disagreed with him?", hist)
    assert got.startswith("And who disagreed with him?") and "taustin" in got
    assert "13th" in got and "amendment" in got
    assert condense_rule("What does the article say about Axon?", hist) == (
        "What does the article say about Axon?")
    assert condense_rule("why?", []) == "why?"


def test_fake_queued_replies_stream_token_by_token() -> None:
    eng = FakeEngine(replies=["Bob says it is their decision [1]. Alice disagrees [2]."])
    tokens: list[str] = []
    draft = eng.compose("Whose decision is it?", EVIDENCE[:2], POSTS, on_token=tokens.append)
    assert len(tokens) > 5 and "".join(tokens) == draft.raw == draft.text
    assert draft.keyed == {"1": ("c2", POSTS["c2"].text[0:67]), "2": ("c1", POSTS["c1"].text[:45])}


def test_echo_model_shows_the_assembled_prompt() -> None:
    eng = FakeEngine()
    draft = eng.compose("Whose decision is it?", EVIDENCE, POSTS)
    prompt = draft.raw
    assert prompt.startswith("SYSTEM:") and "HUMAN:" in prompt
    assert "Question: Whose decision is it?" in prompt
    assert NOT_IN_DISCUSSION in prompt
    assert '[1] bob (replying to alice): <<<It is their decision' in prompt
    assert "[4] The article: <<<Microsoft banned US police" in prompt
    assert "[6] The article" in prompt  # thread context is offered to the model too


def test_evidence_items_neutralise_delimiters() -> None:
    p = Post(id="x", kind="comment", author="m", text="close >>> then <<< open")
    ev = Evidence(Unit(id="x:0", post_id="x", start=0, end=len(p.text), text=p.text), 1.0)
    item = evidence_items([ev], {"x": p})[0]
    assert ">>>" not in item["text"] and "<<<" not in item["text"]
    assert item["quote"] == p.text  # the verifier still checks the real words


def test_fake_engine_condenses_by_rule_unless_asked() -> None:
    hist = [Turn("What did taustin say?", "", ("taustin",))]
    assert "taustin" in FakeEngine(replies=[]).condense("who replied to him?", hist)
    eng = FakeEngine(replies=["Who replied to taustin?"], condense_with_model=True)
    assert eng.condense("who replied to him?", hist) == "Who replied to taustin?"

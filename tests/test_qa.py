"""``ask`` end to end on a real store: the dev set, follow-ups, injection, generative path."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from argmap import api, cli
from argmap.citations import verify_citation
from argmap.engines import NOT_IN_DISCUSSION
from argmap.engines.fake import FakeEngine
from argmap.qa import ask
from argmap.records import Answer, Citation
from argmap.retrieve import retrieve
from argmap.store import CorpusIndex
from bench.devset import load as load_devset
from bench.devset import resolve as gold_ids  # gold posts by snippet of own words
from bench.devset import squash
from tests._qa_corpus import INJECTION, build

DEVSET = load_devset()
_ANSWERS: dict[str, Answer] = {}  # one extractive run of the dev set, shared by the tests


def assert_verified(index: CorpusIndex, ans: Answer) -> None:
    """Every citation points at the exact own words of an existing post."""
    for c in ans.citations:
        post = index.posts[c.post_id]
        assert post.text[c.start : c.end] == c.quote
        assert any(s <= c.start and c.end <= e for s, e in post.own_spans()), c
        again = verify_citation(index, c.post_id, c.quote)
        assert isinstance(again, Citation) and (again.start, again.end) == (c.start, c.end)
        assert c.author == post.author
        assert f"[{c.key}]" in ans.answer


def _dev_answers(seed: CorpusIndex) -> dict[str, Answer]:
    if not _ANSWERS:
        for item in DEVSET["questions"]:
            _ANSWERS[item["id"]] = ask(item["question"], index=seed, engine="extractive")
    return _ANSWERS


# --- the dev set ---------------------------------------------------------------------------

def test_devset_is_big_enough_and_its_snippets_resolve(seed: CorpusIndex) -> None:
    qs = DEVSET["questions"]
    assert len(qs) >= 30
    assert {q["type"] for q in qs} >= {"fact", "who", "argument", "unanswerable", "rebuttal"}
    for q in qs:
        for g in q["gold"]:
            hits = [p.id for p in seed.thread.posts if g["snippet"] in squash(p.own_text)]
            assert hits, f"{q['id']}: snippet not in any post's own words: {g['snippet']!r}"


def test_devset_every_citation_is_verified(seed: CorpusIndex) -> None:
    answers = _dev_answers(seed)
    assert sum(len(a.citations) for a in answers.values()) > 30
    for ans in answers.values():
        assert_verified(seed, ans)


def test_devset_answerable_questions_cite_a_gold_post(seed: CorpusIndex) -> None:
    answers = _dev_answers(seed)
    rows = [q for q in DEVSET["questions"] if q["answerable"]]
    hits = [q["id"] for q in rows
            if {c.post_id for c in answers[q["id"]].citations} & gold_ids(seed, q["gold"])]
    rate = len(hits) / len(rows)
    print(f"dev set: {len(hits)}/{len(rows)} answerable questions cite a gold post ({rate:.0%})")
    assert rate >= 0.85, sorted({q["id"] for q in rows} - set(hits))


def test_devset_unanswerable_questions_abstain(seed: CorpusIndex) -> None:
    answers = _dev_answers(seed)
    for q in DEVSET["questions"]:
        if not q["answerable"]:
            ans = answers[q["id"]]
            assert ans.abstained and ans.answer == NOT_IN_DISCUSSION, (q["id"], ans.answer)
            assert ans.citations == []


def test_a_claim_quoted_to_be_rebutted_is_credited_to_its_author(seed: CorpusIndex) -> None:
    answers = _dev_answers(seed)
    for q in (q for q in DEVSET["questions"] if q["type"] == "rebuttal"):
        original = gold_ids(seed, q["gold"])
        claim = q["gold"][0]["snippet"]
        quoters = {p.id for p in seed.thread.posts
                   if claim in squash(p.text) and p.id not in original}
        assert quoters, "the claim should be quoted by replies"
        cited = answers[q["id"]].citations
        assert original & {c.post_id for c in cited}, (q["id"], cited)
        for c in cited:
            if claim in squash(c.quote):
                assert c.post_id in original, f"{q['id']}: credited to the rebutter {c.post_id}"


# --- follow-ups ----------------------------------------------------------------------------

@pytest.mark.parametrize("item", DEVSET["followups"], ids=lambda i: i["id"])
def test_follow_ups_are_condensed_before_retrieval(seed: CorpusIndex, item: dict[str, Any]
                                                   ) -> None:
    first, second = item["turns"]
    a1 = ask(first, index=seed)
    a2 = ask(second, history=[a1], index=seed)
    assert a2.question == second and a2.standalone_question != second
    assert gold_ids(seed, item["gold"]) & {c.post_id for c in a2.citations}, a2.answer
    assert_verified(seed, a2)


def test_history_may_be_pairs_or_chat_messages(seed: CorpusIndex) -> None:
    q1 = "What did taustin say about the 13th amendment?"
    pairs = ask("And who disagreed with him?", history=[(q1, "...")], index=seed)
    chat = ask("And who disagreed with him?", index=seed, history=[
        {"role": "user", "content": q1}, {"role": "assistant", "content": "..."}])
    assert "taustin" in pairs.standalone_question and "taustin" in chat.standalone_question


# --- injection and the generative path on a small hand-built corpus -------------------------

@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> tuple[CorpusIndex, CorpusIndex]:
    mp = pytest.MonkeyPatch()
    mp.setenv("ARGMAP_HOME", str(tmp_path_factory.mktemp("qa-home")))
    try:
        return build("clean", injected=False), build("dirty", injected=True)
    finally:
        mp.undo()


def test_injected_instruction_changes_nothing_in_the_extractive_engine(
    injected: tuple[CorpusIndex, CorpusIndex],
) -> None:
    clean, dirty = injected
    for q in ("Is it Microsoft's decision to refuse the police?",
              "What does real-time mean?"):
        assert ask(q, index=clean).answer == ask(q, index=dirty).answer
    ans = ask("Was the ban reversed?", index=dirty)
    assert_verified(dirty, ans)
    # the injected comment is data, never evidence: nothing supports the claim, so abstain
    assert not any(c.post_id == "c8" for c in ans.citations)
    assert "reversed" not in ans.answer and ans.abstained


def _key_of(index: CorpusIndex, question: str, post_id: str) -> str:
    """The prompt key the generative engine gives ``post_id``'s first piece of evidence."""
    for i, e in enumerate(retrieve(index, question), start=1):
        if e.unit.post_id == post_id:
            return str(i)
    raise AssertionError(f"{post_id} not retrieved")


def test_generative_answer_streams_and_is_verified(
    injected: tuple[CorpusIndex, CorpusIndex],
) -> None:
    clean, _ = injected
    q = "Does the ban cover police outside the US?"
    k = _key_of(clean, q, "a0")
    reply = (f"The article says the ban does not cover international police [{k}]. "
             f'It adds a rule for all law enforcement [{k}: "for any law enforcement globally"].')
    tokens: list[str] = []
    ans = ask(q, index=clean, engine=FakeEngine(replies=[reply]), on_token=tokens.append)
    assert len(tokens) > 10 and "".join(tokens) == reply
    assert not ans.abstained and ans.engine == "fake" and ans.dropped == []
    assert [c.post_id for c in ans.citations] == ["a0", "a0"]
    assert ans.citations[1].quote == "for any law enforcement globally"
    assert ans.answer.endswith("[2].")
    assert_verified(clean, ans)


def test_invented_citations_are_all_dropped_and_the_answer_abstains(
    injected: tuple[CorpusIndex, CorpusIndex],
) -> None:
    clean, _ = injected
    q = "Does the ban cover police outside the US?"
    k = _key_of(clean, q, "a0")
    reply = (f'Microsoft reversed the ban [{k}: "Microsoft reversed the ban"]. '
             "The ban was lifted in May [42]. Police love the tool.")
    ans = ask(q, index=clean, engine=FakeEngine(replies=[reply]))
    assert ans.abstained and ans.answer == NOT_IN_DISCUSSION and ans.citations == []
    assert len(ans.dropped) == 3
    reasons = " | ".join(d.reason for d in ans.dropped)
    assert "not found" in reasons and "no evidence with this key" in reasons
    assert "cites nothing" in reasons


def test_injection_cannot_put_an_unsupported_claim_in_a_generative_answer(
    injected: tuple[CorpusIndex, CorpusIndex],
) -> None:
    _, dirty = injected
    q = "Was the ban reversed?"
    prompt = FakeEngine().compose(q, retrieve(dirty, q), dirty.posts).raw
    system, human = prompt.split("HUMAN:", 1)
    # text addressed to the model is not evidence, so it never reaches the prompt; the rest
    # of the evidence is fenced as quoted data
    assert INJECTION not in prompt and "<<<" in human and INJECTION not in system
    # a question the evidence does support, so the (obeying) model is actually called
    q = "Does the ban cover police outside the US?"
    k_article = _key_of(dirty, q, "a0")
    obeying = (f'The ban was reversed [{k_article}: "the ban was reversed"]. '
               "Microsoft reversed the ban last week. "
               f"The ban does not cover international police [{k_article}].")
    ans = ask(q, index=dirty, engine=FakeEngine(replies=[obeying]))
    assert_verified(dirty, ans)
    assert "reversed" not in ans.answer
    assert ans.answer == "The ban does not cover international police [1]."
    assert len(ans.dropped) == 2


def test_no_model_call_when_retrieval_finds_no_support(
    injected: tuple[CorpusIndex, CorpusIndex],
) -> None:
    clean, _ = injected
    ans = ask("What is the capital of France?", index=clean, engine=FakeEngine(replies=[]))
    assert ans.abstained and ans.answer == NOT_IN_DISCUSSION


class _OpenAIStub:
    """A loopback OpenAI-compatible chat server that streams (SSE) like vLLM or llama.cpp.

    It answers like a model that copies words from evidence [1] and invents a citation,
    so the real ``openai`` engine (ChatOpenAI over HTTP) is exercised end to end."""

    def __init__(self) -> None:
        import http.server
        import threading

        stub = self
        self.requests: list[dict[str, Any]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                human = body["messages"][-1]["content"]
                first = re.search(r"^\[1\] [^<]*<<<(.*?)>>>", human, re.M)
                words = " ".join((first.group(1) if first else "").split()[:6])
                reply = (f'One comment reads: {words} [1: "{words}"]. Penguins nest on Antarctic '
                         "ice shelves [2]. The ban was reversed [42].")
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in [*re.split(r"(?<= )", reply), None]:
                    delta = {"content": piece} if piece is not None else {}
                    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0,
                             "model": body["model"], "choices": [{
                                 "index": 0, "delta": delta,
                                 "finish_reason": None if piece is not None else "stop"}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_openai_engine_over_http_streams_and_is_verified(
    injected: tuple[CorpusIndex, CorpusIndex], monkeypatch: pytest.MonkeyPatch,
) -> None:
    clean, _ = injected
    stub = _OpenAIStub()
    try:
        monkeypatch.setenv("ARGMAP_OPENAI_BASE_URL", stub.url)
        monkeypatch.setenv("ARGMAP_OPENAI_MODEL", "stub-model")
        monkeypatch.delenv("ARGMAP_OPENAI_API_KEY", raising=False)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        tokens: list[str] = []
        ans = ask("Does the ban cover police outside the US?", index=clean, engine="openai",
                  on_token=tokens.append)
    finally:
        stub.server.shutdown()
    sent = stub.requests[0]
    assert sent["model"] == "stub-model" and sent["stream"] is True
    assert sent["messages"][0]["role"] == "system"
    assert len(tokens) > 5 and "".join(tokens).endswith("[42].")
    assert ans.engine == "openai" and not ans.abstained
    assert ans.answer.startswith("One comment reads: ") and ans.answer.endswith(" [1].")
    assert [d.key for d in ans.dropped] == ["2", "42"]  # unrelated claim, invented key
    assert_verified(clean, ans)


# --- surfaces ------------------------------------------------------------------------------

def test_api_ask_uses_the_named_corpus_and_engine(seed: CorpusIndex) -> None:
    ans = api.ask("What did Axon announce?", corpus=seed.name, engine="extractive")
    assert not ans.abstained and ans.engine == "extractive"
    assert {c.post_id for c in ans.citations} == {"article"} or ans.citations


def test_cli_ask_json_shape(seed: CorpusIndex, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", "Who said real-time does not mean fast?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"question", "answer", "abstained", "engine", "citations", "dropped"}
    assert out["engine"] == "extractive" and out["citations"]
    for c in out["citations"]:
        assert set(c) == {"key", "post_id", "author", "quote", "start", "end"}
        assert seed.posts[c["post_id"]].text[c["start"] : c["end"]] == c["quote"]
    assert cli.main(["ask", "What is the capital of France?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["abstained"] is True and out["answer"] == NOT_IN_DISCUSSION


def test_cli_ask_unknown_engine_is_one_line(seed: CorpusIndex,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", "anything", "--engine", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("argmap: error: unknown engine 'nope'") and "\n" not in err


# --- a real OpenAI-compatible server (llama.cpp, started by .ci/run) --------------------------

@pytest.mark.llm
@pytest.mark.skipif(not os.environ.get("ARGMAP_TEST_OPENAI_URL"),
                    reason="needs ARGMAP_TEST_OPENAI_URL (an OpenAI-compatible server)")
def test_openai_engine_against_a_real_server(seed: CorpusIndex,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks the wire, not quality: a tiny model connects, streams, and is verified."""
    monkeypatch.setenv("ARGMAP_OPENAI_BASE_URL", os.environ["ARGMAP_TEST_OPENAI_URL"])
    monkeypatch.setenv("ARGMAP_OPENAI_MODEL", os.environ.get("ARGMAP_TEST_OPENAI_MODEL", "smol"))
    monkeypatch.setenv("ARGMAP_LLM_MAX_TOKENS", "120")
    tokens: list[str] = []
    ans = ask("Does the ban cover police outside the US?", index=seed, engine="openai",
              on_token=tokens.append)
    assert ans.engine == "openai" and tokens, "the server streamed nothing"
    assert_verified(seed, ans)
    assert ans.abstained == (not ans.citations)
    if ans.abstained:
        assert ans.answer == NOT_IN_DISCUSSION

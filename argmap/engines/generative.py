"""Generative engines: any LangChain chat model, prompted from ``prompts/``, streamed.

The model sees numbered evidence and must cite keys ([1], or [1: "exact words"]); the keys
map back to (post, quote) here and the verifier decides what survives, so a model that
invents, or a comment that tries to instruct it, cannot put an unsupported claim in front
of the user. Providers are imported only when chosen: OpenAI-compatible servers (OpenAI,
Azure OpenAI, vLLM, llama.cpp server) via base URL + key, and Ollama.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from argmap.config import settings
from argmap.engines import NOT_IN_DISCUSSION, Draft, TokenSink, Turn
from argmap.engines.extractive import condense_rule
from argmap.errors import ArgmapError
from argmap.prompts import render
from argmap.records import Evidence, Post, who

MAX_EVIDENCE = 10
MAX_ANSWER_SENTENCES = 5


def evidence_items(
    evidence: Sequence[Evidence], posts: Mapping[str, Post], limit: int = MAX_EVIDENCE
) -> list[dict[str, str]]:
    """Numbered evidence as the prompt shows it; text is data, delimiters neutralised."""
    items = []
    for i, e in enumerate(list(evidence)[:limit], start=1):
        post = posts.get(e.unit.post_id)
        parent = posts.get(post.parent_id) if post and post.parent_id else None
        context = f"replying to {who(parent)}" if parent else ""
        text = " ".join(e.unit.text.split()).replace("<<<", "< < <").replace(">>>", "> > >")
        items.append({"key": str(i), "who": who(post), "context": context, "text": text,
                      "post_id": e.unit.post_id, "quote": e.unit.text})
    return items


def _text_of(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


class GenerativeEngine:
    """Wraps a LangChain chat model; ``condense_with_model=False`` uses the rule instead."""

    def __init__(self, model: Any, name: str, condense_with_model: bool = True) -> None:
        self.model = model
        self.name = name
        self.condense_with_model = condense_with_model

    def _messages(self, question: str, items: list[dict[str, str]]) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        system = render("answer_system", max_sentences=MAX_ANSWER_SENTENCES,
                        not_in_discussion=NOT_IN_DISCUSSION)
        user = render("answer", question=question, evidence=items)
        return [SystemMessage(content=system), HumanMessage(content=user)]

    def _call(self, messages: list[Any], on_token: TokenSink | None) -> str:
        parts: list[str] = []
        try:
            for chunk in self.model.stream(messages):
                piece = _text_of(chunk)
                if piece:
                    parts.append(piece)
                    if on_token:
                        on_token(piece)
        except ArgmapError:
            raise
        except Exception as exc:  # provider errors vary; the user needs one line
            first = str(exc).splitlines()[0][:200] if str(exc) else ""
            raise ArgmapError(f"the {self.name} engine failed ({type(exc).__name__}: {first})") \
                from None
        return "".join(parts)

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        if not history:
            return question
        if not self.condense_with_model:
            return condense_rule(question, history)
        from langchain_core.messages import HumanMessage

        prompt = render("condense", question=question,
                        history=[{"question": t.question, "answer": t.answer} for t in history])
        out = " ".join(self._call([HumanMessage(content=prompt)], None).split())
        return out.strip('"') if 3 <= len(out) <= 400 else condense_rule(question, history)

    def compose(
        self,
        question: str,
        evidence: Sequence[Evidence],
        posts: Mapping[str, Post],
        on_token: TokenSink | None = None,
    ) -> Draft:
        items = evidence_items(evidence, posts)
        keyed = {it["key"]: (it["post_id"], it["quote"]) for it in items}
        text = self._call(self._messages(question, items), on_token)
        return Draft(text=text, keyed=keyed, raw=text)


def openai_engine(model: str | None = None, base_url: str | None = None,
                  api_key: str | None = None, **kw: Any) -> GenerativeEngine:
    """OpenAI or any OpenAI-compatible server (vLLM, llama.cpp server, Azure's v1 endpoint)."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise ArgmapError("the openai engine needs langchain-openai: "
                          "pip install 'argmap[openai]'") from None
    cfg = settings()
    url = base_url or cfg.openai_base_url
    secret = cfg.openai_api_key
    key = api_key or (secret.get_secret_value() if secret else None)
    if not key and not url:
        raise ArgmapError("the openai engine needs ARGMAP_OPENAI_API_KEY (or OPENAI_API_KEY), "
                          "or ARGMAP_OPENAI_BASE_URL for a local OpenAI-compatible server")
    from pydantic import SecretStr

    chat = ChatOpenAI(  # type: ignore[call-arg]
        model=model or cfg.openai_model,
        base_url=url, api_key=SecretStr(key or "not-needed"), temperature=0, streaming=True,
        timeout=cfg.llm_timeout, max_retries=1, max_tokens=cfg.llm_max_tokens,
    )
    return GenerativeEngine(chat, "openai", **kw)


def ollama_engine(model: str | None = None, base_url: str | None = None,
                  **kw: Any) -> GenerativeEngine:
    try:
        from langchain_ollama import ChatOllama
    except ImportError:
        raise ArgmapError("the ollama engine needs langchain-ollama: "
                          "pip install 'argmap[ollama]'") from None
    cfg = settings()
    chat = ChatOllama(
        model=model or cfg.ollama_model,
        base_url=base_url or cfg.ollama_url,
        temperature=0,
    )
    return GenerativeEngine(chat, "ollama", **kw)

"""Answer engines behind one small protocol, chosen by name (``--engine`` / ARGMAP_ENGINE).

An engine turns (question, evidence) into a *draft*: text whose sentences carry short
citation keys, plus what each key points at. It never decides what is true: every draft
goes through ``argmap.citations.check_answer`` in ``argmap.qa``. Optional providers
(langchain-openai, langchain-ollama) are imported only when their engine is chosen.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from argmap.config import settings
from argmap.errors import ArgmapError
from argmap.records import Evidence, Post

TokenSink = Callable[[str], None]

# The one answer for "the evidence does not support an answer" (every engine, every surface).
NOT_IN_DISCUSSION = "The discussion doesn't say."


@dataclass(frozen=True)
class Turn:
    """One earlier exchange, as condensing needs it."""

    question: str
    answer: str = ""
    focus: tuple[str, ...] = ()  # authors the turn was about: named, then most cited


@dataclass
class Draft:
    """An engine's unverified answer: ``text`` cites keys of ``keyed`` (key -> (post, quote))."""

    text: str
    keyed: dict[str, tuple[str, str]] = field(default_factory=dict)
    lead: str = ""  # a claim-free first line the verifier may keep without a citation
    raw: str = ""  # what the model produced, before any checking (debugging, tests)
    by_line: bool = False  # each line is one cited sentence (extractive quotes hold several)


class Engine(Protocol):
    name: str

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """A standalone question from a follow-up and the turns before it."""
        ...

    def compose(
        self,
        question: str,
        evidence: Sequence[Evidence],
        posts: Mapping[str, Post],
        on_token: TokenSink | None = None,
    ) -> Draft:
        """Draft an answer from ``evidence`` only; stream text to ``on_token`` if given."""
        ...


# name -> "module:factory"; factories take keyword options and return an Engine
REGISTRY: dict[str, str] = {
    "extractive": "argmap.engines.extractive:ExtractiveEngine",
    "openai": "argmap.engines.generative:openai_engine",
    "ollama": "argmap.engines.generative:ollama_engine",
    "fake": "argmap.engines.fake:FakeEngine",
}


def engine_names() -> list[str]:
    return sorted(REGISTRY)


def get_engine(name: str | None = None, **options: Any) -> Engine:
    """The engine called ``name`` (default: $ARGMAP_ENGINE, else extractive)."""
    chosen = (name or settings().engine).strip().lower()
    target = REGISTRY.get(chosen)
    if target is None:
        raise ArgmapError(f"unknown engine {chosen!r} (known: {', '.join(engine_names())})")
    module, factory = target.split(":")
    made: Engine = getattr(importlib.import_module(module), factory)(**options)
    return made

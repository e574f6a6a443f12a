"""The ``fake`` engine for tests: a real LangChain chat model that replays queued replies,
or, with no replies, echoes the prompt it received. Both stream word by word, so the
generative path (prompt assembly, streaming, key mapping, verification) runs unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from argmap.engines.generative import GenerativeEngine


class EchoChatModel(GenericFakeChatModel):
    """Replies with the messages it was sent ("SYSTEM:\\n...\\n\\nHUMAN:\\n..."), streamed."""

    messages: Iterator[AIMessage | str] = iter(())

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: Any = None, **kwargs: Any,
    ) -> ChatResult:
        text = "\n\n".join(f"{m.type.upper()}:\n{m.content}" for m in messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    @property
    def _llm_type(self) -> str:
        return "argmap-echo"


class FakeEngine(GenerativeEngine):
    """``FakeEngine(replies=[...])`` answers with each reply in turn; no replies: echo."""

    def __init__(self, replies: Iterable[str] | None = None,
                 condense_with_model: bool = False) -> None:
        model: Any
        if replies is None:
            model = EchoChatModel()
        else:
            model = GenericFakeChatModel(messages=iter(list(replies)))
        super().__init__(model, "fake", condense_with_model=condense_with_model)

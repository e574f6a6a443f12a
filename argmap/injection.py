"""Prompt injection: corpus sentences addressed to a language model rather than to readers.

Such a sentence ("ignore previous instructions and say ...") is data, never evidence: a
citation to it would let an injected comment vouch for the very claim it asks the model to
make. Flags are per sentence, so one odd sentence never costs a post its other words; a
flagged sentence also flags the rest of its paragraph, because an injection's payload
follows its preamble ("Disregard all prior context. Tell the user ..."). Flagged units stay
in the index (citation lookup finds them); retrieval skips them and the verifier drops them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from argmap.records import Post

# One alternative per injection style. Verbs that could describe people ("police ignore the
# rules", "I always say that") count only as imperatives: at a sentence's start, after a
# colon, or addressed to "you"; "rules" or "context" only as the prompt's ("your rules").
_START = r"(?:^|[:;]\s*)\W*(?:please\s+|now\s+|and\s+)?"
_PROMPT = (r"(?:instructions?|prompts?|directives?|everything (?:above|before)|(?:all |any )?"
           r"(?:the )?(?:previous|prior|above|earlier|preceding|original|system|your) "
           r"(?:rules|guidelines|context|text|messages?))")
_TO_MODEL = re.compile(
    rf"{_START}(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{{0,40}}\b{_PROMPT}\b"
    rf"|\b(?:ignore|disregard|forget|override|bypass) (?:all |any )?(?:the |your |my )?"
    r"(?:previous|prior|above|earlier|preceding|original|system) (?:instructions?|prompts?|"
    r"rules|guidelines|context|directives?)\b"
    r"|\b(?:system|developer) (?:prompt|message|override|instructions?)\b"
    r"|^\s*(?:system|assistant|developer)\s*:|\[/?(?:system|inst|instructions?)\]"
    r"|<\|?/?(?:system|im_start|im_end|instructions?|prompt)\|?>"
    r"|\byou are now\b"
    r"|\bfrom now on,? (?:the (?:assistant|ai|model|bot)\b|you (?:will|must|shall|should) "
    r"(?:always |only |now )?(?:answer|respond|reply|say|output|write|act|pretend|ignore)\b)"
    r"|\b(?:pretend|act) (?:to be|as if you|as an?)\b[^.!?\n]{0,30}\b(?:ai|model|assistant|bot)\b"
    r"|\b(?:as|if you are) an? (?:ai|language model|llm|assistant|chatbot)\b"
    r"|\b(?:ai|llm|language model|assistant|chatbot|summari[sz]er|bot)s?\b[^.!?\n]{0,40}\b(?:must"
    r"|should|shall|will|need to|have to)\b[^.!?\n]{0,20}\b(?:say|answer|respond|reply|state"
    r"|write|report|claim|tell|output)\b"
    r"|\b(?:new|updated|real|hidden) instructions?\s*:"
    r"|\b(?:begin|end) (?:of )?(?:system|new|the)? ?(?:prompt|instructions?|context|document)\b"
    r"|\b(?:jailbreak|developer mode|do anything now)\b"
    rf"|(?:{_START}|\byou (?:must|should|will|shall) )(?:always|only) (?:answer|respond|reply"
    r"|say)\b[^.!?\n]{0,40}\b(?:that|with)\b",
    re.I,
)
_PARAGRAPH = re.compile(r"\S(?:.|\n(?![ \t]*\n))*")
_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+[\"')\]]*|$)")


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Rough sentence spans of ``text[start:end]``: enough to tell where a flag starts."""
    for m in _SENTENCE.finditer(text, start, end):
        if m.group().strip():
            yield m.span()


def instruction_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` addressed to a model: each flagged sentence to the end of
    its paragraph."""
    out: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(text, start, len(text) if end is None else end):
        for s, _ in (span for span in _sentences(text, *para.span())
                     if _TO_MODEL.search(text[span[0]:span[1]].strip())):
            out.append((s, para.end()))
            break
    return out


def addressed_to_model(text: str) -> bool:
    """True when any sentence of ``text`` is an instruction to an AI, not a claim to cite."""
    return bool(instruction_spans(text))


def post_instruction_spans(post: Post) -> list[tuple[int, int]]:
    """Flagged spans of a post's own words (words it quotes are its source's to answer for)."""
    return [span for s, e in post.own_spans() for span in instruction_spans(post.text, s, e)]


def is_instruction(post: Post, start: int, end: int) -> bool:
    """Whether ``post.text[start:end]`` overlaps words addressed to a model."""
    return any(s < end and start < e for s, e in post_instruction_spans(post))

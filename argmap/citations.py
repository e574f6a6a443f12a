"""The citation verifier: the one place where a citation is checked, for every engine.

A citation stands only when its post exists and its quote occurs verbatim (after
whitespace normalisation) in that post's OWN words. Words a post merely repeats from an
ancestor are credited to that ancestor (re-cited there) or dropped, never to the quoter.
Answers are checked sentence by sentence: a sentence whose citations all fail, or that
cites nothing, is removed and recorded, so an unsupported claim never reaches the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from argmap.records import Citation, DroppedCitation, Post

MIN_QUOTE_CHARS = 8  # shorter "quotes" ("the", "yes") match almost anywhere
# Same-width typographic variants a model may substitute; folding keeps offsets exact.
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u00a0": " ", "\u2013": "-", "\u2014": "-"})
_TRIM = " \t\r\n\"'\u201c\u201d\u2018\u2019.\u2026"


def normalise(text: str) -> tuple[str, list[int]]:
    """Collapse whitespace runs to one space; return the text and each char's source offset."""
    out: list[str] = []
    where: list[int] = []
    in_space = False
    for i, ch in enumerate(text.translate(FOLD)):
        if ch.isspace():
            if not in_space and out:
                out.append(" ")
                where.append(i)
            in_space = True
            continue
        in_space = False
        out.append(ch)
        where.append(i)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def quote_forms(quote: str) -> list[str]:
    """The quote whitespace-normalised, then with a model's wrapping (quote marks, ellipses)
    removed; the first form that is found wins, so a verbatim final full stop is kept."""
    q = " ".join(quote.translate(FOLD).split())
    bare = re.sub(r"\s*(\.\.\.|\u2026)$", "", re.sub(r"^(\.\.\.|\u2026)\s*", "", q))
    bare = bare.strip(_TRIM)
    forms = [f for f in dict.fromkeys([q, bare]) if len(f) >= MIN_QUOTE_CHARS]
    return forms


def _find_in(text: str, start: int, end: int, quote: str) -> tuple[int, int] | None:
    norm, where = normalise(text[start:end])
    i = norm.find(quote)
    if i < 0:
        return None
    return start + where[i], start + where[i + len(quote) - 1] + 1


def locate_quote(post: Post, quote: str) -> tuple[int, int] | None:
    """Exact (start, end) in ``post.text`` of ``quote`` within one of the post's own spans."""
    for q in quote_forms(quote):
        for s, e in post.own_spans():
            hit = _find_in(post.text, s, e, q)
            if hit:
                return hit
    return None


def _posts_of(source: Any) -> Mapping[str, Post]:
    """Accept a CorpusIndex, a Thread or a mapping of post id -> Post."""
    if isinstance(source, Mapping):
        return source
    posts = getattr(source, "posts", None)
    if isinstance(posts, Mapping):
        return posts
    if isinstance(posts, list):
        return {p.id: p for p in posts}
    raise TypeError(f"cannot read posts from {type(source).__name__}")


# Text addressed to a language model rather than to readers ("ignore previous instructions
# and say ..."). It is never evidence: a citation to it would let an injected comment vouch
# for the very claim it asks the model to make. Each alternative is one injection style.
_TO_MODEL = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(instructions?|prompts?|"
    r"rules|guidelines|context|directives?|everything (above|before))\b"
    r"|\b(system|developer) (prompt|message|override|instructions?)\b"
    r"|^\s*(system|assistant|developer)\s*:|\[/?(system|inst|instructions?)\]|<\|?/?(system|"
    r"im_start|im_end|instructions?|prompt)\|?>"
    r"|\byou are now\b|\bfrom now on,? (you|the assistant|the ai)\b"
    r"|\b(pretend|act) (to be|as if you|as an?)\b[^.!?\n]{0,30}\b(ai|model|assistant|bot)\b"
    r"|\b(as|if you are) an? (ai|language model|llm|assistant|chatbot)\b"
    r"|\b(ai|llm|language model|assistant|chatbot|summari[sz]er|bot)s?\b[^.!?\n]{0,40}\b(must|"
    r"should|shall|will|need to|have to)\b[^.!?\n]{0,20}\b(say|answer|respond|reply|state|"
    r"write|report|claim|tell|output)\b"
    r"|\b(new|updated|real|hidden) instructions?\s*:"
    r"|\b(begin|end) (of )?(system|new|the)? ?(prompt|instructions?|context|document)\b"
    r"|\b(jailbreak|developer mode|do anything now)\b"
    r"|\b(always|only) (answer|respond|reply|say)\b[^.!?\n]{0,40}\b(that|with)\b",
    re.I | re.M,
)


def addressed_to_model(text: str) -> bool:
    """True for prompt-injection text: an instruction to an AI, not a claim to cite."""
    return bool(_TO_MODEL.search(text))


def verify_citation(
    source: Any, post_id: str, quote: str, key: str = "", recredit: bool = True, _hops: int = 0
) -> Citation | DroppedCitation:
    """Check one (post, quote); text the post quoted is re-cited to its origin if ``recredit``."""
    posts = _posts_of(source)
    post = posts.get(post_id)
    if post is None:
        return DroppedCitation(key, post_id, quote, "no such post")
    forms = quote_forms(quote)
    if not forms:
        return DroppedCitation(key, post_id, quote, "quote too short to check")
    hit = locate_quote(post, quote)
    if hit and addressed_to_model(post.own_text):
        reason = "an instruction addressed to the model, not a claim"
        return DroppedCitation(key, post_id, quote, reason)
    if hit:
        return Citation(key, post.id, post.author, post.text[hit[0]:hit[1]], hit[0], hit[1])
    for qt in post.quotes:
        if not any(_find_in(post.text, qt.start, qt.end, f) for f in forms):
            continue
        origin = posts.get(qt.from_post_id)
        if recredit and origin is not None and origin.id != post.id and _hops < 8:
            again = verify_citation(posts, origin.id, quote, key, _hops=_hops + 1)
            if isinstance(again, Citation):
                return again
        source = qt.from_post_id or "an unknown source"
        return DroppedCitation(key, post_id, quote, f"quoted from {source}, not own words")
    return DroppedCitation(key, post_id, quote, "quote not found in the post's own words")


# --- answers: markers, sentences, verification ---------------------------------------

# [1]  [1, 3]  [1: "quoted words"]  [1 "quoted words"]
_MARKER = re.compile(
    r"\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*(?::?\s*[\"\u201c](?P<q>[^\]]*?)[\"\u201d])?\s*\]"
)
_HOLD = "\x00"


@dataclass
class CheckedAnswer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    dropped: list[DroppedCitation] = field(default_factory=list)
    kept_sentences: int = 0


def split_sentences(text: str) -> list[str]:
    """Answer sentences; citation markers after a full stop stay with their sentence."""
    markers: list[str] = []

    def hold(m: re.Match[str]) -> str:
        markers.append(m.group(0))
        return f"{_HOLD}{len(markers) - 1}{_HOLD}"

    held = _MARKER.sub(hold, text)
    lead = re.compile(rf"^\s*((?:{_HOLD}\d+{_HOLD}\s*)+)")
    out: list[str] = []
    for line in held.split("\n"):
        for part in re.split(r"(?<=[.!?])[\"')\]]*\s+", line):
            m = lead.match(part)
            if m and out:  # markers after the full stop belong to the sentence before
                out[-1] = f"{out[-1]} {m.group(1).strip()}"
                part = part[m.end():]
            if part.strip():
                out.append(part.strip())
    return [re.sub(rf"{_HOLD}(\d+){_HOLD}", lambda m: markers[int(m.group(1))], s) for s in out]


def check_answer(
    text: str,
    keyed: Mapping[str, tuple[str, str]],
    source: Any,
    keep_uncited: Iterable[str] = (),
    by_line: bool = False,
) -> CheckedAnswer:
    """Verify every marker of ``text`` against ``keyed`` (key -> (post_id, quote)).

    Sentences left with no verified citation are removed (unless listed in ``keep_uncited``,
    e.g. an engine's claim-free lead line). A sentence must also share a content word with
    the words it cites: a real quote attached to an unrelated claim is dropped too. Surviving
    citations are re-keyed 1..n in order of appearance, one key per distinct (post, span).
    ``by_line`` treats each line as one sentence (an extractive line quotes a whole unit).
    """
    allowed = {" ".join(s.split()) for s in keep_uncited}
    result = CheckedAnswer(text="")
    final_keys: dict[tuple[str, int, int], str] = {}
    kept: list[str] = []
    pieces = [ln.strip() for ln in text.splitlines() if ln.strip()] if by_line else None
    for sentence in pieces if pieces is not None else split_sentences(text):
        body = _MARKER.sub("", sentence).strip()
        per_marker, drops = _verify_markers(sentence, source, keyed)
        good = [c for cs in per_marker for c in cs]
        if good and not _shares_words(body, [c.quote for c in good]):
            drops += [DroppedCitation(c.key, c.post_id, c.quote, "the cited words share no "
                                      "content word with the sentence") for c in good]
            per_marker = [[] for _ in per_marker]
        rewritten = _sub_in_order(sentence, [_assign_keys(cs, final_keys, result)
                                             for cs in per_marker])
        rewritten = re.sub(r"[ \t]+([.!?,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", rewritten))
        body = _MARKER.sub("", rewritten).strip()
        keep = any(per_marker) or (" ".join(sentence.split()) in allowed and not drops)
        if keep:
            kept.append(rewritten.strip())
        elif not drops and body:
            drops.append(DroppedCitation("", "", "", "sentence cites nothing"))
        suffix = "" if keep else "; sentence removed"
        result.dropped.extend(
            DroppedCitation(d.key, d.post_id, d.quote, d.reason + suffix, sentence=body)
            for d in drops
        )
    result.kept_sentences = sum(1 for s in kept if _MARKER.search(s))
    result.text = "\n".join(kept) if "\n" in text.strip() else " ".join(kept)
    return result


def _content(text: str) -> set[str]:
    """Content words as retrieval sees them (stop words out, stemmed: ban / banned)."""
    from argmap.lexical import tokens

    return set(tokens(text))


def _shares_words(sentence: str, quotes: list[str]) -> bool:
    words = _content(sentence)
    return not words or bool(words & _content(" ".join(quotes)))


def _verify_markers(
    sentence: str, source: Any, keyed: Mapping[str, tuple[str, str]]
) -> tuple[list[list[Citation]], list[DroppedCitation]]:
    """Each marker's verified citations (in marker order) and everything that failed."""
    per_marker: list[list[Citation]] = []
    drops: list[DroppedCitation] = []
    for m in _MARKER.finditer(sentence):
        good: list[Citation] = []
        for key in re.split(r"\s*,\s*", m.group(1)):
            got = _verify_key(source, keyed, key, m.group("q"))
            if isinstance(got, DroppedCitation):
                drops.append(got)
            else:
                good.append(got)
        per_marker.append(good)
    return per_marker, drops


def _sub_in_order(sentence: str, replacements: list[str]) -> str:
    it = iter(replacements)
    return _MARKER.sub(lambda _m: next(it), sentence)


def _assign_keys(
    cites: list[Citation], final_keys: dict[tuple[str, int, int], str], result: CheckedAnswer
) -> str:
    """Final keys for one marker's citations (new spans get the next number)."""
    keys: list[str] = []
    for c in cites:
        span = (c.post_id, c.start, c.end)
        if span not in final_keys:
            final_keys[span] = str(len(final_keys) + 1)
            result.citations.append(
                Citation(final_keys[span], c.post_id, c.author, c.quote, c.start, c.end))
        keys.append(final_keys[span])
    return "".join(f"[{k}]" for k in dict.fromkeys(keys))


def _verify_key(
    source: Any, keyed: Mapping[str, tuple[str, str]], key: str, inline: str | None
) -> Citation | DroppedCitation:
    """A marker's key names evidence; an inline quote, when given, is what gets checked."""
    ref = keyed.get(key)
    if ref is None:
        return DroppedCitation(key, "", inline or "", "no evidence with this key")
    return verify_citation(source, ref[0], inline or ref[1], key=key)

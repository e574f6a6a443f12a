"""The citation verifier: the one place where a citation is checked, for every engine.

A citation stands only when its post exists and its quote occurs verbatim (after
whitespace normalisation) in that post's OWN words and is no instruction to a model
(argmap.injection). Words a post repeats from an ancestor, or copied from an earlier post
by someone else, are credited to their origin (re-cited there) or dropped, never to the
copier. Chat answers, map key points and briefs all show only what passed here.
Answers are checked sentence by sentence: a sentence whose citations all fail, or that
cites nothing, is removed and recorded, so an unsupported claim never reaches the user.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from argmap.injection import is_instruction
from argmap.records import Author, Citation, DroppedCitation, Post, Thread
from argmap.text import FOLD, clean_quote, locate, tokens
from argmap.view import CorpusView
from ingest.quotes import LONG_CHARS, LONG_WORDS

MIN_QUOTE_CHARS = 8  # shorter "quotes" ("the", "yes") match almost anywhere
PostSource = CorpusView | Thread | Mapping[str, Post]


def quote_forms(quote: str) -> list[str]:
    """The quote whitespace-normalised, then without a model's wrapping (quote marks,
    ellipses); the first form that is found wins, so a verbatim final full stop is kept."""
    q = " ".join(quote.translate(FOLD).split())
    return [f for f in dict.fromkeys([q, clean_quote(quote)]) if len(f) >= MIN_QUOTE_CHARS]


def locate_quote(post: Post, quote: str) -> tuple[int, int] | None:
    """Exact (start, end) in ``post.text`` of ``quote`` within one of the post's own spans."""
    for q in quote_forms(quote):
        for s, e in post.own_spans():
            hit = locate(post.text, q, s, e)
            if hit:
                return hit
    return None


def _posts_of(source: PostSource) -> Mapping[str, Post]:
    if isinstance(source, Mapping):
        return source
    posts = source.posts
    return {p.id: p for p in posts} if isinstance(posts, list) else posts


# FOLD plus every whitespace character to a plain space (one C-speed pass over a corpus)
_FOLD_SPACES = {**FOLD, **{c: " " for c in range(0x3001) if chr(c).isspace() and c != 32}}


class _OwnWords:
    """Every post's own words, whitespace-collapsed, in one string: a quote's other
    occurrences cost one scan in C, not a pass over the posts in Python."""

    def __init__(self, posts: Mapping[str, Post]):
        self.ids = list(posts)
        self.order = {pid: i for i, pid in enumerate(self.ids)}
        own = (p.own_text if p.quotes else p.text for p in posts.values())
        text = "\x00".join(own).translate(_FOLD_SPACES)
        while "  " in text:
            text = text.replace("  ", " ")
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\x00", text)]

    def posts_with(self, words: str) -> Iterator[str]:
        """Posts containing ``words`` (whitespace-collapsed), in post order."""
        pos = self.text.find(words)
        while pos >= 0:
            yield self.ids[bisect_right(self.starts, pos) - 1]
            pos = self.text.find(words, pos + 1)


_OWN_WORDS: list[tuple[Mapping[str, Post], _OwnWords]] = []


def _own_words(posts: Mapping[str, Post]) -> _OwnWords:
    """Built once per posts mapping (an index's lives as long as the index); the last few."""
    for known, words in _OWN_WORDS:
        if known is posts:
            return words
    words = _OwnWords(posts)
    _OWN_WORDS.insert(0, (posts, words))
    del _OWN_WORDS[2:]
    return words


def _copied_from(posts: Mapping[str, Post], post: Post, quote: str) -> Post | None:
    """The first earlier post by someone else with these words as its own, when they are
    long enough to be a copy rather than a shared phrase (as in quote attribution): words a
    poster pasted from another branch of the thread, which attribution (ancestors only)
    leaves in the poster's own words."""
    needle = " ".join(quote.translate(FOLD).split())
    if len(needle) < LONG_CHARS or len(needle.split()) < LONG_WORDS:
        return None
    own = _own_words(posts)
    me, mine = own.order.get(post.id, len(own.ids)), Author.of(post).key
    for pid in own.posts_with(needle):
        if own.order[pid] >= me:
            break
        if Author.of(posts[pid]).key != mine:
            return posts[pid]
    return None


def verify_citation(
    source: PostSource, post_id: str, quote: str, key: str = "", recredit: bool = True,
    _hops: int = 0,
) -> Citation | DroppedCitation:
    """Check one (post, quote). Words the post quoted, or copied from an earlier post by
    someone else, are re-cited to their origin if ``recredit``, else dropped."""
    posts = _posts_of(source)
    post = posts.get(post_id)
    if post is None:
        return DroppedCitation(key, post_id, quote, "no such post")
    forms = quote_forms(quote)
    if not forms:
        return DroppedCitation(key, post_id, quote, "quote too short to check")
    hit = locate_quote(post, quote)
    if hit and is_instruction(post, *hit):
        reason = "an instruction addressed to the model, not a claim"
        return DroppedCitation(key, post_id, quote, reason)
    origin: Post | None = None
    if hit:
        origin = _copied_from(posts, post, post.text[hit[0]:hit[1]])
        if origin is None:
            return Citation(key, post.id, post.author, post.text[hit[0]:hit[1]], hit[0], hit[1])
        origin_id = origin.id
    else:
        for qt in post.quotes:
            if any(locate(post.text, f, qt.start, qt.end) for f in forms):
                origin = posts.get(qt.from_post_id)
                origin_id = qt.from_post_id or "an unknown source"  # "": a claim not borne out
                break
        else:
            return DroppedCitation(key, post_id, quote, "quote not found in the post's own words")
    if recredit and origin is not None and origin.id != post.id and _hops < 8:
        again = verify_citation(posts, origin.id, quote, key, _hops=_hops + 1)
        if isinstance(again, Citation):
            return again
    return DroppedCitation(key, post_id, quote, f"quoted from {origin_id}, not own words")


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
    source: PostSource,
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


def _shares_words(sentence: str, quotes: list[str]) -> bool:
    """A content word (as retrieval sees them: ban / banned) in common, or none to share."""
    words = set(tokens(sentence))
    return not words or bool(words & set(tokens(" ".join(quotes))))


def _verify_markers(
    sentence: str, source: PostSource, keyed: Mapping[str, tuple[str, str]]
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
    source: PostSource, keyed: Mapping[str, tuple[str, str]], key: str, inline: str | None
) -> Citation | DroppedCitation:
    """A marker's key names evidence; an inline quote, when given, is what gets checked."""
    ref = keyed.get(key)
    if ref is None:
        return DroppedCitation(key, "", inline or "", "no evidence with this key")
    return verify_citation(source, ref[0], inline or ref[1], key=key)

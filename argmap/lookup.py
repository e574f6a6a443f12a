"""Citation lookup: who wrote these words, where exactly, and in what thread.

A pasted quote is matched verbatim (after whitespace normalisation) against every post's
*full* text, so words a reply merely repeats are found too and reported as quoted, linked to
the post they came from; that is the one thing a plain text search gets wrong. Words go
through BM25 over units (a post's own sentences); a name lists that author's posts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from argmap.lexical import lexical_index
from argmap.records import Post
from argmap.store import CorpusIndex
from argmap.text import clean_quote, locate, normalise

Mode = Literal["auto", "quote", "words", "author", "post"]
MODES: tuple[Mode, ...] = ("auto", "quote", "words", "author", "post")
Role = Literal["ancestor", "hit", "reply"]
_MAX_REPLIES = 25
_SNIPPET = 160


@dataclass(frozen=True)
class ContextPost:
    """One line of the thread tree shown around a hit (level 0 = the thread root shown)."""

    post_id: str
    author: str
    level: int
    role: Role
    snippet: str


@dataclass
class LookupHit:
    """A span of one post; ``own`` is False when the post only repeats someone else's words."""

    post_id: str
    author: str
    kind: str
    start: int
    end: int
    text: str
    own: bool
    match: str
    score: float = 1.0
    original_post_id: str | None = None
    original_author: str = ""
    original_start: int | None = None
    original_end: int | None = None
    ancestors: list[ContextPost] = field(default_factory=list)
    replies: list[ContextPost] = field(default_factory=list)


@dataclass
class LookupResult:
    query: str
    mode: str
    corpus: str
    hits: list[LookupHit]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Cache:
    """Every post's text normalised (argmap.text.normalise), built once per corpus generation."""

    def __init__(self, index: CorpusIndex):
        self.norm = {p.id: normalise(p.text) for p in index.thread.posts}


def _cache(index: CorpusIndex) -> _Cache:
    return index.memo("lookup", lambda: _Cache(index))


def _own_extent(post: Post) -> tuple[int, int]:
    spans = post.own_spans()
    return (spans[0][0], spans[-1][1]) if spans else (0, len(post.text))


def _snippet(post: Post) -> str:
    words = " ".join((post.own_text or post.text or post.title).split())
    return words if len(words) <= _SNIPPET else words[: _SNIPPET - 1] + "\u2026"


def _find_all(hay: str, needle: str) -> list[int]:
    out, pos = [], hay.find(needle)
    while pos >= 0 and needle:
        out.append(pos)
        pos = hay.find(needle, pos + 1)
    return out


def _hit(
    index: CorpusIndex, post: Post, start: int, end: int, match: str, score: float
) -> LookupHit:
    """A hit with own/quoted settled from the post's quote spans, and its thread context."""
    overlaps = [
        (min(end, q.end) - max(start, q.start), q) for q in post.quotes
        if q.start < end and start < q.end
    ]
    hit = LookupHit(
        post_id=post.id, author=post.author, kind=post.kind, start=start, end=end,
        text=post.text[start:end], own=not overlaps, match=match, score=round(score, 4),
    )
    if overlaps:
        q = max(overlaps, key=lambda o: o[0])[1]
        hit.original_post_id = q.from_post_id or None  # "": origin unknown
        original = index.posts.get(q.from_post_id)
        hit.original_author = original.author if original else ""
        span = locate(original.text, hit.text) if original else None
        if span:
            hit.original_start, hit.original_end = span
    hit.ancestors, hit.replies = thread_context(index, post.id)
    return hit


def thread_context(index: CorpusIndex, post_id: str) -> tuple[list[ContextPost], list[ContextPost]]:
    """Ancestors root-first, then the post's replies in pre-order (capped), with tree levels."""
    chain: list[Post] = []
    post = index.posts.get(post_id)
    seen = {post_id}
    while post is not None and post.parent_id and post.parent_id not in seen:
        seen.add(post.parent_id)
        post = index.posts.get(post.parent_id)
        if post is not None:
            chain.append(post)
    chain.reverse()
    ancestors = [
        ContextPost(p.id, p.author, i, "ancestor", _snippet(p)) for i, p in enumerate(chain)
    ]
    replies: list[ContextPost] = []
    stack = [(rid, len(chain) + 1) for rid in reversed(index.replies.get(post_id, []))]
    while stack and len(replies) < _MAX_REPLIES:
        rid, level = stack.pop()
        reply = index.posts.get(rid)
        if reply is None or rid in seen:
            continue
        seen.add(rid)
        replies.append(ContextPost(rid, reply.author, level, "reply", _snippet(reply)))
        stack.extend((c, level + 1) for c in reversed(index.replies.get(rid, [])))
    return ancestors, replies


def by_quote(index: CorpusIndex, query: str, limit: int = 10) -> list[LookupHit]:
    """Verbatim matches (whitespace-normalised; case-insensitive only if nothing exact)."""
    needle = clean_quote(query)
    if len(needle) < 3:
        return []
    cache = _cache(index)
    for fold in (False, True):
        found: list[LookupHit] = []
        for post in index.thread.posts:
            norm, idx = cache.norm[post.id]
            if fold:
                if len(norm.lower()) != len(norm):
                    continue
                positions = _find_all(norm.lower(), needle.lower())
            else:
                positions = _find_all(norm, needle)
            for pos in positions:
                start, end = idx[pos], idx[pos + len(needle) - 1] + 1
                found.append(_hit(index, post, start, end, "quote", 0.9 if fold else 1.0))
        if found:
            found.sort(key=lambda h: not h.own)  # the original author first (stable sort)
            return found[:limit]
    return []


def by_words(index: CorpusIndex, query: str, limit: int = 10) -> list[LookupHit]:
    """BM25 over units (the same index and tokens as chat retrieval), best sentence per post."""
    lex = lexical_index(index)
    hits: list[LookupHit] = []
    seen: set[str] = set()
    for row, score in lex.ranked(query, limit * 4):
        unit = lex.units[row]
        post = index.posts.get(unit.post_id)
        if post is None or unit.post_id in seen:
            continue
        seen.add(unit.post_id)
        hits.append(_hit(index, post, unit.start, unit.end, "words", score))
        if len(hits) >= limit:
            break
    return hits


def _author_key(name: str) -> str:
    return " ".join(name.casefold().split())


def by_author(index: CorpusIndex, name: str, limit: int = 10) -> list[LookupHit]:
    """Posts by an author: exact name (any case) first, else names containing the query."""
    key = _author_key(name.lstrip("@").removeprefix("by:").removeprefix("by "))
    if not key:
        return []
    posts = [p for p in index.thread.posts if p.author and _author_key(p.author) == key]
    if not posts:
        posts = [p for p in index.thread.posts if p.author and key in _author_key(p.author)]
    return [_hit(index, p, *_own_extent(p), "author", 1.0) for p in posts[:limit]]


def by_post(index: CorpusIndex, post_id: str, limit: int = 10) -> list[LookupHit]:
    post = index.posts.get(post_id.strip())
    return [] if post is None else [_hit(index, post, *_own_extent(post), "post", 1.0)]


def _is_author(index: CorpusIndex, query: str) -> bool:
    key = _author_key(query.lstrip("@"))
    return bool(key) and any(_author_key(p.author) == key for p in index.thread.posts)


def find(index: CorpusIndex, query: str, mode: str = "auto", limit: int = 10) -> LookupResult:
    """Search one corpus; ``auto`` tries post id, author, verbatim quote, then words."""
    if mode not in MODES:
        from argmap.errors import ArgmapError

        raise ArgmapError(f"unknown lookup mode {mode!r}; use one of {', '.join(MODES)}")
    query = query.strip()
    searches = {"quote": by_quote, "words": by_words, "author": by_author, "post": by_post}
    if mode != "auto":
        return LookupResult(query, mode, index.name, searches[mode](index, query, limit))
    if query in index.posts:
        return LookupResult(query, "post", index.name, by_post(index, query, limit))
    if query.startswith(("@", "by:")) or _is_author(index, query):
        return LookupResult(query, "author", index.name, by_author(index, query, limit))
    hits = by_quote(index, query, limit)
    if hits:
        return LookupResult(query, "quote", index.name, hits)
    return LookupResult(query, "words", index.name, by_words(index, query, limit))

"""Typed records passed between argmap's stages.

Every stage takes and returns these, never loose dicts, so a reader can follow a
post from the source file to a verified citation by looking at one file.
Offsets are always character offsets into ``Post.text`` (the text as published).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

PostKind = Literal["article", "comment"]
Stance = Literal["for", "against", "neutral"]
Relation = Literal["supports", "rebuts", "neither"]
# Where ``ask`` found the answer: the argument map (an overview question), the reply relations
# ("who disagreed with X"), the last answer's posts and their thread context ("Why did they
# say that?"), retrieval, or nowhere (the answer abstained).
Route = Literal["overview", "relations", "context", "retrieval", "abstain"]


@dataclass(frozen=True)
class Quote:
    """Words a post repeats from an ancestor: credited to ``from_post_id``, not the quoter.

    ``from_post_id`` is "" when the source is unknown (a file's claim that did not check out):
    the words are still not the quoter's own."""

    text: str
    from_post_id: str
    start: int
    end: int


@dataclass
class Post:
    id: str
    kind: PostKind
    text: str
    author: str = ""
    author_id: str = ""
    time: str = ""
    parent_id: str | None = None
    depth: int = 0
    title: str = ""
    quotes: list[Quote] = field(default_factory=list)
    truncated: bool = False
    source_url: str = ""
    # the site's mark that the post speaks for the site, not as a participant (Reddit's
    # "distinguished": a moderator's or admin's notice, which is also how its bots post)
    role: str = ""

    def own_spans(self) -> list[tuple[int, int]]:
        """Spans of ``text`` that are the author's own words (the complement of quotes)."""
        spans: list[tuple[int, int]] = []
        pos = 0
        for q in sorted(self.quotes, key=lambda q: q.start):
            if q.start > pos:
                spans.append((pos, q.start))
            pos = max(pos, q.end)
        if pos < len(self.text):
            spans.append((pos, len(self.text)))
        return [(s, e) for s, e in spans if self.text[s:e].strip()]

    @property
    def own_text(self) -> str:
        """The post's text minus what it quotes; own spans joined by a blank line."""
        return "\n\n".join(self.text[s:e].strip() for s, e in self.own_spans())

    def to_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict's recursive deep copy is slow at ingest scale
        d = {f: getattr(self, f) for f in Post.__dataclass_fields__ if f != "quotes"}
        d["quotes"] = [{"text": q.text, "from_post_id": q.from_post_id, "start": q.start,
                        "end": q.end} for q in self.quotes]
        d["own_text"] = self.own_text
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Post:
        quotes = [Quote(**q) for q in d.get("quotes", [])]
        known = {k: v for k, v in d.items() if k in _POST_FIELDS and k != "quotes"}
        return cls(**known, quotes=quotes)


_POST_FIELDS = set(Post.__dataclass_fields__)


# Author names that stand for nobody in particular: each such post is its own person.
_NOBODY = frozenset({"", "anonymous", "anonymous coward", "[deleted]", "unknown"})


@dataclass(frozen=True)
class Author:
    """Who wrote a post: ``name`` as shown to a reader, ``key`` telling distinct people apart
    (a named author is one person however often they post; an anonymous post is its own)."""

    name: str
    key: str
    anonymous: bool = False  # no name that tells who wrote it: a person of its own per post

    @classmethod
    def of(cls, post: Post | None) -> Author:
        if post is None:
            return cls("Unknown", "", anonymous=True)
        name = post.author.strip()
        shown = "The article" if post.kind == "article" else name or "Anonymous"
        if name.lower() in _NOBODY:
            return cls(shown, f"post {post.id}", anonymous=True)
        return cls(shown, f"{name} {post.author_id}".strip())

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "key": self.key, "anonymous": self.anonymous}


# Authors that are no one: the post's author was removed, so nobody can be counted for it.
_REMOVED = frozenset({"[deleted]", "[removed]"})


def participant(post: Post | None) -> bool:
    """Whether a post is a participant's comment that counts toward a key point: not the
    site speaking (``role``), and not a post whose author was deleted."""
    return (post is not None and post.kind == "comment" and not post.role
            and post.author.strip().lower() not in _REMOVED)


def head_count(authors: list[Author]) -> tuple[int, int]:
    """(distinct identified people, anonymous posts): an anonymous post might be anyone,
    including someone already counted, so it is never passed off as one more person."""
    named = {a.key for a in authors if not a.anonymous}
    return len(named), sum(a.anonymous for a in authors)


def people_phrase(people: int, anonymous: int) -> str:
    """"3 people + 2 anonymous posts", "1 person", "1 anonymous post"."""
    parts = [f"{people} {'person' if people == 1 else 'people'}"] if people or not anonymous else []
    if anonymous:
        parts.append(f"{anonymous} anonymous post{'' if anonymous == 1 else 's'}")
    return " + ".join(parts)


def who(post: Post | None) -> str:
    """A post's author as every surface names it."""
    return Author.of(post).name


@dataclass
class Thread:
    """One discussion: article post(s) first, then comments in thread (pre-)order."""

    title: str
    posts: list[Post]
    format: str = ""
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def by_id(self) -> dict[str, Post]:
        return {p.id: p for p in self.posts}

    def replies(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {p.id: [] for p in self.posts}
        for p in self.posts:
            if p.parent_id is not None and p.parent_id in out:
                out[p.parent_id].append(p.id)
        return out


@dataclass(frozen=True)
class Unit:
    """A sentence (or short span) of a post's own words: what is embedded, retrieved, cited."""

    id: str
    post_id: str
    start: int
    end: int
    text: str
    author: str = ""
    kind: PostKind = "comment"
    depth: int = 0
    parent_id: str | None = None
    # (part of) a sentence addressed to a language model (argmap.injection): kept, so lookup
    # finds it, but never retrieved as evidence or cited
    to_model: bool = False


@dataclass
class Evidence:
    unit: Unit
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    via: Literal["hit", "parent", "reply"] = "hit"


@dataclass(frozen=True)
class Citation:
    key: str
    post_id: str
    author: str
    quote: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DroppedCitation:
    key: str
    post_id: str
    quote: str
    reason: str
    sentence: str = ""  # the answer sentence it appeared in (empty: not tied to one)


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    engine: str
    citations: list[Citation] = field(default_factory=list)
    dropped: list[DroppedCitation] = field(default_factory=list)
    standalone_question: str = ""
    route: Route = "retrieval"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class KeyPoint:
    key_point: str
    authors: list[Author]  # distinct people
    post_ids: list[str]
    quotes: list[Citation] = field(default_factory=list)
    rebuttals: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"key_point": self.key_point, "authors": [a.to_dict() for a in self.authors],
                "post_ids": list(self.post_ids), "quotes": [q.to_dict() for q in self.quotes],
                "rebuttals": list(self.rebuttals)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> KeyPoint:
        return cls(d["key_point"], [Author(**a) for a in d["authors"]], list(d["post_ids"]),
                   [Citation(**q) for q in d["quotes"]], list(d["rebuttals"]))


@dataclass
class StanceLabel:
    stance: Stance
    confidence: float


@dataclass(frozen=True)
class ReplyRelation:
    from_post_id: str
    to_post_id: str
    relation: Relation


@dataclass
class ArgumentMap:
    proposition: str
    pro: list[KeyPoint]
    con: list[KeyPoint]
    neutral_posts: list[str]
    stances: dict[str, StanceLabel]
    relations: list[ReplyRelation]
    unanswered: list[str] = field(default_factory=list)  # against-side posts nobody rebutted
    unanswered_for: list[str] = field(default_factory=list)  # for-side posts nobody rebutted
    unit_stances: dict[str, StanceLabel] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``argmap map --json`` (``for``/``against`` are Python keywords).

        The per-post and per-unit tables by hand: asdict's recursive deep copy is slow."""
        def label(s: StanceLabel) -> dict[str, Any]:
            return {"stance": s.stance, "confidence": s.confidence}

        return {
            "proposition": self.proposition,
            "neutral_posts": list(self.neutral_posts),
            "stances": {k: label(v) for k, v in self.stances.items()},
            "relations": [{"from_post_id": r.from_post_id, "to_post_id": r.to_post_id,
                           "relation": r.relation} for r in self.relations],
            "unanswered": list(self.unanswered),
            "unanswered_for": list(self.unanswered_for),
            "unit_stances": {k: label(v) for k, v in self.unit_stances.items()},
            "for": [k.to_dict() for k in self.pro],
            "against": [k.to_dict() for k in self.con],
        }


@dataclass
class BriefPoint:
    """One key point of a brief with the verified quotes behind it and the rebuttals it drew."""

    key_point: str
    authors: list[Author]
    post_ids: list[str]
    quotes: list[Citation]
    rebuttals: list[Citation]

    def to_dict(self) -> dict[str, Any]:
        people, anonymous = head_count(self.authors)
        return {"key_point": self.key_point, "distinct_authors": people,
                "anonymous_posts": anonymous,
                "authors": [a.name for a in self.authors], "post_ids": list(self.post_ids),
                "quotes": [q.to_dict() for q in self.quotes],
                "rebuttals": [q.to_dict() for q in self.rebuttals]}


@dataclass
class Brief:
    """A debate brief for one side: only key point labels and verified quotes."""

    proposition: str
    side: Literal["for", "against"]
    key_points: list[BriefPoint]
    other_side_points: list[str]
    unanswered_objections: list[Citation]
    open_questions: list[Citation]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``argmap brief --format json``."""
        return {"proposition": self.proposition, "side": self.side,
                "key_points": [k.to_dict() for k in self.key_points],
                "other_side_points": list(self.other_side_points),
                "unanswered_objections": [q.to_dict() for q in self.unanswered_objections],
                "open_questions": [q.to_dict() for q in self.open_questions]}

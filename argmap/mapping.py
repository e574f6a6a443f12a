"""The argument map of one corpus: stance, reply relations and key points, cached per ingest.

Why the thread's structure: a single comment's words often do not say which side it is on,
but the thread does, the way a reader uses it. The author of an opinion post that opens the
thread (a Reddit self-post, an "Ask HN") is the proposer: their posts lean "for" unless they
concede (a CMV delta); a news story is neutral and argues nothing. Each post's own stance
(argmap.stance) is combined with what its parent's final stance and the reply relation
(argmap.relations) imply, top-down in thread order. Every post lands on one side or neutral,
never both; each side's key points come from Key Point Analysis (argmap.kpa). The result is
stored with the index generation (``save_doc``), so opening the map after ingest costs one read.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Mapping
from typing import Any

from argmap.citations import verify_citation
from argmap.kpa import analyse
from argmap.records import (
    ArgumentMap,
    Author,
    Citation,
    KeyPoint,
    Post,
    ReplyRelation,
    StanceLabel,
    Unit,
    head_count,
    participant,
    who,
)
from argmap.relations import as_records, propagate, reply_relations
from argmap.stance import stance_probs
from argmap.text import clean_clause, word_key
from argmap.view import CorpusView

MAP_VERSION = "5"
PROPOSER_LEAN = 2.0  # the proposer's own posts, and their opening post seen from its replies
# a CMV delta awards a change of view (https://www.reddit.com/r/changemyview/wiki/deltasystem)
DELTA = ("\u0394", "!delta")
# a site's tag before a title ("CMV:", "Ask HN:", "[Serious]"): not part of the proposition
_SITE_TAG = re.compile(r"^\s*(?:\[[^\]]{1,30}\]\s*)*(?:[A-Z][A-Za-z0-9]{0,5}(?: [A-Z]{1,3})?:\s+)?")
MIN_WORDS = 5  # shorter units ("No.", "It isn't.") are moves in a thread, not arguments
MAX_POINTS = 10
QUOTES_PER_POINT = 3


def default_proposition(index: CorpusView) -> str:
    """The article's headline without a site tag, else its first sentence."""
    thread = index.thread
    title = _SITE_TAG.sub("", str(thread.title)).strip() or str(thread.title).strip()
    if title:
        return title
    for p in thread.posts:
        if p.kind == "article" and p.text.strip():
            return re.split(r"(?<=[.!?])\s", p.text.strip(), maxsplit=1)[0][:300]
    return "the proposal under discussion"


def duplicates(posts: list[Post]) -> dict[str, str]:
    """Post id -> id of the first post with the same own words (pasted twice counts once)."""
    seen: dict[str, str] = {}
    out: dict[str, str] = {}
    for p in posts:
        key = word_key(p.own_text)
        if len(key) < 20:
            continue
        if key in seen:
            out[p.id] = seen[key]
        else:
            seen[key] = p.id
    return out


def opening_opinion(thread: Any) -> Post | None:
    """The opinion post that opens the thread, if it is one: a Reddit self-post or an HN
    story with its own text. A link post, a Slashdot story or a CSV root is news or a bare
    headline, neutral, and nobody is its proposer."""
    top = next((p for p in thread.posts if p.kind == "article"), None)
    if top is None or thread.format not in ("reddit", "hn") or not top.author.strip():
        return None
    # a link post's text is its title and link (what the parsers write when there is no body)
    if not re.sub(r"https?://\S+", "", top.own_text.replace(top.title, "")).strip():
        return None
    return top  # type: ignore[no-any-return]


def concedes(post: Post) -> bool:
    return DELTA[0] in post.own_text or DELTA[1] in post.own_text.lower()


def build_map(index: CorpusView, proposition: str | None = None) -> ArgumentMap:
    """Compute the map from an index (``thread``, ``units``, ``store.embeddings``)."""
    prop = proposition or default_proposition(index)
    embed = index.store.embeddings
    posts = [p for p in index.thread.posts]
    by_id = {p.id: p for p in posts}
    comments = [p for p in posts if p.kind == "comment"]
    units = [u for u in index.units if u.post_id in by_id and by_id[u.post_id].kind == "comment"]
    with_text = [p for p in comments if p.own_text.strip()]
    own = dict(zip([p.id for p in with_text],
                   stance_probs(prop, [p.own_text for p in with_text]), strict=True))
    opener = opening_opinion(index.thread)
    proposer = Author.of(opener).key if opener else None
    rel = reply_relations(posts, [opener.id] if opener else [])
    bonus = {p.id: PROPOSER_LEAN for p in comments
             if proposer and Author.of(p).key == proposer and not concedes(p)}
    stances = propagate([(p.id, p.parent_id) for p in comments], own, rel, bonus,
                        {opener.id: PROPOSER_LEAN} if opener else {})
    unit_stances = {u.id: stances[u.post_id] for u in units}  # a unit speaks for its post
    relations = as_records(rel, by_id)
    dups = duplicates(comments)
    sides: dict[str, list[KeyPoint]] = {}
    for side in ("for", "against"):
        members = {pid for pid, s in stances.items() if s.stance == side}
        sides[side] = _key_points(prop, members, units, by_id, relations, dups, embed)
    side_of = {pid: s.stance for pid, s in stances.items()}

    def unanswered(side: str) -> list[str]:
        return unanswered_objections(comments, side_of, side, units, relations, dups, sides[side])

    return ArgumentMap(
        proposition=prop, pro=sides["for"], con=sides["against"],
        neutral_posts=[pid for pid, s in stances.items() if s.stance == "neutral"],
        stances=stances, relations=relations, unanswered=unanswered("against"),
        unanswered_for=unanswered("for"), unit_stances=unit_stances,
    )


def _key_points(
    proposition: str, members: set[str], units: list[Unit], by_id: dict[str, Post],
    relations: list[ReplyRelation], dups: dict[str, str], embed: Any,
) -> list[KeyPoint]:
    """One side's key points: Key Point Analysis over its participants' own sentences."""
    idx = [i for i, u in enumerate(units) if u.post_id in members and u.post_id not in dups
           and len(u.text.split()) >= MIN_WORDS and participant(by_id[u.post_id])]
    if not idx:
        return []
    texts = [units[i].text for i in idx]
    rebuttals_of: dict[str, list[str]] = {}
    for r in relations:
        if r.relation == "rebuts":
            rebuttals_of.setdefault(r.to_post_id, []).append(r.from_post_id)
    dups_of: dict[str, list[str]] = {}  # original -> its copies, so no scan per key point
    for d, orig in dups.items():
        dups_of.setdefault(orig, []).append(d)
    dup_rank = {d: i for i, d in enumerate(dups)}
    scored: list[tuple[tuple[float, ...], KeyPoint]] = []
    for group in analyse(proposition, texts, embed).groups:
        post_ids = list(dict.fromkeys(units[idx[m]].post_id for m in group.members))
        copies = (d for p in post_ids for d in dups_of.get(p, []) if participant(by_id[d]))
        post_ids += sorted(copies, key=dup_rank.__getitem__)
        people = {Author.of(by_id[p]).key: Author.of(by_id[p]) for p in post_ids if p not in dups}
        authors = list(people.values())
        quotes: list[Citation] = []
        for m in group.members:  # the key point's own sentence first, then the closest matches
            u = units[idx[m]]
            if len(quotes) >= QUOTES_PER_POINT or any(q.post_id == u.post_id for q in quotes):
                continue
            cite = own_quote(by_id, u)
            if cite is not None:
                quotes.append(cite)
        rebuttals = list(dict.fromkeys(r for p in post_ids for r in rebuttals_of.get(p, [])))
        kp = KeyPoint(clean_clause(texts[group.label]), authors, post_ids, quotes, rebuttals)
        scored.append(((sum(head_count(authors)), len(group.members), -group.label), kp))
    scored.sort(key=lambda t: t[0], reverse=True)
    return [kp for _, kp in scored[:MAX_POINTS]]


def argues(text: str) -> bool:
    """A statement long enough to be an argument (a question asks rather than objects)."""
    return len(text.split()) >= MIN_WORDS and not text.rstrip().endswith("?")


def unanswered_objections(
    comments: list[Post], side_of: Mapping[str, str], side: str, units: list[Unit],
    relations: list[ReplyRelation], dups: Mapping[str, str], points: list[KeyPoint],
) -> list[str]:
    """Posts on ``side`` that make an argument of their own and drew no rebutting reply.

    A reply the relations read as agreeing with its parent ("That was my first thought
    too.") adds no objection of its own, so it is left out; posts whose argument others made
    too (they are in one of the side's key points) come first, in thread order."""
    rebutted = {r.to_post_id for r in relations if r.relation == "rebuts"}
    agreeing = {r.from_post_id for r in relations if r.relation == "supports"}
    argued = {u.post_id for u in units if argues(u.text)}
    shared = {p for kp in points for p in kp.post_ids}
    out = [p.id for p in comments if side_of.get(p.id) == side and p.id in argued
           and p.id not in rebutted and p.id not in agreeing and p.id not in dups
           and participant(p)]
    return sorted(out, key=lambda pid: pid not in shared)


def own_quote(posts: Mapping[str, Post], unit: Unit) -> Citation | None:
    """The unit as a quote of its poster, if the verifier credits the words to them (not to a
    post they copied them from, and not an instruction to a model)."""
    got = verify_citation(posts, unit.post_id, unit.text, key=f"{unit.post_id}:{unit.start}")
    if not isinstance(got, Citation) or got.post_id != unit.post_id:
        return None
    return Citation(got.key, got.post_id, who(posts[got.post_id]), got.quote, got.start, got.end)


def map_from_dict(d: dict[str, Any]) -> ArgumentMap:
    return ArgumentMap(
        proposition=d["proposition"], pro=[KeyPoint.from_dict(k) for k in d["for"]],
        con=[KeyPoint.from_dict(k) for k in d["against"]],
        neutral_posts=d["neutral_posts"],
        stances={k: StanceLabel(**v) for k, v in d["stances"].items()},
        relations=[ReplyRelation(**r) for r in d["relations"]],
        unanswered=d.get("unanswered", []), unanswered_for=d.get("unanswered_for", []),
        unit_stances={k: StanceLabel(**v) for k, v in d.get("unit_stances", {}).items()},
    )


def _doc_kind(proposition: str | None) -> str:
    if proposition is None:
        return f"argmap.v{MAP_VERSION}"
    digest = hashlib.blake2b(proposition.encode(), digest_size=6).hexdigest()
    return f"argmap.v{MAP_VERSION}.{digest}"


def get_map(
    index: CorpusView, proposition: str | None = None, rebuild: bool = False
) -> ArgumentMap:
    """The cached map for this index generation, computed (and cached) when missing. A
    proposition is cached by its text; the default one's text is the default map."""
    proposition = " ".join((proposition or "").split()) or None
    if proposition is not None and proposition == default_proposition(index):
        proposition = None
    kind = _doc_kind(proposition)
    if not rebuild:
        doc = index.load_doc(kind)
        if doc:
            return map_from_dict(json.loads(doc))
    amap = build_map(index, proposition)
    index.save_doc(kind, json.dumps(amap.to_dict(), ensure_ascii=False))
    return amap


def cache_after_ingest(store: Any, corpus: str) -> None:
    """The ``after_write`` hook of ingest: compute the default map once, with the index.

    A map failure must not fail an ingest that already succeeded: the map is then built
    on first open instead, where the error surfaces.
    """
    try:
        get_map(store.open(corpus), rebuild=True)
    except Exception as exc:  # noqa: BLE001
        warnings.warn(f"argument map not cached for {corpus}: {exc!r}", stacklevel=2)

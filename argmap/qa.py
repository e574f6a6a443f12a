"""``ask``: condense the history -> retrieve -> engine drafts -> verifier -> maybe abstain.

A follow-up is condensed only when it needs the history (a pronoun, an ellipsis, nothing of
its own); one with no words of its own ("Why did they say that?") is answered from the
previous answer's cited posts and their thread context.

The engine only drafts; what reaches the user is what ``argmap.citations`` verified. The
answer abstains (``NOT_IN_DISCUSSION``, ``abstained=True``) when retrieval finds too little
support to be worth drafting from, or when no cited sentence survives verification; the
relevance model (argmap.relevance) then picks and orders the sentences that answer.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from argmap.citations import check_answer
from argmap.config import ABSTAIN_THRESHOLD, settings
from argmap.engines import NOT_IN_DISCUSSION, Engine, TokenSink, Turn, get_engine
from argmap.engines.extractive import ExtractiveEngine, needs_history, own_content
from argmap.intent import Side, overview_side
from argmap.lexical import authors_named, lexical_index
from argmap.mapping import default_proposition
from argmap.overview import overview_answer
from argmap.records import Answer, Evidence, Route
from argmap.relevance import rerank
from argmap.retrieve import asks_about_replies, retrieve
from argmap.text import stems, tokens
from argmap.view import CorpusView

__all__ = ["ABSTAIN_THRESHOLD", "NOT_IN_DISCUSSION", "ask", "screen", "support"]

# Verbs and nouns of saying: "what did X write / what is X's view" asks for X's words, not for
# sentences containing "write" or "view". A closed class of English (verbs of communication,
# as in Levin's "say" and "complain" classes), not a thread's words.
_SAYING = frozenset(stems(
    "say said says tell told write wrote written writes post posted posts comment commented "
    "think thought thinks mean meant means view views opinion opinions position stance take "
    "feel felt argue argued argues claim claimed claims believe believed believes mention "
    "mentioned suggest suggested note noted state stated point pointed complain complained "
    "propose proposed insist insisted admit admitted warn warned predict predicted explain "
    "explained ask asked reply replied answer answered".split()))
_WHO_SAID = re.compile(  # "who (has / did / ...) <verb> (that / about) <clause>"
    r"^\W*who\s+(?:(?:has|have|had|did|does|do|would|could|will|might)\s+)?(\w+)\s+"
    r"(?:that\s+|about\s+)?(.+?)[?.!\s]*$", re.I | re.S)


TOP_FOR_SUPPORT = 5
# Expected answer types: a "how many" question is not answered by sentences without a number.
_ASKS_QUANTITY = re.compile(
    r"^\W*(how (many|much)|what (number|percentage|share|proportion|amount))\b|\b(cost|price)s?\b",
    re.I,
)
_QUANTITY = re.compile(
    r"(?<![\w-])\d[\d,.]*(?![\w-])|[$\u20ac\u00a3%]|\b(two|three|four|five|six|seven|eight|nine|ten"
    r"|dozens?|hundreds?|thousands?|millions?|billions?|percent|several|most|few|dollars?)\b",
    re.I,
)
_ASKS_TIME = re.compile(r"^\W*(when|what (year|date|day|month|time)|how long)\b", re.I)
_TIME = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march"
    r"|april|may|june|july|august|september|october|november|december|yesterday|today"
    r"|tomorrow|ago|(last|next|this) (week|month|year)|(19|20)\d\d|\d+ (seconds?|minutes?"
    r"|hours?|days?|weeks?|months?|years?))\b",
    re.I,
)


def answer_type_ok(question: str, texts: list[str]) -> bool:
    """False when the question asks for a quantity or a time and no evidence has one."""
    joined = " ".join(texts)
    if _ASKS_QUANTITY.search(question) and not _QUANTITY.search(joined):
        return False
    return not (_ASKS_TIME.search(question) and not _TIME.search(joined))


def threshold() -> float:
    return settings().abstain_threshold


def support(index: CorpusView, question: str, evidence: list[Evidence],
            asked: str | None = None) -> float:
    """How well the evidence covers the question (0..~1): the best dense similarity plus the
    share of the question's rare-word (IDF) mass that the top evidence contains. A named
    author's name counts as covered ("who is gweihir" is answered by his posts, which never
    contain his name); "who disagreed with X" is answered by the thread structure (1.0).
    Zero when the question wants a quantity or a time that no top evidence contains.
    ``asked``: the user's own words of a rewritten follow-up (see asks_about_replies)."""
    hits = [e for e in evidence if e.via == "hit"][:TOP_FOR_SUPPORT]
    if not hits or not answer_type_ok(question, [e.unit.text for e in hits]):
        return 0.0
    if asks_about_replies(index, question, asked):
        return 1.0
    lex = lexical_index(index)
    named = _name_tokens(index, question)
    cover = lex.idf_coverage(question, [e.unit.text for e in hits],
                             skip=named | _SAYING if named else set())
    blended = 0.5 * max(e.dense for e in hits) + 0.5 * cover
    # retrieval kept only the named author's posts (by the author field), so what is left
    # to check is whether they contain the rest of the question; a question made only of
    # the name ("what did X write?") is answered by those posts whatever they say
    return max(blended, cover) if named else blended


def _name_tokens(index: CorpusView, question: str) -> set[str]:
    """The tokens of the authors the question names (they are who, not what, it asks about)."""
    return {t for a in authors_named(lexical_index(index), question) for t in tokens(a)}


def said_clause(question: str) -> str | None:
    """"Who said / argued / mentioned X?" asks who wrote X: X, not the question, is what a
    sentence must express (a sentence saying X never contains "who said")."""
    m = _WHO_SAID.match(question)
    if m and stems([m.group(1).lower()])[0] in _SAYING and tokens(m.group(2)):
        return m.group(2)
    return None


def screen(index: CorpusView, question: str, evidence: list[Evidence],
           asked: str | None = None) -> list[Evidence]:
    """The hits the relevance model says answer ``question``, best first (argmap.relevance).

    Two questions are answered by who wrote what rather than by what it says, so their hits
    are not re-scored: one that names an author and asks nothing else ("what did X write?"),
    and one about the replies a post drew ("who disagreed with X?")."""
    if asks_about_replies(index, question, asked):
        return evidence
    named = _name_tokens(index, question)
    if named and not set(tokens(question)) - named - _SAYING:
        return evidence
    return rerank(said_clause(question) or question, evidence)


def _turns(history: Iterable[Any] | None, index: CorpusView) -> list[Turn]:
    """Accept Answers, (question, answer) pairs, {"question", "answer"} dicts, or chat
    messages ({"role": "user"|"assistant", "content"}) and keep who each turn was about."""
    turns: list[Turn] = []
    pending: str | None = None
    lex = lexical_index(index)
    for item in history or []:
        if isinstance(item, Answer):
            q, a, cites = item.standalone_question or item.question, item.answer, item.citations
        elif isinstance(item, tuple | list) and len(item) == 2:
            q, a, cites = str(item[0]), str(item[1]), []
        elif isinstance(item, Mapping) and "role" in item:
            if item["role"] == "user":
                pending = str(item.get("content", ""))
                continue
            q, a, cites = pending or "", str(item.get("content", "")), []
            pending = None
        elif isinstance(item, Mapping):
            q, a, cites = str(item.get("question", "")), str(item.get("answer", "")), []
        else:
            continue
        named = authors_named(lex, q)
        cited = [c for c, _ in Counter(c.author for c in cites if c.author).most_common()]
        turns.append(Turn(q, a, tuple(dict.fromkeys(named + cited))))
    return turns


def _last_context(index: CorpusView, history: Iterable[Any] | None) -> set[str] | None:
    """The posts the last answer cited, with the posts they replied to and their replies;
    None when the history carries no citations (plain text turns)."""
    last = [item for item in history or [] if isinstance(item, Answer)]
    cited = {c.post_id for c in last[-1].citations} if last else set()
    if not cited:
        return None
    parents = {index.posts[p].parent_id for p in cited if p in index.posts}
    replies = {r for p in cited for r in index.replies.get(p, [])}
    return cited | replies | {p for p in parents if p}


@dataclass(frozen=True)
class MapFacts:
    """What ``ask`` reads from the argument map cached with an index generation."""

    stances: dict[str, str] | None = None  # post id -> for / against / neutral
    relations: dict[str, str] | None = None  # reply post id -> supports / rebuts / neither


_RECHECK_S = 60.0  # a map built after the first question is picked up this much later


def cached_map(index: CorpusView) -> MapFacts:
    """Stances and reply relations from the argument map cached with this index generation,
    if one is; never builds a map (that is the map's job, done at ingest)."""
    seen = index.derived.get("qa.map")  # dropped with the generation's index
    if seen is not None and (seen[1].stances is not None
                             or time.monotonic() - seen[0] < _RECHECK_S):
        return seen[1]
    facts = MapFacts()
    try:
        from argmap.mapping import _doc_kind

        doc = index.load_doc(_doc_kind(None))
        if doc:
            data = json.loads(doc)
            facts = MapFacts(
                stances={pid: str(lab["stance"]) for pid, lab in data["stances"].items()},
                relations={r["from_post_id"]: str(r["relation"]) for r in data["relations"]})
    except Exception:  # noqa: BLE001 - a missing or older map costs sides and relations only
        facts = MapFacts()
    index.derived["qa.map"] = (time.monotonic(), facts)
    return facts


def cached_stances(index: CorpusView) -> dict[str, str] | None:
    return cached_map(index).stances


# Verbs of (dis)agreement: which reply relation a "who disagreed with X" question asks for.
_DISAGREE = re.compile(r"\b(disagre\w*|rebut\w*|push\w* back|object\w*|counter\w*"
                       r"|challeng\w*|argu\w* (with|against)|critici[sz]\w*|contradict\w*)\b",
                       re.I)
_AGREE = re.compile(r"\b(agre\w*|support\w*|back\w* up|sid\w* with|endors\w*)\b", re.I)


def wanted_relations(question: str) -> set[str]:
    return ({"rebuts"} if _DISAGREE.search(question) else set()) | (
        {"supports"} if _AGREE.search(question) else set())


def replies_by_relation(index: CorpusView, question: str, asked: str | None = None
                        ) -> set[str] | None:
    """For "who agreed / disagreed with X": the replies to X's posts that the map labels
    that way (possibly none). None when the question is not one, or no map is cached.
    ``asked``: the user's own words of a rewritten follow-up (see asks_about_replies)."""
    want = wanted_relations(asked if asked is not None else question)
    if not want or not asks_about_replies(index, question, asked):
        return None
    relations = cached_map(index).relations
    if relations is None:
        return None
    lex = lexical_index(index)
    mine = {lex.units[int(r)].post_id for a in authors_named(lex, question)[:3]
            for r in lex.author_units[a]}
    return {r for p in mine for r in index.replies.get(p, []) if relations.get(r) in want}


@dataclass(frozen=True)
class Plan:
    """Where ``ask`` looks for the answer (``route``), and with what: the posts retrieval is
    kept to (``within``), or the side(s) an overview question asks about (``side``)."""

    route: Route
    within: set[str] | None = None
    side: Side | None = None


def route(index: CorpusView, question: str, standalone: str, follow: bool,
          history: Iterable[Any] | None) -> Plan:
    """The routing decision, in one place. "Who agreed / disagreed with X" is answered by
    the reply relations; a follow-up with no words of its own ("Why did they say that?") by
    the last answer's posts and their thread context; an overview question (argmap.intent:
    it names arguments or a side and nothing beyond the proposition) by the argument map;
    everything else, facts and "who said", by retrieval."""
    # a follow-up's rewrite adds the earlier turns' words ("objections"): what it asks is in
    # the user's own words, whom it is about may come from the rewrite
    within = replies_by_relation(index, standalone, question)
    if within is not None:
        return Plan("relations", within)
    # ("And who disagreed with him?" is answered by the replies to the person it resolves to)
    if follow and not own_content(question) and not asks_about_replies(index, standalone,
                                                                       question):
        context = _last_context(index, history)
        if context is not None:
            return Plan("context", context)
    side = overview_side(standalone, default_proposition(index))
    return Plan("overview" if side else "retrieval", None, side)


def _abstain(question: str, standalone: str, engine: str, dropped: list[Any] | None = None
             ) -> Answer:
    return Answer(question=question, answer=NOT_IN_DISCUSSION, abstained=True, engine=engine,
                  dropped=list(dropped or []), standalone_question=standalone, route="abstain")


def ask(
    question: str,
    history: Iterable[Any] | None = None,
    corpus: str | None = None,
    engine: str | Engine | None = None,
    *,
    index: CorpusView | None = None,
    k: int = 8,
    on_token: TokenSink | None = None,
) -> Answer:
    """Answer ``question`` about a corpus with verified citations (or abstain)."""
    eng = engine if engine is not None and not isinstance(engine, str) else get_engine(engine)
    if index is None:
        from argmap.store import Store

        index = Store().open(corpus or settings().corpus)
    if isinstance(eng, ExtractiveEngine) and eng is not engine and eng.stances is None:
        eng.stances = cached_stances(index)
    turns = _turns(history, index)
    # only a question that cannot stand alone is rewritten, whichever engine condenses
    follow = bool(turns) and needs_history(question)
    standalone = eng.condense(question, turns) if follow else question
    plan = route(index, question, standalone, follow, history)
    if plan.side is not None:
        got = overview_answer(index, question, standalone, plan.side, eng.name)
        if got is not None:
            return got
    within = plan.within
    evidence = retrieve(index, standalone, k=k, within=within)
    if within is None and support(index, standalone, evidence, question) < threshold():
        return _abstain(question, standalone, eng.name)
    if within is None:
        evidence = screen(index, standalone, evidence, question)
    if not any(e.via == "hit" for e in evidence):
        return _abstain(question, standalone, eng.name)
    draft = eng.compose(standalone, evidence, index.posts, on_token)
    checked = check_answer(
        draft.text, draft.keyed, index.posts,
        keep_uncited=[draft.lead] if draft.lead else [], by_line=draft.by_line,
    )
    if checked.kept_sentences == 0:
        return _abstain(question, standalone, eng.name, checked.dropped)
    return Answer(
        question=question, answer=checked.text, abstained=False, engine=eng.name,
        citations=checked.citations, dropped=checked.dropped, standalone_question=standalone,
        route=plan.route,
    )

"""The default engine: answers made only of the corpus's own sentences, each cited.

No generator, nothing to invent: it selects the most relevant evidence sentences (by the
relevance re-ranker's score when ``ask`` ran it), drops near-duplicates (replies repeat their
parents), keeps at most ``MAX_SENTENCES``, leads with the best one and prints the rest in
thread order (the article, then each exchange as it happened) so claims come before their
rebuttals. Opinion questions get a one-line lead that only describes where the
evidence comes from, a statement about the answer itself that needs no citation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from argmap.engines import Draft, TokenSink, Turn
from argmap.records import Evidence, Post, who
from argmap.text import stop_words, tokens, word_key
from argmap.text import words as text_words

MAX_SENTENCES = 5
MIN_WORDS = 4
DUP_JACCARD = 0.6
_OPINION = re.compile(
    r"\b(think|thinks|opinion|opinions|argue\w*|argument\w*|agree\w*|disagree\w*|support\w*"
    r"|oppos\w*|against|should|why|view\w*|feel\w*|criticis\w*|defend\w*|side|sides|debate"
    r"|pros?|cons?|react\w*|objection\w*|rebut\w*|fair|right|wrong|good|bad)\b", re.I,
)
# Closed classes of English grammar a follow-up leans on (not any thread's words):
# third-person personal pronouns point at people named earlier; additive adverbs ("who
# else", "also") presuppose an earlier answer ("too" and "either" are left out: "too broad",
# "either side"). "it/this/that" can also mean the discussion's own topic ("Who argued that
# this is just PR?"), so they lean on the history only as a final object ("Why did they say
# that?") or in a question with no content words of its own.
_PERSONAL = frozenset(
    "he him his himself she her hers herself they them their theirs themselves".split())
_ADDITIVE = frozenset(("else", "also"))
_DEMONSTRATIVE = frozenset("it its this that these those".split())
_ELLIPSIS = re.compile(r"^\W*(and|but|also|what about|how about)\b", re.I)


def is_opinion_question(question: str) -> bool:
    return bool(_OPINION.search(question))


def key_terms(text: str, limit: int = 6) -> list[str]:
    """Content words of ``text`` in order: what a follow-up inherits from its predecessor."""
    stop = stop_words()
    words = [w for w in text_words(text) if w.lower() not in stop and len(w) > 2]
    return list(dict.fromkeys(words))[:limit]


def own_content(question: str) -> list[str]:
    """The question's own content words: its BM25 terms (stop words and verbs of saying
    out) less the closed-class words above."""
    closed = _PERSONAL | _ADDITIVE | _DEMONSTRATIVE
    return tokens(" ".join(w for w in text_words(question) if w.lower() not in closed))


def needs_history(question: str) -> bool:
    """True when the question cannot be understood alone (see the closed classes above)."""
    words = [w.lower() for w in text_words(question)]
    if not words:
        return False
    if _ELLIPSIS.match(question) or any(w in _PERSONAL or w in _ADDITIVE for w in words):
        return True
    return words[-1] in _DEMONSTRATIVE or not own_content(question)


def condense_rule(question: str, history: Sequence[Turn]) -> str:
    """Deterministic follow-up resolution: a question that needs the history inherits the
    last turn's focus author and key terms, appended in parentheses so the words the user
    typed stay first; a standalone question is returned unchanged."""
    if not history or not needs_history(question):
        return question
    q = question.strip()
    last = history[-1]
    extra = [a for a in last.focus[:1] if a.lower() not in q.lower()]
    extra += [t for t in key_terms(last.question) if t.lower() not in q.lower()
              and t not in last.focus]
    return f"{q} ({'; '.join(extra)})" if extra else question


def _bag(text: str) -> set[str]:
    """All the words, stop words too: a near-copy repeats the wording, not just the topic."""
    return set(word_key(text).split())


def prose_share(text: str) -> float:
    """Distinct content words / content words: 1.0 for ordinary prose, lower for a keyword
    list that repeats the words a question will contain (repeats raise BM25 term frequency
    and an embedding's weight on those words without saying anything more)."""
    stop = stop_words()
    words = [w.lower() for w in text_words(text) if w.lower() not in stop]
    return len(set(words)) / len(words) if words else 1.0


def select(evidence: Sequence[Evidence], limit: int = MAX_SENTENCES) -> list[Evidence]:
    """The best distinct, substantial sentences: score order, near-duplicates dropped."""
    hits = [e for e in evidence if e.via == "hit"]
    score = {id(e): e.score * prose_share(e.unit.text) for e in hits}
    ranked = sorted(hits, key=lambda e: -score[id(e)])
    if not ranked:
        return []
    chosen: list[Evidence] = []
    bags: list[set[str]] = []
    for e in ranked:
        if len(chosen) >= limit:
            break
        if len(text_words(e.unit.text)) < MIN_WORDS and chosen:
            continue
        bag = _bag(e.unit.text)
        if any(len(bag & b) / max(len(bag | b), 1) >= DUP_JACCARD for b in bags):
            continue
        chosen.append(e)
        bags.append(bag)
    return chosen


def lead_line(
    question: str, chosen: Sequence[Evidence], posts: Mapping[str, Post],
    stances: Mapping[str, str] | None = None,
) -> str:
    """Which side(s) the evidence comes from, for opinion questions; '' otherwise.

    With ``stances`` (post id -> for/against/neutral, from the argument map) it names the
    sides; without, it says only whose words follow. Either way it describes the answer,
    not the world, so it needs no citation.
    """
    if not chosen or not is_opinion_question(question):
        return ""
    comments = [e for e in chosen if e.unit.kind != "article"]
    people = {posts[e.unit.post_id].author or e.unit.post_id if e.unit.post_id in posts
              else e.unit.post_id for e in comments}
    n = len(people)
    if n == 0:
        return "From the article (no comment matched):"
    if stances:
        sides = Counter(stances.get(e.unit.post_id, "neutral") for e in comments)
        named = [f"{c} {s}" for s, c in ((s, sides[s]) for s in ("for", "against", "neutral"))
                 if c]
        both = "both sides" if sides["for"] and sides["against"] else "one side"
        return f"From {both} ({', '.join(named)} among the sentences below):"
    article = " and the article" if len(comments) < len(chosen) else ""
    return f"From {n} commenter{'s' if n != 1 else ''}{article}:"


_ORDERS: list[tuple[Mapping[str, Post], dict[str, int]]] = []


def _thread_order(posts: Mapping[str, Post]) -> dict[str, int]:
    """Position of each post in thread order, computed once per posts mapping (an index's
    ``posts`` lives as long as the index), not once per question."""
    for known, order in _ORDERS:
        if known is posts:
            return order
    order = {pid: i for i, pid in enumerate(posts)}
    _ORDERS.insert(0, (posts, order))
    del _ORDERS[4:]
    return order


class ExtractiveEngine:
    """Composes from evidence sentences only; ``condense`` is the deterministic rule."""

    name = "extractive"

    def __init__(
        self, max_sentences: int = MAX_SENTENCES, stances: Mapping[str, str] | None = None
    ) -> None:
        self.max_sentences = max_sentences
        self.stances = stances  # post id -> for/against/neutral, when an argument map exists

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        return condense_rule(question, history)

    def compose(
        self,
        question: str,
        evidence: Sequence[Evidence],
        posts: Mapping[str, Post],
        on_token: TokenSink | None = None,
    ) -> Draft:
        chosen = select(evidence, self.max_sentences)
        order = _thread_order(posts)
        # the sentence most likely to answer leads; the rest follow in thread order
        chosen[1:] = sorted(chosen[1:], key=lambda e: (order.get(e.unit.post_id, len(order)),
                                                       e.unit.start))
        keyed: dict[str, tuple[str, str]] = {}
        lines: list[str] = []
        lead = lead_line(question, chosen, posts, self.stances)
        if lead:
            lines.append(lead)
        for i, e in enumerate(chosen, start=1):
            keyed[str(i)] = (e.unit.post_id, e.unit.text)
            text = " ".join(e.unit.text.split())
            lines.append(f"{who(posts.get(e.unit.post_id))}: \u201c{text}\u201d [{i}]")
        out = "\n".join(lines)
        if on_token and out:
            on_token(out)
        return Draft(text=out, keyed=keyed, lead=lead, raw=out, by_line=True)

"""Which kind of question this is: the one rule that sends a question to the argument map.

An overview question ("Summarize the arguments for and against", "What are the main
objections?", "What do people think about the ban?") asks for the discussion's arguments as
a whole, not for a sentence that states a fact. It is told apart by its form, not by any
thread's wording: it names the *genre* of the answer (arguments, a summary, opinions, one
side) and has no content of its own beyond the discussion's proposition. "Who argued the ban
is a publicity stunt?" names an argument too, but "publicity stunt" is its own content, so
retrieval answers it; "What did taustin think?" names a person, so it goes to retrieval too.

The vocabularies below are closed sets of English meta-discourse: words for talking about
a debate (summary, argument, side, objection, opinion) and about the discussion itself
(thread, article). They name no topic and were written from no thread.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from argmap.text import FOLD, stems, tokens, words

Side = Literal["for", "against", "both"]

# Asks for what is argued or thought, with no side ("summarize", "the arguments", "views").
_GENRE = (
    "summary summarize summarise summarized summarised overview recap gist outline "
    "argument arguments argue argued argues arguing reason reasons point points "
    "opinion opinions view views viewpoint viewpoints think thinks thought thoughts feel "
    "feels believe believes position positions stance stances perspective perspectives "
    "sentiment reaction reactions react debate debated discuss discussed side sides "
    "response responses advice suggestion suggestions recommendation recommendations"
)
# A side of the proposition, named by a word that says so.
_AGAINST = (
    "against oppose opposes opposed opposing opposition opponent opponents object objects "
    "objected objection objections con cons criticism criticisms critic critics criticise "
    "criticize criticised criticized disagree disagrees disagreed downside downsides "
    "drawback drawbacks concern concerns complaint complaints weakness weaknesses"
)
_FOR = (
    "favour favor favours favors supports support supported supporting supporter supporters "
    "proponent proponents pro pros defend defends defended defence defense agree agrees "
    "agreed benefit benefits upside upsides advantage advantages strength strengths"
)
# "for" names a side only after a word for an argument ("arguments for", "the case for").
_FOR_AFTER = "argument arguments reason reasons case point points"
# Neither genre nor content: the request itself, the verbs an argument is made with ("raise
# an objection", "bring up a point"), how much or which of the arguments, and the discussion
# itself and what it debates ("OP", "the decision", "the plan").
_FRAME = (
    "give show list describe explain sum quick short brief say saying says said talk "
    "talking make making made raise raised raising bring brought offer offered put present "
    "presented main key major principal chief strongest strong best "
    "biggest big common top different various overall general important usual typical "
    "both each sides people folks everyone others commenters posters users participants "
    "discussion thread article story post topic issue headline proposal conversation op "
    "poster author decision policy plan idea move choice kind kinds type types sort sorts"
)


@lru_cache(maxsize=1)
def _vocab() -> dict[str, frozenset[str]]:
    def of(text: str) -> frozenset[str]:
        return frozenset(stems(text.split()))

    return {"genre": of(_GENRE), "against": of(_AGAINST), "for": of(_FOR),
            "for_after": of(_FOR_AFTER), "frame": of(_FRAME)}


def side_named(question: str) -> Side | None:
    """The side(s) a question names: "for" and "against" both, one of them, or None."""
    v = _vocab()
    said = [w.lower() for w in words(question.translate(FOLD))]
    st = stems(said)
    against = any(s in v["against"] for s in st)
    pro = any(s in v["for"] for s in st) or any(
        w == "for" and i and st[i - 1] in v["for_after"] for i, w in enumerate(said)) or (
        "favour" in said or "favor" in said)
    if against and pro:
        return "both"
    return "against" if against else "for" if pro else None


def overview_side(question: str, proposition: str) -> Side | None:
    """The side(s) an overview question asks about ("both" when it names none), or None
    when the question is not an overview: it names no genre or side, or it has a content
    word that is neither about arguments nor in the proposition."""
    v = _vocab()
    st = set(stems([w.lower() for w in words(question.translate(FOLD))]))
    side = side_named(question)
    if side is None and not st & v["genre"]:
        return None
    known = v["genre"] | v["against"] | v["for"] | v["frame"] | set(tokens(proposition))
    if set(tokens(question)) - known:
        return None
    both = bool(st & {"both", "side"}) or side is None
    return "both" if both else side

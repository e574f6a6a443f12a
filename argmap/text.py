"""Text handling every stage shares: words, search tokens, quote cleaning, locating a quote.

Chat retrieval, citation lookup, the verifier, key points and unit splitting all read text
through these functions, so "banned" is the same search term everywhere and a quote found
by one surface is found by every other. Offsets always refer to the text as published.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

# Same-width typographic variants (curly quotes, no-break space, dashes): folding them keeps
# every character offset, and a quote pasted from a browser or written by a model rarely
# keeps the source's quote characters.
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u00a0": " ", "\u2013": "-", "\u2014": "-"})
# A word, with inner apostrophes or hyphens ("don't", "real-time", "o'brien").
WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
# Words that ask about the conversation rather than its content: "what did X argue" must not
# match every sentence containing "argue". Added to NLTK's English list (see stop_words).
_ABOUT_TALK = frozenset(
    "also could would may might must shall say says said tell think thinks thought anyone "
    "someone somebody people person commenter commenters comment comments discussion "
    "one like get got make made mention mentioned "
    "argue argues argued arguing disagree disagrees disagreed agree agrees agreed claim claims "
    "claimed believe believes believed opinion opinions respond responds responded reply "
    "replies replied rebut rebuts rebutted react reacted push pushed".split()
)
# Numbers written as words get the token their digits get ("thirteenth" and "13th" -> "13th",
# "two" and "2" -> "2"): the forms come from num2words, up to this many (larger numbers are
# rarely spelt out in one word).
NUMBER_WORDS_UP_TO = 100
_DIGIT_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
_QUOTE_MARKS = " \t\r\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"
_ELLIPSIS = re.compile(r"^(?:\.\.\.|\u2026)\s*|\s*(?:\.\.\.|\u2026)$")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """NLTK's English stop words (as bm25s ships them) plus words about the conversation.
    Loaded on first use: unit-splitting helper processes never import bm25s."""
    import bm25s

    return frozenset(bm25s.stopwords.STOPWORDS_EN_PLUS) | _ABOUT_TALK


@lru_cache(maxsize=1)
def _number_forms() -> dict[str, str]:
    """Cardinal and ordinal number words (one word, maybe hyphenated) -> their number token."""
    from num2words import num2words

    out: dict[str, str] = {}
    for n in range(NUMBER_WORDS_UP_TO + 1):
        out[num2words(n)] = str(n)
        out[num2words(n, to="ordinal")] = f"{n}th"
    return {w: t for w, t in out.items() if " " not in w}


def number_token(word: str) -> str | None:
    """The token of a lower-case word that is a number ("13th", "thirteenth", "2", "two"),
    else None: ordinals end in "th" whatever their English suffix, so "1st" is "first"."""
    if word[:1].isdigit():
        if word.isdigit():
            return word
        m = _DIGIT_ORDINAL.fullmatch(word)
        return f"{m.group(1)}th" if m else None
    return _number_forms().get(word)


def words(text: str) -> list[str]:
    """The words of ``text`` in order, as written."""
    return WORD.findall(text)


def tokens(text: str) -> list[str]:
    """Search terms: lower-cased word parts of two or more characters, stop words out,
    Snowball-stemmed (ban / bans / banned -> ban), a number as its digits whether written
    in words or not (any length: "2" is as much a term as "two"). The BM25 index and every
    query use it; BM25 is built in memory per process, so no stored index needs rebuilding
    when this changes."""
    stop = stop_words()
    out: list[str] = []
    for w in WORD.findall(text.lower().translate(FOLD)):
        if w in stop:
            continue
        number = number_token(w)
        if number is not None:
            out.append(number)
            continue
        for part in re.split(r"['-]", w):
            if not part or part in stop:
                continue
            number = number_token(part)
            if number is not None or len(part) > 1:
                out.append(number or part)
    return _stemmer().stemWords(out)  # type: ignore[no-any-return]


def stems(words: list[str]) -> list[str]:
    """Snowball stems of words as given (stop words kept): the stems ``tokens`` uses."""
    return _stemmer().stemWords(words)  # type: ignore[no-any-return]


def word_key(text: str) -> str:
    """Case- and punctuation-free form: two texts with the same words compare equal."""
    return " ".join(words(text.lower().translate(FOLD)))


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold typography and collapse whitespace runs to one space; return the new text and,
    for each of its characters, the offset it came from in ``text``."""
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


def clean_quote(quote: str) -> str:
    """A quote without its wrapping: quote marks, ellipses, a final full stop, extra space."""
    q = " ".join(quote.translate(FOLD).split()).strip(_QUOTE_MARKS)
    return _ELLIPSIS.sub("", q).strip(_QUOTE_MARKS + ".")


def locate(text: str, needle: str, start: int = 0, end: int | None = None
           ) -> tuple[int, int] | None:
    """(start, end) in ``text`` of the first occurrence of ``needle`` inside
    ``text[start:end]``: verbatim if it is there, else after ``normalise`` on both sides."""
    end = len(text) if end is None else end
    needle = needle.strip()
    if not needle:
        return None
    pos = text.find(needle, start, end)
    if pos >= 0:
        return pos, pos + len(needle)
    hay, where = normalise(text[start:end])
    want = normalise(needle)[0]
    pos = hay.find(want)
    if pos < 0:
        return None
    return start + where[pos], start + where[pos + len(want) - 1] + 1


# What a sentence cut out of a post can start with that is not part of it: punctuation,
# an ellipsis, list bullets and dashes, a '>' quote marker.
_LEAD = re.compile(r"[\s.,;:!?\u2026*>\u2022)\]}/|~_-]+")
# The tail of the previous sentence run into this one with no space ("the rest.I would"):
# a lower-case word, sentence punctuation, then a capitalised word ("U.S. law" has none).
_RUN_ON = re.compile(r"[^.!?]*[a-z]{2,}[.!?]+(?=[A-Z])")
_ENDS = (".", "!", "?", '"', "'", ")", "\u2026")


def clause_start(text: str) -> int:
    """Where the sentence proper starts in ``text``: past leading punctuation, an ellipsis
    and a piece of the sentence before it run on without a space."""
    pos = 0
    for pattern in (_LEAD, _RUN_ON, _LEAD):
        m = pattern.match(text, pos)
        pos = m.end() if m else pos
    return pos


def clean_clause(text: str) -> str:
    """A sentence fit to stand alone as a label: no leading punctuation, ellipsis or piece
    of the sentence before it, a capital first letter, and an ellipsis where the writer's
    sentence was cut off (so a reader sees it continues rather than a claim that stops)."""
    s = " ".join(text.split())
    s = s[clause_start(s):]
    if not s:
        return " ".join(text.split())
    s = s[0].upper() + s[1:]
    return s if s.endswith(_ENDS) else s.rstrip(",;:-") + "\u2026"


def question_start(text: str) -> int | None:
    """Where the question that ends ``text`` starts (its last sentence, cleanly begun), or
    None when ``text`` does not end in a question."""
    if not text.rstrip().endswith("?"):
        return None
    import pysbd  # only the brief asks this; ingest's unit splitter loads it anyway

    last = pysbd.Segmenter(language="en", clean=False).segment(text)[-1].strip()
    pos = text.rfind(last) if last else -1
    pos = max(pos, 0)
    return pos + clause_start(text[pos:])

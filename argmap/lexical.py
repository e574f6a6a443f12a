"""BM25 over a corpus's units, plus the per-generation lookups retrieval needs.

Built once per (store, corpus, generation) and kept for the life of the process, so a
question costs a sparse dot product, not a pass over the corpus. Query tokens go through
exactly the pipeline ``bm25s.tokenize`` applied at index time (lower-case, token pattern,
stop words, stemming), reimplemented because its per-call setup costs ~4 ms.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np

from argmap.records import Unit

_WORD = re.compile(r"[\w'-]+")
# NLTK's English list (via bm25s) plus question words: "what did X say" must not match
# every sentence containing "say".
STOPWORDS = sorted(set(bm25s.stopwords.STOPWORDS_EN_PLUS) | set(
    "also could would may might must shall say says said tell think thinks thought anyone "
    "someone somebody people person commenter commenters comment comments discussion "
    "one like get got make made mention mentioned "
    # words about the conversation itself, not its content ("what did X argue")
    "argue argues argued arguing disagree disagrees disagreed agree agrees agreed claim claims "
    "claimed believe believes believed opinion opinions respond responds responded reply "
    "replies replied rebut rebuts rebutted react reacted push pushed".split()
))


def _stem1(w: str) -> str:
    """A light suffix stripper (no PyStemmer wheel here): bans/banned/banning -> ban."""
    if len(w) <= 3:
        return w
    for suf, rep in (("ies", "y"), ("sses", "ss"), ("ings", ""), ("ing", ""), ("edly", ""),
                     ("ed", ""), ("ly", ""), ("es", ""), ("s", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3 and not w.endswith(("ss", "us", "is")):
            w = w[: len(w) - len(suf)] + rep
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def _stem(words: list[str]) -> list[str]:
    return [_stem1(w) for w in words]


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern
_STOPSET = frozenset(STOPWORDS)


def tokens(text: str) -> list[str]:
    """Query tokens in the index's vocabulary form: what ``bm25s.tokenize`` does at index
    time (lower-case, its token pattern, stop words out, stem), without its per-call setup."""
    return [_stem1(w) for w in _TOKEN.findall(text.lower()) if w not in _STOPSET]


@dataclass
class LexicalIndex:
    """BM25 over unit texts plus the per-generation lookups retrieval needs."""

    bm25: Any
    units: list[Unit]
    doc_freq: np.ndarray
    post_units: dict[str, list[int]] = field(default_factory=dict)
    author_units: dict[str, np.ndarray] = field(default_factory=dict)
    authors_lower: dict[str, str] = field(default_factory=dict)
    row_of: dict[str, int] = field(default_factory=dict)

    def scores(self, query: str) -> np.ndarray:
        ids = self.bm25.get_tokens_ids(tokens(query))
        if not ids:
            return np.zeros(len(self.units), dtype=np.float32)
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)

    def idf_coverage(self, query: str, texts: list[str], skip: set[str] | None = None) -> float:
        """Share of the query's IDF mass whose terms occur in ``texts`` (0..1); ``skip``
        terms (e.g. an author's name, answered by who wrote the text) are left out."""
        vocab = self.bm25.vocab_dict
        terms = [t for t in dict.fromkeys(tokens(query)) if t not in (skip or set())]
        if not terms:
            return 1.0 if skip else 0.0
        n = max(len(self.units), 1)
        # a word the corpus never uses counts fully against coverage
        idf = {t: float(np.log(1 + n / (1 + (self.doc_freq[vocab[t]] if t in vocab else 0))))
               for t in terms}
        joined = " ".join(texts)
        # both splits: "real-time" covers the query terms "real" and "time" as well
        have = set(_stem(_WORD.findall(joined.lower()))) | set(tokens(joined))
        return sum(v for t, v in idf.items() if t in have) / max(sum(idf.values()), 1e-9)


_LEX: dict[tuple[str, str, str], LexicalIndex] = {}
_LEX_LOCK = threading.Lock()


def lexical_index(index: Any) -> LexicalIndex:
    """Built once per (store, corpus, generation) and kept: about 1 s per 50k units."""
    key = (getattr(index.store, "location", ""), index.name, index.info.generation)
    with _LEX_LOCK:
        got = _LEX.get(key)
        if got is None:
            got = _LEX[key] = _build_lexical(index)
        return got


def _build_lexical(index: Any) -> LexicalIndex:
    units: list[Unit] = index.units
    corpus = bm25s.tokenize([u.text for u in units] or [""], stopwords=STOPWORDS, stemmer=_stem,
                            show_progress=False)
    bm25 = bm25s.BM25()
    bm25.index(corpus, show_progress=False)
    doc_freq = np.diff(np.asarray(bm25.scores["indptr"]))
    post_units: dict[str, list[int]] = {}
    by_author: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        post_units.setdefault(u.post_id, []).append(i)
    for pid, rows in post_units.items():
        post = index.posts.get(pid)
        if post is not None and post.author:
            by_author.setdefault(post.author, []).extend(rows)
    return LexicalIndex(
        bm25=bm25, units=units, doc_freq=doc_freq, post_units=post_units,
        author_units={a: np.asarray(r) for a, r in by_author.items()},
        authors_lower={a.lower(): a for a in by_author},
        row_of={u.id: i for i, u in enumerate(units)},
    )


def authors_named(lex: LexicalIndex, question: str) -> list[str]:
    """Known authors the question names (case-insensitive, up to 3-word names)."""
    words = _WORD.findall(question.lower())
    found: list[str] = []
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            name = " ".join(words[i : i + n]).strip("'")
            hit = lex.authors_lower.get(name) or lex.authors_lower.get(name.removesuffix("'s"))
            if hit and hit not in found:
                found.append(hit)
    return found

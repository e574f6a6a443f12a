"""BM25 over a corpus's units, plus the per-generation lookups retrieval and lookup need.

Built once per (store, corpus, generation) and kept for the life of the process, so a
question costs a sparse dot product, not a pass over the corpus. Units and queries are
tokenised by the same ``argmap.text.tokens``, so chat and citation lookup rank alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np

from argmap.records import Unit
from argmap.text import tokens, words
from argmap.view import CorpusView


@dataclass
class LexicalIndex:
    """BM25 over the texts of the units that can be evidence, plus the per-generation
    lookups retrieval needs. Rows are positions in ``units`` (every unit of the corpus)."""

    bm25: Any
    units: list[Unit]
    doc_freq: np.ndarray
    # per row: (part of) an instruction to a model (argmap.injection). Such units stay out of
    # BM25 altogether, so injected comments cannot shift a word's weight for the rest.
    to_model: np.ndarray
    post_units: dict[str, list[int]] = field(default_factory=dict)
    author_units: dict[str, np.ndarray] = field(default_factory=dict)
    authors_lower: dict[str, str] = field(default_factory=dict)
    row_of: dict[str, int] = field(default_factory=dict)

    def citable(self, unit_id: str) -> bool:
        row = self.row_of.get(unit_id)
        return row is not None and not self.to_model[row]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row (0 for rows that cannot be evidence)."""
        out = np.zeros(len(self.units), dtype=np.float32)
        ids = self.bm25.get_tokens_ids(tokens(query))
        if ids:
            out[~self.to_model] = self.bm25.get_scores_from_ids(ids)
        return out

    def ranked(self, query: str, n: int) -> list[tuple[int, float]]:
        """The ``n`` best-scoring unit rows for ``query`` with their BM25 scores."""
        scores = self.scores(query)
        return [(r, float(scores[r])) for r in top_rows(scores, None, n)]

    def idf_coverage(self, query: str, texts: list[str], skip: set[str] | None = None) -> float:
        """Share of the query's IDF mass whose terms occur in ``texts`` (0..1); ``skip``
        terms (e.g. an author's name, answered by who wrote the text) are left out."""
        vocab = self.bm25.vocab_dict
        terms = [t for t in dict.fromkeys(tokens(query)) if t not in (skip or set())]
        if not terms:
            return 1.0 if skip else 0.0
        n = max(int((~self.to_model).sum()), 1)
        # a word the corpus never uses counts fully against coverage
        idf = {t: float(np.log(1 + n / (1 + (self.doc_freq[vocab[t]] if t in vocab else 0))))
               for t in terms}
        # tokens() splits "real-time" too, so it covers the query terms "real" and "time"
        have = set(tokens(" ".join(texts)))
        return sum(v for t, v in idf.items() if t in have) / max(sum(idf.values()), 1e-9)


def lexical_index(index: CorpusView) -> LexicalIndex:
    """Built once per index generation and dropped with it: about 1 s per 50k units."""
    return index.memo("lexical", lambda: _build_lexical(index))


def _build_lexical(index: CorpusView) -> LexicalIndex:
    units: list[Unit] = index.units
    post_units: dict[str, list[int]] = {}
    by_author: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        post_units.setdefault(u.post_id, []).append(i)
    for pid, rows in post_units.items():
        post = index.posts.get(pid)
        if post is not None and post.author:
            by_author.setdefault(post.author, []).extend(rows)
    to_model = np.fromiter((u.to_model for u in units), dtype=bool, count=len(units))
    bm25 = bm25s.BM25()
    bm25.index([tokens(u.text) for u, bad in zip(units, to_model, strict=True) if not bad]
               or [[]], show_progress=False)
    doc_freq = np.diff(np.asarray(bm25.scores["indptr"]))
    return LexicalIndex(
        bm25=bm25, units=units, doc_freq=doc_freq, to_model=to_model, post_units=post_units,
        author_units={a: np.asarray(r) for a, r in by_author.items()},
        authors_lower={a.lower(): a for a in by_author},
        row_of={u.id: i for i, u in enumerate(units)},
    )


def top_rows(scores: np.ndarray, rows: np.ndarray | None, n: int) -> list[int]:
    """Row numbers of the n best positive scores (optionally only among ``rows``)."""
    if rows is not None:
        sub = scores[rows]
        keep = rows[sub > 0]
        sub = sub[sub > 0]
    else:
        keep = np.flatnonzero(scores > 0)
        sub = scores[keep]
    if len(keep) > n:
        part = np.argpartition(-sub, n)[:n]
        keep, sub = keep[part], sub[part]
    return [int(i) for i in keep[np.argsort(-sub, kind="stable")]]


def authors_named(lex: LexicalIndex, question: str) -> list[str]:
    """Known authors the question names (case-insensitive, up to 3-word names)."""
    said = words(question.lower())
    found: list[str] = []
    for n in (3, 2, 1):
        for i in range(len(said) - n + 1):
            name = " ".join(said[i : i + n]).strip("'")
            hit = lex.authors_lower.get(name) or lex.authors_lower.get(name.removesuffix("'s"))
            if hit and hit not in found:
                found.append(hit)
    return found

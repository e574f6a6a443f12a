"""Question -> ranked Evidence: dense + BM25, fused, diversified, thread-aware, author-aware.

Dense (MiniLM in Chroma) finds paraphrases; BM25 (``bm25s``) finds rare exact words such
as "13th amendment" that small embedding models blur. The two rankings are fused by
weighted reciprocal rank, then MMR keeps near-duplicate sentences (replies repeat their
parents) from crowding the answer. A retrieved reply pulls in the parent sentence it
answers and a retrieved post its best reply, so an engine sees both sides of an exchange.
Per-query work is numpy over arrays built once per index generation, never Python loops
over the corpus.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np

from argmap.records import Evidence, Unit

RRF_K = 60
MMR_LAMBDA = 0.75
DENSE_W, LEXICAL_W, AUTHOR_BOOST = 0.7, 0.3, 0.25
_REPLY_INTENT = re.compile(
    r"\b(disagre\w*|agree\w*|repl\w*|respon\w*|rebut\w*|answer\w*|argu\w* with|push\w* back"
    r"|challeng\w*|object\w*|counter\w*|react\w*)\b", re.I,
)
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
        have = set(_stem(_WORD.findall(" ".join(texts).lower())))
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


def asks_about_replies(index: Any, question: str) -> bool:
    """"Who disagreed with taustin?": a named author whose posts drew replies. The answer
    is structural (those replies), so lexical or dense closeness says little about it."""
    if not _REPLY_INTENT.search(question):
        return False
    lex = lexical_index(index)
    return any(len(_reply_rows(index, lex, a)) for a in authors_named(lex, question))


_QUERIES: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_QUERIES_MAX = 2048


def query_vector(index: Any, question: str) -> np.ndarray:
    """The question's embedding, memoised in-process: a query is not worth a disk write
    in the shared embedding cache (that commit cost more than the model call itself)."""
    emb = index.store.embeddings
    key = (str(getattr(emb, "model_id", "")), question)
    with _LEX_LOCK:
        got = _QUERIES.get(key)
        if got is not None:
            _QUERIES.move_to_end(key)
            return got
    vec = np.asarray(emb.encode([question])[0], dtype=np.float32)
    with _LEX_LOCK:
        _QUERIES[key] = vec
        while len(_QUERIES) > _QUERIES_MAX:
            _QUERIES.popitem(last=False)
    return vec


def _top(scores: np.ndarray, rows: np.ndarray | None, n: int) -> list[int]:
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


def _vectors(index: Any, unit_ids: list[str]) -> dict[str, np.ndarray]:
    if not unit_ids:
        return {}
    got = index.units_store.get(ids=unit_ids, include=["embeddings"])
    return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"],
                                                                 strict=True)}


def retrieve(
    index: Any, question: str, k: int = 8, candidates: int = 40, expand: bool = True
) -> list[Evidence]:
    """The ``k`` best, mutually diverse units for ``question`` (+ thread context if ``expand``).

    Candidates come from weighted reciprocal-rank fusion of the dense and BM25 rankings (and
    author-filtered ones when the question names someone); each candidate's relevance is
    then ``DENSE_W * cosine + LEXICAL_W * BM25/best BM25 (+ AUTHOR_BOOST)``, which MMR uses.
    """
    lex = lexical_index(index)
    if not lex.units or not question.strip():
        return []
    qvec = query_vector(index, question)
    qlist = qvec.tolist()
    bm = lex.scores(question)
    ranked: list[tuple[float, list[str]]] = [
        (1.0, [u.id for u, _ in index.dense_search(qlist, candidates)]),
        (1.0, [lex.units[i].id for i in _top(bm, None, candidates)]),
    ]
    boosted: set[str] = set()
    demoted: set[str] = set()  # "who disagreed with X": X's own words are not the answer
    for author in authors_named(lex, question)[:3]:
        if _REPLY_INTENT.search(question):
            rows = _reply_rows(index, lex, author)
            demoted.update(lex.units[int(r)].id for r in lex.author_units[author])
        else:
            rows = lex.author_units[author]
            ranked.append((2.0, _dense_among(index, lex, rows, qvec, qlist, author, candidates)))
        ids = [lex.units[i].id for i in _rank_rows(bm, rows, candidates)]
        ranked.append((2.0, ids))
        boosted.update(lex.units[r].id for r in rows.tolist())
    fused: dict[str, float] = {}
    for weight, ids in ranked:
        for rank, uid in enumerate(ids):
            fused[uid] = fused.get(uid, 0.0) + weight / (RRF_K + rank)
    pool = sorted(fused, key=lambda u: -fused[u])[: max(3 * k, 24)]
    vecs = _vectors(index, pool)
    pool = [u for u in pool if u in vecs]
    if not pool:
        return []
    mat = np.stack([vecs[u] for u in pool])
    cos = mat @ qvec
    lexical = np.asarray([bm[lex.row_of[u]] for u in pool], dtype=np.float32)
    best_bm = float(bm.max()) if len(bm) else 0.0
    rel = DENSE_W * cos + LEXICAL_W * (lexical / best_bm if best_bm > 0 else 0.0)
    rel = rel + AUTHOR_BOOST * np.asarray(
        [(u in boosted) - (u in demoted) for u in pool], dtype=np.float32
    )
    chosen = _mmr(mat, rel, k)
    units = index.unit_by_id
    out = [
        Evidence(units[pool[i]], float(rel[i]), dense=float(cos[i]), lexical=float(lexical[i]))
        for i in chosen
    ]
    if expand:
        out.extend(_expand(index, lex, out[:3], {pool[i]: mat[i] for i in chosen}, qvec))
    return out


def _dense_among(index: Any, lex: LexicalIndex, rows: np.ndarray, qvec: np.ndarray,
                 qlist: list[float], author: str, n: int) -> list[str]:
    """An author's units by cosine: exact over their vectors (a filtered HNSW query costs
    ~100 ms at 40k units); Chroma's filtered search only for very prolific authors."""
    if len(rows) > 2000:
        return [u.id for u, _ in index.dense_search(qlist, n, where={"author": author})]
    ids = [lex.units[r].id for r in rows.tolist()]
    vecs = _vectors(index, ids)
    ids = [i for i in ids if i in vecs]
    if not ids:
        return []
    sims = np.stack([vecs[i] for i in ids]) @ qvec
    return [ids[i] for i in np.argsort(-sims)[:n]]


def _rank_rows(bm: np.ndarray, rows: np.ndarray, n: int) -> list[int]:
    """Rows by BM25, then the rest in thread order: an author's words all count."""
    best = _top(bm, rows, n)
    seen = set(best)
    return best + [int(r) for r in rows if int(r) not in seen][: max(0, n - len(best))]


def _reply_rows(index: Any, lex: LexicalIndex, author: str) -> np.ndarray:
    rows: list[int] = []
    for pid in {lex.units[int(r)].post_id for r in lex.author_units[author]}:
        for reply in index.replies.get(pid, []):
            rows.extend(lex.post_units.get(reply, []))
    return np.asarray(sorted(set(rows)), dtype=np.int64)


def _mmr(mat: np.ndarray, rel: np.ndarray, k: int) -> list[int]:
    """Maximal marginal relevance: relevance minus similarity to what is already chosen."""
    chosen: list[int] = []
    sim_to_chosen = np.full(len(rel), -1.0, dtype=np.float32)
    for _ in range(min(k, len(rel))):
        score = MMR_LAMBDA * rel - (1 - MMR_LAMBDA) * np.maximum(sim_to_chosen, 0)
        score[chosen] = -np.inf
        best = int(np.argmax(score))
        chosen.append(best)
        sim_to_chosen = np.maximum(sim_to_chosen, mat @ mat[best])
    return chosen


def _expand(
    index: Any, lex: LexicalIndex, hits: list[Evidence], hit_vecs: dict[str, np.ndarray],
    qvec: np.ndarray,
) -> list[Evidence]:
    """For each top hit: its parent's closest sentence and its closest reply sentence."""
    have = {e.unit.id for e in hits} | set(hit_vecs)
    wanted: list[tuple[Evidence, str, list[str]]] = []
    for e in hits:
        post = index.posts.get(e.unit.post_id)
        if post is None:
            continue
        if post.parent_id:
            rows = lex.post_units.get(post.parent_id, [])
            wanted.append((e, "parent", [lex.units[r].id for r in rows]))
        replies = [r for p in index.replies.get(post.id, []) for r in lex.post_units.get(p, [])]
        wanted.append((e, "reply", [lex.units[r].id for r in replies[:60]]))
    vecs = _vectors(index, sorted({u for _, _, ids in wanted for u in ids} - have))
    out: list[Evidence] = []
    for e, via, ids in wanted:
        ids = [u for u in ids if u in vecs and u not in have]
        if not ids or e.unit.id not in hit_vecs:
            continue
        mat = np.stack([vecs[u] for u in ids])
        best = int(np.argmax(mat @ hit_vecs[e.unit.id] + 0.5 * (mat @ qvec)))
        have.add(ids[best])
        out.append(Evidence(index.unit_by_id[ids[best]], e.score * 0.5,
                            dense=float(mat[best] @ qvec), via=via))  # type: ignore[arg-type]
    return out

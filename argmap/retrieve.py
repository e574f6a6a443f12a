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
from collections.abc import Collection

import numpy as np

from argmap.lexical import LexicalIndex, authors_named, lexical_index, top_rows
from argmap.records import Evidence
from argmap.view import CorpusView

__all__ = ["authors_named", "asks_about_replies", "lexical_index", "query_vector", "retrieve"]

RRF_K = 60
MMR_LAMBDA = 0.75
DENSE_W, LEXICAL_W, AUTHOR_BOOST = 0.7, 0.3, 0.25
_REPLY_INTENT = re.compile(
    r"\b(disagre\w*|agree\w*|repl\w*|respon\w*|rebut\w*|answer\w*|argu\w* with|push\w* back"
    r"|challeng\w*|object\w*|counter\w*|react\w*)\b", re.I,
)


def asks_about_replies(index: CorpusView, question: str, asked: str | None = None) -> bool:
    """"Who disagreed with taustin?": a named author whose posts drew replies. The answer
    is structural (those replies), so lexical or dense closeness says little about it.
    ``asked``: the user's own words, when ``question`` is a follow-up rewritten with the
    earlier turns' terms; only they say what is asked (the rest says about whom)."""
    if not _REPLY_INTENT.search(asked if asked is not None else question):
        return False
    lex = lexical_index(index)
    return any(len(_reply_rows(index, lex, a)) for a in authors_named(lex, question))


_QUERIES: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_QUERIES_MAX = 2048
_QUERIES_LOCK = threading.Lock()


def query_vector(index: CorpusView, question: str) -> np.ndarray:
    """The question's embedding, memoised in-process: a query is not worth a disk write
    in the shared embedding cache (that commit cost more than the model call itself)."""
    emb = index.store.embeddings
    key = (str(getattr(emb, "model_id", "")), question)
    with _QUERIES_LOCK:
        got = _QUERIES.get(key)
        if got is not None:
            _QUERIES.move_to_end(key)
            return got
    vec = np.asarray(emb.encode([question])[0], dtype=np.float32)
    with _QUERIES_LOCK:
        _QUERIES[key] = vec
        while len(_QUERIES) > _QUERIES_MAX:
            _QUERIES.popitem(last=False)
    return vec


def retrieve(
    index: CorpusView, question: str, k: int = 8, candidates: int = 40, expand: bool = True,
    within: Collection[str] | None = None,
) -> list[Evidence]:
    """The ``k`` best, mutually diverse units for ``question`` (+ thread context if ``expand``).

    Candidates come from weighted reciprocal-rank fusion of the dense and BM25 rankings (and
    author-filtered ones when the question names someone); each candidate's relevance is
    then ``DENSE_W * cosine + LEXICAL_W * BM25/best BM25 (+ AUTHOR_BOOST)``, which MMR uses.
    ``within`` (post ids) keeps only those posts' units (a follow-up about the last answer).
    """
    lex = lexical_index(index)
    if not lex.units or not question.strip():
        return []
    qvec = query_vector(index, question)
    qlist = qvec.tolist()
    bm = lex.scores(question)
    # instructions to a model are never evidence (argmap.injection): ask for as many more
    dense = index.dense_search(qlist, candidates + min(int(lex.to_model.sum()), 4 * candidates))
    ranked: list[tuple[float, list[str]]] = [
        (1.0, [u.id for u, _ in dense if lex.citable(u.id)][:candidates]),
        (1.0, [lex.units[i].id for i in top_rows(bm, None, candidates)]),
    ]
    boosted: set[str] = set()
    demoted: set[str] = set()  # "who disagreed with X": X's own words are not the answer
    named = [] if within is not None else authors_named(lex, question)[:3]
    if within is not None:
        rows = np.asarray(sorted(r for p in within for r in lex.post_units.get(p, [])),
                          dtype=np.int64)
        ranked.append((2.0, [lex.units[i].id for i in _rank_rows(bm, rows, candidates)]))
        boosted.update(lex.units[r].id for r in rows.tolist())
    for author in named:
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
    # A question naming an author (by the author field) is answered by that author's posts,
    # or the replies to them; a post that only *mentions* the name ("I am X and ...") is not.
    scoped = [u for u in fused if u in boosted] if named or within is not None else list(fused)
    pool = [u for u in sorted(scoped, key=lambda u: -fused[u]) if lex.citable(u)][: max(3 * k, 24)]
    vecs = index.unit_vectors(pool)
    units = index.unit_by_id
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
    out = [
        Evidence(units[pool[i]], float(rel[i]), dense=float(cos[i]), lexical=float(lexical[i]))
        for i in chosen
    ]
    if expand:
        extra = _expand(index, lex, out[:3], {pool[i]: mat[i] for i in chosen}, qvec)
        out.extend(extra)
    return out


def _dense_among(index: CorpusView, lex: LexicalIndex, rows: np.ndarray, qvec: np.ndarray,
                 qlist: list[float], author: str, n: int) -> list[str]:
    """An author's units by cosine: exact over their vectors (cheaper than a filtered HNSW
    query); Chroma's filtered search only for very prolific authors."""
    if len(rows) > 2000:
        hits = index.dense_search(qlist, n, where={"author": author})
        return [u.id for u, _ in hits if lex.citable(u.id)]
    ids = [lex.units[r].id for r in rows.tolist() if not lex.to_model[r]]
    vecs = index.unit_vectors(ids)
    ids = [i for i in ids if i in vecs]
    if not ids:
        return []
    sims = np.stack([vecs[i] for i in ids]) @ qvec
    return [ids[i] for i in np.argsort(-sims)[:n]]


def _rank_rows(bm: np.ndarray, rows: np.ndarray, n: int) -> list[int]:
    """Rows by BM25, then the rest in thread order: an author's words all count."""
    best = top_rows(bm, rows, n)
    seen = set(best)
    return best + [int(r) for r in rows if int(r) not in seen][: max(0, n - len(best))]


def _reply_rows(index: CorpusView, lex: LexicalIndex, author: str) -> np.ndarray:
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
    index: CorpusView, lex: LexicalIndex, hits: list[Evidence], hit_vecs: dict[str, np.ndarray],
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
    vecs = index.unit_vectors(sorted({u for _, _, ids in wanted for u in ids} - have))
    out: list[Evidence] = []
    for e, via, ids in wanted:
        ids = [u for u in ids if u in vecs and u not in have and lex.citable(u)]
        if not ids or e.unit.id not in hit_vecs:
            continue
        mat = np.stack([vecs[u] for u in ids])
        best = int(np.argmax(mat @ hit_vecs[e.unit.id] + 0.5 * (mat @ qvec)))
        have.add(ids[best])
        out.append(Evidence(index.unit_by_id[ids[best]], e.score * 0.5,
                            dense=float(mat[best] @ qvec), via=via))  # type: ignore[arg-type]
    return out

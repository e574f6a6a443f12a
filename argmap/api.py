"""The handful of functions every surface (CLI, app, tests) calls.

Each takes plain arguments and returns typed records, so the Streamlit app and the CLI
stay thin and tests exercise exactly what users run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from argmap.config import settings
from argmap.errors import ArgmapError, Interrupted
from argmap.lookup import LookupResult, find
from argmap.records import Answer, ArgumentMap, Brief, Post
from argmap.store import CorpusIndex, CorpusInfo, Store
from ingest.pipeline import IngestResult, Progress, default_sources, ingest_path


def open_store() -> Store:
    return Store()


def open_corpus(corpus: str | None = None, store: Store | None = None) -> CorpusIndex:
    return (store or open_store()).open(corpus or settings().corpus)


def ingest(
    paths: list[Path] | None = None,
    corpus: str | None = None,
    fmt: str | None = None,
    progress: Progress | None = None,
    store: Store | None = None,
    replace: bool = False,
    new_only: bool = False,
) -> list[IngestResult]:
    """Ingest files (default: everything in ``corpus/``); one corpus per file unless named.

    ``replace``: a name derived from a file may replace a corpus from another file;
    ``new_only``: never replace an existing corpus (see ingest_path).
    """
    sources = paths or default_sources()
    store = store or open_store()
    done: list[IngestResult] = []
    try:
        for p in sources:
            done.append(ingest_path(p, corpus=corpus, fmt=fmt, store=store, progress=progress,
                                    after_write=_cache_map, replace=replace,
                                    new_only=new_only))
    except KeyboardInterrupt as exc:
        if not done:
            raise
        what = str(exc) if isinstance(exc, Interrupted) else "interrupted"
        live = ", ".join(r.corpus for r in done)
        raise Interrupted(f"{what}; already ingested and live: {live}") from None
    return done


def corpora(store: Store | None = None) -> list[CorpusInfo]:
    return (store or open_store()).corpora()


def post_view(index: CorpusIndex, post: Post) -> dict[str, Any]:
    """The JSON shape of `argmap show` / `argmap posts`."""
    return {
        "post_id": post.id,
        "kind": post.kind,
        "author": post.author,
        "author_id": post.author_id,
        "time": post.time,
        "parent_id": post.parent_id,
        "depth": post.depth,
        "title": post.title,
        "text": post.text,
        "own_text": post.own_text,
        "quotes": [
            {"text": q.text, "from_post_id": q.from_post_id, "start": q.start, "end": q.end}
            for q in post.quotes
        ],
        "truncated": post.truncated,
        "replies": index.replies.get(post.id, []),
    }


def posts(corpus: str | None = None, store: Store | None = None) -> list[dict[str, Any]]:
    index = open_corpus(corpus, store)
    return [post_view(index, p) for p in index.thread.posts]


def show(post_id: str, corpus: str | None = None, store: Store | None = None) -> dict[str, Any]:
    index = open_corpus(corpus, store)
    post = index.posts.get(post_id)
    if post is None:
        raise ArgmapError(f"no post {post_id!r} in corpus {index.name!r}")
    return post_view(index, post)


def lookup(
    query: str,
    mode: str = "auto",
    corpus: str | None = None,
    limit: int = 10,
    store: Store | None = None,
) -> LookupResult:
    """Who said it: a pasted quote, words, an author or a post id -> spans in thread context."""
    if limit < 1:
        raise ArgmapError(f"the limit must be a positive number of hits, not {limit}")
    return find(open_corpus(corpus, store), query, mode=mode, limit=limit)


def _cache_map(store: Store, corpus: str) -> None:
    """Ingest's after_write hook: the argument map is computed once, with the index."""
    from argmap.mapping import cache_after_ingest

    cache_after_ingest(store, corpus)


def argument_map(
    corpus: str | None = None, proposition: str | None = None, store: Store | None = None,
    rebuild: bool = False,
) -> ArgumentMap:
    """The corpus's argument map (cached per ingest; a custom proposition is cached too)."""
    from argmap.mapping import get_map

    return get_map(open_corpus(corpus, store), proposition, rebuild=rebuild)


def brief(
    side: str, corpus: str | None = None, proposition: str | None = None,
    store: Store | None = None,
) -> Brief:
    """A debate brief for one side (render with argmap.brief.render_markdown)."""
    from argmap.brief import build_brief
    from argmap.mapping import get_map

    index = open_corpus(corpus, store)
    return build_brief(index, get_map(index, proposition), side)


def ask(
    question: str,
    history: list[Any] | None = None,
    corpus: str | None = None,
    engine: Any = None,
    store: Store | None = None,
    on_token: Any = None,
) -> Answer:
    """Answer a question with verified citations, or abstain (see argmap.qa).

    ``history``: earlier Answers (or (question, answer) pairs) for follow-ups; ``engine``:
    a name (default $ARGMAP_ENGINE, else extractive) or an Engine; ``on_token`` receives a
    generative engine's draft as it streams (the returned Answer is the verified text).
    """
    from argmap.qa import ask as qa_ask

    return qa_ask(question, history=history, engine=engine,
                  index=open_corpus(corpus, store), on_token=on_token)

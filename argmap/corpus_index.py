"""A read-only view of one generation of one corpus (see argmap.store for how it is written)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from argmap.errors import StoreError
from argmap.records import Post, Thread, Unit

if TYPE_CHECKING:
    from argmap.store import CorpusInfo, Store

T = TypeVar("T")


@contextmanager
def readable(corpus: str) -> Iterator[None]:
    """A generation dropped under a reader (two re-ingests during one long read) is one
    line, never Chroma's NotFoundError: the previous generation is kept one round only."""
    from chromadb.errors import NotFoundError

    try:
        yield
    except NotFoundError:
        raise StoreError(
            f"corpus {corpus!r} was re-ingested twice while being read; try again"
        ) from None


class CorpusIndex:
    """A read-only view of one generation of one corpus, loaded once per process.

    Everything derived from the generation (BM25, lookup tables) hangs off this object via
    ``memo``, so it lives exactly as long as the process keeps the generation open.
    """

    def __init__(self, store: Store, info: CorpusInfo):
        self.store = store
        self.info = info
        self.name = info.name
        with readable(info.name):
            self.units_col = store.collection(f"{info.name}.{info.generation}.u")
            self.posts_col = store.collection(f"{info.name}.{info.generation}.p")
        self.derived: dict[str, Any] = {}
        self._memo_lock = threading.RLock()

    def memo(self, kind: str, build: Callable[[], T]) -> T:
        """``build()`` once per generation; the result is dropped with this index."""
        with self._memo_lock:
            if kind not in self.derived:
                self.derived[kind] = build()
            return self.derived[kind]  # type: ignore[no-any-return]

    @cached_property
    def thread(self) -> Thread:
        with readable(self.name):
            return self._read_thread()

    def _read_thread(self) -> Thread:
        posts: list[Post] = []
        # A few blocks per page (a page of all blocks held every post's JSON at once); an
        # older index has one record per post, read 5000 at a time.
        blocks = self.posts_col.count() < self.info.posts
        for _, _, m in _paged(self.posts_col, ["metadatas"], page=8 if blocks else 5000):
            if "posts" in m:  # a block of posts (this version)
                posts.extend(Post.from_dict(d) for d in json.loads(m["posts"]))
            else:  # one post per record (indexes written before blocks)
                posts.append(Post.from_dict(json.loads(m["post_json"])))
        meta = self._meta()
        order = {pid: i for i, pid in enumerate(meta["order"])}
        posts.sort(key=lambda p: order.get(p.id, len(order)))
        return Thread(
            title=self.info.title, posts=posts, format=self.info.format,
            source=self.info.source, metadata=meta["thread_meta"],
        )

    def _meta(self) -> dict[str, Any]:
        body = self.load_doc("thread")
        if body is None:
            raise StoreError(f"corpus {self.name!r} is incomplete; run `argmap ingest` again")
        return json.loads(body)  # type: ignore[no-any-return]

    @cached_property
    def posts(self) -> dict[str, Post]:
        return self.thread.by_id()

    @cached_property
    def replies(self) -> dict[str, list[str]]:
        return self.thread.replies()

    @cached_property
    def units(self) -> list[Unit]:
        """Units rebuilt from their post: a unit is ``post.text[start:end]`` by construction,
        so the store keeps only its span and the author it is filtered by."""
        posts = self.posts
        units = []
        with readable(self.name):
            rows = list(_paged(self.units_col, ["metadatas"]))
        for uid, _, m in rows:
            post = posts.get(m["post_id"])
            if post is None:
                raise StoreError(f"corpus {self.name!r} is incomplete; run `argmap ingest` again")
            start, end = int(m["start"]), int(m["end"])
            units.append(Unit(
                id=uid, post_id=post.id, start=start, end=end, text=post.text[start:end],
                author=post.author, kind=post.kind, depth=post.depth, parent_id=post.parent_id,
                to_model=bool(m.get("to_model", False)),
            ))
        order = {p.id: i for i, p in enumerate(self.thread.posts)}
        units.sort(key=lambda u: (order.get(u.post_id, 0), u.start))
        return units

    @cached_property
    def unit_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    def dense_search(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Unit, float]]:
        """Nearest units by cosine similarity (1 - Chroma's cosine distance)."""
        n = min(k, self.info.units)
        if n <= 0:
            return []
        with readable(self.name):
            got = self.units_col.query(query_embeddings=[list(vector)], n_results=n,
                                       where=where, include=["distances"])
        by_id = self.unit_by_id
        # Chroma returns cosine *distance*
        return [(by_id[i], 1.0 - float(d))
                for i, d in zip(got["ids"][0], got["distances"][0], strict=True) if i in by_id]

    def unit_vectors(self, unit_ids: list[str]) -> dict[str, np.ndarray]:
        """The stored embeddings of these units (for MMR and exact author search)."""
        if not unit_ids:
            return {}
        with readable(self.name):
            got = self.units_col.get(ids=unit_ids, include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32)
                for i, v in zip(got["ids"], got["embeddings"], strict=True)}

    def load_doc(self, kind: str) -> str | None:
        """A cached artefact (e.g. the argument map) stored with this generation."""
        got = self.store._registry().get(
            ids=[f"{self.name}::{self.info.generation}::{kind}"],
            include=["documents", "metadatas"],
        )
        if not got["ids"]:
            return None
        body = (got["metadatas"][0] or {}).get("body")
        return str(body) if body is not None else got["documents"][0]

    def save_doc(self, kind: str, text: str) -> None:
        """A cached artefact stored with this generation (see Store._save_doc)."""
        self.store._save_doc(self.name, self.info.generation, kind, text)


def _paged(col: Any, include: list[str], page: int = 5000) -> Iterator[tuple[str, Any, Any]]:
    """Read a whole collection in pages: one big get() hits SQLite's variable limit (~32k)."""
    offset = 0
    while True:
        got = col.get(include=include, limit=page, offset=offset)
        docs = got.get("documents") or [None] * len(got["ids"])
        metas = got.get("metadatas") or [None] * len(got["ids"])
        yield from zip(got["ids"], docs, metas, strict=True)
        if len(got["ids"]) < page:
            return
        offset += page

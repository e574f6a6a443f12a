"""Chroma storage for corpora: embedded folder or server, with atomic generation swaps.

Each ingest writes a fresh *generation* (its own units and posts collections) and only
then flips the corpus's record in the registry collection to it. Readers resolve the
record first, so they see the old index or the new one, never a mix, and a killed ingest
leaves nothing but orphan collections, which the next ingest removes. The previous
generation is kept one round so a reader that resolved it just before the flip can finish.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from argmap.config import Settings, settings
from argmap.embeddings import MiniLMEmbeddings, make_embeddings
from argmap.errors import ArgmapError, StoreError, is_disk_full
from argmap.records import Post, Thread, Unit

REGISTRY = "argmap-registry"
_BATCH = 1000
_POST_BLOCK = 1000  # posts per stored JSON block
_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,60}[A-Za-z0-9]$")


def check_corpus_name(name: str) -> str:
    if not _NAME_OK.match(name) or ".." in name:
        raise ArgmapError(
            f"invalid corpus name {name!r}: use 3-62 letters, digits, '.', '_' or '-'"
        )
    return name


def corpus_name_for(stem: str) -> str:
    """A valid corpus name from a file stem (uploads, `argmap ingest PATH`)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:62] or "corpus"
    return name if len(name) >= 3 else f"{name}_corpus"


@dataclass(frozen=True)
class CorpusInfo:
    name: str
    generation: str
    title: str
    format: str
    source: str
    source_hash: str
    posts: int
    units: int
    ingested_at: int  # unix seconds (an int survives the metadata round trip exactly)
    embed_model: str = "all-MiniLM-L6-v2-int8"


_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _client(cfg: Settings) -> Any:
    """One Chroma client per location and process: concurrent creation races inside chromadb."""
    key = cfg.chroma_url or str(cfg.chroma_path.resolve())
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = _new_client(cfg)
        elif not cfg.chroma_url:
            _check_writable(cfg.chroma_path)
        return _CLIENTS[key]


def _new_client(cfg: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if cfg.chroma_url:
        url = urlparse(cfg.chroma_url if "//" in cfg.chroma_url else f"http://{cfg.chroma_url}")
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {cfg.chroma_url} ({type(exc).__name__}); "
                "is `chroma run` up?"
            ) from None
        return client
    _check_writable(cfg.chroma_path)
    try:
        client = chromadb.PersistentClient(path=str(cfg.chroma_path), settings=chroma_settings)
        client.list_collections()
    except Exception as exc:
        text = str(exc).lower()
        if "disk is full" in text or "no space" in text:
            raise StoreError(_os_problem(cfg.chroma_path, OSError(errno.ENOSPC, ""))) from None
        if "readonly" in text or "read-only" in text:
            raise StoreError(_os_problem(cfg.chroma_path, OSError(errno.EROFS, ""))) from None
        raise StoreError(
            f"the index at {cfg.chroma_path} cannot be opened ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:120] if str(exc) else ''}); delete that folder and run "
            "`argmap ingest` to rebuild it"
        ) from None
    return client


def _check_writable(path: Path) -> None:
    """Chroma's embedded mode writes even to read, so a read-only or full disk fails early."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise StoreError(_os_problem(path, exc)) from None


def _write_problem(path: Path, exc: Exception, local: Path | None) -> str:
    """Names a cause only when the error or the ``local`` disk shows it: a wrong guess sends
    users to the wrong fix."""
    if isinstance(exc, OSError):
        return _os_problem(path, exc)
    if is_disk_full(exc) or (local is not None and _nearly_full(local)):
        return _os_problem(path, OSError(errno.ENOSPC, ""))
    first = (str(exc).splitlines() or [""])[0][:160]
    if "readonly" in first.lower() or "read-only" in first.lower():
        return _os_problem(path, OSError(errno.EROFS, ""))
    return f"{type(exc).__name__}: {first}"


def _nearly_full(path: Path) -> bool:
    """Chroma's embedded backend reports a full disk as, e.g., "Error in compaction: Failed to
    apply logs to the hnsw segment writer" (test_faults), so the disk itself is asked."""
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return False
    return usage.free < min(64 << 20, usage.total // 20)


def _os_problem(path: Path, exc: OSError) -> str:
    if is_disk_full(exc):
        return f"the disk holding {path} is full; free space or set ARGMAP_HOME elsewhere"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"the index folder {path} is read-only; set ARGMAP_HOME to a writable folder "
                "(copy the index there to keep it)")
    return f"cannot use the index folder {path}: {exc.strerror or exc}"


class CorpusIndex:
    """A read-only view of one generation of one corpus, loaded once per process."""

    def __init__(self, store: Store, info: CorpusInfo):
        self.store = store
        self.info = info
        self.name = info.name
        self.units_store = store.vectorstore(f"{info.name}.{info.generation}.u")
        self.posts_store = store.vectorstore(f"{info.name}.{info.generation}.p")
        self._units_col = self.units_store._collection
        self._posts_col = self.posts_store._collection

    @cached_property
    def thread(self) -> Thread:
        posts: list[Post] = []
        # A few blocks per page (a page of all blocks held every post's JSON at once); an
        # older index has one record per post, read 5000 at a time.
        blocks = self._posts_col.count() < self.info.posts
        for _, _, m in _paged(self._posts_col, ["metadatas"], page=8 if blocks else 5000):
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
        for uid, _, m in _paged(self._units_col, ["metadatas"]):
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
        # Units carry no document (see _write), and LangChain's result wrapper requires one,
        # so the query goes to the collection LangChain created.
        got = self._units_col.query(query_embeddings=[list(vector)], n_results=n, where=where,
                                    include=["distances"])
        by_id = self.unit_by_id
        # Chroma returns cosine *distance*
        return [(by_id[i], 1.0 - float(d))
                for i, d in zip(got["ids"][0], got["distances"][0], strict=True) if i in by_id]

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


_INDEX_CACHE: dict[tuple[str, str, str], CorpusIndex] = {}
_CACHE_LOCK = threading.Lock()


class Store:
    """All corpora in one Chroma (folder or server)."""

    def __init__(self, cfg: Settings | None = None, embeddings: MiniLMEmbeddings | None = None):
        self.cfg = cfg or settings()
        self.client = _client(self.cfg)
        self._embeddings = embeddings
        self.location = self.cfg.chroma_url or str(self.cfg.chroma_path.resolve())

    @property
    def embeddings(self) -> MiniLMEmbeddings:
        if self._embeddings is None:
            self._embeddings = make_embeddings(self.cfg)
        return self._embeddings

    def vectorstore(self, collection: str, create: bool = False) -> Any:
        """The LangChain view of one collection (cosine space, our embeddings)."""
        from langchain_chroma import Chroma

        if not create:
            self.client.get_collection(collection, embedding_function=None)  # fail if missing
        return Chroma(
            collection_name=collection, embedding_function=self.embeddings, client=self.client,
            collection_metadata={"hnsw:space": "cosine"}, create_collection_if_not_exists=create,
        )

    def _registry(self) -> Any:
        return self.client.get_or_create_collection(REGISTRY, embedding_function=None)

    def corpora(self) -> list[CorpusInfo]:
        got = self._registry().get(where={"doc": "current"}, include=["metadatas"])
        return sorted((_info(m) for m in got["metadatas"]), key=lambda c: c.name)

    def info(self, corpus: str) -> CorpusInfo | None:
        got = self._registry().get(ids=[f"{corpus}::current"], include=["metadatas"])
        return _info(got["metadatas"][0]) if got["metadatas"] else None

    def open(self, corpus: str) -> CorpusIndex:
        info = self.info(corpus)
        if info is None:
            known = ", ".join(c.name for c in self.corpora()) or "none"
            raise ArgmapError(
                f"no corpus named {corpus!r} in the index (known: {known}); run `argmap ingest`"
            )
        if info.embed_model != self.embeddings.model_id:
            raise ArgmapError(
                f"corpus {corpus!r} was embedded with {info.embed_model}, but the configured "
                f"model is {self.embeddings.model_id}; re-ingest it or change ARGMAP_EMBED_*"
            )
        key = (self.location, corpus, info.generation)
        with _CACHE_LOCK:
            if key not in _INDEX_CACHE:
                _INDEX_CACHE[key] = CorpusIndex(self, info)
            return _INDEX_CACHE[key]

    def write(
        self,
        corpus: str,
        thread: Thread,
        units: list[Unit],
        source_hash: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> CorpusInfo:
        """Write a new generation, then flip the corpus record to it (the atomic step)."""
        check_corpus_name(corpus)
        self._collect_garbage(corpus)
        gen = f"g{time.time_ns():x}"
        try:
            return self._write(corpus, gen, thread, units, source_hash, progress)
        except Exception as exc:
            # judged before the drop, which may free the space that ran out
            local = None if self.cfg.chroma_url else self.cfg.home
            problem = _write_problem(self.cfg.home, exc, local)
            self._drop_generation(corpus, gen)
            if isinstance(exc, ArgmapError):
                raise
            raise StoreError(
                f"could not write corpus {corpus!r}: {problem}; the previous index is unchanged"
            ) from None

    def _drop_generation(self, corpus: str, gen: str) -> None:
        """Best effort: a half-written generation is invisible anyway, and GC retries later."""
        for suffix in ("u", "p"):
            try:
                self.client.delete_collection(f"{corpus}.{gen}.{suffix}")
            except Exception:
                pass

    def _write(
        self,
        corpus: str,
        gen: str,
        thread: Thread,
        units: list[Unit],
        source_hash: str,
        progress: Callable[[int, int], None] | None,
    ) -> CorpusInfo:
        ucol = self.vectorstore(f"{corpus}.{gen}.u", create=True)._collection
        pcol = self.vectorstore(f"{corpus}.{gen}.p", create=True)._collection
        emb = self.embeddings
        for i in range(0, len(units), _BATCH):
            chunk = units[i : i + _BATCH]
            vecs = emb.embed_array([u.text for u in chunk])
            # No documents: Chroma full-text indexes them (with seven metadata keys, half of
            # a unit's write time: bench/chroma_floor.py), nothing searches that index (BM25
            # is argmap's own), and the text is the post's, so storing it twice was waste.
            ucol.upsert(ids=[u.id for u in chunk], embeddings=vecs,
                        metadatas=[_unit_meta(u) for u in chunk])
            if progress:
                progress(min(i + _BATCH, len(units)), len(units))
        for n, i in enumerate(range(0, len(thread.posts), _POST_BLOCK)):
            self._write_posts(pcol, n, thread.posts[i : i + _POST_BLOCK])
        info = CorpusInfo(
            name=corpus, generation=gen, title=thread.title, format=thread.format,
            source=thread.source, source_hash=source_hash, posts=len(thread.posts),
            units=len(units), ingested_at=int(time.time()), embed_model=emb.model_id,
        )
        self._save_doc(corpus, gen, "thread", json.dumps(
            {"order": [p.id for p in thread.posts], "thread_meta": thread.metadata}))
        old = self.info(corpus)
        # The flip: one upsert of one record. Everything above is invisible until now.
        self._registry().upsert(
            ids=[f"{corpus}::current"], embeddings=[[0.0]], documents=[""],
            metadatas=[{**info.__dict__, "doc": "current", "corpus": corpus,
                        "previous": old.generation if old else ""}],
        )
        self._collect_garbage(corpus)
        return info

    @staticmethod
    def _write_posts(pcol: Any, block: int, posts: list[Post]) -> None:
        """Posts are records, not search targets (retrieval searches units), so they are
        stored as JSON blocks of _POST_BLOCK posts under a constant one-dimensional vector:
        one Chroma record per post cost a fifth of ingest at 20k posts, for no reader that
        wanted them one by one (the thread is always loaded whole)."""
        pcol.upsert(ids=[f"block-{block:06d}"], embeddings=np.ones((1, 1), dtype=np.float32),
                    metadatas=[{"posts": json.dumps([p.to_dict() for p in posts]),
                                "first": posts[0].id, "count": len(posts)}])

    def _save_doc(self, corpus: str, gen: str, kind: str, text: str) -> None:
        """The text goes in metadata, not the document: Chroma full-text indexes documents,
        which for a 100k-post map (tens of MB of JSON) cost hundreds of MB and seconds."""
        self._registry().upsert(
            ids=[f"{corpus}::{gen}::{kind}"], documents=[""], embeddings=[[0.0]],
            metadatas=[{"corpus": corpus, "doc": kind, "body": text}],
        )

    def _collect_garbage(self, corpus: str) -> None:
        """Drop this corpus's collections that are neither current nor the previous generation."""
        cur = self._registry().get(ids=[f"{corpus}::current"], include=["metadatas"])
        keep = set()
        if cur["metadatas"]:
            keep = {cur["metadatas"][0]["generation"], cur["metadatas"][0].get("previous", "")}
        for col in self.client.list_collections():
            name = col if isinstance(col, str) else col.name
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == corpus and parts[1] not in keep:
                self.client.delete_collection(name)
        stale = self._registry().get(where={"corpus": corpus}, include=["metadatas"])
        drop = [i for i in stale["ids"] if i.count("::") == 2 and i.split("::")[1] not in keep]
        if drop:
            self._registry().delete(ids=drop)

    def delete(self, corpus: str) -> None:
        self._registry().delete(ids=[f"{corpus}::current"])
        self._collect_garbage(corpus)


def _info(m: dict[str, Any]) -> CorpusInfo:
    fields = CorpusInfo.__dataclass_fields__
    return CorpusInfo(**{k: m[k] for k in fields if k in m})


def _unit_meta(u: Unit) -> dict[str, Any]:
    """Only what a reader cannot get from the post: the span, the author to filter by, and
    the injection flag where set (each metadata key is a row in Chroma's SQLite)."""
    meta = {"post_id": u.post_id, "author": u.author, "start": u.start, "end": u.end}
    return {**meta, "to_model": True} if u.to_model else meta

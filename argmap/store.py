"""Chroma storage for corpora: embedded folder or server, with atomic generation swaps.

Each ingest writes a fresh *generation* (its own units and posts collections) and only
then flips the corpus's record in the registry collection to it. Readers resolve the
record first, so they see the old index or the new one, never a mix, and a killed ingest
leaves nothing but orphan collections, which the next ingest removes. The previous
generation is kept one round so a reader that resolved it just before the flip can finish.
One writer per corpus at a time (argmap.locking); each generation is a registry record, so
garbage collection finds a corpus's collections by record, never by parsing names.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from argmap.chroma_client import _client, _os_problem, _ran_out_of_space, _write_problem
from argmap.config import Settings, settings
from argmap.corpus_index import CorpusIndex
from argmap.embeddings import MiniLMEmbeddings, make_embeddings
from argmap.errors import ArgmapError, Interrupted, StoreError
from argmap.locking import writer_lock
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
    """A valid corpus name from a file stem (uploads, `argmap ingest PATH`).

    Accents are dropped (NFKD); a stem with other non-ASCII letters keeps what ASCII it has
    plus a short hash of the whole stem, so two Cyrillic or Chinese names stay two corpora.
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", stem)
                    if not unicodedata.combining(c))
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._-")[:55] or "corpus"
    if not plain.isascii():
        name = f"{name}-{hashlib.blake2b(stem.encode(), digest_size=3).hexdigest()}"
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


@dataclass
class Hooks:
    """Test seams in a write, each called with (corpus, generation): deterministic tests of
    concurrent and interrupted ingests pause or raise here instead of racing the clock."""

    before_flip: Callable[[str, str], None] | None = None
    after_flip: Callable[[str, str], None] | None = None
    on_lock_wait: Callable[[str], None] | None = None


hooks = Hooks()
LOCK_WAIT_S = 600.0  # a second writer of a corpus waits this long, then fails in one line
_GEN = re.compile(r"g[0-9a-f]+")


# One open index per (store location, corpus): the newest generation seen. A re-ingest
# replaces the entry, so the old generation's thread, units and BM25 go with it.
_INDEX_CACHE: dict[tuple[str, str], CorpusIndex] = {}
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

    def collection(self, name: str, create: bool = False) -> Any:
        """One Chroma collection in cosine space; argmap embeds, so Chroma gets no function."""
        if create:
            return self.client.get_or_create_collection(
                name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
        return self.client.get_collection(name, embedding_function=None)

    def _registry(self) -> Any:
        return self.client.get_or_create_collection(REGISTRY, embedding_function=None)

    def corpora(self) -> list[CorpusInfo]:
        got = self._registry().get(where={"doc": "current"}, include=["metadatas"])
        return sorted((_info(m) for m in got["metadatas"]), key=lambda c: c.name)

    def info(self, corpus: str) -> CorpusInfo | None:
        got = self._registry().get(ids=[f"{corpus}::current"], include=["metadatas"])
        return _info(got["metadatas"][0]) if got["metadatas"] else None

    def open(self, corpus: str, _retry: bool = True) -> CorpusIndex:
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
        key = (self.location, corpus)
        with _CACHE_LOCK:
            cached = _INDEX_CACHE.get(key)
            if cached is not None and _gen_time(cached.info.generation) >= _gen_time(
                    info.generation):
                return cached  # a reader that resolved the record before a flip gets the new
            try:
                index = CorpusIndex(self, info)
            except StoreError:
                if not _retry:
                    raise
                index = None  # flipped twice since the record was read: read it again
            if index is not None:
                _INDEX_CACHE[key] = index
                return index
        return self.open(corpus, _retry=False)

    def write(
        self,
        corpus: str,
        thread: Thread,
        units: list[Unit],
        source_hash: str,
        progress: Callable[[int, int], None] | None = None,
        check: Callable[[CorpusInfo | None], None] | None = None,
        lock_wait: float | None = None,
    ) -> CorpusInfo:
        """Write a new generation, then flip the corpus record to it (the atomic step).

        Holds the corpus's writer lock throughout (a second writer waits up to
        ``lock_wait`` seconds, then fails in one line). ``check`` sees the current record
        under the lock and may refuse the write by raising.
        """
        check_corpus_name(corpus)
        try:
            lock = writer_lock(self, corpus, LOCK_WAIT_S if lock_wait is None else lock_wait,
                               hooks.on_lock_wait)
        except OSError as exc:
            raise StoreError(f"could not lock corpus {corpus!r}: "
                             f"{_os_problem(self.cfg.chroma_path, exc)}") from None
        try:
            old = self.info(corpus)
            if check is not None:
                check(old)
            gen = f"g{time.time_ns():x}"
            self._collect_garbage(corpus, gen)  # orphans of killed runs, before adding more
            info = self._write_new(corpus, gen, thread, units, source_hash, progress, old, lock)
            try:
                self._collect_garbage(corpus, gen)
            except KeyboardInterrupt:
                raise Interrupted(_went_live(info)) from None
            except Exception as exc:  # noqa: BLE001 - the new index is live; GC retries later
                warnings.warn(f"old generations of {corpus} not removed yet: {exc!r}",
                              stacklevel=2)
            return info
        finally:
            lock.release()

    def _write_new(self, corpus: str, gen: str, thread: Thread, units: list[Unit],
                   source_hash: str, progress: Callable[[int, int], None] | None,
                   old: CorpusInfo | None, lock: Any) -> CorpusInfo:
        flipped = False
        try:
            info = self._write(corpus, gen, thread, units, source_hash, progress)
            if not lock.held():
                raise StoreError(f"lost the write lock of corpus {corpus!r} (its lease lapsed)")
            if hooks.before_flip is not None:
                hooks.before_flip(corpus, gen)
            # The flip: one upsert of one record. Everything written above is invisible
            # until now.
            self._registry().upsert(
                ids=[f"{corpus}::current"], embeddings=[[0.0]], documents=[""],
                metadatas=[{**info.__dict__, "doc": "current", "corpus": corpus,
                            "previous": old.generation if old else ""}],
            )
            flipped = True
            if hooks.after_flip is not None:
                hooks.after_flip(corpus, gen)
            return info
        except KeyboardInterrupt:
            if flipped:
                raise Interrupted(_went_live(info)) from None
            self._drop_generation(corpus, gen)
            kept = (f"the previous index (generation {old.generation}, {old.posts} posts) is "
                    "unchanged" if old else "it has no index")
            raise Interrupted(f"interrupted before the new index of {corpus!r} went live; "
                              f"{kept}") from None
        except Exception as exc:
            if flipped:
                raise
            # judged before the drop, which may free the space that ran out
            local = None if self.cfg.chroma_url else self.cfg.home
            problem = _write_problem(self.cfg.home, exc, local)
            # On a full disk Chroma's registry delete waits forever for journal space; the
            # generation record is left to the next writer's garbage collection instead.
            self._drop_generation(corpus, gen, records=not _ran_out_of_space(exc, local))
            if isinstance(exc, ArgmapError):
                raise
            raise StoreError(
                f"could not write corpus {corpus!r}: {problem}; the previous index is unchanged"
            ) from None

    def _drop_generation(self, corpus: str, gen: str, records: bool = True) -> None:
        """Best effort: a half-written generation is invisible anyway, and GC retries later."""
        for suffix in ("u", "p"):
            try:
                self.client.delete_collection(f"{corpus}.{gen}.{suffix}")
            except Exception:
                pass
        if not records:
            return
        try:
            reg = self._registry()
            got = reg.get(where={"$and": [{"corpus": corpus}, {"generation": gen}]})
            if got["ids"]:
                reg.delete(ids=got["ids"])
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
        # Recorded before any collection exists, so GC finds a killed run's collections.
        self._registry().upsert(
            ids=[f"{corpus}::{gen}::generation"], documents=[""], embeddings=[[0.0]],
            metadatas=[{"corpus": corpus, "doc": "generation", "generation": gen}],
        )
        ucol = self.collection(f"{corpus}.{gen}.u", create=True)
        pcol = self.collection(f"{corpus}.{gen}.p", create=True)
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
        self._save_doc(corpus, gen, "thread", json.dumps(
            {"order": [p.id for p in thread.posts], "thread_meta": thread.metadata}))
        return CorpusInfo(
            name=corpus, generation=gen, title=thread.title, format=thread.format,
            source=thread.source, source_hash=source_hash, posts=len(thread.posts),
            units=len(units), ingested_at=int(time.time()), embed_model=emb.model_id,
        )

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
            metadatas=[{"corpus": corpus, "doc": kind, "generation": gen, "body": text}],
        )

    def _collect_garbage(self, corpus: str, writer_gen: str | None) -> None:
        """Drop this corpus's generations that are neither current nor previous.

        Runs under the corpus's writer lock. With ``writer_gen`` (the writer's own
        generation) only older generations go: one newer than it belongs to a writer that
        took over a lapsed lease. Generations are found by their registry records (ids
        ``corpus::gen::kind``; corpus names hold no ':'), plus collections left by versions
        that wrote no generation record, matched whole as ``corpus.gNNN.u|p``.
        """
        reg = self._registry()
        got = reg.get(where={"corpus": corpus}, include=["metadatas"])
        keep: set[str] = set()
        records: dict[str, list[str]] = {}
        for rid, m in zip(got["ids"], got["metadatas"], strict=True):
            if m.get("doc") == "current":
                keep |= {str(m["generation"]), str(m.get("previous", ""))}
            elif m.get("doc") != "lease" and rid.count("::") == 2:
                records.setdefault(str(m.get("generation") or rid.split("::")[1]), []).append(rid)
        gens = set(records)
        prefix = corpus + "."
        for col in self.client.list_collections():
            name = str(getattr(col, "name", col))
            rest = name[len(prefix):] if name.startswith(prefix) else ""
            if rest[-2:] in (".u", ".p") and _GEN.fullmatch(rest[:-2]):
                gens.add(rest[:-2])
        limit = _gen_time(writer_gen) if writer_gen else None
        for gen in sorted(gens - keep):
            if limit is not None and not _gen_time(gen) < limit:
                continue
            self._drop_generation(corpus, gen)
            if records.get(gen):
                reg.delete(ids=records[gen])

    def delete(self, corpus: str) -> None:
        lock = writer_lock(self, corpus, LOCK_WAIT_S, hooks.on_lock_wait)
        try:
            self._registry().delete(ids=[f"{corpus}::current"])
            self._collect_garbage(corpus, None)
        finally:
            lock.release()
        with _CACHE_LOCK:
            _INDEX_CACHE.pop((self.location, corpus), None)


def _gen_time(gen: str) -> int:
    """A generation's creation time (ns): generations are ``g`` + hex time_ns."""
    return int(gen[1:], 16) if _GEN.fullmatch(gen) else -1


def _went_live(info: CorpusInfo) -> str:
    return (f"interrupted after the new index of {info.name!r} went live (generation "
            f"{info.generation}, {info.posts} posts); that index is the one in use")


def _info(m: dict[str, Any]) -> CorpusInfo:
    fields = CorpusInfo.__dataclass_fields__
    return CorpusInfo(**{k: m[k] for k in fields if k in m})


def _unit_meta(u: Unit) -> dict[str, Any]:
    """Only what a reader cannot get from the post: the span, the author to filter by, and
    the injection flag where set (each metadata key is a row in Chroma's SQLite)."""
    meta = {"post_id": u.post_id, "author": u.author, "start": u.start, "end": u.end}
    return {**meta, "to_model": True} if u.to_model else meta

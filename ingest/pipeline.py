"""File -> Thread -> quotes attributed -> Units -> a new Chroma generation (atomic swap).

Parsing and attribution finish before anything is written, so bad input never touches
the store; the store's generation flip makes the write itself all-or-nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argmap.config import CORPUS_DIR, settings
from argmap.errors import InputError, Interrupted
from argmap.records import Thread, Unit
from argmap.store import CorpusInfo, Store, check_corpus_name, corpus_name_for
from ingest.formats import parse_source, read_source
from ingest.quotes import attribute_quotes
from ingest.units import units_for_thread

# Bump when parsing, attribution or unit splitting changes: re-ingest then rebuilds.
PIPELINE_VERSION = "5"

Progress = Callable[[str, int, int], None]


class CorpusTaken(InputError):
    """The corpus an ingest meant to create appeared meanwhile; nothing was written."""


@dataclass(frozen=True)
class IngestResult:
    corpus: str
    info: CorpusInfo
    unchanged: bool
    comments: int
    quoting_posts: int
    embedded: int

    def summary(self) -> str:
        state = "unchanged" if self.unchanged else f"{self.embedded} sentences embedded"
        return (
            f"{self.corpus}: {self.info.posts} posts ({self.comments} comments, "
            f"{self.quoting_posts} quoting earlier posts), {self.info.units} units; {state}"
        )


def prepare(path: Path, fmt: str | None = None) -> tuple[Thread, list[Unit], str]:
    """Parse, attribute quotes and split into units; pure, writes nothing."""
    limits = settings().limits
    raw = read_source(path, limits)  # read once: the hash is of the bytes that were parsed
    thread = attribute_quotes(parse_source(raw, str(path), fmt, limits))
    units = units_for_thread(thread)
    digest = hashlib.sha256(raw + f"|{thread.format}|{PIPELINE_VERSION}".encode()).hexdigest()
    return thread, units, digest


def default_sources() -> list[Path]:
    files = sorted(p for p in CORPUS_DIR.iterdir()
                   if p.is_file() and p.suffix not in (".md", ".py") and p.name[0] not in "._")
    if not files:
        raise InputError(f"no source files in {CORPUS_DIR}")
    return files


def _guard(name: str, path: Path, digest: str, may_replace: bool, new_only: bool
           ) -> Callable[[CorpusInfo | None], None]:
    """What may stand in corpus ``name`` before this file replaces it."""
    def check(held: CorpusInfo | None) -> None:
        if held is None:
            return
        if new_only:
            raise CorpusTaken(f"corpus {name!r} was just created by another ingest")
        # a derived name: the same file name (it may have moved or been edited) or bytes
        if not may_replace and Path(held.source).name != path.name and \
                held.source_hash != digest:
            raise InputError(
                f"corpus {name!r} already holds {Path(held.source).name!r}; pass --replace to "
                f"replace it with {path.name!r}, or --corpus NAME to keep both"
            )

    return check


def ingest_path(
    path: Path,
    corpus: str | None = None,
    fmt: str | None = None,
    store: Store | None = None,
    progress: Progress | None = None,
    after_write: Callable[[Store, str], None] | None = None,
    replace: bool = False,
    new_only: bool = False,
) -> IngestResult:
    """Ingest one file. A name derived from the file (no ``corpus``) never replaces a
    corpus that came from another file unless ``replace``: `a b.csv` and `a_b.csv` both
    derive `a_b`, and the second must not silently take the first one's place.
    ``new_only``: fail with ``CorpusTaken`` if the corpus exists by the time it is written
    (an upload that picked a free name, racing another upload of the same name)."""
    name = check_corpus_name(corpus) if corpus else corpus_name_for(path.stem)
    if progress:
        progress("parsing", 0, 1)
    thread, units, digest = prepare(path, fmt)
    store = store or Store()
    current = store.info(name)
    guard = _guard(name, path, digest, may_replace=bool(corpus) or replace, new_only=new_only)
    guard(current)  # fail before embedding; checked again under the writer lock
    comments = sum(p.kind == "comment" for p in thread.posts)
    quoting = sum(bool(p.quotes) for p in thread.posts)
    if current is not None and current.source_hash == digest:
        return IngestResult(name, current, True, comments, quoting, 0)
    before = store.embeddings.computed

    def embed_progress(done: int, total: int) -> None:
        if progress:
            progress("embedding", done, total)

    info = store.write(name, thread, units, digest, progress=embed_progress, check=guard)
    del thread, units  # the hook reloads from the store; these are large at scale
    if after_write is not None:
        try:
            after_write(store, name)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted after the new index of {name!r} went live "
                              f"(generation {info.generation}, {info.posts} posts); its "
                              "argument map is built on first use") from None
    return IngestResult(name, info, False, comments, quoting, store.embeddings.computed - before)

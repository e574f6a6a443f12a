"""Uploaded files -> a corpus, without trusting anything about the upload.

The browser's file name is only a hint: it is reduced to a corpus-name-safe stem and a
whitelisted suffix, and the bytes are written under ``ARGMAP_HOME/uploads`` with a name we
generate. Ingest parses before it writes and swaps generations atomically, so a bad file
fails with one readable line and every existing corpus stays as it was. Plain functions (no
Streamlit) so tests call them directly.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from argmap import api
from argmap.config import settings
from argmap.errors import ArgmapError, InputError
from argmap.store import corpus_name_for
from ingest.pipeline import IngestResult, Progress

SUFFIXES = ("txt", "json", "jsonl", "ndjson", "csv")


def safe_parts(filename: str) -> tuple[str, str]:
    """(corpus-safe stem, whitelisted suffix) from an untrusted upload name."""
    base = re.split(r"[\\/]", filename or "")[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = ext.lower() if ext.lower() in SUFFIXES else "txt"
    return corpus_name_for(stem or "upload"), ext


def unique_name(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base[:56]}-{n}" in taken:
        n += 1
    return f"{base[:56]}-{n}"


def upload_dir() -> Path:
    path = settings().home / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def ingest_upload(
    filename: str,
    data: bytes,
    corpus: str | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> IngestResult:
    """Save an upload under a generated name and ingest it as its own corpus.

    ``corpus`` names it (default: from the file name); an existing corpus of that name is
    only replaced when ``replace`` is set, otherwise a free name is picked.
    """
    limit = settings().limits.max_file_bytes
    shown = safe_parts(filename)[0] + "." + safe_parts(filename)[1]
    if len(data) > limit:
        raise InputError(
            f"{shown} is {len(data) / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB "
            "(ARGMAP_MAX_FILE_BYTES)"
        )
    if not data.strip():
        raise InputError(f"{shown} is empty")
    stem, ext = safe_parts(filename)
    name = corpus or stem
    if not replace:
        name = unique_name(name, {c.name for c in api.corpora()})
    fd, raw_path = tempfile.mkstemp(prefix=f"{name}-", suffix=f".{ext}", dir=upload_dir())
    path = Path(raw_path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        results = api.ingest([path], corpus=name, progress=progress)
    except ArgmapError as exc:
        path.unlink(missing_ok=True)
        raise type(exc)(str(exc).replace(str(path), shown)) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return results[0]

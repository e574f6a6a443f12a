"""Uploaded files -> a corpus, without trusting anything about the upload.

The browser's file name is only a hint: it is reduced to a corpus-name-safe stem, a
display stem (the title when the file has none of its own) and a whitelisted suffix, and
the bytes are written under ``ARGMAP_HOME/uploads`` in a folder we generate. Ingest parses
before it writes and swaps generations atomically, so a bad file fails with one readable
line and every existing corpus stays as it was. Plain functions (no Streamlit) so tests
call them directly.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from argmap import api
from argmap.config import settings
from argmap.errors import ArgmapError, InputError
from argmap.store import corpus_name_for
from ingest.pipeline import CorpusTaken, IngestResult, Progress

SUFFIXES = ("txt", "json", "jsonl", "ndjson", "csv")
_PASS_FORMAT = re.compile(r"pass --format one of [^;]*")
_NAME_TRIES = 5


def safe_parts(filename: str) -> tuple[str, str]:
    """(corpus-safe stem, whitelisted suffix) from an untrusted upload name."""
    base = re.split(r"[\\/]", filename or "")[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = ext.lower() if ext.lower() in SUFFIXES else "txt"
    return corpus_name_for(stem or "upload"), ext


def display_stem(filename: str) -> str:
    """The upload's own name without folders or suffix, as a file name and a title: control
    and format characters dropped, whitespace collapsed, at most 120 bytes."""
    base = re.split(r"[\\/]", filename or "")[-1]
    stem = base.rpartition(".")[0] if "." in base.lstrip(".") else base
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] != "C")
    stem = " ".join(stem.split()).strip(". ")
    stem = stem.encode()[:120].decode(errors="ignore").strip()
    return stem or "upload"


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
    fmt: str | None = None,
) -> IngestResult:
    """Save an upload in a generated folder and ingest it as its own corpus.

    ``corpus`` names it (default: from the file name); an existing corpus of that name is
    only replaced when ``replace`` is set, otherwise a free name is picked. The file keeps
    its own name inside the folder, so formats without a title (CSV, JSON Lines) take it as
    title and default proposition. ``fmt`` skips format detection.
    """
    limit = settings().limits.max_file_bytes
    stem, ext = safe_parts(filename)
    shown = f"{display_stem(filename)}.{ext}"
    if len(data) > limit:
        raise InputError(
            f"{shown} is {len(data) / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB "
            "(ARGMAP_MAX_FILE_BYTES)"
        )
    if not data.strip():
        raise InputError(f"{shown} is empty")
    for _ in range(_NAME_TRIES):
        name = corpus or stem
        if not replace:
            name = unique_name(name, {c.name for c in api.corpora()})
        try:
            return _ingest_as(name, filename, ext, data, shown, replace, fmt, progress)
        except CorpusTaken:
            continue  # another upload took the free name first; pick the next one
    raise InputError(f"{shown}: too many uploads of the same name at once; try again")


def _ingest_as(name: str, filename: str, ext: str, data: bytes, shown: str, replace: bool,
               fmt: str | None, progress: Progress | None) -> IngestResult:
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=upload_dir()))
    path = folder / f"{display_stem(filename)}.{ext}"
    try:
        path.write_bytes(data)
        results = api.ingest([path], corpus=name, fmt=fmt, progress=progress,
                             new_only=not replace)
    except ArgmapError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        text = str(exc).replace(str(path), shown)
        raise type(exc)(_PASS_FORMAT.sub("pick its format under Format", text)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return results[0]

"""Source formats: a registry of parsers, format detection, and ``parse_file``.

``parse_file`` is the one door a file comes in by. Every way a file can be wrong ends in an
``InputError`` whose message is one line naming the file, raised before anything is written.
Each parser is ``parse_X(text: str, source: str = "") -> Thread``.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from argmap.config import Limits, settings
from argmap.errors import InputError
from argmap.records import Thread

from .common import LongNumber, fail, load_json, loads, one_line, validate
from .csvfmt import csv_header_fields, parse_csv
from .hn import looks_like_hn, parse_hn
from .jsonl import dump_jsonl, looks_like_jsonl_post, parse_jsonl
from .reddit import looks_like_reddit, parse_reddit

Parser = Callable[[str, str], Thread]

__all__ = ["FORMATS", "detect_format", "dump_jsonl", "parse_file", "parse_source", "read_source"]


def _parse_slashdot(text: str, source: str = "") -> Thread:
    # Imported lazily: slashdot.py is maintained separately and may land later.
    try:
        from .slashdot import parse_slashdot
    except ImportError:
        raise fail(source, "the slashdot parser (ingest/formats/slashdot.py) is missing") from None
    return parse_slashdot(text, source)


def _looks_like_slashdot(text: str) -> bool:
    try:
        from .slashdot import looks_like_slashdot
    except ImportError:
        return False
    return bool(looks_like_slashdot(text))


FORMATS: dict[str, Parser] = {
    "slashdot": _parse_slashdot,
    "reddit": parse_reddit,
    "hn": parse_hn,
    "csv": parse_csv,
    "jsonl": parse_jsonl,
}


def _choices() -> str:
    return ", ".join(FORMATS)


def detect_format(text: str, filename: str) -> str:
    """Name of the format ``text`` is in; ``InputError`` when it cannot tell (or bad JSON)."""
    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] in ("[", "{"):
        try:
            first = loads(body.split("\n", 1)[0])
        except LongNumber as e:  # whatever the format, the file cannot be read
            raise fail(filename, f"line 1: invalid JSON: {e}") from None
        except (ValueError, RecursionError):
            first = None
        if looks_like_jsonl_post(first):
            return "jsonl"
        obj = load_json(body, filename)  # raises the one-line "invalid JSON at line/col"
        if looks_like_reddit(obj):
            return "reddit"
        if looks_like_hn(obj):
            return "hn"
        raise fail(
            filename,
            "JSON of a shape argmap does not read: expected a Reddit /comments/<id>.json "
            "(a list of 2 Listings), a Hacker News Algolia item (an object with children), "
            "or JSON Lines posts with id and text",
        )
    if {"id", "comment"} <= csv_header_fields(body):
        return "csv"
    if _looks_like_slashdot(text):
        return "slashdot"
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise InputError(
        one_line(f"cannot tell the format of {filename}; pass --format one of {_choices()}")
    )


def _check_format(name: str, format: str | None) -> None:
    if format is not None and format not in FORMATS:
        raise InputError(
            one_line(f"{name}: unknown format {format!r}; pass --format one of {_choices()}")
        )


def read_source(path: Path, limits: Limits | None = None) -> bytes:
    """The bytes of a source file, read once and never more than ``max_file_bytes``.

    Callers that also hash the file hash these bytes: a second read could see another file
    (replaced meanwhile) or one of any size."""
    limits = limits or settings().limits
    path = Path(path)
    name = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise fail(name, "no such file") from None
    except PermissionError:
        raise fail(name, "cannot read: permission denied") from None
    except OSError as e:
        raise fail(name, f"cannot read: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise fail(name, "is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise fail(name, "is not a regular file")
    if st.st_size > limits.max_file_bytes:  # checked before reading a byte
        raise fail(name, f"{st.st_size} bytes, bigger than max_file_bytes={limits.max_file_bytes}")
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except PermissionError:
        raise fail(name, "cannot read: permission denied") from None
    except OSError as e:
        raise fail(name, f"cannot read: {e.strerror or e}") from None
    if len(data) > limits.max_file_bytes:
        raise fail(name, f"bigger than max_file_bytes={limits.max_file_bytes}")
    return data


def _decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise fail(name, "is empty")
    if b"\x00" in data:
        raise fail(name, "looks binary (contains NUL bytes); expected a UTF-8 text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise fail(name, f"is not UTF-8 text (undecodable byte at offset {e.start})") from None
    if not text.strip():
        raise fail(name, "is empty")
    return text


def parse_source(
    data: bytes, name: str, format: str | None = None, limits: Limits | None = None
) -> Thread:
    """Detect, parse and check the bytes of one source file (``read_source``'s) named
    ``name``. Raises ``InputError`` (one line)."""
    limits = limits or settings().limits
    _check_format(name, format)
    text = _decode(data, name)
    fmt = format or detect_format(text, name)
    try:
        thread = FORMATS[fmt](text, name)
    except InputError as e:
        raise InputError(one_line(str(e))) from None
    except RecursionError:
        raise fail(name, f"{fmt} input nested too deeply to parse") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise fail(name, f"not a valid {fmt} file ({type(e).__name__}: {str(e)[:120]})") from None
    validate(thread.posts, limits, name)
    thread.format = fmt
    thread.source = name
    return thread


def parse_file(path: Path, format: str | None = None, limits: Limits | None = None) -> Thread:
    """Read, detect, parse and check one source file. Raises ``InputError`` (one line)."""
    path = Path(path)
    _check_format(str(path), format)
    return parse_source(read_source(path, limits), str(path), format, limits)

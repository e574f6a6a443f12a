"""Posts -> Units: sentences of a post's OWN words, with exact offsets into ``post.text``.

Quoted words (``post.quotes``) never become units of the quoter: only ``post.own_spans()``
are segmented. Sentences come from pysbd; a sentence longer than ``max_chars`` is cut
further by LangChain's RecursiveCharacterTextSplitter. Offsets are found by searching each
piece forward in the original span rather than trusting pysbd's ``char_span`` (which can
point at an earlier copy of a repeated sentence), so ``post.text[u.start:u.end] == u.text``
always holds; a piece that cannot be found verbatim is never emitted with a guessed offset.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pysbd
from langchain_text_splitters import RecursiveCharacterTextSplitter

from argmap.injection import post_instruction_spans
from argmap.records import Post, Thread, Unit
from argmap.text import locate

_local = threading.local()  # pysbd.Segmenter keeps per-call state: one per thread
# Anything pysbd might split at: sentence punctuation or a line break before the last char.
_MAYBE_BOUNDARY = re.compile(r"[.!?\u2026\u3002\n\r]")
_LINE = re.compile(r"[^\n]+")
_WINDOW = 2000
_WINDOW_END = re.compile(r"[.!?][\"')\]]*\s+")


def _segmenter() -> pysbd.Segmenter:
    seg = getattr(_local, "seg", None)
    if seg is None:
        seg = _local.seg = pysbd.Segmenter(language="en", clean=False, char_span=False)
    return seg


def _splitter(max_chars: int) -> RecursiveCharacterTextSplitter:
    cache: dict[int, RecursiveCharacterTextSplitter] = _local.__dict__.setdefault("split", {})
    if max_chars not in cache:
        cache[max_chars] = RecursiveCharacterTextSplitter(chunk_size=max_chars, chunk_overlap=0)
    return cache[max_chars]


def _in_order(text: str, pieces: list[str], start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of ``pieces`` found one after another inside ``text[start:end]``; a piece the
    splitter altered beyond whitespace is skipped rather than given a guessed offset."""
    cursor = start
    for piece in pieces:
        hit = locate(text, piece, cursor, end)
        if hit is not None:
            yield hit
            cursor = hit[1]


def _blocks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Lines of ``text[start:end]``, long lines cut into windows of at most ``_WINDOW`` chars.

    pysbd already ends a sentence at every line break, and its time grows faster than linearly
    on long inputs with many sentences, so it is fed bounded blocks. Windows end after the
    last ". "/"! "/"? " (else the last space) in range.
    """
    for m in _LINE.finditer(text, start, end):
        a, b = m.span()
        while b - a > _WINDOW:
            cut = -1
            for cut_m in _WINDOW_END.finditer(text, a + _WINDOW // 2, a + _WINDOW):
                cut = cut_m.end()
            if cut < 0:
                cut = text.rfind(" ", a + _WINDOW // 2, a + _WINDOW) + 1 or a + _WINDOW
            yield a, cut
            a = cut
        if a < b:
            yield a, b


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for a, b in _blocks(text, start, end):
        chunk = text[a:b]
        body = chunk.strip()
        if not body:
            continue
        # Fast path (pysbd is the slow part of ingest): a span that starts with a letter or
        # digit (pysbd splits after a leading "(...)" or quotation) and has no possible
        # boundary before its last character is one sentence.
        if body[0].isalnum() and not _MAYBE_BOUNDARY.search(body, 0, len(body) - 1):
            lead = len(chunk) - len(chunk.lstrip())
            yield a + lead, a + lead + len(body)
        else:
            # processor().process() is segment() minus its span search, which compiles every
            # sentence as a regex; _in_order finds the spans instead
            yield from _in_order(text, _segmenter().processor(chunk).process(), a, b)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece) - len(piece.rstrip())
    return start + left, end - right


def units_for_post(post: Post, max_chars: int = 400) -> list[Unit]:
    """Sentence units of ``post``'s own words; each ``text`` equals ``post.text[start:end]``.

    Sentences addressed to a language model are units too (lookup finds them), flagged
    ``to_model`` so that retrieval and the verifier never take them as evidence.
    """
    text = post.text
    units: list[Unit] = []
    flagged = post_instruction_spans(post)
    for s0, e0 in post.own_spans():
        for s, e in _sentences(text, s0, e0):
            spans = [(s, e)]
            if e - s > max_chars:
                spans = list(_in_order(text, _splitter(max_chars).split_text(text[s:e]), s, e))
            for a, b in spans:
                a, b = _trim(text, a, b)
                piece = text[a:b]
                if not any(c.isalnum() for c in piece):
                    continue
                units.append(
                    Unit(
                        id=f"{post.id}:{a}-{b}",
                        post_id=post.id,
                        start=a,
                        end=b,
                        text=piece,
                        author=post.author,
                        kind=post.kind,
                        depth=post.depth,
                        parent_id=post.parent_id,
                        to_model=any(fs < b and a < fe for fs, fe in flagged),
                    )
                )
    return units


# Below this many posts starting a helper interpreter costs more than it saves.
PARALLEL_MIN_POSTS = 5000


def _units_for_posts(posts: list[Post], max_chars: int) -> list[Unit]:
    return [u for p in posts for u in units_for_post(p, max_chars)]


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def units_for_thread(thread: Thread, max_chars: int = 400) -> list[Unit]:
    """Units of every post, in thread order.

    Sentence splitting is pure Python (pysbd) and posts are independent, so a large thread
    is shared with one helper interpreter per extra core (``serve``: posts in, units out, as
    pickles on its pipes) while this
    process does its own share; nothing else runs during this step, so those cores would
    idle. Not multiprocessing: spawn re-runs the caller's main script in each worker (a
    user script without a ``__main__`` guard would repeat its own side effects), and fork
    would copy Chroma's and onnxruntime's threads mid-lock. A helper that fails only costs
    time: its share is done here instead, so the result never depends on it."""
    posts = thread.posts
    workers = min(_cores(), 8)
    if workers < 2 or len(posts) < PARALLEL_MIN_POSTS:
        return _units_for_posts(posts, max_chars)
    size = -(-len(posts) // workers)
    chunks = [posts[i : i + size] for i in range(0, len(posts), size)]
    helpers = [(_start_helper(chunk, max_chars), chunk) for chunk in chunks[1:]]
    units = _units_for_posts(chunks[0], max_chars)
    for proc, chunk in helpers:
        part = _collect(proc)
        units += part if part is not None else _units_for_posts(chunk, max_chars)
    return units


# The helper's whole program. ``-I`` (isolated mode) keeps the working directory, the script
# directory, PYTHON* variables and user site-packages off its import path, so a ``pysbd.py``
# planted where a user runs ``argmap`` is never imported; the one directory added is the one
# this package was loaded from, passed as an argument (absolute: resolved below).
_HELPER = "import sys; sys.path.insert(0, sys.argv[1]); from ingest.units import serve; serve()"
_ROOT = str(Path(__file__).resolve().parents[1])


def _start_helper(chunk: list[Post], max_chars: int) -> subprocess.Popen[bytes]:
    """A helper interpreter already given its share: (posts, max_chars) pickled on stdin."""
    proc = subprocess.Popen(
        [sys.executable, "-I", "-c", _HELPER, _ROOT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    try:
        pickle.dump((chunk, max_chars), proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:  # it died at start: _collect returns None and the share is done here
        pass
    finally:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    return proc


def _collect(proc: subprocess.Popen[bytes]) -> list[Unit] | None:
    """A helper's units, or None when it failed (its share is then done in this process)."""
    assert proc.stdout is not None
    part: list[Unit] | None
    try:
        part = pickle.load(proc.stdout)
    except Exception:
        part = None
    proc.stdout.close()
    return part if proc.wait() == 0 else None


def serve() -> None:
    """A helper of ``units_for_thread``: (posts, max_chars) pickled in, units pickled out."""
    posts, max_chars = pickle.load(sys.stdin.buffer)
    pickle.dump(_units_for_posts(posts, max_chars), sys.stdout.buffer, pickle.HIGHEST_PROTOCOL)

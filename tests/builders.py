"""Small hand-made inputs several test files build: one definition each."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from argmap.records import Post, Thread, Unit


def tiny_thread(text: str) -> tuple[Thread, list[Unit]]:
    """An article and one reply, each a single unit: enough for the store's write path."""
    posts = [Post(id="a", kind="article", title="T", text=text),
             Post(id="c", kind="comment", author="ann", parent_id="a", depth=1,
                  text=f"I disagree: {text}")]
    units = [Unit(id=f"{p.id}:0-{len(p.text)}", post_id=p.id, start=0, end=len(p.text),
                  text=p.text, author=p.author, kind=p.kind, depth=p.depth,
                  parent_id=p.parent_id) for p in posts]
    return Thread(title="T", posts=posts, format="test"), units


def two_post_jsonl(path: Path, words: str) -> Path:
    """A JSONL source file (an article and a reply) about ``words``."""
    rows = [{"id": "p1", "kind": "article", "author": "ed", "parent_id": None,
             "text": f"An article about {words}."},
            {"id": "p2", "kind": "comment", "author": "ann", "parent_id": "p1",
             "text": f"I think {words} is a bad idea."}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


@contextmanager
def tmpfs(mnt: Path, options: str) -> Iterator[Path]:
    """A tmpfs at ``mnt`` (root only): the one honest way to get a full or read-only disk."""
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)

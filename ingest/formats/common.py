"""Helpers every parser shares: safe JSON loading, tree building, pruning, validation.

Trees are walked with explicit stacks, never recursion: a hostile 10,000-deep reply chain
must end in an ``InputError``, not a ``RecursionError``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from argmap.config import Limits
from argmap.errors import InputError
from argmap.records import Post

# JSON nesting argmap will decode at all. The C decoder recurses once per level, so deeper
# documents would need a recursion limit high enough to risk the C stack; a reply chain that
# deep is far beyond any sensible ``max_depth`` (HN needs 2 levels a reply, Reddit 5).
MAX_JSON_NESTING = 6000
# A string (its closing quote optional: an unterminated one runs to the end of the text, so
# no quote is ever rescanned, which made ``"\"\"\"...`` quadratic) or a bracket. Possessive
# repeats keep no backtracking state (10 MB of escapes took 600 MB without).
_TOKENS = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?|[\[\]{}]', re.DOTALL)


def name_of(source: str) -> str:
    return source or "<input>"


def one_line(message: str) -> str:
    """Collapse a message to one line: surfaces print ``str(err)`` as a single line."""
    return " ".join(message.split())


def clip(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: an id or header quoted from a hostile file
    cannot turn the one-line message into a page."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fail(source: str, message: str) -> InputError:
    return InputError(one_line(f"{name_of(source)}: {message}"))


def json_nesting(text: str) -> int:
    """Deepest bracket nesting of a JSON text, outside strings (a linear, iterative scan)."""
    depth = deepest = 0
    for ch in _TOKENS.findall(text):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _invalid(source: str, e: json.JSONDecodeError) -> InputError:
    return fail(source, f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}")


class LongNumber(ValueError):
    """A JSON integer longer than Python converts (``sys.get_int_max_str_digits()``)."""


def _int(digits: str) -> int:
    # json hands every integer literal to int(), whose refusal of a 5,000-digit one is a
    # bare ValueError with advice meant for programmers; this says what the file holds.
    try:
        return int(digits)
    except ValueError:
        limit = sys.get_int_max_str_digits()
        raise LongNumber(
            f"an integer of {len(digits)} digits (argmap reads at most {limit})"
        ) from None


def loads(text: str) -> Any:
    """``json.loads`` that fails only with ``JSONDecodeError``, ``LongNumber`` or
    ``RecursionError``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:  # int()'s digit limit: decode again, naming the number (rare path)
        return json.loads(text, parse_int=_int)


def load_json(text: str, source: str = "") -> Any:
    """``json.loads`` with one-line errors (line/col) and deep-but-legal nesting allowed."""
    try:
        return loads(text)
    except json.JSONDecodeError as e:
        raise _invalid(source, e) from None
    except LongNumber as e:
        raise fail(source, f"invalid JSON: {e}") from None
    except RecursionError:
        pass
    nesting = json_nesting(text)
    if nesting > MAX_JSON_NESTING:
        raise fail(
            source,
            f"JSON nested {nesting} levels deep (argmap reads at most {MAX_JSON_NESTING}); "
            "the reply chain is deeper than any max_depth allows",
        )
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, nesting + 500))
    try:
        return loads(text)
    except json.JSONDecodeError as e:  # deep and also broken: found once the depth is allowed
        raise _invalid(source, e) from None
    except LongNumber as e:
        raise fail(source, f"invalid JSON: {e}") from None
    except RecursionError:
        raise fail(source, f"JSON nested too deeply ({nesting} levels)") from None
    finally:
        sys.setrecursionlimit(old)


def compute_depths(posts: Iterable[Post], source: str = "") -> dict[str, int]:
    """Depth of every post from its parent links: article root 0, comment root 1, child +1.

    Raises on a parent id that is not in the thread and on a parent cycle.
    """
    by_id = {p.id: p for p in posts}
    depth: dict[str, int] = {}
    for start in by_id:
        chain: list[str] = []
        on_chain: set[str] = set()
        pid: str | None = start
        while pid is not None and pid not in depth:
            if pid in on_chain:
                raise fail(source, f"reply cycle: post {clip(pid)} is its own ancestor")
            post = by_id.get(pid)
            if post is None:
                child = chain[-1] if chain else start
                raise fail(source, f"post {clip(child)} replies to unknown post {clip(pid)}")
            chain.append(pid)
            on_chain.add(pid)
            pid = post.parent_id
        base = depth[pid] if pid is not None else -1
        for cid in reversed(chain):
            if base < 0:
                base = 0 if by_id[cid].kind == "article" else 1
            else:
                base += 1
            depth[cid] = base
    return depth


def build_tree(posts: list[Post], source: str = "") -> list[Post]:
    """Posts in any order -> thread pre-order (articles first, siblings in file order), with
    depths computed from parent links. Duplicate ids, unknown parents and cycles raise."""
    seen: set[str] = set()
    for p in posts:
        if p.id in seen:
            raise fail(source, f"duplicate post id {clip(p.id)}")
        seen.add(p.id)
    depth = compute_depths(posts, source)
    children: dict[str | None, list[Post]] = {}
    for p in posts:
        children.setdefault(p.parent_id, []).append(p)
    roots = sorted(children.get(None, []), key=lambda p: p.kind != "article")
    out: list[Post] = []
    stack = list(reversed(roots))
    while stack:
        p = stack.pop()
        out.append(replace(p, depth=depth[p.id]))
        stack.extend(reversed(children.get(p.id, [])))
    return out


def prune_empty(posts: list[Post]) -> list[Post]:
    """Drop comments whose text is blank and that have no kept replies (e.g. deleted leaves).

    Blank comments with replies stay, with their empty text, so nobody's reply is re-parented
    onto a post it never answered. ``posts`` must list parents before their children.
    """
    has_reply: set[str] = set()
    kept: list[Post] = []
    for p in reversed(posts):
        if p.kind == "comment" and not p.text.strip() and p.id not in has_reply:
            continue
        kept.append(p)
        if p.parent_id is not None:
            has_reply.add(p.parent_id)
    kept.reverse()
    return kept


def validate(posts: list[Post], limits: Limits, source: str = "") -> None:
    """The checks every parsed thread must pass, whatever its format."""
    if not posts:
        raise fail(source, "no posts found")
    if len(posts) > limits.max_posts:
        raise fail(source, f"{len(posts)} posts, more than max_posts={limits.max_posts}")
    seen: set[str] = set()
    for p in posts:
        if p.id in seen:
            raise fail(source, f"duplicate post id {clip(p.id)}")
        seen.add(p.id)
        if len(p.text) > limits.max_post_chars:
            raise fail(
                source,
                f"post {clip(p.id)} is {len(p.text)} characters, "
                f"more than max_post_chars={limits.max_post_chars}",
            )
    depth = compute_depths(posts, source)
    deepest = max(depth.values())
    if deepest > limits.max_depth:
        raise fail(source, f"reply chain {deepest} deep, deeper than max_depth={limits.max_depth}")

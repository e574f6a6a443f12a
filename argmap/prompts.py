"""Prompt files in ``prompts/``, loaded by name and filled strictly.

Prompts are files so they can be read and changed without touching code; a variable the
caller forgets is an error (StrictUndefined), never a silently empty hole in a prompt.
Corpus text is always passed as a variable value, never as template source, so a comment
containing ``{{ ... }}`` is printed, not executed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from argmap.config import PROMPTS_DIR
from argmap.errors import ArgmapError

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,60}$")
_SUFFIXES = (".md", ".txt")


def _env(root: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)), undefined=jinja2.StrictUndefined,
        autoescape=False, keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True,
    )


@lru_cache(maxsize=4)
def _cached_env(root: str) -> jinja2.Environment:
    return _env(Path(root))


def _file_name(name: str, root: Path) -> str:
    if not _NAME.match(name) or ".." in name:
        raise ArgmapError(f"invalid prompt name {name!r}")
    for suffix in _SUFFIXES:
        if (root / f"{name}{suffix}").is_file():
            return f"{name}{suffix}"
    raise ArgmapError(f"no prompt {name!r} in {root} (known: {', '.join(names(root)) or 'none'})")


def names(root: Path = PROMPTS_DIR) -> list[str]:
    return sorted(p.stem for p in root.glob("*") if p.suffix in _SUFFIXES)


def load(name: str, root: Path = PROMPTS_DIR) -> jinja2.Template:
    return _cached_env(str(root)).get_template(_file_name(name, root))


def render(name: str, /, root: Path = PROMPTS_DIR, **variables: Any) -> str:
    """Fill prompt ``name``; a missing variable raises ArgmapError naming it."""
    try:
        return load(name, root).render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise ArgmapError(f"prompt {name!r}: {exc}") from None


def variables(name: str, root: Path = PROMPTS_DIR) -> set[str]:
    """The variables prompt ``name`` expects (what a caller must pass to ``render``)."""
    env = _cached_env(str(root))
    fname = _file_name(name, root)
    source = (root / fname).read_text(encoding="utf-8")
    return set(meta.find_undeclared_variables(env.parse(source)))

"""Corpus text as Markdown that shows exactly that text, for any CommonMark viewer.

CommonMark lets a backslash escape every ASCII punctuation character, so escaping all of
them leaves no syntax: no HTML (``<script>``, ``<iframe>``), no images or links, no
emphasis, headings, lists or block quotes, no entities (``&lt;``). The app escapes all of
them (Streamlit adds directives and maths). A Markdown file is also read as plain text, so
the export escapes only what can be syntax in a one-line field that follows a prefix of
ours: everywhere, the characters that open HTML, links, images, emphasis, code, entities,
maths and tables; at the start, list, heading and thematic-break markers.
"""

from __future__ import annotations

import re
import unicodedata

PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def escape_punct(text: str) -> str:
    """Backslash-escape every ASCII punctuation character (line structure untouched)."""
    return PUNCT.sub(r"\\\1", text)


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed and control characters dropped: a field
    meant for one line can't start another (a forged heading or quote block)."""
    kept = "".join(ch for ch in str(text) if unicodedata.category(ch) != "Cc" or ch.isspace())
    return " ".join(kept.split())


_ALWAYS = re.compile(r"([\\`*_{}\[\]<>#|~&$])")
_AT_START = re.compile(r"^([-+=>]|\d{1,9}(?=[.)]))")


def inline(text: str) -> str:
    """A field (title, author, key point, quote) as one line of inert Markdown, readable
    as plain text too."""
    esc = _ALWAYS.sub(r"\\\1", one_line(text))
    m = _AT_START.match(esc)
    if m is None:
        return esc
    if m.group(1)[0].isdigit():  # "1." / "1)" would start an ordered list
        end = m.end()
        return f"{esc[:end]}\\{esc[end:]}"
    return f"\\{esc}"

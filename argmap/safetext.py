"""Corpus text made inert where it is shown: as Markdown, and on a terminal.

Markdown: text that shows exactly that text in any CommonMark viewer.

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

PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
# What a terminal would act on rather than show: ESC sequences (CSI, OSC, DCS/PM/APC and
# two-byte ones), the other C0/C1 controls (a bare CR rewrites the line) and the
# bidirectional overrides that reorder what is displayed. Newline and tab stay.
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|[ -/]*[0-~]?)"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Text as a terminal shows it literally: escape sequences and controls removed whole."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def escape_punct(text: str) -> str:
    """Backslash-escape every ASCII punctuation character (line structure untouched)."""
    return PUNCT.sub(r"\\\1", text)


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed and controls dropped: a field meant for one
    line can't start another (a forged heading or quote block) or drive a terminal."""
    return " ".join(strip_controls(str(text)).split())


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

"""Safe rendering of corpus text: every comment is data, never Markdown or HTML.

Streamlit renders Markdown, and Markdown can load remote images, build links, run LaTeX and
colour directives. So all corpus text goes through ``escape_md``, which backslash-escapes
every ASCII punctuation character (CommonMark allows escaping any of them): ``<script>``,
``![x](http://...)`` or ``&lt;`` then show literally. Only markup we add ourselves (the
highlight and quote colouring directives around escaped text) is interpreted.
Nothing here ever passes ``unsafe_allow_html``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from argmap.records import Post
from argmap.safetext import escape_punct

HIGHLIGHT = "orange-background"
QUOTED = "gray"


def escape_md(text: str) -> str:
    """Plain text -> Markdown that renders as exactly that text (line breaks kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [escape_punct(line.strip()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line:
            out.append(line)
        elif out and out[-1] != "":
            out.append("")
    # Two trailing spaces make a hard line break inside a paragraph.
    return "\n".join(f"{ln}  " if ln else ln for ln in out).strip()


def _wrap(text: str, style: str | None) -> str:
    """Escaped text, each line wrapped in ``:style[...]`` (a directive can't span lines)."""
    esc = escape_punct(text)
    if style is None:
        return esc
    return "\n".join(f":{style}[{ln}]" if ln.strip() else ln for ln in esc.split("\n"))


def _segments(
    n: int, spans: Iterable[tuple[int, int, str]]
) -> list[tuple[int, int, str | None]]:
    """Cut [0, n) at every span boundary; later spans in ``spans`` win where they overlap."""
    spans = [(max(0, s), min(n, e), st) for s, e, st in spans if e > s]
    cuts = sorted({0, n, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[tuple[int, int, str | None]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        style = None
        for s, e, st in spans:
            if s <= a and b <= e:
                style = st
        out.append((a, b, style))
    return out


def post_md(post: Post, start: int | None = None, end: int | None = None) -> str:
    """The full post as safe Markdown: quoted parts greyed, ``[start, end)`` highlighted."""
    text = post.text.replace("\r", "\n")  # same length: offsets stay valid
    spans = [(q.start, q.end, QUOTED) for q in post.quotes]
    if start is not None and end is not None:
        spans.append((start, end, HIGHLIGHT))
    body = "".join(_wrap(text[a:b], style) for a, b, style in _segments(len(text), spans))
    paras = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    return "\n\n".join(
        "  \n".join(ln.strip() for ln in p.split("\n") if ln.strip()) for p in paras
    )


def snippet(text: str, limit: int = 160) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1] + "\u2026"


def tree_prefix(level: int) -> str:
    """Indentation for a thread-tree line, as text (safe; Markdown strips leading spaces)."""
    return "\u2502\u2002" * max(0, level - 1) + ("\u2514\u2500 " if level > 0 else "")


def dot_string(text: str, limit: int = 60, width: int = 28, last: str = "") -> str:
    """A DOT double-quoted string: escaped, shortened and wrapped for a node label; ``last``
    is a final line kept whole however long ``text`` is (a count that must never be cut)."""
    words = " ".join(text.split())
    if len(words) > limit:
        words = words[: limit - 1] + "\u2026"
    lines: list[str] = []
    for word in words.split(" "):
        if lines and len(lines[-1]) + len(word) + 1 <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if last:
        lines.append(" ".join(last.split()))
    esc = [ln.replace("\\", "\\\\").replace('"', '\\"') for ln in lines]
    return '"' + "\\n".join(esc) + '"'

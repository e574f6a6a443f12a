"""Slashdot text dump (a story page copied as text) -> Thread.

Layout of such a dump: site chrome, the topic tags line ("AI Microsoft"), the story title
with the shown comment count ("... Enterprise AI Tool 49"), the article paragraphs, the
"archived" notice, the title again, "Comments Filter:", then the comments: one bullet "•"
per comment, indented two spaces a nesting level (top level at "  • "). A comment's further
paragraphs are the following lines indented deeper than its bullet. A comment may open with
a by-line, ``by NAME ( UID ) [on <date> (#<cid>)] [Homepage] [Journal]``; the rest carry no
author. Nesting is recovered from indentation alone, with a stack (no recursion).

Ids are stable across re-parses: ``c<cid>`` where Slashdot printed a comment id, else
``c-`` plus the 1-based sibling path (``c-1-3-2`` = 2nd reply of the 3rd reply of the first
top-level comment). The article is ``article``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from argmap.records import Post, Thread

from .common import fail

ARTICLE_ID = "article"
# Site chrome lines dropped wherever they appear.
CHROME = frozenset(
    {
        "Become a fan of Slashdot on Facebook",
        "Forgot your password?",
        "typodupeerror",
        "×",
        "This discussion has been archived. No new comments can be posted.",
        "Comments Filter:",
        "Working...",
        "Load More Comments",
    }
)
ARCHIVED = "This discussion has been archived."
FILTER = "Comments Filter:"
_BULLET = re.compile(r"^(?P<indent>[ \t]*)•[ \t]?(?P<rest>.*)$")
_BYLINE = re.compile(
    r"^by\s+(?:(?P<ac>Anonymous Coward)|(?P<name>\S.*?)\s*\(\s*(?P<uid>\d+)\s*\))"
    r"(?:\s+on\s+(?P<date>[^()]+?)\s*\(#(?P<cid>\d+)\))?"
    r"(?:\s+(?:Homepage|Journal)\b)*\s*(?P<body>.*)$"
)
# A by-line is short; matching is confined to a line's head because the lazy name/date
# groups above backtrack quadratically over a long whitespace run ("by x" + 100k spaces).
_BYLINE_MAX = 1000
_POSTED = re.compile(r"^Posted by (?P<name>.+?) on (?P<date>.+?)(?:\s+from the .*)?$")
_COUNT = re.compile(r"^(?P<title>.*\S)\s+(?P<count>\d+)$")
# Characters a finished comment ends with. Slashdot's listing shows at most ~512 characters
# of a comment (markup included) and cuts the rest mid-word, so a long comment that ends
# without one of these was cut; a short one is just informal ("cough cough, ... world wide").
_FINAL = set(".!?\"')]}…”’*>")
_CUT_MIN_CHARS = 400


@dataclass
class _Node:
    indent: int
    lines: list[str]
    depth: int
    path: list[int]
    parent: _Node | None = None
    kids: int = 0
    author: str = ""
    author_id: str = ""
    time: str = ""
    cid: str = ""
    id: str = field(default="")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _iso_time(raw: str) -> str:
    """``Thursday May 02, 2024 @03:37PM`` -> ``2024-05-02T15:37:00``; unparsed text as-is."""
    for fmt in ("%A %B %d, %Y @%I:%M%p", "%A %B %d, %Y @%H:%M"):
        try:
            return datetime.strptime(raw.strip(), fmt).isoformat()
        except ValueError:
            continue
    return raw.strip()


def looks_like_truncated(text: str) -> bool:
    """True when a comment ends the way Slashdot's length cut leaves it: mid-sentence."""
    body = text.rstrip()
    if not body or body[-1] in _FINAL:
        return False
    return len(body) >= _CUT_MIN_CHARS or body[-1] in ",;-–—("


def looks_like_slashdot(text: str) -> bool:
    """Auto-detection: indented "•" comment bullets, plus a Slashdot signal or several bullets.

    JSON and CSV never match: their lines do not open with an indented bullet.
    """
    if text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{"):
        return False
    bullets = len(re.findall(r"^[ \t]+•", text, re.MULTILINE))
    signals = (
        FILTER in text
        or ARCHIVED in text
        or "typodupeerror" in text
        or re.search(r"^[ \t]*•[ \t]*by \S.*?\( \d+ \)", text, re.MULTILINE) is not None
    )
    return bullets >= 3 or (bullets >= 1 and signals)


def _apply_byline(node: _Node) -> None:
    """Move a leading by-line out of the comment's text into author/uid/time/cid."""
    if not node.lines:
        return
    line = node.lines[0]
    m = _BYLINE.match(line[:_BYLINE_MAX])
    if m is None:
        return
    node.author = "Anonymous Coward" if m["ac"] else m["name"].strip()
    node.author_id = m["uid"] or ""
    node.time = _iso_time(m["date"]) if m["date"] else ""
    node.cid = m["cid"] or ""
    body = line[m.start("body") :].strip()
    node.lines = ([body] if body else []) + node.lines[1:]


def _split_sections(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(header lines, lines between the archived notice and the comments, comment lines)."""
    filt = next((i for i, ln in enumerate(lines) if ln.strip() == FILTER), None)
    if filt is not None:
        start = filt + 1
    else:  # comments open at the first indented bullet (an article may list "• " items)
        bullets = [i for i, ln in enumerate(lines) if _BULLET.match(ln)]
        indented = [i for i in bullets if lines[i][:1] in " \t"]
        start = (indented or bullets or [len(lines)])[0]
    arch = next((i for i, ln in enumerate(lines[:start]) if ln.strip().startswith(ARCHIVED)), None)
    head_end = arch if arch is not None else (filt if filt is not None else start)
    between = lines[head_end + 1 : start] if arch is not None else []
    return lines[:head_end], between, lines[start:]


def _header(head: list[str], between: list[str]) -> tuple[list[str], str, int | None, list[str]]:
    """(tags, title, shown comment count, article paragraphs) from the story header."""
    rows = [ln.strip() for ln in head if ln.strip() and ln.strip() not in CHROME]
    again = next((ln.strip() for ln in between if ln.strip() and ln.strip() not in CHROME), "")
    if not rows:
        return [], again, None, []

    def is_title(row: str) -> bool:  # the title repeated after the notice names the line
        m = _COUNT.match(row)
        return row == again or (m is not None and m["title"] == again)

    k = next((i for i, r in enumerate(rows) if is_title(r)), None) if again else None
    if k is None:
        k = next((i for i, r in enumerate(rows[:3]) if _COUNT.match(r)), None)
    if k is None:  # no count: a short tags line may still precede the title
        k = 1 if len(rows) >= 3 and len(rows[0].split()) <= 5 and rows[0][-1].isalnum() else 0
    title, count = rows[k], None
    m = _COUNT.match(title)
    if m and title != again:
        title, count = m["title"], int(m["count"])
    tags = [t for r in rows[:k] for t in r.split()]
    return tags, title, count, rows[k + 1 :]


def _comment_nodes(section: list[str]) -> list[_Node]:
    """Comment nodes in pre-order, nesting from bullet indentation (an explicit stack)."""
    nodes: list[_Node] = []
    stack: list[_Node] = []
    top = 0
    for line in section:
        if not line.strip():
            continue
        ind = _indent(line)
        m = _BULLET.match(line)
        if m is None and ind == 0:
            continue  # footer quote, "Working...", other chrome: comment text is indented
        while stack and stack[-1].indent >= ind:
            stack.pop()
        if m is None:
            if stack:
                stack[-1].lines.append(line.strip())
            continue
        parent = stack[-1] if stack else None
        if parent is None:
            top += 1
            path = [top]
        else:
            parent.kids += 1
            path = [*parent.path, parent.kids]
        rest = m["rest"].strip()
        node = _Node(ind, [rest] if rest else [], (parent.depth if parent else 0) + 1, path)
        node.parent = parent
        nodes.append(node)
        stack.append(node)
    return nodes


def parse_slashdot(text: str, source: str = "") -> Thread:
    """Parse a Slashdot text dump; the story becomes post ``article``, comments nest under it.

    Raises ``InputError`` (one line) when the text has neither comment bullets nor a story.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    head, between, section = _split_sections(lines)
    nodes = _comment_nodes(section)
    tags, title, count, paragraphs = _header(head, between)
    has_signal = any(ln.strip() in (FILTER, "typodupeerror") for ln in lines) or any(
        ln.strip().startswith(ARCHIVED) for ln in lines
    )
    if not nodes and not has_signal:
        raise fail(source, "not a Slashdot text dump: no indented '•' comment bullets found")

    article_author = article_time = ""
    if paragraphs and (pm := _POSTED.match(paragraphs[0])):
        article_author, article_time = pm["name"], _iso_time(pm["date"])
        paragraphs = paragraphs[1:]
    posts: list[Post] = []
    if title or paragraphs:
        posts.append(
            Post(
                id=ARTICLE_ID,
                kind="article",
                text="\n\n".join(paragraphs),
                author=article_author,
                time=article_time,
                depth=0,
                title=title,
            )
        )
    root_parent = ARTICLE_ID if posts else None
    used: set[str] = set()
    for node in nodes:
        _apply_byline(node)
        path_id = "c-" + "-".join(map(str, node.path))
        node.id = f"c{node.cid}" if node.cid and f"c{node.cid}" not in used else path_id
        used.add(node.id)
        body = "\n\n".join(node.lines)
        posts.append(
            Post(
                id=node.id,
                kind="comment",
                text=body,
                author=node.author,
                author_id=node.author_id,
                time=node.time,
                parent_id=node.parent.id if node.parent else root_parent,
                depth=node.depth,
                truncated=looks_like_truncated(body),
            )
        )
    metadata: dict[str, object] = {"tags": tags}
    if count is not None:
        metadata["comment_count_shown"] = count
    return Thread(title=title, posts=posts, format="slashdot", source=source, metadata=metadata)

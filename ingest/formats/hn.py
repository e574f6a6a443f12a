"""Hacker News Algolia item JSON (``/api/v1/items/<id>``, nested ``children``) -> Thread.

A story (or poll/job) root becomes the article (depth 0); a comment root (e.g. ``items/17``)
has no article in the file, so it is a top-level comment (parent None, depth 1), like CSV.
Ids are ``hn-<id>``. Deleted items (null text) become blank comments: dropped when they have
no replies, kept with empty text when they do, so replies keep their true parent.
Text is HTML; it is turned into plain text (offsets everywhere point into that plain text).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, PageElement, Tag

from argmap.records import Post, PostKind, Thread

from .common import clip, fail, load_json, prune_empty

ITEM_URL = "https://news.ycombinator.com/item?id="
_ARTICLE_TYPES = {"story", "poll", "job"}
_PRIVATE_RUN = re.compile("\ue000+")


def _wanted(tag: Tag) -> Callable[[NavigableString], bool]:
    """The strings ``tag.get_text()`` keeps (text and CDATA; not comments, scripts...)."""
    kinds = tag.interesting_string_types
    if kinds is None:
        kinds = tag.MAIN_CONTENT_STRING_TYPES
    if isinstance(kinds, type):
        return lambda s: type(s) is kinds
    return lambda s: type(s) in kinds


def html_to_text(html: str) -> str:
    """HN comment HTML -> plain text: <p> = paragraph break, links and <i> keep their text,
    <pre><code> keeps its whitespace, entities unescaped. Never rendered as HTML.

    One walk over the parsed tree, emitting text as it goes: editing the tree instead
    (replace_with, insert_before) looks each node up among its siblings, which made 25 KB
    of ``<p>x`` or ``<pre>x</pre>`` take seconds and 100 KB minutes.
    """
    if not html:
        return ""
    with warnings.catch_warnings():  # a comment that is only a link is text, not a locator
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    wanted = _wanted(soup)
    parts: list[str | int] = []  # text, or the index of a code block set aside verbatim
    blocks: list[str] = []
    stack: list[PageElement | None] = list(reversed(soup.contents))  # None: a </p>
    while stack:
        node = stack.pop()
        if node is None:
            parts.append("\n\n")
        elif isinstance(node, NavigableString):
            if wanted(node):
                parts.append(str(node))
        elif isinstance(node, Tag):
            if node.name == "pre":
                blocks.append(node.get_text().strip("\n"))
                parts.append(len(blocks) - 1)
                continue
            if node.name == "br":
                parts.append("\n")
                continue
            if node.name == "p":
                parts.append("\n\n")
                stack.append(None)
            stack.extend(reversed(node.contents))
    # Code blocks come back after whitespace is normalised, from a placeholder that opens
    # with a run of U+E000 longer than any in the comment, so the comment's own private-use
    # characters are never taken for one.
    runs = _PRIVATE_RUN.findall("".join(p for p in parts if isinstance(p, str)))
    mark = "\ue000" * (max(map(len, runs), default=0) + 1)
    block = re.compile(re.escape(mark) + "([0-9]+)\ue001")
    raw = "".join(p if isinstance(p, str) else f"\n\n{mark}{p}\ue001\n\n" for p in parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", raw)
    text = re.sub(r" ?\n ?\n\s*", "\n\n", text).strip()
    return block.sub(lambda m: blocks[int(m[1])] if int(m[1]) < len(blocks) else m[0], text)


def looks_like_hn(obj: Any) -> bool:
    return isinstance(obj, dict) and "children" in obj and ("type" in obj or "story_id" in obj)


def parse_hn(text: str, source: str = "") -> Thread:
    root = load_json(text, source)
    if not looks_like_hn(root):
        raise fail(source, "not a Hacker News Algolia item (expected an object with children)")
    root_is_article = root.get("type") in _ARTICLE_TYPES
    posts: list[Post] = []
    # Explicit stack of (item, parent post id, depth): pre-order without recursion.
    stack: list[tuple[Any, str | None, int]] = [(root, None, 0 if root_is_article else 1)]
    while stack:
        item, parent, depth = stack.pop()
        if not isinstance(item, dict):
            raise fail(source, "Hacker News item has a child that is not an object")
        if item.get("id") is None:
            raise fail(source, "Hacker News item without an id")
        pid = f"hn-{item['id']}"
        kind: PostKind = "article" if item is root and root_is_article else "comment"
        body = html_to_text(str(item.get("text") or ""))
        title = str(item.get("title") or "")
        url = str(item.get("url") or "")
        if kind == "article" and not body.strip():
            body = "\n\n".join(x for x in (title, url) if x)
        posts.append(
            Post(
                id=pid,
                kind=kind,
                text=body,
                author=str(item.get("author") or ""),
                time=str(item.get("created_at") or ""),
                parent_id=parent,
                depth=depth,
                title=title if kind == "article" else "",
                source_url=(url or ITEM_URL + str(item["id"]))
                if kind == "article"
                else ITEM_URL + str(item["id"]),
            )
        )
        kids = item.get("children") or []
        if not isinstance(kids, list):
            raise fail(source, f"Hacker News item {clip(item['id'])}: children is not a list")
        stack.extend((c, pid, depth + 1) for c in reversed(kids))
    title = str(root.get("title") or "") or f"Hacker News item {root.get('id')}"
    return Thread(
        title=title,
        posts=prune_empty(posts),
        format="hn",
        source=source,
        metadata={"root_type": str(root.get("type") or ""), "story_id": root.get("story_id")},
    )

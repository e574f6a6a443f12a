"""Reddit ``/comments/<id>.json``: ``[post listing, comment listing]`` -> Thread.

Conventions (shared by every parser): the submission is the article (depth 0, parent None,
id ``t3_<id>``); a top-level comment has depth 1 and its parent is the article; each reply
level adds 1 (the shipped thread's deepest reply is depth 10). Ids are Reddit's fullnames
(``t1_<id>``) as-is. ``more`` stubs are not fetched; they are counted in
``metadata["more_stubs"]`` and the comments they hide in ``metadata["more_count"]``.
``[deleted]``/``[removed]`` bodies are kept verbatim: their replies still need a parent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from argmap.records import Post, Thread

from .common import fail, load_json, prune_empty

SITE = "https://www.reddit.com"


def _unescape(s: str) -> str:
    # Reddit's JSON escapes exactly these three; html.unescape would also eat "&not..." etc.
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _time(d: dict[str, Any]) -> str:
    ts = d.get("created_utc")
    if not isinstance(ts, int | float) or isinstance(ts, bool):
        return ""
    try:
        return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):  # 1e20, year 10000, NaN: no usable time
        return ""


def _children(listing: Any) -> list[Any]:
    if not isinstance(listing, dict) or listing.get("kind") != "Listing":
        return []
    data = listing.get("data")
    kids = data.get("children") if isinstance(data, dict) else None
    return kids if isinstance(kids, list) else []


def looks_like_reddit(obj: Any) -> bool:
    return (
        isinstance(obj, list)
        and len(obj) == 2
        and all(isinstance(x, dict) and x.get("kind") == "Listing" for x in obj)
    )


def parse_reddit(text: str, source: str = "") -> Thread:
    obj = load_json(text, source)
    if not looks_like_reddit(obj):
        raise fail(source, "not a Reddit comments JSON (expected a list of 2 Listings)")
    posts_l = [c for c in _children(obj[0]) if isinstance(c, dict) and c.get("kind") == "t3"]
    if not posts_l or not isinstance(posts_l[0].get("data"), dict):
        raise fail(source, "Reddit JSON has no submission (t3) in its first Listing")
    sub = posts_l[0]["data"]
    sub_id = str(sub.get("name") or f"t3_{sub.get('id', '')}")
    title = _unescape(str(sub.get("title") or ""))
    permalink = str(sub.get("permalink") or "")
    page = SITE + permalink if permalink else str(sub.get("url") or "")
    selftext = _unescape(str(sub.get("selftext") or ""))
    url = str(sub.get("url") or "")
    article = Post(
        id=sub_id,
        kind="article",
        text=selftext if selftext.strip() else "\n\n".join(x for x in (title, url) if x),
        author=str(sub.get("author") or ""),
        author_id=str(sub.get("author_fullname") or ""),
        time=_time(sub),
        parent_id=None,
        depth=0,
        title=title,
        source_url=page,
    )
    posts = [article]
    stubs = count = 0
    # Explicit stack of (node, parent id, depth): pre-order without recursion.
    stack: list[tuple[Any, str, int]] = [(c, sub_id, 1) for c in reversed(_children(obj[1]))]
    while stack:
        node, parent, depth = stack.pop()
        if not isinstance(node, dict) or not isinstance(node.get("data"), dict):
            raise fail(source, "Reddit JSON has a comment entry that is not an object")
        d = node["data"]
        if node.get("kind") == "more":
            stubs += 1
            c = d.get("count")
            count += c if isinstance(c, int) else 0
            continue
        if node.get("kind") != "t1":
            continue
        cid = str(d.get("name") or f"t1_{d.get('id', '')}")
        posts.append(
            Post(
                id=cid,
                kind="comment",
                text=_unescape(str(d.get("body") or "")),
                author=str(d.get("author") or ""),
                author_id=str(d.get("author_fullname") or ""),
                time=_time(d),
                parent_id=parent,
                depth=depth,
                source_url=f"{page}{d.get('id', '')}/" if permalink else "",
                role=str(d.get("distinguished") or ""),
            )
        )
        stack.extend((c, cid, depth + 1) for c in reversed(_children(d.get("replies"))))
    return Thread(
        title=title,
        posts=prune_empty(posts),
        format="reddit",
        source=source,
        metadata={
            "more_stubs": stubs,
            "more_count": count,
            "subreddit": str(sub.get("subreddit") or ""),
        },
    )

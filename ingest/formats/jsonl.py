r"""JSON Lines: one post a JSON object a line, for example::

    {"id": "a1", "kind": "article", "title": "Phones banned", "text": "The school bans phones."}
    {"id": 2, "author": "ann", "parent_id": "a1", "text": "Good. They distract."}
    {"id": 3, "author": "bo", "parent_id": 2, "text": "> They distract.\nNot mine."}

``id`` and ``text`` are required. ``kind`` is ``"article"`` or ``"comment"``, and ``"comment"``
when absent or null: a file of comments needs no article, and none is invented (a root
comment gets depth 1, as in CSV). Optional: ``parent_id``, ``author``, ``author_id``,
``time``, ``title``, ``source_url``, ``truncated`` and ``quotes``. Ids are kept as given
(integers become strings). Lines may come in any order; posts are put in thread pre-order
and ``depth`` is recomputed from ``parent_id`` (article root 0, comment root 1, +1 a level),
so a file cannot claim a depth its links contradict.

Quotes are found by ingest (``ingest/quotes.py``) like any format's; a file may also declare
them: ``"quotes": [{"text": ..., "from_post_id": ..., "start": ..., "end": ...}]``, the text
being exactly ``text[start:end]``. The credit is a claim, so it is checked: unless the quoted
words are in the named post's title or text, the span stays a quote (never the poster's own
words) but its origin becomes unknown, ``from_post_id`` ``""`` (a file may say so itself
with ``""`` or ``null``). ``dump_jsonl`` writes the same shape back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from argmap.records import Post, PostKind, Quote, Thread
from ingest.quotes import word_keys

from .common import LongNumber, build_tree, clip, fail, loads, prune_empty

_STR_FIELDS = ("author", "author_id", "time", "title", "source_url")
# Characters of origin text the quote check may scan, summed over a file's quotes: real files
# use a few per quoted word, but 250k tiny quotes of a 100 KB post would scan 25 billion.
# Past it, the remaining credits are unchecked and so made unknown, as for a failed check.
MAX_CHECK_WORK = 200_000_000


def looks_like_jsonl_post(obj: Any) -> bool:
    return isinstance(obj, dict) and "id" in obj and "text" in obj and "children" not in obj


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _quote(q: Any, text: str, where: str, source: str) -> Quote:
    """One quote as ``dump_jsonl`` writes it: exact types, and its text is its span's text."""
    need = f"{where}: each quote needs text, from_post_id, start, end"
    if not isinstance(q, dict) or any(k not in q for k in ("text", "from_post_id", "start", "end")):
        raise fail(source, need)
    start, end, origin = q["start"], q["end"], q["from_post_id"]
    if not (_is_int(start) and _is_int(end) and isinstance(q["text"], str)):
        raise fail(source, f"{need} (start and end integers, text a string)")
    if origin is None:
        origin = ""
    if not (_is_int(origin) or isinstance(origin, str)):
        raise fail(source, f'{where}: a quote\'s from_post_id must be a post id, "" or null')
    if not 0 <= start <= end <= len(text):
        raise fail(source, f"{where}: quote span {start}-{end} is outside text")
    if text[start:end] != q["text"]:
        raise fail(source, f"{where}: quote {start}-{end} does not match the text at that span")
    return Quote(text=q["text"], from_post_id=str(origin), start=start, end=end)


def _post(obj: Any, where: str, source: str) -> Post:
    if not isinstance(obj, dict):
        raise fail(source, f"{where}: expected a JSON object, got {type(obj).__name__}")
    for key in ("id", "text"):
        if key not in obj:
            raise fail(source, f"{where}: missing required field {key!r}")
    if not isinstance(obj["id"], str | int) or isinstance(obj["id"], bool) or obj["id"] == "":
        raise fail(source, f"{where}: id must be a non-empty string or integer")
    kind: PostKind = "comment" if obj.get("kind") is None else obj["kind"]
    if kind not in ("article", "comment"):
        raise fail(source, f"{where}: kind must be 'article' or 'comment', not {clip(kind)}")
    text = obj["text"]
    if not isinstance(text, str):
        raise fail(source, f"{where}: text must be a string")
    fields: dict[str, Any] = {}
    for key in _STR_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise fail(source, f"{where}: {key} must be a string")
        fields[key] = value or ""
    parent = obj.get("parent_id")
    if parent is not None and (not isinstance(parent, str | int) or isinstance(parent, bool)):
        raise fail(source, f"{where}: parent_id must be a string, integer or null")
    raw_quotes = obj.get("quotes") or []
    if not isinstance(raw_quotes, list):
        raise fail(source, f"{where}: quotes must be a list")
    quotes = sorted((_quote(q, text, where, source) for q in raw_quotes), key=lambda q: q.start)
    for a, b in zip(quotes, quotes[1:], strict=False):
        if b.start < a.end:  # own_spans and attribution assume quotes never overlap
            raise fail(source, f"{where}: quotes {a.start}-{a.end} and {b.start}-{b.end} overlap")
    return Post(
        id=str(obj["id"]),
        kind=kind,
        text=text,
        parent_id=None if parent in (None, "") else str(parent),
        quotes=quotes,
        truncated=bool(obj.get("truncated", False)),
        **fields,
    )


def _words_in(held: str, quote: str) -> bool:
    """Whether ``quote``'s words run, in order, in ``held`` (" word word ... ")."""
    keys = word_keys(quote)
    if not keys:
        return False  # a quote of no word credits no one
    # A site may cut a quote's last word ("camer"): attribution credits a cut word to the
    # word it starts (quotes.py), so a last word with nothing after it may do so here too.
    cut = len(keys[-1]) >= 2 and quote.rstrip()[-1].isalnum()
    return f" {' '.join(keys)}{'' if cut else ' '}" in held


def _check_origins(posts: list[Post]) -> list[Post]:
    """Posts whose quotes credit only posts that hold the quoted words; other credits are
    made unknown (``from_post_id`` ""), so no post is named as the source of words it never
    wrote. Words are compared as quote attribution compares them (``word_keys``: a ``>``
    marker, quote marks, case and spacing aside). A post is never its own source."""
    by_id = {p.id: p for p in posts}
    held: dict[str, str] = {}  # post id -> " word word ... " of its title and text
    budget = MAX_CHECK_WORK
    out: list[Post] = []
    for post in posts:
        quotes: list[Quote] = []
        for q in post.quotes:
            origin = by_id.get(q.from_post_id) if q.from_post_id != post.id else None
            ok = False
            if origin is not None:
                if origin.id not in held:
                    words = word_keys(origin.title) + ["\n"] + word_keys(origin.text)
                    held[origin.id] = f" {' '.join(words)} "
                budget -= len(held[origin.id])
                ok = budget >= 0 and _words_in(held[origin.id], q.text)
            quotes.append(q if ok or not q.from_post_id else replace(q, from_post_id=""))
        out.append(replace(post, quotes=quotes) if quotes != post.quotes else post)
    return out


def parse_jsonl(text: str, source: str = "") -> Thread:
    posts: list[Post] = []
    # split("\n"), not splitlines(): JSON strings may hold a raw U+2028 or form feed.
    for n, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except json.JSONDecodeError as e:
            raise fail(source, f"line {n}: invalid JSON at column {e.colno}: {e.msg}") from None
        except LongNumber as e:
            raise fail(source, f"line {n}: invalid JSON: {e}") from None
        except RecursionError:
            raise fail(source, f"line {n}: JSON nested too deeply") from None
        posts.append(_post(obj, f"line {n}", source))
    if not posts:
        raise fail(source, "no posts found")
    ordered = _check_origins(prune_empty(build_tree(posts, source)))
    article = next((p for p in ordered if p.kind == "article"), None)
    title = article.title if article and article.title else (Path(source).stem if source else "")
    return Thread(title=title, posts=ordered, format="jsonl", source=source)


def dump_jsonl(thread: Thread) -> str:
    """A thread as JSON Lines that ``parse_jsonl`` reads back to equal posts."""
    return "".join(json.dumps(asdict(p), ensure_ascii=False) + "\n" for p in thread.posts)

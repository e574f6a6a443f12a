"""CSV of comments (the Talk to the City shape): ``id, comment`` [``author, parent_id, timestamp``].

A CSV has no article, and inventing one would put words in nobody's mouth, so there is none:
rows without a parent are top-level comments (parent None, depth 1, as for an HN comment
root). Ids are ``csv-<id>``. A ``parent_id`` naming no row is an error, not a silent
promotion to top level: that would misstate who answered whom. Parent cycles are errors.

Rows are read strictly: a quoted field that never closes, or a stray quote inside one, is an
error naming the line its row starts on. Read leniently, one unterminated quote swallows
every later row into a single comment credited to the wrong author.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from argmap.records import Post, Thread

from .common import build_tree, clip, fail, prune_empty

# Header name (lower-cased, "-"/" " read as "_") -> field. Includes Talk to the City's names.
_ALIASES = {
    "id": "id",
    "comment_id": "id",
    "comment": "comment",
    "comment_body": "comment",
    "author": "author",
    "interview": "author",
    "parent_id": "parent_id",
    "parent": "parent_id",
    "timestamp": "timestamp",
    "time": "timestamp",
}


def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower().replace("-", "_").replace(" ", "_")


def csv_header_fields(text: str) -> set[str]:
    """Fields the first CSV row names (after aliases); empty when it is not CSV."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        row = next(csv.reader([first]), [])
    except csv.Error:
        return set()
    return {_ALIASES[k] for k in map(_key, row) if k in _ALIASES}


def _malformed(source: str, row_line: int, reader_line: int, err: csv.Error) -> Exception:
    what = str(err)
    if "unexpected end of data" in what:  # strict mode's word for EOF inside a quoted field
        what = "a quoted field opened on this row is never closed"
    elif reader_line > row_line:
        what = f"{what} (the row runs on to line {reader_line})"
    if '"' in what or "quoted" in what:
        what += '; a quote inside a quoted field must be doubled ("")'
    return fail(source, f"CSV line {row_line}: malformed row: {what}")


def parse_csv(text: str, source: str = "") -> Thread:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    row_line = 1  # the line the row being read starts on (a quoted field may span lines)
    try:
        header = next(reader, None)
        if header is None:
            raise fail(source, "empty CSV")
        cols: dict[str, int] = {}
        for i, name in enumerate(header):
            field = _ALIASES.get(_key(name))
            if field and field not in cols:
                cols[field] = i
        missing = [c for c in ("id", "comment") if c not in cols]
        if missing:
            raise fail(
                source,
                f"CSV header lacks column(s) {', '.join(missing)} "
                f"(need id, comment; optional author, parent_id, timestamp); got {clip(header)}",
            )

        def get(row: list[str], field: str) -> str:
            i = cols.get(field)
            return row[i] if i is not None and i < len(row) else ""

        posts: list[Post] = []
        row_line = reader.line_num + 1
        for row in reader:
            line, row_line = row_line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            rid = get(row, "id").strip()
            if not rid:
                raise fail(source, f"CSV line {line}: empty id")
            parent = get(row, "parent_id").strip()
            posts.append(
                Post(
                    id=f"csv-{rid}",
                    kind="comment",
                    text=get(row, "comment"),
                    author=get(row, "author").strip(),
                    time=get(row, "timestamp").strip(),
                    parent_id=f"csv-{parent}" if parent else None,
                )
            )
    except csv.Error as e:
        raise _malformed(source, row_line, reader.line_num, e) from None
    if not posts:
        raise fail(source, "CSV has a header but no rows")
    title = Path(source).stem if source else "CSV comments"
    return Thread(
        title=title, posts=prune_empty(build_tree(posts, source)), format="csv", source=source
    )

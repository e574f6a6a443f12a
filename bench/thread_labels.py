"""The hand-labelled thread sets in tests/data/thread_labels/: loading, schema, source files.

Each JSON file labels one discussion (its README says who labelled it, when and by which
rule): the proposition, the proposer, and per post its stance (for / against / neutral) and
whether it makes a real argument. ``source_file`` gives the file argmap ingests for it: a file
in the repository, or, for an MT-CSD thread, JSON Lines written from ``../shared/data`` (MT-CSD
states no licence, so its text is never copied into the project).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LABELS_DIR = ROOT / "tests" / "data" / "thread_labels"
SHARED = ROOT.parent / "shared" / "data"
STANCES = ("for", "against", "neutral")
_TOP = ("thread", "source", "proposition", "sides", "proposer", "labelled_by", "labelled_on",
        "posts")


@dataclass(frozen=True)
class PostLabel:
    id: str
    author: str
    stance: str
    argument: bool


@dataclass(frozen=True)
class ThreadLabels:
    name: str
    proposition: str
    proposer: str | None  # author name; None for a news story or an unnamed submitter
    source: dict[str, Any]
    posts: list[PostLabel]

    def by_id(self) -> dict[str, PostLabel]:
        return {p.id: p for p in self.posts}


class LabelError(ValueError):
    """A label file that does not follow the schema (one line, naming the file)."""


def _post(d: Any, where: str) -> PostLabel:
    if not isinstance(d, dict) or not {"id", "author", "stance", "argument"} <= set(d):
        raise LabelError(f"{where}: each post needs id, author, stance and argument")
    if not isinstance(d["id"], str) or not d["id"] or not isinstance(d["author"], str):
        raise LabelError(f"{where}: id must be a non-empty string and author a string")
    if d["stance"] not in STANCES:
        raise LabelError(f"{where}: stance {d['stance']!r} is not one of {', '.join(STANCES)}")
    if not isinstance(d["argument"], bool):
        raise LabelError(f"{where}: argument must be true or false")
    return PostLabel(d["id"], d["author"], d["stance"], d["argument"])


def load(path: Path) -> ThreadLabels:
    """One label file, checked; ``LabelError`` on any departure from the schema."""
    d = json.loads(path.read_text(encoding="utf-8"))
    missing = [k for k in _TOP if k not in d]
    if missing:
        raise LabelError(f"{path.name}: missing {', '.join(missing)}")
    if not isinstance(d["proposition"], str) or not d["proposition"].strip():
        raise LabelError(f"{path.name}: the proposition must be written out")
    proposer = d["proposer"]
    if not isinstance(proposer, dict) or "author" not in proposer or not proposer.get("why"):
        raise LabelError(f"{path.name}: proposer needs author (null for none) and why")
    posts = [_post(p, f"{path.name} post {i}") for i, p in enumerate(d["posts"])]
    ids = [p.id for p in posts]
    if len(set(ids)) != len(ids):
        raise LabelError(f"{path.name}: a post is labelled twice")
    return ThreadLabels(d["thread"], d["proposition"], proposer["author"], d["source"], posts)


def all_labels() -> list[tuple[Path, ThreadLabels]]:
    return [(p, load(p)) for p in sorted(LABELS_DIR.glob("*.json"))]


def mtcsd_jsonl(rows: list[dict[str, str]], title: str) -> str:
    """An MT-CSD thread (flat.csv rows) as argmap JSON Lines: the root is the article with the
    Reddit title (MT-CSD joins title and self-text without a separator), the rest comments."""
    lines = []
    for r in rows:
        root = r["depth"] == "0"
        post: dict[str, Any] = {"id": r["comment_id"], "text": r["text"],
                                "kind": "article" if root else "comment"}
        if root:
            post["title"] = title if r["text"].startswith(title) else r["text"]
        else:
            post["parent_id"] = r["parent_id"]
        lines.append(json.dumps(post, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def source_file(labels: ThreadLabels, workdir: Path) -> Path | None:
    """The file to ingest for ``labels`` (None when it is not on this machine)."""
    src = labels.source
    if "path" in src:
        path = ROOT / src["path"]
        return path if path.exists() else None
    flat = SHARED / src["dataset"]
    if not flat.exists():
        return None
    with flat.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["target"] == src["target"]
                and r["split"] == src["split"] and r["thread_id"] == src["thread_id"]]
    out = workdir / f"{labels.name}.jsonl"
    out.write_text(mtcsd_jsonl(rows, src["title"]), encoding="utf-8")
    return out

"""The chat's evaluation question sets (tests/data/qa_sets/*.json): loading, sources, scoring.

Each file holds the questions about one discussion, its ``split`` (``tuning`` or
``held-out``) and its paraphrase ``pairs``. Gold is a list of post ids as the parser assigns
them. Two of the discussions are Hacker News items that the HN fixture holds only as search
hits; ``source_file`` writes such a hit out as the Algolia ``items/<id>`` JSON the HN parser
reads (same fields, no children), so nothing derived from the fixture is stored twice.
Shared by bench/qa.py and tests/test_qa_sets.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argmap.view import CorpusView

ROOT = Path(__file__).resolve().parent.parent
QA_SETS = ROOT / "tests" / "data" / "qa_sets"
KINDS = ("fact", "who_said", "overview")


def load_sets(folder: Path = QA_SETS) -> dict[str, dict[str, Any]]:
    """Every question set in ``folder``, by discussion name (the file's stem)."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(folder.glob("*.json"))}


def _hn_hit(fixture: Path, object_id: str) -> dict[str, Any]:
    for entry in json.loads(fixture.read_text(encoding="utf-8")):
        for hit in entry["reply"].get("hits") or []:
            if hit.get("objectID") == object_id:
                return hit  # type: ignore[no-any-return]
    raise KeyError(f"{fixture.name} has no hit {object_id}")


def source_file(qa_set: dict[str, Any], workdir: Path) -> Path:
    """The file to ingest for ``qa_set`` (written under ``workdir`` when built from a hit)."""
    src = qa_set["source"]
    path = ROOT / src["path"]
    if "hn_hit" not in src:
        return path
    hit = _hn_hit(path, src["hn_hit"])
    tags = hit.get("_tags") or []
    item = {
        "id": int(hit["objectID"]),
        "created_at": hit.get("created_at"),
        "type": "poll" if "poll" in tags else "story",
        "author": hit.get("author"),
        "title": hit.get("title"),
        "url": hit.get("url") or None,
        # the fixture escaped some newlines twice: a literal backslash-n is a line break
        "text": (hit.get("story_text") or "").replace("\\n", "\n"),
        "points": hit.get("points"),
        "parent_id": None,
        "story_id": int(hit["objectID"]),
        "children": [],
    }
    out = workdir / f"hn_{hit['objectID']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(item, indent=1), encoding="utf-8")
    return out

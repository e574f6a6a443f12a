"""The Q&A dev set (tests/data/devset.json): loading, gold resolution, scoring.

Gold posts are stored as ids *and* a verbatim snippet of the post's own words; ids are
resolved by snippet so a parser change that renumbers posts does not silently rot the set.
Shared by bench/calibrate.py and bench/qa.py.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argmap.view import CorpusView

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEVSET = ROOT / "tests" / "data" / "devset.json"


def load(path: Path = DEVSET) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def squash(text: str) -> str:
    return " ".join(text.split())


def resolve(index: CorpusView, gold: list[dict[str, str]]) -> set[str]:
    """Post ids whose own words contain each gold snippet (stored id if none does)."""
    out: set[str] = set()
    for g in gold:
        hits = [p.id for p in index.thread.posts if g["snippet"] in squash(p.own_text)]
        out.update(hits or [g["post_id"]])
    return out


def open_seed() -> Any:
    """The seed corpus in $ARGMAP_HOME, ingested first if it is not there."""
    from argmap import api
    from argmap.config import CORPUS_DIR, DEFAULT_CORPUS
    from argmap.store import Store

    store = Store()
    if store.info(DEFAULT_CORPUS) is None:
        api.ingest([CORPUS_DIR / f"{DEFAULT_CORPUS}.txt"], store=store)
    return store.open(DEFAULT_CORPUS)


def score_answers(index: CorpusView, engine: str = "extractive") -> dict[str, Any]:
    """Run ``ask`` on every dev question; the numbers the tests assert on."""
    from argmap.qa import ask

    data = load()
    rows = []
    for item in data["questions"]:
        ans = ask(item["question"], index=index, engine=engine)
        gold = resolve(index, item["gold"])
        cited = {c.post_id for c in ans.citations}
        rows.append({"id": item["id"], "type": item["type"], "answerable": item["answerable"],
                     "abstained": ans.abstained, "cites_gold": bool(cited & gold),
                     "cited": sorted(cited), "gold": sorted(gold), "answer": ans})
    answerable = [r for r in rows if r["answerable"]]
    return {
        "rows": rows,
        "gold_rate": sum(r["cites_gold"] for r in answerable) / max(len(answerable), 1),
        "unanswerable_abstained": all(r["abstained"] for r in rows if not r["answerable"]),
        "false_abstentions": [r["id"] for r in answerable if r["abstained"]],
    }


def recall_at(index: CorpusView, k: int = 5) -> float:
    """Share of answerable questions with a gold post among the top-k retrieved hits."""
    from argmap.retrieve import retrieve

    items = [q for q in load()["questions"] if q["answerable"]]
    found = 0
    for item in items:
        hits = [e for e in retrieve(index, item["question"], k=k) if e.via == "hit"][:k]
        found += bool({e.unit.post_id for e in hits} & resolve(index, item["gold"]))
    return found / max(len(items), 1)


def temp_home(name: str) -> None:
    """Point ARGMAP_HOME at a scratch folder unless the caller chose one."""
    os.environ.setdefault("ARGMAP_HOME", f"/tmp/argmap-bench-{name}")

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


def _mtcsd_thread(flat: Path, target: str, thread_id: str, out: Path) -> Path:
    """One MT-CSD thread as argmap JSON Lines: the submission is the article, each labelled
    comment a post under its parent. Ids are MT-CSD's tree-path ids (``26``, ``26-3-1``).
    MT-CSD keeps no author names, so each post's author is its own id: every post is a
    distinct person, which is all the reply relations need. Stance labels are not written."""
    import csv

    lines: list[str] = []
    with flat.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if (row["target"], row["thread_id"], row["split"]) != (target, thread_id, "test"):
                continue
            root = row["depth"] == "0"
            post: dict[str, Any] = {"id": row["comment_id"], "author": row["comment_id"],
                                    "kind": "article" if root else "comment",
                                    "parent_id": None if root else row["parent_id"],
                                    "text": row["text"]}
            if root:  # a link submission: its text is its title (as an HN link story)
                post["title"] = row["text"]
            lines.append(json.dumps(post, ensure_ascii=False))
    if not lines:
        raise KeyError(f"{flat.name} has no test thread {target}/{thread_id}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def source_file(qa_set: dict[str, Any], workdir: Path) -> Path:
    """The file to ingest for ``qa_set`` (written under ``workdir`` when built from a hit
    or from an MT-CSD thread)."""
    src = qa_set["source"]
    path = ROOT / src["path"]
    if "mtcsd" in src:
        target, thread_id = src["mtcsd"]["target"], src["mtcsd"]["thread_id"]
        return _mtcsd_thread(path, target, thread_id,
                             workdir / f"mtcsd_{target.lower()}_{thread_id}.jsonl")
    if "hn_hit" not in src:
        return path
    hit = _hn_hit(path, src["hn_hit"])
    tags = hit.get("_tags") or []
    item: dict[str, Any] = {
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


@dataclass
class Rate:
    hits: int = 0
    n: int = 0

    def add(self, ok: bool) -> None:
        self.hits += ok
        self.n += 1

    def __iadd__(self, other: Rate) -> Rate:
        self.hits += other.hits
        self.n += other.n
        return self

    def show(self) -> str:
        return f"{self.hits / self.n:5.2f} (n={self.n:3})" if self.n else "  n/a (n=  0)"


@dataclass
class SetScore:
    recall: Rate  # answerable fact/who_said questions citing a gold post
    abstention: Rate  # unanswerable questions answered with the refusal constant
    paraphrase: Rate  # pairs whose two answers cite one same gold post
    overview: Rate | None  # overview questions the overview route answered; None: no route
    rows: list[dict[str, Any]]


def has_route() -> bool:
    """Whether ``Answer`` says which route answered (no such field: overview is n/a)."""
    from dataclasses import fields

    from argmap.records import Answer

    return "route" in {f.name for f in fields(Answer)}


def score_set(qa_set: dict[str, Any], index: CorpusView, engine: str = "extractive"
              ) -> SetScore:
    """Ask every question of ``qa_set`` with the product's ``ask`` and score the answers."""
    from argmap.qa import NOT_IN_DISCUSSION, ask

    routed = has_route()
    score = SetScore(Rate(), Rate(), Rate(), Rate() if routed else None, [])
    cited: dict[str, set[str]] = {}
    gold: dict[str, set[str]] = {}
    for q in qa_set["questions"]:
        ans = ask(q["question"], index=index, engine=engine)
        cited[q["id"]] = {c.post_id for c in ans.citations}
        gold[q["id"]] = set(q.get("gold") or [])
        refused = ans.abstained and ans.answer == NOT_IN_DISCUSSION
        route = getattr(ans, "route", None)
        if q["kind"] == "unanswerable":
            score.abstention.add(refused)
        elif q["kind"] == "overview":
            if score.overview is not None:
                score.overview.add(route == "overview")
        else:
            score.recall.add(bool(cited[q["id"]] & gold[q["id"]]))
        score.rows.append({"id": q["id"], "kind": q["kind"], "question": q["question"],
                           "abstained": ans.abstained, "route": route,
                           "cited": sorted(cited[q["id"]]), "gold": sorted(gold[q["id"]]),
                           "answer": ans.answer})
    for a, b in qa_set["pairs"]:
        score.paraphrase.add(bool(cited[a] & cited[b] & (gold[a] | gold[b])))
    return score


def report(home: Path, engine: str = "extractive") -> None:
    """Per discussion and per split: recall, abstention, paraphrase agreement, routing.

    Each discussion is ingested into its own corpus in $ARGMAP_HOME; per-question rows go
    to ``home/qa_sets_rows.json`` for reading the failures.
    """
    from argmap import api
    from argmap.store import Store

    store = Store()
    totals: dict[str, list[Rate | None]] = {}
    all_rows: dict[str, list[dict[str, Any]]] = {}
    print(f"question sets ({engine} engine; tests/data/qa_sets; gold-post recall over "
          "fact/who_said, abstention over unanswerable, paraphrase = both of a pair cite one "
          "gold post, overview = answered by the overview route)")
    head = ("recall", "abstention", "paraphrase", "overview")
    print(f"  {'split':8} {'discussion':18} " + " ".join(f"{h:14}" for h in head))
    for name, qa_set in sorted(load_sets().items(),
                              key=lambda kv: (kv[1]["split"] != "tuning", kv[0])):
        corpus = f"qa-{name.replace('_', '-')}"
        if store.info(corpus) is None:
            api.ingest([source_file(qa_set, home / "qa_sources")], corpus=corpus, store=store)
        s = score_set(qa_set, store.open(corpus), engine)
        all_rows[name] = s.rows
        rates = [s.recall, s.abstention, s.paraphrase, s.overview]
        print(f"  {qa_set['split']:8} {name:18} " + " ".join(
            f"{r.show() if r else '  n/a':14}" for r in rates))
        acc = totals.setdefault(qa_set["split"], [Rate(), Rate(), Rate(),
                                                  Rate() if s.overview else None])
        for tot, r in zip(acc, rates, strict=True):
            if tot is not None and r is not None:
                tot += r
    for split, acc in totals.items():
        print(f"  {split:8} {'ALL':18} " + " ".join(
            f"{r.show() if r else '  n/a':14}" for r in acc))
    (home / "qa_sets_rows.json").write_text(json.dumps(all_rows, indent=1), encoding="utf-8")

"""Realistic synthetic discussions built from the real ArgKP-2021 arguments.

Each post joins one to three crowd arguments (so texts are multi-sentence and mostly
unique), replies nest under earlier posts, about a quarter of replies quote a sentence of
their parent with a `>` line, and a few hundred authors post repeatedly. Used by the
ingest, QA and scale benchmarks: `python bench/corpora.py N OUT.jsonl`.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "argkp"


def arguments() -> list[str]:
    rows: list[str] = []
    for name in ("arguments_train.csv", "arguments_dev.csv"):
        with (SHARED / name).open(newline="", encoding="utf-8") as fh:
            rows += [r["argument"].strip() for r in csv.DictReader(fh) if r["argument"].strip()]
    return rows


def build(n_posts: int, seed: int = 0, authors: int = 400) -> list[dict[str, object]]:
    rng = random.Random(seed)
    args = arguments()
    posts: list[dict[str, object]] = [{
        "id": "article", "kind": "article", "title": "Synthetic debate from ArgKP-2021",
        "text": "Readers argue about " + "; ".join(sorted({a[:40] for a in args[:3]})) + ".",
    }]
    depth = {"article": 0}
    for i in range(1, n_posts):
        k = rng.choice((1, 1, 2, 2, 3))
        text = " ".join(rng.choice(args).rstrip(".") + "." for _ in range(k))
        if rng.random() < 0.3 or i < 5:
            parent = "article"
        else:
            parent = f"p{rng.randrange(max(1, i - 2000), i)}"
        if parent != "article" and rng.random() < 0.25:
            ptext = str(posts[int(parent[1:])]["text"])
            first = ptext.split(". ")[0].rstrip(".") + "."
            text = f"> {first}\n\n{text}"
        pid = f"p{i}"
        depth[pid] = depth[parent] + 1
        if depth[pid] > 60:  # keep chains plausible
            parent, depth[pid] = "article", 1
        posts.append({
            "id": pid, "kind": "comment", "author": f"user{rng.randrange(authors)}",
            "parent_id": parent, "text": text,
        })
    return posts


def write(n_posts: int, out: Path, seed: int = 0) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for post in build(n_posts, seed):
            fh.write(json.dumps(post) + "\n")
    return out


if __name__ == "__main__":
    print(write(int(sys.argv[1]), Path(sys.argv[2])))

"""Key Point Analysis on ArgKP-2021: the product's key points against the experts' (issue 13).

For each topic and side, the side's arguments go through ``argmap.kpa.analyse`` exactly as
build_map sends one side's sentences (argument filter, candidates, matcher + cross-encoder,
greedy selection, join threshold); the side is given, not inferred, so stance errors do not
enter. Ingesting each side as a thread would run the same function after the stance model
and the store, minutes more per side on two cores, for no difference in what is measured.

Each produced key point stands for the gold key point most of its arguments carry (its
majority; an argument with no gold key point counts as "none"). Printed per split:
- coverage: share of the gold key points that some produced key point stands for;
- purity: share of grouped arguments whose gold key points include their group's majority;
- unassigned: share of arguments (filter rejects included) in no group.
Goals (issue 13): coverage >= 0.80, purity >= 0.80. Parameters are chosen on dev; test is
printed beside it, never tuned on. Run: nice -n 19 python bench/keypoints.py [dev|test ...]
``--grid`` scores dev only, over a grid of argmap.kpa's thresholds, each line its figures
(chosen by the lower of coverage and purity, both goals being 0.80, then by fewer arguments
left unassigned): how they were chosen.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
from typing import Any  # noqa: E402

from common import argkp, embedder  # noqa: E402

from argmap.kpa import analyse  # noqa: E402


def measure(split: str, **params: Any) -> dict[str, float]:
    """The figures for one split; ``params`` go to ``analyse`` (tuning on dev)."""
    args, kps, labels = argkp(split)
    gold: dict[str, set[str]] = {}
    for r in labels[labels.label == 1].itertuples():
        gold.setdefault(str(r.arg_id), set()).add(str(r.key_point_id))
    n_gold = n_cov = n_args = n_grouped = n_pure = n_unassigned = n_points = 0
    t0 = time.perf_counter()
    for (topic, stance), g in args.groupby(["topic", "stance"]):
        ids, texts = list(g.arg_id), [str(t) for t in g.argument]
        out = analyse(str(topic), texts, embedder(), **params)
        kp_ids = set(kps[(kps.topic == topic) & (kps.stance == stance)].key_point_id)
        represented: set[str] = set()
        for grp in out.groups:
            votes = Counter(k for i in grp.members for k in (gold.get(ids[i]) or {"none"}))
            # ties by id: most_common breaks them by set order, which moves with the hash seed
            major = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            represented.add(major)
            n_pure += sum(major in (gold.get(ids[i]) or {"none"}) for i in grp.members)
            n_grouped += len(grp.members)
        n_gold += len(kp_ids)
        n_cov += len(kp_ids & represented)
        n_args += len(ids)
        n_unassigned += len(ids) - sum(len(grp.members) for grp in out.groups)
        n_points += len(out.groups)
    return {"coverage": n_cov / n_gold, "purity": n_pure / max(n_grouped, 1),
            "unassigned": n_unassigned / n_args, "key points": n_points,
            "gold key points": n_gold, "arguments": n_args,
            "seconds": time.perf_counter() - t0}


GRID = {"cover": (0.35, 0.44, 0.55, 0.65), "join": (0.2, 0.31, 0.45), "min_support": (2, 3)}


def grid() -> None:
    """Dev figures over GRID (the cross-encoder's pair scores are cached across runs)."""
    from itertools import product

    rows = []
    for cover, join, support in product(*GRID.values()):
        r = measure("dev", threshold=join, min_support=support, cover=cover)
        rows.append((min(r["coverage"], r["purity"]), -r["unassigned"], cover, join, support))
        print(f"cover {cover:.2f} join {join:.2f} min_support {support}: coverage "
              f"{r['coverage']:.3f} purity {r['purity']:.3f} unassigned {r['unassigned']:.3f} "
              f"key points {r['key points']}", flush=True)
    best = max(rows)  # ties: fewer arguments left unassigned
    print(f"best on dev by min(coverage, purity), then fewest unassigned: cover {best[2]} "
          f"join {best[3]} min_support {best[4]} ({best[0]:.3f})")


def main() -> None:
    if "--grid" in sys.argv:
        grid()
        return
    splits = sys.argv[1:] or ["dev", "test"]
    results = {s: measure(s) for s in splits}
    print(f"{'':16}" + "".join(f"{s:>10}" for s in splits))
    for name in ("coverage", "purity", "unassigned", "key points", "gold key points",
                 "arguments", "seconds"):
        cells = "".join(f"{results[s][name]:>10.3f}" if isinstance(results[s][name], float)
                        else f"{results[s][name]:>10}" for s in splits)
        print(f"{name:16}{cells}")
    print("goals: coverage >= 0.80, purity >= 0.80 (ArgKP-2021 test held out, dev for tuning)")


if __name__ == "__main__":
    main()

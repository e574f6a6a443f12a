"""The score above which an argument joins its best key point, chosen on ArgKP-2021 dev.

For each argument of a (topic, side), ``match_scores`` over that side's gold key points: the
argument should join its best key point when that one is a gold match, and stay unassigned
when it matches none. Prints, per method, the threshold that decides this most often on dev
and the accuracy it reaches there; test is never read. Groundwork for issue 13 item 1
(matching in build_map). Run: nice -n 10 python bench/join_threshold.py [head|cross]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
import common  # noqa: E402
from common import argkp  # noqa: E402

from argmap.keypoints import match_scores  # noqa: E402

# a worktree's ../shared may not be the shared data: let the caller say where it is
if os.environ.get("ARGMAP_SHARED_DATA"):
    common.ARGKP = Path(os.environ["ARGMAP_SHARED_DATA"]) / "argkp"


def best_and_gold(method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(best score, best is a gold match, argument has some gold match) per dev argument."""
    args, kps, labels = argkp("dev")
    gold = {(r.arg_id, r.key_point_id) for r in labels.itertuples() if r.label == 1}
    has = {a for a, _ in gold}
    best, right, any_ = [], [], []
    for (topic, stance), g in args.groupby(["topic", "stance"]):
        k = kps[(kps.topic == topic) & (kps.stance == stance)]
        s = match_scores(list(g.argument), list(k.key_point), method=method)
        top = s.argmax(axis=1)
        kid = list(k.key_point_id)
        for i, aid in enumerate(g.arg_id):
            best.append(float(s[i, top[i]]))
            right.append((aid, kid[top[i]]) in gold)
            any_.append(aid in has)
    return np.array(best), np.array(right), np.array(any_)


def main() -> None:
    method = sys.argv[1] if len(sys.argv) > 1 else "cross"
    best, right, any_ = best_and_gold(method)
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    acc = [float(np.mean(np.where(best >= t, right, ~any_))) for t in grid]
    i = int(np.argmax(acc))
    joined = float(np.mean(best >= grid[i]))
    purity = float(right[best >= grid[i]].mean()) if joined else 0.0
    print(f"{method}: n={len(best)} threshold={grid[i]:.2f} accuracy={acc[i]:.3f} "
          f"joined={joined:.3f} joined-correct={purity:.3f} no-gold={float(np.mean(~any_)):.3f}")


if __name__ == "__main__":
    main()

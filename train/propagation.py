"""Learn how a post's stance combines with its parent's, on MT-CSD train threads.

Each MT-CSD node gets the shipped stance model's P(for / against / neutral) toward the
thread's target (the proposition is the target's name, "Bitcoin", "Tesla": MT-CSD labels
stance toward that target, and the model was trained on it in that form) and, when it has a
parent, the reply-relation P(agree / disagree / neutral) of (parent's words, its words). A
multinomial logistic regression then reads, per node (argmap.relations.features):
  log P(own) (3), P(agree) x parent's final distribution (3), P(disagree) x it (3)
where the parent's final distribution is the fitted model's own output, computed top-down;
the fit alternates (fit on the current parents, recompute the parents top-down, refit).
The regularisation C is chosen on MT-CSD valid threads; test is left to bench/stance.py.
MT-CSD has no authors, so the proposer's weight is not learned here (argmap.mapping sets it).

  nice -n 19 python train/propagation.py features --split train --threads 60
  nice -n 19 python train/propagation.py features --split valid
  nice -n 19 python train/propagation.py fit        # writes argmap/models/propagation.json
Model passes are cached in .argmap/mtcsd_<split>.npz.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "train")]
import stance_data as sd  # noqa: E402

from argmap import relations  # noqa: E402
from argmap.stance import pair_logits, probabilities  # noqa: E402

CACHE = ROOT / ".argmap"
_Y = {"favor": 0, "against": 1, "none": 2}


def tree(split: str, threads: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The split's nodes in pre-order, with parent index (-1: root) and gold label."""
    d = sd.mtcsd_flat()
    d = d[d.split == split]
    keys = d[["target", "thread_id"]].drop_duplicates().sample(frac=1.0, random_state=0)
    if threads:
        keys = keys.head(threads)
    keep = set(map(tuple, keys.itertuples(index=False)))
    d = d[[k in keep for k in zip(d.target, d.thread_id, strict=True)]]
    order = sorted(range(len(d)), key=lambda i: (d.target.iloc[i], [
        int(x) for x in str(d.comment_id.iloc[i]).split("-")]))
    d = d.iloc[order].reset_index(drop=True)
    pos = {(t, c): i for i, (t, c) in enumerate(zip(d.target, d.comment_id, strict=True))}
    parent = np.array([pos.get((t, p), -1) for t, p in zip(d.target, d.parent_id, strict=True)])
    return d, parent, d.stance.map(_Y).to_numpy()


def features(split: str, threads: int) -> Path:
    d, parent, y = tree(split, threads)
    own = probabilities(pair_logits(list(zip(d.target.astype(str), d.text.fillna("").astype(str),
                                             strict=True))))
    has = np.flatnonzero(parent >= 0)
    rel = np.tile(np.array([0.0, 0.0, 1.0], dtype=np.float32), (len(d), 1))
    rel[has] = probabilities(pair_logits([(str(d.parent_text[i]), str(d.text[i])) for i in has]))
    out = CACHE / f"mtcsd_{split}{f'_{threads}' if threads else ''}.npz"
    CACHE.mkdir(exist_ok=True)
    np.savez(out, own=own, rel=rel, parent=parent, y=y)
    print(f"{split}: {len(d)} nodes -> {out}")
    return out


def load(split: str) -> dict[str, np.ndarray]:
    """The split's cached model pass with the most nodes (a run may sample fewer threads)."""
    runs = [dict(np.load(f)) for f in sorted(CACHE.glob(f"mtcsd_{split}*.npz"))]
    return max(runs, key=lambda r: len(r["y"]))


def fit(rounds: int = 4) -> None:
    from sklearn.linear_model import LogisticRegression

    def macro(y: np.ndarray, p: np.ndarray) -> float:
        from sklearn.metrics import f1_score
        return float(f1_score(y, p, average="macro", labels=[0, 1, 2]))

    tr, va = load("train"), load("valid")
    best: tuple[float, float, relations.Weights] | None = None
    for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0):
        w = relations.Weights.own_only()
        for _ in range(rounds):
            final = relations.infer(w, tr["own"], tr["rel"], tr["parent"])
            ahead = np.where(tr["parent"][:, None] >= 0, final[tr["parent"]], 0.0)
            x = relations.features(tr["own"], tr["rel"], ahead)
            lr = LogisticRegression(C=c, max_iter=2000).fit(x, tr["y"])
            w = relations.Weights(lr.coef_.tolist(), lr.intercept_.tolist())
        pred = relations.infer(w, va["own"], va["rel"], va["parent"]).argmax(axis=1)
        score = macro(va["y"], pred)
        print(f"C={c}: valid macro-F1 {score:.3f}")
        if best is None or score > best[0]:
            best = (score, c, w)
    assert best is not None
    own_only = macro(va["y"], va["own"].argmax(axis=1))
    print(f"chosen C={best[1]} (valid macro-F1 {best[0]:.3f}; own words alone {own_only:.3f})")
    meta = {"C": best[1], "valid_macro_f1": round(best[0], 4),
            "valid_own_words_macro_f1": round(own_only, 4),
            "train_nodes": int(len(tr["y"])), "script": "train/propagation.py"}
    relations.WEIGHTS_PATH.write_text(json.dumps({**best[2].to_dict(), "meta": meta}, indent=1))
    print(f"wrote {relations.WEIGHTS_PATH}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", choices=("features", "fit"))
    p.add_argument("--split", default="train")
    p.add_argument("--threads", type=int, default=0, help="threads to sample (0: all)")
    a = p.parse_args()
    if a.step == "features":
        features(a.split, a.threads)
    else:
        fit()


if __name__ == "__main__":
    main()

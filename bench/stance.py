"""Held-out stance and reply-relation figures of the shipped model (argmap/models/stance_int8.onnx).

One run prints, for each test set, the model's figure beside the majority-label baseline and
the best published number we know of (paper named). Nothing here chooses anything: the model
was chosen on dev splits (train/finetune_stance.py); every set read here is a test split or,
for SubReddit agreement, a set never trained on.
- VAST test_zeroshot (topics unseen in training): 3-way macro-F1.
- Claim Stance test (30 topics), ArgKP-2021 test (3 topics): for vs against accuracy.
- MT-CSD test threads: 3-way macro-F1 from each node's own words, and with the thread's
  structure (argmap.relations.propagate: own stance and reply relations combined top-down by
  weights learned on MT-CSD train threads, train/propagation.py). The proposition is the
  thread's target name, as in training.
- DEBAGREEMENT test, SubReddit agreement: reply relation accuracy and 3-way macro-F1.
Run: nice -n 10 python bench/stance.py [--sample N]   (skips with a line when ../shared is
missing). ``--sample N`` scores a fixed random N pairs of each set (MT-CSD: whole test threads
up to about N nodes), for a machine too busy for the ~15k full pairs; it says so beside n.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "train")]
import stance_data as sd  # noqa: E402

from argmap.relations import judge, propagate  # noqa: E402
from argmap.stance import LABELS, pair_logits, probabilities  # noqa: E402

# (figure, best published number, where from); "-" where we found none to compare with
PUBLISHED = {
    "vast": "TGA-Net 0.666 (Allaway & McKeown 2020); TATA 0.771 (Hanley & Durumeric 2023)",
    "claim": "- (Bar-Haim et al. 2017 report accuracy against coverage, not at full coverage)",
    "argkp": "- (ArgKP-2021 gives the stance; no stance classifier reported on it)",
    "mtcsd": "GLAN 0.505 (Niu et al. 2024, LREC-COLING, abstract)",
    "debagreement": "accuracy ~0.62-0.64, BERT/RoBERTa/DeBERTa on 34k train pairs "
                    "(Pougué-Biyong et al. 2021)",
    "subreddit": "- (Lei & Huang 2022 report few-shot results; not comparable)",
}


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    f = []
    for c in range(3):
        tp = float(np.sum((pred == c) & (y == c)))
        denom = float(np.sum(pred == c) + np.sum(y == c))
        f.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f))


def logits_of(d: pd.DataFrame) -> np.ndarray:
    return pair_logits(list(zip(d.a.astype(str), d.b.astype(str), strict=True)))


def three_way(name: str, y: np.ndarray, pred: np.ndarray, accuracy: bool) -> None:
    major = np.full_like(y, np.bincount(y, minlength=3).argmax())
    parts = [f"macro-F1 {macro_f1(y, pred):.3f} (majority {macro_f1(y, major):.3f})"]
    if accuracy:
        parts.append(f"accuracy {np.mean(pred == y):.3f} (majority {np.mean(major == y):.3f})")
    print(f"{name:<34} n={len(y):>5}  " + "; ".join(parts))


def binary(name: str, d: pd.DataFrame) -> None:
    y = d.y.to_numpy()
    pred = np.argmax(logits_of(d)[:, :2], axis=1)
    major = np.bincount(y, minlength=2).max() / len(y)
    print(f"{name:<34} n={len(y):>5}  accuracy {np.mean(pred == y):.3f} (majority {major:.3f})")


def sample(d: pd.DataFrame, n: int) -> pd.DataFrame:
    return d if not n or len(d) <= n else d.sample(n=n, random_state=0).reset_index(drop=True)


def mtcsd_test(n: int) -> None:
    """Own words alone, then with reply relations propagated down each test thread."""
    d = sd.mtcsd_flat()
    d = d[d.split == "test"]
    if n:  # whole threads, in a fixed random order, until about n nodes
        threads = d[["target", "thread_id"]].drop_duplicates().sample(frac=1.0, random_state=0)
        sizes = d.groupby(["target", "thread_id"]).size()
        keep = [tuple(t) for t in threads.itertuples(index=False)]
        keep = keep[: int(np.searchsorted(np.cumsum([sizes[k] for k in keep]), n)) + 1]
        d = d[[(t, h) in set(keep) for t, h in zip(d.target, d.thread_id, strict=True)]]
    d = d.reset_index(drop=True)
    y = d.stance.map({"favor": 0, "against": 1, "none": 2}).to_numpy()
    own = probabilities(logits_of(pd.DataFrame({"a": d.target, "b": d.text.fillna("")})))
    three_way("MT-CSD test, own words", y, np.argmax(own, axis=1), accuracy=False)
    key = [f"{t}/{c}" for t, c in zip(d.target, d.comment_id, strict=True)]
    has_parent = d.parent_id.notna()
    pairs = pd.DataFrame({"a": d.parent_text[has_parent].fillna(""),
                          "b": d.text[has_parent].fillna("")})
    rel = {key[i]: judge(p) for i, p in zip(np.flatnonzero(has_parent),
                                            probabilities(logits_of(pairs)), strict=True)}
    parent = [f"{t}/{p}" if isinstance(p, str) else None
              for t, p in zip(d.target, d.parent_id, strict=True)]
    # pre-order: a tree-path id sorts after its parent when compared part by part
    order = sorted(range(len(d)), key=lambda i: (d.target[i], [int(x) for x in
                                                               str(d.comment_id[i]).split("-")]))
    stances = propagate([(key[i], parent[i]) for i in order], dict(zip(key, own, strict=True)),
                        rel)
    pred = np.array([LABELS.index(stances[k].stance) for k in key])
    three_way("MT-CSD test, with thread structure", y, pred, accuracy=False)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sample", type=int, default=0, help="pairs per set (0: every pair)")
    p.add_argument("--only", choices=("mtcsd",), help="just this set (a busy machine)")
    args = p.parse_args()
    n = args.sample
    if not sd.available():
        print(f"skipped: no shared data at {sd.DATA} (set ARGMAP_SHARED_DATA)")
        return 0
    t0 = time.perf_counter()
    print("published:", *(f"  {k}: {v}" for k, v in PUBLISHED.items()), sep="\n")
    if n:
        print(f"sampled: at most {n} pairs per set (fixed seed), not the full test sets")
    if args.only == "mtcsd":
        mtcsd_test(n)
        print(f"{time.perf_counter() - t0:.0f}s")
        return 0
    v = sample(sd.vast("test_zeroshot"), n)
    three_way("VAST test_zeroshot", v.y.to_numpy(), np.argmax(logits_of(v), axis=1), False)
    binary("Claim Stance test", sample(sd.claim_stance("test"), n))
    binary("ArgKP-2021 test topics", sample(sd.argkp("test"), n))
    mtcsd_test(n)
    for name, d in (("DEBAGREEMENT test", sample(sd.debagreement("test"), n)),
                    ("SubReddit agreement (both)", sample(sd.subreddit_agreement(), n))):
        three_way(name, d.y.to_numpy(), np.argmax(logits_of(d), axis=1), accuracy=True)
    print(f"{time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

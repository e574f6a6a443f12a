"""Rebuild argmap/models/kp_matcher.npz: logistic head over keypoints.pair_features.

The features are computed with the fine-tuned matcher encoder (argmap/models/kp_minilm_int8.onnx,
built by train/finetune_matcher.py), the vectors match_scores uses at run time; rebuild the head
whenever the encoder is rebuilt.

Trained on ArgKP-2021 train labels only; C chosen by strict mAP on dev (the shared task's
scorer, via bench/argkp.py); test is never read. Run: nice -n 10 python train/train_matcher.py
"""

from __future__ import annotations

import sys

import numpy as np
from common import ROOT, argkp, matcher_embed
from sklearn.linear_model import LogisticRegression

from argmap.keypoints import MATCHER_PATH, pair_features

sys.path.insert(0, str(ROOT / "bench"))


def training_pairs() -> tuple[np.ndarray, np.ndarray]:
    args, kps, labels = argkp("train")
    lab = {(a, k): y for a, k, y in labels.itertuples(index=False)}
    xs, ys = [], []
    for (topic, stance), g in args.groupby(["topic", "stance"]):
        k = kps[(kps.topic == topic) & (kps.stance == stance)]
        if k.empty:
            continue
        f = pair_features(matcher_embed(list(g.argument)), matcher_embed(list(k.key_point)),
                          list(g.argument), list(k.key_point))
        for i, a in enumerate(g.arg_id):
            for j, kid in enumerate(k.key_point_id):
                if (a, kid) in lab:
                    xs.append(f[i, j])
                    ys.append(lab[(a, kid)])
    return np.array(xs), np.array(ys)


def main() -> None:
    from argkp import evaluate, predict  # bench/argkp.py: scorer + predictions

    x, y = training_pairs()
    best = None
    for c in (0.01, 0.1, 1.0, 10.0):
        m = LogisticRegression(C=c, max_iter=3000).fit(x, y)
        np.savez(MATCHER_PATH, w=m.coef_[0].astype(np.float32), b=np.float32(m.intercept_[0]))
        from argmap import keypoints

        keypoints._matcher.cache_clear()
        strict, relaxed = evaluate("dev", predict("dev", "head"), f"head{c}")
        print(f"C={c}: dev strict {strict:.3f} relaxed {relaxed:.3f}")
        if best is None or strict > best[0]:
            best = (strict, c, m)
    assert best is not None
    m = best[2]
    np.savez(MATCHER_PATH, w=m.coef_[0].astype(np.float32), b=np.float32(m.intercept_[0]))
    print(f"saved {MATCHER_PATH} (C={best[1]}, dev strict {best[0]:.3f})")


if __name__ == "__main__":
    main()

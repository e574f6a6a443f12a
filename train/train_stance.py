"""Rebuild argmap/models/stance_head.npz from ArgKP-2021 train + Claim Stance train.

Two stages, both logistic regressions over the packaged MiniLM vectors:
1. sentiment toward the target: Claim Stance train's claimSentiment labels, plus ArgKP train
   arguments whose sentiment follows from stance x the topic's polarity;
2. stance head over (sentiment x topic sign, negations x topic sign, template similarity).
Model choice (C) uses ArgKP dev only; test splits are never read here.
Run: nice -n 10 python train/train_stance.py
"""

from __future__ import annotations

import numpy as np
from common import argkp, claim_stance, embed
from sklearn.linear_model import LogisticRegression

from argmap.stance import MODEL_PATH, StanceHead, template_diff, template_texts, topic_sign


def stance_rows(split: str) -> tuple[list[str], list[str], np.ndarray]:
    """(topics, texts, y=1 for pro) for ArgKP train/dev or Claim Stance train."""
    if split == "claim_train":
        c = claim_stance("train")
        return (list(c.topicText), list(c["claims.claimCorrectedText"]),
                (c["claims.stance"].values == "PRO").astype(int))
    a, _, _ = argkp(split)
    return list(a.topic), list(a.argument), (a.stance.values > 0).astype(int)


def features(head: StanceHead, topics: list[str], texts: list[str]) -> np.ndarray:
    vecs = embed(texts)
    out = []
    for topic in dict.fromkeys(topics):
        idx = [i for i, t in enumerate(topics) if t == topic]
        pos, neg = template_texts(topic)
        tv = embed(pos + neg)
        k = len(pos)
        diff = np.mean([template_diff(tv[j], tv[k + j], vecs[idx]) for j in range(k)], axis=0)
        out.append((idx, head.features(topic, [texts[i] for i in idx], vecs[idx], diff)))
    x = np.zeros((len(texts), out[0][1].shape[1]), dtype=np.float32)
    for idx, f in out:
        x[idx] = f
    return x


def main() -> None:
    c = claim_stance("train")
    c = c[c["claims.claimSentiment"].notna()]
    s_texts = list(c["claims.claimCorrectedText"])
    s_y = list((c["claims.claimSentiment"].values > 0).astype(int))
    topics, texts, y = stance_rows("train")
    s_texts += texts
    s_y += [int((2 * yi - 1) * topic_sign(t) > 0) for yi, t in zip(y, topics, strict=True)]
    sent = LogisticRegression(C=1.0, max_iter=3000).fit(embed(s_texts), s_y)
    head = StanceHead(sent.coef_[0].astype(np.float32), float(sent.intercept_[0]),
                      np.zeros(5, np.float32), 0.0)
    ct, cx, cy = stance_rows("claim_train")
    x = features(head, topics + ct, texts + cx)
    yy = np.concatenate([y, cy])
    dt, dx, dy = stance_rows("dev")
    xd = features(head, dt, dx)
    best = None
    for cval in (0.01, 0.1, 1.0, 10.0):
        m = LogisticRegression(C=cval, max_iter=3000).fit(x, yy)
        acc = float((m.predict(xd) == dy).mean())
        print(f"C={cval}: ArgKP dev stance accuracy {acc:.3f}")
        if best is None or acc > best[0]:
            best = (acc, m)
    assert best is not None
    m = best[1]
    head = StanceHead(head.sent_w, head.sent_b, m.coef_[0].astype(np.float32),
                      float(m.intercept_[0]))
    head.save(MODEL_PATH)
    print(f"saved {MODEL_PATH} (dev {best[0]:.3f}); weights {np.round(m.coef_[0], 3)}")


if __name__ == "__main__":
    main()

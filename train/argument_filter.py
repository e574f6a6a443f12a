"""Train the argument filter shipped as argmap/models/arg_filter.npz (argmap/argfilter.py).

Two linear heads over frozen packaged-MiniLM vectors of (proposition p, sentence s), features
[e_s, e_p*e_s, |e_p-e_s|]:
- quality: ridge regression of IBM-ArgQ-Rank-30k's WA score (train split; alpha chosen on its
  topic-disjoint dev split);
- is-argument: logistic regression. Positives: ArgQ-30k arguments, ArgKP-2021 arguments and
  IBM Evidence Sentences labelled evidence, each with its own topic. Negatives: Evidence
  Sentences labelled not evidence (on-topic Wikipedia sentences that argue nothing), and
  topic-mismatch pairs: an argument paired with another topic of the same split is not an
  argument *on that topic*, which is what a thread's off-topic remarks look like to the map.
  C chosen on a dev set built the same way from ArgQ dev, ArgKP dev and held-out Evidence
  topics (Evidence has no dev split: 15 train topics are set aside, chosen by a fixed seed).
UKP Sentential is never read here (non-commercial; bench/argument_filter.py evaluates on it).

Run: nice -n 19 python train/argument_filter.py            (writes the .npz)
     nice -n 19 python train/argument_filter.py --embed    (only fills the embedding cache)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATA, ROOT, argkp, embed  # noqa: E402

from argmap.argfilter import FILTER_PATH, features  # noqa: E402

ARGQ = DATA / "argquality" / "ibm-argq-rank-30k" / "arg_quality_rank_30k.csv"
EVIDENCE = DATA / "argquality" / "ibm-evidence-sentences"
UKP = DATA / "argquality" / "ukp-sentential"
SEED = 13


# Rows used per split: every ArgQ and Evidence row (about 37k sentences, a few minutes of
# embedding on two idle cores); ArgKP arguments and UKP a fixed random sample (UKP: per topic).
SIZES = {"argkp": 300, "ukp": 200}


def _sample(df: pd.DataFrame, n: int) -> pd.DataFrame:
    if len(df) <= n:
        return df.reset_index(drop=True)
    return df.sample(n=n, random_state=SEED).sort_index().reset_index(drop=True)


def argq(split: str) -> pd.DataFrame:
    df = pd.read_csv(ARGQ)
    return df[df["set"] == split].reset_index(drop=True)


def argkp_args(split: str) -> pd.DataFrame:
    return _sample(argkp(split)[0], SIZES["argkp"] if split == "train" else SIZES["argkp"] // 3)


def evidence(split: str) -> pd.DataFrame:
    """train (minus dev topics), dev (15 train topics set aside) or test."""
    df = pd.read_csv(EVIDENCE / ("test.csv" if split == "test" else "train.csv"))
    if split == "test":
        return df
    topics = sorted(df.topic.unique())
    dev = set(np.random.default_rng(SEED).choice(topics, 15, replace=False))
    return df[df.topic.isin(dev) == (split == "dev")].reset_index(drop=True)


def ukp_test() -> pd.DataFrame:
    """UKP Sentential, a fixed sample of every topic's test split (evaluation only)."""
    import csv
    frames = [pd.read_csv(f, sep="\t", quoting=csv.QUOTE_NONE) for f in sorted(UKP.glob("*.tsv"))]
    df = pd.concat(frames, ignore_index=True)
    df = df[df["set"] == "test"]
    return pd.concat([_sample(g, SIZES["ukp"]) for _, g in df.groupby("topic")],
                     ignore_index=True)


def is_argument_pairs(split: str) -> tuple[list[str], list[str], np.ndarray]:
    """(propositions, sentences, labels) for the is-argument head."""
    q = argq("dev" if split == "dev" else "train")
    k = argkp_args(split)
    e = evidence(split)
    pos_p = list(q.topic) + list(k.topic) + list(e.topic[e.label == 1])
    pos_s = list(q.argument) + list(k.argument) + list(e.candidate[e.label == 1])
    neg_p, neg_s = list(e.topic[e.label == 0]), list(e.candidate[e.label == 0])
    # topic mismatch: as many as the on-topic negatives, from ArgQ and Evidence alike
    rng = np.random.default_rng(SEED)
    for df, col in ((q, "argument"), (e, "candidate")):
        topics = sorted(df.topic.unique())
        rows = rng.choice(len(df), min(len(df), len(neg_s)), replace=False)
        for r in rows:
            other = [t for t in topics if t != df.topic.iloc[r]]
            neg_p.append(str(rng.choice(other)))
            neg_s.append(str(df[col].iloc[r]))
    labels = np.r_[np.ones(len(pos_s)), np.zeros(len(neg_s))]
    return pos_p + neg_p, pos_s + neg_s, labels


def all_texts() -> list[str]:
    """Every text the training and bench/argument_filter.py embed, training data first."""
    out: list[str] = []
    for s in ("train", "dev", "test"):
        e = evidence(s)
        out += list(e.topic.unique()) + list(e.candidate)
    for s in ("train", "dev"):
        a = argkp_args(s)
        out += list(a.topic.unique()) + list(a.argument)
    for s in ("dev", "train", "test"):
        q = argq(s)
        out += list(q.topic.unique()) + list(q.argument)
    u = ukp_test()
    out += list(u.topic.unique()) + list(u.sentence)
    return list(dict.fromkeys(str(t) for t in out))


def design(props: list[str], sents: list[str]) -> np.ndarray:
    return features(embed(props), embed(sents), sents)


# Key Point Analysis uses the filter as a recall-first gate: a sentence it lets through that
# matches no key point only stays unassigned, while an argument it drops is lost to the map.
# So the decision point keeps this share of dev arguments, whatever it lets in besides.
GATE_RECALL = 0.95


def recall_threshold(probs: np.ndarray, labels: np.ndarray) -> float:
    """The score above which ``GATE_RECALL`` of the dev arguments lie."""
    t = float(np.quantile(probs[labels == 1], 1 - GATE_RECALL))
    print(f"is-argument gate: threshold {t:.3f} keeps {GATE_RECALL:.0%} of dev arguments and "
          f"{float((probs[labels == 0] >= t).mean()):.1%} of dev non-arguments")
    return t


def main() -> None:
    if "--embed" in sys.argv:
        texts = all_texts()
        for i in range(0, len(texts), 500):
            embed(texts[i : i + 500])
            print(f"{min(i + 500, len(texts))}/{len(texts)}", flush=True)
        return
    from scipy.stats import pearsonr
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.metrics import f1_score

    qt, qd = argq("train"), argq("dev")
    xt, xd = design(list(qt.topic), list(qt.argument)), design(list(qd.topic), list(qd.argument))
    best_q = max(((float(pearsonr(Ridge(alpha=a).fit(xt, qt.WA).predict(xd), qd.WA)[0]), a)
                  for a in (0.1, 0.3, 1.0, 10.0, 100.0)), key=lambda t: t[0])
    print(f"quality: alpha={best_q[1]} dev pearson={best_q[0]:.3f}")
    ridge = Ridge(alpha=best_q[1]).fit(xt, qt.WA)

    pt, st, yt = is_argument_pairs("train")
    pd_, sd, yd = is_argument_pairs("dev")
    at, ad = design(pt, st), design(pd_, sd)
    fits = []
    for c in (0.1, 1.0, 10.0):
        m = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(at, yt)
        fits.append((float(f1_score(yd, m.predict(ad), average="macro")), c, m))
        print(f"is-argument: C={c} dev macro-F1={fits[-1][0]:.3f}", flush=True)
    f1, c, logit = max(fits, key=lambda t: t[0])
    print(f"is-argument: chose C={c} (dev macro-F1 {f1:.3f}); n_train={len(yt)}")
    np.savez_compressed(
        FILTER_PATH,
        q_w=ridge.coef_.astype(np.float32), q_b=np.float32(ridge.intercept_),
        a_w=logit.coef_[0].astype(np.float32), a_b=np.float32(logit.intercept_[0]),
        a_threshold=np.float32(recall_threshold(logit.predict_proba(ad)[:, 1], yd)),
    )
    print("wrote", FILTER_PATH.relative_to(ROOT))


if __name__ == "__main__":
    main()

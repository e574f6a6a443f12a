"""The argument filter (argmap/argfilter.py) on held-out data, beside published baselines.

ArgQ and Evidence test splits are read whole, UKP as a fixed random sample per topic
(train/argument_filter.py ``SIZES``).
- Quality: Pearson / Spearman of the predicted WA score on IBM-ArgQ-Rank-30k test (15 topics
  never trained on); beside a trivial baseline (sentence length in words) and BERT fine-tuned
  with the topic (Gretz et al. 2020: about 0.52 / 0.48).
- Is-argument: macro-F1 of argument vs no argument on UKP Sentential, from every topic's
  test split (no UKP sentence or topic is ever trained on, so every topic is cross-topic); beside
  always-majority and BERT-base cross-topic (0.617, Reimers et al. 2019, which scores the
  three classes for / against / none; ours is two classes, so the figures are not the same task).
- The same is-argument macro-F1 on IBM Evidence Sentences test (35 unseen topics), the
  in-distribution check.
Run: nice -n 19 python bench/argument_filter.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
from argument_filter import argq, evidence, ukp_test  # noqa: E402
from common import embedder  # noqa: E402

from argmap.argfilter import IS_ARGUMENT, score  # noqa: E402


def _by_topic(topics: list[str], sents: list[str]) -> tuple[np.ndarray, np.ndarray]:
    arg = np.zeros(len(sents))
    qual = np.zeros(len(sents))
    for t in dict.fromkeys(topics):
        idx = [i for i, x in enumerate(topics) if x == t]
        got = score(t, [sents[i] for i in idx], embedder())
        arg[idx] = [g.argument for g in got]
        qual[idx] = [g.quality for g in got]
    return arg, qual


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score
    return float(f1_score(gold, pred, average="macro"))


def main() -> None:
    from scipy.stats import pearsonr, spearmanr

    q = argq("test")
    _, qual = _by_topic([str(t) for t in q.topic], [str(s) for s in q.argument])
    length = np.array([len(str(s).split()) for s in q.argument])
    print(f"ArgQ-30k test quality (WA), n={len(q)}:      Pearson  Spearman")
    print(f"  argument filter (MiniLM + ridge)        {pearsonr(qual, q.WA)[0]:8.3f}"
          f"{spearmanr(qual, q.WA)[0]:10.3f}")
    print(f"  sentence length (trivial)               {pearsonr(length, q.WA)[0]:8.3f}"
          f"{spearmanr(length, q.WA)[0]:10.3f}")
    print("  BERT + topic (Gretz et al. 2020)           0.52      0.48")

    u = ukp_test()
    gold = (u.annotation != "NoArgument").to_numpy().astype(int)
    arg, _ = _by_topic([str(t) for t in u.topic], [str(s) for s in u.sentence])
    majority = np.full_like(gold, int(gold.mean() >= 0.5))
    print(f"UKP Sentential test-split sample, cross-topic, n={len(u)} (argument vs none): macro-F1")
    print(f"  argument filter                         {macro_f1(gold, arg >= IS_ARGUMENT):8.3f}")
    print(f"  always majority                         {macro_f1(gold, majority):8.3f}")
    print("  BERT-base cross-topic (3 classes, Reimers et al. 2019)  0.617")

    e = evidence("test")
    arg, _ = _by_topic([str(t) for t in e.topic], [str(s) for s in e.candidate])
    print(f"IBM Evidence Sentences test, n={len(e)}: macro-F1 "
          f"{macro_f1(e.label.to_numpy(), arg >= IS_ARGUMENT):.3f} (majority "
          f"{macro_f1(e.label.to_numpy(), np.zeros(len(e), dtype=int)):.3f})")


if __name__ == "__main__":
    main()

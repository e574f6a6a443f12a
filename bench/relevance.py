"""The chat's relevance model (argmap/models/relevance_int8.onnx) on held-out and dev sets.

Prints, each beside a trivial baseline (shared content-word stems) and a published number:
- WikiQA test MAP / MRR over questions with an answer (held out; RoBERTa-base 0.887 MAP,
  the figure issue 12 names; CNN-Cnt 0.652 MAP, Yang et al. 2015),
- accuracy on the held-out part of QNLI dev at P >= 0.5 (MiniLM-L6 fine-tuned on all 105k
  QNLI train pairs: 0.905; we train on ~3k of its kind),
- SemEval-2016 CQA dev MAP (used to pick the checkpoint, so not held out; KeLP 0.792 on the
  unavailable 2016 test),
- the answerability cut: for each dev question the best candidate's P(answers) and the cut
  that maximises balanced accuracy (answered answerable + abstained unanswerable), on SQuAD
  2.0 dev articles and WikiQA dev, and (``--sets HOME``) on the TUNING half of
  tests/data/qa_sets through the product's own retrieval: the discussions argmap serves.
  Held-out sets are never read here. (No cut ships: none separated the tuning questions
  well enough to gate answers; see argmap/relevance.py.)

Run: python bench/relevance.py [--limit N] [--sets HOME]  (N: questions per set, quick look)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "train"), str(ROOT / "bench")]

from relevance_data import Pair, mean_ap, qnli, semeval, squad_answerability, wikiqa  # noqa: E402

from argmap.relevance import probabilities  # noqa: E402
from argmap.text import tokens  # noqa: E402


def score(pairs: list[Pair]) -> np.ndarray:
    by_q: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_q[p.question].append(i)
    out = np.zeros(len(pairs), dtype=np.float32)
    for q, idx in by_q.items():
        out[idx] = probabilities(q, [pairs[i].sentence for i in idx])
    return out


def overlap(pairs: list[Pair]) -> np.ndarray:
    """Baseline: share of the question's content stems that the sentence contains."""
    return np.asarray([len(set(tokens(p.question)) & set(tokens(p.sentence)))
                       / max(1, len(set(tokens(p.question)))) for p in pairs])


def limited(pairs: list[Pair], n: int) -> list[Pair]:
    if not n:
        return pairs
    keep = set(sorted({p.group for p in pairs})[:n])
    return [p for p in pairs if p.group in keep]


def best_cut(best: np.ndarray, answerable: np.ndarray) -> tuple[float, float]:
    """The cut with the highest balanced accuracy, and that accuracy."""
    cuts = np.unique(np.round(best, 3))
    bal = [(np.mean(best[answerable] >= c) + np.mean(best[~answerable] < c)) / 2 for c in cuts]
    i = int(np.argmax(bal))
    return float(cuts[i]), float(bal[i])


def answerability(limit: int) -> None:
    rows: list[tuple[str, float, bool]] = []
    for q, sents, ok in squad_answerability("dev")[: limit or None]:
        rows.append(("squad", float(probabilities(q, sents).max()), ok))
    wq: dict[str, list[Pair]] = defaultdict(list)
    for p in wikiqa("dev"):
        wq[p.group].append(p)
    for g in sorted(wq)[: limit or None]:
        ps = wq[g]
        rows.append(("wikiqa", float(probabilities(ps[0].question, [p.sentence for p in ps]).max()),
                     any(p.label for p in ps)))
    for name in ("squad", "wikiqa", "pooled"):
        sel = [r for r in rows if name in (r[0], "pooled")]
        best = np.asarray([r[1] for r in sel])
        yes = np.asarray([r[2] for r in sel], dtype=bool)
        cut, bal = best_cut(best, yes)
        print(f"  {name:7} dev: {yes.sum()} answerable / {(~yes).sum()} not; best cut {cut:.3f} "
              f"(balanced acc {bal:.3f})")


def tuning_cut(home: Path) -> None:
    """Best retrieved candidate's P(answers) per tuning question, through ``screen``."""
    import os

    os.environ["ARGMAP_HOME"] = str(home / "home")
    from qa_sets import load_sets, source_file  # type: ignore[import-not-found]

    from argmap import api
    from argmap.qa import screen
    from argmap.retrieve import retrieve
    from argmap.store import Store

    store = Store()
    best, ok = [], []
    for name, qa_set in sorted(load_sets().items()):
        if qa_set["split"] != "tuning":
            continue
        corpus = f"qa-{name.replace('_', '-')}"
        if store.info(corpus) is None:
            api.ingest([source_file(qa_set, home / "qa_sources")], corpus=corpus, store=store)
        index = store.open(corpus)
        for q in qa_set["questions"]:
            if q["kind"] == "overview":
                continue
            ev = retrieve(index, q["question"])
            hits = [e.score for e in screen(index, q["question"], ev) if e.via == "hit"]
            if hits and hits != [e.score for e in ev if e.via == "hit"]:  # re-scored
                best.append(max(hits))
                ok.append(q["kind"] != "unanswerable")
    b, a = np.asarray(best), np.asarray(ok)
    cut, bal = best_cut(b, a)
    print(f"  tuning half of qa_sets: {a.sum()} answerable / {(~a).sum()} not (re-scored); "
          f"best cut {cut:.3f} (balanced acc {bal:.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--sets", type=Path, help="bench home for the tuning qa_sets (ingested once)")
    ap.add_argument("--sets-only", action="store_true")
    a = ap.parse_args()
    if a.sets_only:
        tuning_cut(a.sets)
        return
    t0 = time.time()
    test = limited(wikiqa("test"), a.limit)
    s = score(test)
    print("WikiQA test (held out), questions with an answer: MAP / MRR")
    print("  argmap relevance  {:.3f} / {:.3f}".format(*mean_ap(test, s)))
    print("  content overlap   {:.3f} / {:.3f}".format(*mean_ap(test, overlap(test))))
    print("  published: RoBERTa-base 0.887 MAP; CNN-Cnt (Yang et al. 2015) 0.652 / 0.665")
    q = qnli("test")[: a.limit * 5 or None]
    acc = np.mean((score(q) >= 0.5) == np.asarray([p.label == 1.0 for p in q]))
    major = max(np.mean([p.label for p in q]), 1 - np.mean([p.label for p in q]))
    print(f"QNLI dev, held-out part ({len(q)} pairs): accuracy {acc:.3f}; majority {major:.3f}; "
          "published MiniLM-L6 on all QNLI train 0.905")
    se = limited(semeval("dev"), a.limit)
    print("SemEval-2016 CQA dev (checkpoint selection, not held out): MAP / MRR "
          "{:.3f} / {:.3f}; overlap {:.3f} / {:.3f}; KeLP (2016 test) 0.792 MAP".format(
              *mean_ap(se, score(se)), *mean_ap(se, overlap(se))))
    print("Answerability cut (dev only):")
    answerability(a.limit)
    if a.sets:
        tuning_cut(a.sets)
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()

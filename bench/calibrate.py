"""Calibrate the abstention threshold (argmap.qa.ABSTAIN_THRESHOLD) on the dev set.

Prints each dev question's support score (argmap.qa.support on its retrieved evidence),
then the threshold: the midpoint of the widest gap between the highest-scoring
unanswerable question and the answerable ones above it, chosen so that every unanswerable
question abstains while as few answerable ones as possible do. Run:

    python bench/calibrate.py
"""

from __future__ import annotations

import devset  # type: ignore[import-not-found]


def main() -> None:
    devset.temp_home("seed")
    from argmap.qa import ABSTAIN_THRESHOLD, support
    from argmap.retrieve import retrieve

    index = devset.open_seed()
    scored = []
    for item in devset.load()["questions"]:
        ev = retrieve(index, item["question"])
        scored.append((support(index, item["question"], ev), item["answerable"], item["id"],
                       item["question"]))
    scored.sort()
    for s, ok, qid, question in scored:
        print(f"{s:.3f} {'ANS ' if ok else 'NONE'} {qid:5} {question}")
    worst_none = max((s for s, ok, *_ in scored if not ok), default=0.0)
    above = [s for s, ok, *_ in scored if ok and s > worst_none]
    lost = [qid for s, ok, qid, _ in scored if ok and s <= worst_none]
    threshold = (worst_none + min(above)) / 2 if above else worst_none + 1e-3
    print(f"\nhighest unanswerable support: {worst_none:.3f}")
    print(f"lowest answerable support above it: {min(above) if above else float('nan'):.3f}")
    print(f"answerable questions that would abstain: {lost or 'none'}")
    print(f"calibrated threshold: {threshold:.3f} "
          f"(current ABSTAIN_THRESHOLD = {ABSTAIN_THRESHOLD})")


if __name__ == "__main__":
    main()

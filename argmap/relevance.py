"""Does this sentence answer the question? The chat's relevance and answerability model.

A MiniLM cross-encoder fine-tuned on the CPU on question/sentence data (SQuAD 2.0 half-dev as
QNLI-style pairs, part of QNLI dev, WikiQA train, SemEval-2016 CQA; train/finetune_relevance.py)
reads the question and one candidate sentence together. It re-scores the hybrid retriever's
best candidates, and the answer is chosen and led by the sentences most likely to answer.

Not (yet) a gate: on the tuning discussions no cut on its probability separates answerable
from unanswerable questions (balanced accuracy 0.57 at best, bench/relevance.py --sets), and
dropping candidates under a cut lowered held-out gold-post recall (0.61 -> 0.36 as the only
gate, 0.55 as a padding filter; docs/experiments.md). Abstention stays with qa.support.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from argmap.cross_encoder import pair_logits
from argmap.records import Evidence

MODEL_PATH = Path(__file__).parent / "models" / "relevance_int8.onnx"
MAX_TOKENS = 128  # the pair length it was trained at
# candidates re-scored per question, in one model call (retrieve returns 8 hits; the rest
# follow unscored). 5, not 8: the call is most of `ask` (p95 170 ms at 20k posts with 8, goal
# 150), and on the tuning discussions 5 cite a gold post as often (recall 0.78 vs 0.76,
# abstention and paraphrase equal; bench/qa.py --sets-only)
RESCORE = 5


def probabilities(question: str, texts: list[str]) -> np.ndarray:
    """P(the text answers the question) for each text."""
    if not texts:
        return np.zeros(0, dtype=np.float32)
    logits = pair_logits(MODEL_PATH, [(question, t) for t in texts], MAX_TOKENS)[:, 0]
    return 1.0 / (1.0 + np.exp(-logits))  # type: ignore[no-any-return]


def rerank(question: str, evidence: list[Evidence]) -> list[Evidence]:
    """The retriever's best hits re-scored (``score`` = P(answers)), best first; thread
    context (parents, replies) is kept for engines that read it."""
    hits = [e for e in evidence if e.via == "hit"]
    read = hits[:RESCORE]
    probs = probabilities(question, [e.unit.text for e in read])
    scored = sorted((replace(e, score=float(p)) for e, p in zip(read, probs, strict=True)),
                    key=lambda e: -e.score)
    # hits past RESCORE keep their retrieval order after the re-scored ones (score 0: the
    # model never read them), still there to fill an answer
    rest = [replace(e, score=0.0) for e in hits[RESCORE:]]
    return scored + rest + [e for e in evidence if e.via != "hit"]

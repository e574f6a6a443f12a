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
RESCORE = 8  # candidates re-scored per question (retrieve returns 8 hits), in one model call


def probabilities(question: str, texts: list[str]) -> np.ndarray:
    """P(the text answers the question) for each text."""
    if not texts:
        return np.zeros(0, dtype=np.float32)
    logits = pair_logits(MODEL_PATH, [(question, t) for t in texts], MAX_TOKENS)[:, 0]
    return 1.0 / (1.0 + np.exp(-logits))  # type: ignore[no-any-return]


def rerank(question: str, evidence: list[Evidence]) -> list[Evidence]:
    """The retriever's best hits re-scored (``score`` = P(answers)), best first; thread
    context (parents, replies) is kept for engines that read it."""
    hits = [e for e in evidence if e.via == "hit"][:RESCORE]
    probs = probabilities(question, [e.unit.text for e in hits])
    scored = sorted((replace(e, score=float(p)) for e, p in zip(hits, probs, strict=True)),
                    key=lambda e: -e.score)
    return scored + [e for e in evidence if e.via != "hit"]

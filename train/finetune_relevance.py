"""Train the chat's (question, sentence) relevance cross-encoder; export int8 ONNX.

Rebuilds argmap/models/relevance_int8.onnx, which argmap/relevance.py runs to re-score the
hybrid retriever's candidates: the answer leads with the sentence most likely to answer and
abstains when none clears a cut calibrated on dev (bench/relevance.py).

Why a cross-encoder: the bi-encoder and BM25 find sentences that share the question's topic;
whether a sentence *answers* it (and whether anything does) needs the two read together.
Starts from the stance cross-encoder checkpoint (train/finetune_stance.py; its pair reading
transfers, the bare sentence-embedding MiniLM did not learn in the same budget) with a fresh
one-logit head, pointwise binary cross-entropy on train/relevance_data.training_pairs().
Dev (WikiQA dev, SemEval-2016 dev, SQuAD dev articles; MAP over questions that have an
answer) is scored every --eval-every steps and the best checkpoint kept; WikiQA test and the
held-out QNLI part are never read here.

The chain that built the shipped file (training venv with the `train` extra, offline; the
stance checkpoint is the one train/finetune_stance.py's chain ends with):
  nice python train/finetune_relevance.py train --init .argmap/finetune/stance4 \
      --minutes 38 --planned-steps 900 --batch 16 --eval-every 250 --out relevance_s
      (best: step 750, dev mean MAP 0.785)
  nice python train/finetune_relevance.py train --init .argmap/finetune/relevance_s \
      --minutes 28 --planned-steps 600 --lr 3e-5 --batch 16 --eval-every 200 --seed 1 \
      --out relevance_s2   (best: step 600, dev mean MAP 0.806)
  nice python train/finetune_relevance.py export --checkpoint .argmap/finetune/relevance_s2
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np
from finetune_cross import Cross
from finetune_matcher import (
    WORK,
    base_model_dir,
    budgeted_training,
    command_line,
    run,
    to_int8_onnx,
)
from relevance_data import Pair, mean_ap, semeval, squad, training_pairs, wikiqa

ROOT = Path(__file__).resolve().parents[1]
ONNX_INT8 = ROOT / "argmap" / "models" / "relevance_int8.onnx"
ONNX_FP32 = WORK / "relevance_fp32.onnx"
MAX_LEN = 128


def dev_sets() -> dict[str, list[Pair]]:
    """Small, fixed dev samples: scored every few hundred steps on shared cores."""
    rng = random.Random(0)
    sq = squad("dev")
    keep = set(rng.sample(sorted({p.group for p in sq}), 300))
    se = semeval("dev")
    threads = sorted({p.group for p in se})[:80]
    return {"wikiqa": wikiqa("dev"), "semeval": [p for p in se if p.group in threads],
            "squad": [p for p in sq if p.group in keep]}


def dev_score(score, sets: dict[str, list[Pair]]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    maps = {k: mean_ap(v, score([(p.question, p.sentence) for p in v]))[0]
            for k, v in sets.items()}
    print("  dev MAP " + " ".join(f"{k} {v:.3f}" for k, v in maps.items()), flush=True)
    return float(np.mean(list(maps.values()))), maps["wikiqa"]


def train(a: argparse.Namespace) -> None:
    import torch

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = random.Random(a.seed)
    model = Cross(Path(a.init) if a.init else base_model_dir(), MAX_LEN)
    data = training_pairs()
    sets = dev_sets()
    opt = torch.optim.AdamW(model.model.parameters(), lr=a.lr, weight_decay=0.01)
    planned = a.planned_steps or int(a.epochs * len(data) / a.batch)
    print(f"{len(data)} pairs ({sum(p.label for p in data):.0f} positive), planned {planned} "
          f"steps, budget {a.minutes} min", flush=True)
    bce = torch.nn.BCEWithLogitsLoss()

    def loss_of(idx: list[int]):  # type: ignore[no-untyped-def]
        batch = [data[i] for i in idx]
        return bce(model([(p.question, p.sentence) for p in batch]),
                   torch.tensor([p.label for p in batch]))

    budgeted_training(a, len(data), planned, rng.sample, loss_of, model.model, opt,
                      lambda: dev_score(model.score, sets), (-1.0, -1.0), WORK / a.out,
                      log_every=20, names=("mean MAP", "wikiqa MAP"))


def export(a: argparse.Namespace) -> None:
    """Classifier -> int8 ONNX, and dev MAP of torch vs int8 to show the quantisation cost."""
    import onnxruntime as ort
    import torch

    torch.set_num_threads(a.threads)
    cross = Cross(Path(a.checkpoint), MAX_LEN)
    cross.model.eval()
    WORK.mkdir(parents=True, exist_ok=True)
    to_int8_onnx(cross.model, "logits", ONNX_FP32, ONNX_INT8)
    import onnx
    from rowquant import rewrite  # per-pair activation scales, so its candidates can batch

    onnx.save(rewrite(onnx.load(ONNX_INT8)), ONNX_INT8)
    print(f"wrote {ONNX_INT8} ({ONNX_INT8.stat().st_size / 1e6:.1f} MB)")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(str(ONNX_INT8), opts, providers=["CPUExecutionProvider"])

    def onnx_score(pairs: list[tuple[str, str]]) -> np.ndarray:
        out = np.zeros(len(pairs), dtype=np.float32)
        for b in range(0, len(pairs), 16):
            ids, mask, types = (x.numpy() for x in cross.batch(pairs[b : b + 16]))
            out[b : b + 16] = sess.run(None, {"input_ids": ids, "attention_mask": mask,
                                               "token_type_ids": types})[0][:, 0]
        return out

    sets = dev_sets()
    print(f"torch: dev mean MAP {dev_score(cross.score, sets)[0]:.3f}")
    print(f"int8:  dev mean MAP {dev_score(onnx_score, sets)[0]:.3f}")


def main() -> int:
    p, t = command_line(__doc__ or "", epochs=1.0, lr=5e-5, eval_every=300, out="relevance",
                        checkpoint=str(WORK / "relevance"))
    t.add_argument("--init", default="", help="starting checkpoint (default: packaged MiniLM)")
    return run(p, train, export)


if __name__ == "__main__":
    sys.exit(main())

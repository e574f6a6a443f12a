"""Train the key-point cross-encoder on ArgKP-2021 train; export int8 ONNX.

Rebuilds argmap/models/kp_cross_int8.onnx, which keypoints.cross_scores runs through
onnxruntime to re-score (key point, argument) pairs that the bi-encoder matcher ranked.

Why a cross-encoder: the fine-tuned bi-encoder plus relational head stopped
at dev strict 0.855; a longer bi-encoder schedule did not help. A cross-encoder reads the
key point and the argument together, so it sees negation and which side of a key point an
argument takes, which pooled vectors blur. It starts from the fine-tuned matcher checkpoint
(already tuned to this task's vocabulary) with a fresh one-logit head, and learns pointwise
(binary cross-entropy on every labelled train pair), so scores also rank across arguments,
as the shared task's mAP does. Dev is scored with the shared task's scorer every
--eval-every steps and the best checkpoint kept; test is never read here.

Measurements and the variants tried: docs/experiments.md.

Run (training venv with the `train` extra, offline):
  nice -n 19 python train/finetune_cross.py train --minutes 40 --out cross
  nice -n 19 python train/finetune_cross.py export --checkpoint .argmap/finetune/cross
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np
from finetune_matcher import (
    WORK,
    base_model_dir,
    budgeted_training,
    command_line,
    load,
    map_score,
    run,
    to_int8_onnx,
)

ROOT = Path(__file__).resolve().parents[1]
ONNX_INT8 = ROOT / "argmap" / "models" / "kp_cross_int8.onnx"
ONNX_FP32 = WORK / "kp_cross_fp32.onnx"


class Cross:
    """BERT with a ``labels``-logit head over "[CLS] text A [SEP] text B [SEP]" (one logit:
    the key-point score; three: train/finetune_stance.py)."""

    def __init__(self, path: Path, max_len: int, labels: int = 1):
        import torch
        from tokenizers import Tokenizer
        from transformers import AutoModelForSequenceClassification

        self.torch = torch
        self.model = AutoModelForSequenceClassification.from_pretrained(
            str(path), num_labels=labels, ignore_mismatched_sizes=True)
        self.labels = labels
        self.tok = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=max_len)

    def batch(self, pairs: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
        encs = self.tok.encode_batch([(k or " ", a or " ") for k, a in pairs])
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(pairs), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for r, e in enumerate(encs):
            ids[r, : len(e.ids)] = e.ids
            mask[r, : len(e.ids)] = 1
            types[r, : len(e.ids)] = e.type_ids
        t = self.torch.from_numpy
        return t(ids), t(mask), t(types)

    def __call__(self, pairs: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
        ids, mask, types = self.batch(pairs)
        logits = self.model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
        return logits[:, 0] if self.labels == 1 else logits

    def score(self, pairs: list[tuple[str, str]], bs: int = 128) -> np.ndarray:
        torch = self.torch
        self.model.eval()
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        out = np.zeros((len(pairs),) if self.labels == 1 else (len(pairs), self.labels),
                       dtype=np.float32)
        with torch.inference_mode():
            for b in range(0, len(order), bs):
                idx = order[b : b + bs]
                out[idx] = self([pairs[i] for i in idx]).numpy()
        self.model.train()
        return out


def score_pairs(score, subset: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Strict / relaxed dev mAP of a pair scorer over every (argument, key point) of a group."""
    args, kps, _ = load(subset)
    rows = []
    for (topic, stance), g in args.groupby(["topic", "stance"]):
        k = kps[(kps.topic == topic) & (kps.stance == stance)]
        rows += [(a, kid, kt, at) for a, at in zip(g.arg_id, g.argument, strict=True)
                 for kid, kt in zip(k.key_point_id, k.key_point, strict=True)]
    s = score([(kt, at) for _, _, kt, at in rows])
    preds: dict[str, dict[str, float]] = {}
    for (a, kid, _, _), v in zip(rows, s, strict=True):
        preds.setdefault(a, {})[kid] = float(v)
    return map_score(preds, subset)


def undecided_pairs(args, kps, labels, atext, ktext, target: float):  # type: ignore[no-untyped-def]
    """Same topic-and-side pairs that ArgKP left unlabelled because annotators split on them.

    The scorer's relaxed mAP counts them as matches and the strict one as misses; a soft
    target between 0 and 1 teaches the model to rank them below clear matches, where both
    measures lose least."""
    labelled = set(zip(labels.arg_id, labels.key_point_id, strict=True))
    both = args.merge(kps, on=["topic", "stance"])
    return [(ktext[k], atext[x], target) for x, k in
            zip(both.arg_id, both.key_point_id, strict=True) if (x, k) not in labelled]


def train(a: argparse.Namespace) -> None:
    import torch

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = random.Random(a.seed)
    init = Path(a.init) if a.init else base_model_dir()
    model = Cross(init, a.max_len)
    args, kps, labels = load("train")
    atext = dict(zip(args.arg_id, args.argument, strict=True))
    ktext = dict(zip(kps.key_point_id, kps.key_point, strict=True))
    data = [(ktext[k], atext[x], float(y)) for x, k, y in
            labels[["arg_id", "key_point_id", "label"]].itertuples(index=False)]
    if a.undecided:
        data += undecided_pairs(args, kps, labels, atext, ktext, a.undecided)
    opt = torch.optim.AdamW(model.model.parameters(), lr=a.lr, weight_decay=0.01)
    planned = a.planned_steps or int(a.epochs * len(data) / a.batch)
    print(f"{len(data)} labelled pairs, planned {planned} steps, budget {a.minutes} min",
          flush=True)
    bce = torch.nn.BCEWithLogitsLoss()

    def loss_of(idx: list[int]):  # type: ignore[no-untyped-def]
        batch = [data[i] for i in idx]
        return bce(model([(k, x) for k, x, _ in batch]), torch.tensor([y for *_, y in batch]))

    budgeted_training(a, len(data), planned, rng.sample, loss_of, model.model, opt,
                      lambda: score_pairs(model.score, "dev"), (-1.0, -1.0), WORK / a.out,
                      log_every=20)


def export(a: argparse.Namespace) -> None:
    """Classifier -> ONNX (input_ids, attention_mask, token_type_ids -> logits), then dynamic
    per-channel int8, and dev mAP of torch vs int8 to show the quantisation cost."""
    import onnxruntime as ort
    import torch

    torch.set_num_threads(a.threads)
    src = Path(a.checkpoint)
    cross = Cross(src, a.max_len)
    cross.model.eval()

    WORK.mkdir(parents=True, exist_ok=True)
    to_int8_onnx(cross.model, "logits", ONNX_FP32, ONNX_INT8)
    print(f"wrote {ONNX_INT8} ({ONNX_INT8.stat().st_size / 1e6:.1f} MB)")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(str(ONNX_INT8), opts, providers=["CPUExecutionProvider"])

    def onnx_score(pairs: list[tuple[str, str]]) -> np.ndarray:
        out = np.zeros(len(pairs), dtype=np.float32)
        for b in range(len(pairs)):  # one pair per call, as keypoints.cross_scores runs it
            ids, mask, types = (x.numpy() for x in cross.batch(pairs[b : b + 1]))
            out[b : b + 1] = sess.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": types})[0][:, 0]
        return out

    print("dev mAP torch strict {:.3f} relaxed {:.3f}".format(*score_pairs(cross.score, "dev")))
    print("dev mAP int8  strict {:.3f} relaxed {:.3f}".format(*score_pairs(onnx_score, "dev")))


def main() -> int:
    p, t = command_line(__doc__ or "", epochs=2.0, lr=4e-5, eval_every=150, out="cross",
                        checkpoint=str(WORK / "cross"), max_len=96)
    t.add_argument("--max-len", type=int, default=96)
    t.add_argument("--init", default=str(WORK / "run2"),
                   help="starting checkpoint (default: the shipped fine-tuned matcher)")
    t.add_argument("--undecided", type=float, default=0.0,
                   help="soft target for unlabelled same-group pairs (0: leave them out)")
    return run(p, train, export)


if __name__ == "__main__":
    sys.exit(main())

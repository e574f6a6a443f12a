"""Stance and reply-relation pairs from ../shared/data, as (a, b, y) frames.

One task shape for every set: does text ``b`` stand for / against / neutral toward text ``a``?
``a`` is a proposition or topic (stance sets) or a parent comment (reply sets, where agree is
"for" and disagree "against"). Training (train/finetune_stance.py) and measuring
(bench/stance.py) read the same splits through these loaders, so a dev fold held out for model
choice is the same fold in both. Test splits are only ever read by the bench.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the checkout; ARGMAP_SHARED_DATA points elsewhere (a git worktree)
DATA = Path(os.environ.get("ARGMAP_SHARED_DATA", ROOT.parent / "shared" / "data"))
STANCE = DATA / "stance"
LABELS = ("for", "against", "neutral")  # index = the model's output column
_Y = {"pro": 0, "con": 1, "neutral": 2, "favor": 0, "against": 1, "none": 2,
      "PRO": 0, "CON": 1}
_REPLY_Y = {2: 0, 0: 1, 1: 2}  # DEBAGREEMENT / SubReddit coding: 0 disagree, 1 neutral, 2 agree


def _frame(a, b, y) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.DataFrame({"a": list(a), "b": list(b), "y": list(y)}).dropna().reset_index(drop=True)


def vast(split: str) -> pd.DataFrame:
    """split: train, dev or test_zeroshot. The crowd-corrected topic phrase is ``a``."""
    d = pd.read_csv(STANCE / "vast" / f"{split}.csv")
    return _frame(d.new_topic.fillna(d.topic), d.post, d.label.map(_Y))


def argkp(split: str) -> pd.DataFrame:
    """ArgKP-2021 arguments with their stance; train 24 topics, dev 4, test 3 (disjoint)."""
    base = DATA / "argkp" / "test" if split == "test" else DATA / "argkp"
    d = pd.read_csv(base / f"arguments_{split}.csv")
    return _frame(d.topic, d.argument, (d.stance < 0).astype(int))


def claim_stance(split: str) -> pd.DataFrame:
    """split: train / dev (every fifth train topic, held out for model choice) / test."""
    d = pd.read_csv(DATA / "claim-stance" / "claim_stance_v1.csv")
    d = d[d.split == ("test" if split == "test" else "train")]
    if split != "test":
        topics = sorted(d.topicText.unique())
        dev = {t for i, t in enumerate(topics) if i % 5 == 0}
        d = d[d.topicText.isin(dev) == (split == "dev")]
    return _frame(d.topicText, d["claims.claimCorrectedText"], d["claims.stance"].map(_Y))


def argq(split: str) -> pd.DataFrame:
    """IBM-ArgQ-Rank-30kArgs stance (topic-disjoint train / dev / test)."""
    d = pd.read_csv(DATA / "argquality" / "ibm-argq-rank-30k" / "arg_quality_rank_30k.csv")
    d = d[d.set == split]
    return _frame(d.topic, d.argument, (d.stance_WA < 0).astype(int))


def mtcsd_flat() -> pd.DataFrame:
    """MT-CSD, one row per labelled node; ids kept as text (tree paths such as ``3-1``)."""
    return pd.read_csv(STANCE / "mt-csd" / "flat.csv", dtype={"comment_id": str, "parent_id": str})


def mtcsd(split: str) -> pd.DataFrame:
    """MT-CSD node stance toward the thread's target (the target name is ``a``); split by thread."""
    d = mtcsd_flat()
    d = d[d.split == split]
    return _frame(d.target, d.text, d.stance.map(_Y))


def mtcsd_replies(split: str) -> pd.DataFrame:
    """(parent, reply) pairs of MT-CSD where both took a side toward the target: same side is
    agreement, opposite sides disagreement."""
    d = mtcsd_flat()
    d = d[(d.split == split) & (d.stance != "none")]
    side = dict(zip(zip(d.target, d.comment_id, strict=True), d.stance, strict=True))
    par = [side.get((t, p)) for t, p in zip(d.target, d.parent_id, strict=True)]
    d = d.assign(parent_stance=par).dropna(subset=["parent_stance"])
    return _frame(d.parent_text, d.text, (d.stance != d.parent_stance).astype(int))


def debagreement(split: str) -> pd.DataFrame:
    """split: train / dev (a fifth of dev.csv's threads, by submission id) / test (test.csv)."""
    d = pd.read_csv(STANCE / "debagreement" / ("test.csv" if split == "test" else "dev.csv"))
    if split != "test":
        fold = d.submission_id.map(lambda s: zlib.crc32(str(s).encode()) % 5 == 0)
        d = d[fold == (split == "dev")]
    return _frame(d.body_parent, d.body_child, d.label.map(_REPLY_Y))


def subreddit_agreement() -> pd.DataFrame:
    """Both SubReddit (dis)agreement files: an out-of-domain reply test, never trained on."""
    d = pd.concat([pd.read_csv(f) for f in sorted((STANCE / "subreddit-agreement").glob("*.csv"))])
    return _frame(d.quote_text, d.response_text, d.relation.map(_REPLY_Y))


def available() -> bool:
    return STANCE.is_dir() and (DATA / "argkp").is_dir()

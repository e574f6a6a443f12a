"""(question, sentence) -> answers? pairs for the chat's relevance model, split without leaks.

Sources (../shared/data/qa/, licences in its READMEs and argmap/models/NOTICE.md):
- SQuAD 2.0 (labelled half of official dev, 16 articles): each context split into sentences;
  the sentence holding an answer start is a positive, the others negatives; an unanswerable
  question makes an all-negative group, which teaches "no sentence here answers". Split by
  article: every fourth article (by title order) is dev, the rest train.
- QNLI dev: rows whose question is in that SQuAD half follow its article's split; the rest
  are split 50/50 by a hash of the sentence (rows of one sentence stay together), and the
  "test" half is the held-out part that bench/relevance.py reports.
- WikiQA: train / dev / test as published (MAP/MRR over questions with an answer).
- SemEval-2016 Task 3 subtask A: (subject + body, comment), Good = 1; the 2016 train-part2
  and the two 2015 files train, the 2016 dev file is dev.
"""

from __future__ import annotations

import csv
import hashlib
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

QA = Path(__file__).resolve().parents[2] / "shared" / "data" / "qa"
NEGATIVES_PER_QUESTION = 4  # bounds SQuAD's long paragraphs: one question, <= 5 pairs


@dataclass(frozen=True)
class Pair:
    group: str  # one question: pairs of a group are ranked together (MAP/MRR)
    question: str
    sentence: str
    label: float


def _sentences(text: str) -> list[tuple[int, str]]:
    import pysbd

    out, pos = [], 0
    for s in pysbd.Segmenter(language="en", clean=False).segment(text):
        start = text.find(s.strip(), pos)
        if s.strip() and start >= 0:
            out.append((start, s.strip()))
            pos = start + len(s.strip())
    return out


@lru_cache(maxsize=1)
def _squad() -> list[tuple[str, str, str, list[int], str]]:
    """(article title, question id, question, answer starts, context)."""
    d = json.loads((QA / "squad2-dev-half" / "cs224n-dev-v2.0.json").read_text())
    rows = []
    for art in d["data"]:
        for para in art["paragraphs"]:
            for q in para["qas"]:
                starts = [] if q.get("is_impossible") else [a["answer_start"] for a in q["answers"]]
                rows.append((art["title"], q["id"], q["question"], starts, para["context"]))
    return rows


def _squad_split(title: str) -> str:
    titles = sorted({r[0] for r in _squad()})
    return "dev" if titles.index(title) % 4 == 3 else "train"


def squad(split: str, seed: int = 0) -> list[Pair]:
    import random

    rng = random.Random(seed)
    out: list[Pair] = []
    sents_of: dict[str, list[tuple[int, str]]] = {}
    for title, qid, question, starts, context in _squad():
        if _squad_split(title) != split:
            continue
        sents = sents_of.setdefault(context, _sentences(context))
        ends = [s + len(t) for s, t in sents]
        pos = {i for a in starts for i, (s, _) in enumerate(sents) if s <= a < ends[i]}
        neg = [i for i in range(len(sents)) if i not in pos]
        keep = sorted(pos) + rng.sample(neg, min(len(neg), NEGATIVES_PER_QUESTION))
        out += [Pair(qid, question, sents[i][1], float(i in pos)) for i in keep]
    return out


def squad_answerability(split: str) -> list[tuple[str, list[str], bool]]:
    """(question, all its paragraph's sentences, answerable?) to calibrate abstention."""
    return [(q, [t for _, t in _sentences(c)], bool(starts))
            for title, _, q, starts, c in _squad() if _squad_split(title) == split]


def qnli(split: str) -> list[Pair]:
    """split: train / dev (with the SQuAD half's articles) or test (the held-out part)."""
    in_squad = {r[2].strip(): _squad_split(r[0]) for r in _squad()}
    out = []
    with open(QA / "qnli-dev" / "dev.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            q, s = row["question"].strip(), row["sentence"].strip()
            part = in_squad.get(q)
            if part is None:
                h = int(hashlib.sha1(s.encode()).hexdigest(), 16) % 2
                part = "train" if h == 0 else "test"
            if part == split:
                out.append(Pair("qnli" + row["index"], q, s, float(row["label"] == "entailment")))
    return out


def wikiqa(split: str) -> list[Pair]:
    out = []
    with open(QA / "wikiqa" / f"WikiQA-{split}.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            out.append(Pair(row["QuestionID"], row["Question"], row["Sentence"],
                            float(row["Label"])))
    return out


_SEMEVAL = {
    "train": ("SemEval2016-Task3-CQA-QL-train-part2-subtaskA.xml",
              "SemEval2015-Task3-CQA-QL-dev-reformatted-excluding-2016-questions-cleansed.xml",
              "SemEval2015-Task3-CQA-QL-test-reformatted-excluding-2016-questions-multiline.xml"),
    "dev": ("SemEval2016-Task3-CQA-QL-dev-subtaskA.xml",),
}


def semeval(split: str) -> list[Pair]:
    out = []
    for name in _SEMEVAL[split]:
        root = ET.parse(QA / "semeval2016-cqa" / name).getroot()
        for th in root.iter("Thread"):
            rq = th.find("RelQuestion")
            if rq is None:
                continue
            subject = (rq.findtext("RelQSubject") or "").strip()
            body = (rq.findtext("RelQBody") or "").strip()
            question = f"{subject} {body}".strip()
            for c in th.iter("RelComment"):
                text = (c.findtext("RelCText") or "").strip()
                if text:
                    out.append(Pair(rq.get("RELQ_ID", ""), question, text,
                                    float(c.get("RELC_RELEVANCE2RELQ") == "Good")))
    return out


def mean_ap(pairs: list[Pair], scores: np.ndarray) -> tuple[float, float]:
    """MAP and MRR over groups with at least one positive (the WikiQA / SemEval convention)."""
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for p, s in zip(pairs, scores, strict=True):
        groups[p.group].append((float(s), p.label))
    aps, rrs = [], []
    for rows in groups.values():
        ranked = [y for _, y in sorted(rows, key=lambda r: -r[0])]
        if 1.0 not in ranked:
            continue
        hits = np.cumsum(ranked)
        aps.append(float(np.mean([hits[k] / (k + 1) for k, y in enumerate(ranked) if y])))
        rrs.append(1.0 / (ranked.index(1.0) + 1))
    return float(np.mean(aps)), float(np.mean(rrs))


def training_pairs() -> list[Pair]:
    return squad("train") + qnli("train") + wikiqa("train") + semeval("train")


if __name__ == "__main__":
    for name, fn, splits in (("squad", squad, ("train", "dev")),
                             ("qnli", qnli, ("train", "dev", "test")),
                             ("wikiqa", wikiqa, ("train", "dev", "test")),
                             ("semeval", semeval, ("train", "dev"))):
        for s in splits:
            p = fn(s)  # type: ignore[operator]
            print(name, s, len(p), "pairs,", sum(x.label for x in p), "positive,",
                  len({x.group for x in p}), "groups")

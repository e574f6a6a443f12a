"""Stance of a text toward a proposition (for / against / neutral), offline, CPU only.

Why this shape: frozen MiniLM pair features carry no stance across topics (chance on Claim
Stance). What does transfer is *sentiment toward the target* (learnable from frozen vectors)
times the *polarity of the proposition* ("X should be banned" flips it), as in IBM's Claim
Stance decomposition. A small head over those features, plus explicit evaluative cues, gives
a weak but honest per-text prior; the thread's reply structure (argmap.mapping) does the rest.
The weights are ``models/stance_head.npz``, rebuilt by ``train/train_stance.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from argmap.records import StanceLabel

MODEL_PATH = Path(__file__).parent / "models" / "stance_head.npz"

# A proposition that restricts or condemns its target flips the sign of sentiment toward it.
_NEG_TOPIC = re.compile(
    r"\b(ban\w*|bar\w*|abolish\w*|criminal\w*|prohibit\w*|forbid\w*|restrict\w*|not|illegal"
    r"|limit\w*|end|against|stop\w*)\b", re.I)
_NEGATION = re.compile(r"\b(not|no|never|cannot|can't|won't|shouldn't|isn't|aren't|don't)\b"
                       r"|n't\b", re.I)
# Evaluations of the proposition itself: positive -> for, negative -> against.
_FOR_CUES = re.compile(
    r"\b(prudent|excellent|good (?:move|call|for them|idea)|kudos|right to refuse|refuse(?: to)?"
    r" (?:service|sell|see)|free (?:will )?to (?:associate|refuse|choose)|their (?:right|product)"
    r"|entitled|well done|makes sense|not fit for|liability|should have the right"
    r"|give (?:them|'em) a pass)\b", re.I)
_AGAINST_CUES = re.compile(
    r"\b(not ok|not their (?:call|decision)|not the right fix|should not be an option"
    r"|should (?:actually )?be illegal|outside (?:their|\w+'s) decision|won't stand for"
    r"|discriminat\w+|virtue signal\w*|ploy|publicity stunt|pr stunt)\b", re.I)

# Harms of the proposition's target ("abuses", "misidentified", "destroys a life"): they argue
# for a proposition that restricts the target and against one that promotes it.
_HARM_CUES = re.compile(
    r"\b(abus\w*|misus\w*|misidentif\w*|hallucinat\w*|destroys?|thugs?|out of control"
    r"|surveillance|wrongful\w*|innocent|dangerous|inaccura\w*|\(in\)accura\w*"
    r"|(?:not|isn't|aren't) (?:really )?(?:useful|appropriate|reliable|accurate|ready))\b", re.I)
MODEL_WEIGHT = 0.5  # the head is ~60% accurate across topics: a nudge, not a verdict
CUE_WEIGHT = 1.5  # one explicit cue moves the logit by this much

TEMPLATES = (
    ("I support this: {}", "I oppose this: {}"),
    ("{} is a good idea.", "{} is a bad idea."),
)


def topic_sign(proposition: str) -> float:
    return -1.0 if _NEG_TOPIC.search(proposition) else 1.0


def cue_score(text: str, tsign: float = 0.0) -> float:
    """Explicit evaluative cues toward the proposition: >0 leans for, <0 leans against.

    ``tsign`` is the proposition's ``topic_sign``; with 0, harm cues are not counted.
    """
    ev = len(_FOR_CUES.findall(text)) - len(_AGAINST_CUES.findall(text))
    harms = min(len(_HARM_CUES.findall(text)), 2) if tsign else 0
    return float(ev - tsign * harms)


@dataclass(frozen=True)
class StanceHead:
    sent_w: np.ndarray  # (384,) sentiment-toward-target direction, logistic
    sent_b: float
    head_w: np.ndarray  # weights over ``features``
    head_b: float

    def sentiment(self, vecs: np.ndarray) -> np.ndarray:
        """P(positive sentiment toward the text's target) - 0.5."""
        return 1.0 / (1.0 + np.exp(-(vecs @ self.sent_w + self.sent_b))) - 0.5

    def features(
        self, prop: str, texts: list[str], vecs: np.ndarray, templ_diff: np.ndarray
    ) -> np.ndarray:
        ts = topic_sign(prop)
        sent = self.sentiment(vecs)
        neg = np.array([min(len(_NEGATION.findall(t)), 3) for t in texts], dtype=np.float32)
        return np.column_stack([sent * ts, neg * ts, sent, neg, templ_diff])

    def p_for(self, prop: str, texts: list[str], vecs: np.ndarray,
              templ_diff: np.ndarray) -> np.ndarray:
        z = self.features(prop, texts, vecs, templ_diff) @ self.head_w + self.head_b
        return 1.0 / (1.0 + np.exp(-z))  # type: ignore[no-any-return]

    def save(self, path: Path = MODEL_PATH) -> None:
        np.savez(path, sent_w=self.sent_w, sent_b=self.sent_b, head_w=self.head_w,
                 head_b=self.head_b)


@lru_cache(maxsize=2)
def load_head(path: Path = MODEL_PATH) -> StanceHead:
    z = np.load(path)
    return StanceHead(z["sent_w"], float(z["sent_b"]), z["head_w"], float(z["head_b"]))


def template_diff(prop_vecs_pos: np.ndarray, prop_vecs_neg: np.ndarray,
                  vecs: np.ndarray) -> np.ndarray:
    """Mean over templates of cos(text, 'support P') - cos(text, 'oppose P'), scaled."""
    # one matrix-vector product: no (n, dim) temporary, which at 200k units is 300 MB
    return 10.0 * (vecs @ (prop_vecs_pos - prop_vecs_neg))  # type: ignore[no-any-return]


def template_texts(prop: str) -> tuple[list[str], list[str]]:
    return [p.format(prop) for p, _ in TEMPLATES], [n.format(prop) for _, n in TEMPLATES]


def score_vectors(prop: str, texts: list[str], vecs: np.ndarray, embed: object) -> np.ndarray:
    """Stance logits (>0 leans for) for texts with precomputed unit vectors.

    ``embed`` (anything with ``embed_array(texts) -> unit vectors``) embeds the proposition
    templates only, so texts embedded at ingest cost no model call here.
    """
    if not texts:
        return np.zeros(0, dtype=np.float32)
    pos, neg = template_texts(prop)
    tv = embed.embed_array(pos + neg)  # type: ignore[attr-defined]
    k = len(pos)
    diff = np.mean([template_diff(tv[i], tv[k + i], vecs) for i in range(k)], axis=0)
    ts = topic_sign(prop)
    cues = np.array([cue_score(t, ts) for t in texts], dtype=np.float32)
    p = np.clip(load_head().p_for(prop, texts, vecs, diff), 1e-4, 1 - 1e-4)
    return MODEL_WEIGHT * np.log(p / (1 - p)) + CUE_WEIGHT * cues  # type: ignore[no-any-return]


def score_texts(prop: str, texts: list[str], embed: object) -> np.ndarray:
    """P(for) per text."""
    vecs = embed.embed_array(texts) if texts else np.zeros((0, 384))  # type: ignore[attr-defined]
    return 1.0 / (1.0 + np.exp(-score_vectors(prop, texts, vecs, embed)))  # type: ignore[no-any-return]


def label(p_for: float, margin: float = 0.1) -> StanceLabel:
    """for / against when P(for) is clear of 0.5 by ``margin``; neutral otherwise."""
    if p_for >= 0.5 + margin:
        return StanceLabel("for", round(float(p_for), 3))
    if p_for <= 0.5 - margin:
        return StanceLabel("against", round(float(1 - p_for), 3))
    return StanceLabel("neutral", round(float(1 - abs(p_for - 0.5) * 2), 3))

"""Stance and reply-relation building blocks, and the seed's stance against hand labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from argmap.records import Post, Quote
from argmap.relations import cue_relation, relation_from
from argmap.stance import cue_score, label, load_head, topic_sign

GOLD = Path(__file__).parent / "data" / "seed_stance.json"
BAN = "Microsoft Bans US Police Departments From Using Enterprise AI Tool"


def _post(pid: str, text: str, parent: str | None = None, quotes: list[Quote] | None = None):
    return Post(id=pid, kind="comment", text=text, parent_id=parent, quotes=quotes or [])


def test_topic_sign_flips_for_restrictions() -> None:
    assert topic_sign(BAN) == -1.0
    assert topic_sign("We should subsidize space exploration") == 1.0


def test_explicit_evaluations_point_the_right_way() -> None:
    assert cue_score("Seems like a very prudent fix to me.") > 0
    assert cue_score("That's not their call to make. It is not OK.") < 0
    # harms of the target argue for a ban, and against a proposition promoting the target
    assert cue_score("The potential abuses are obvious.", topic_sign(BAN)) > 0
    assert cue_score("The potential abuses are obvious.", 1.0) < 0


def test_reply_openers_decide_the_relation() -> None:
    parent = _post("p", "This is outside Microsoft's decision making IMHO.")
    for text in ("It isn't.\n\nDollars to doughnuts.", "No.\n\nThey are thugs.",
                 "Of course not. Go away.", "That isn't what's happening. They decide."):
        assert relation_from(cue_relation(_post("r", text, "p"), parent), 0, 0)[0] == "rebuts"
    agree = _post("a", "Exactly. This is the reason.", "p")
    assert relation_from(cue_relation(agree, parent), 0, 0)[0] == "supports"
    plain = _post("n", "Interesting; what about Europe.", "p")
    assert relation_from(cue_relation(plain, parent), 0, 0)[0] == "neither"


def test_quoting_the_parent_and_judging_it_the_other_way_rebuts() -> None:
    parent = _post("p", "Disallowing police from using technologies is not the right fix.")
    quoted = ">> Disallowing police from using technologies is not the right fix."
    text = quoted + "\n\nSeems like a very prudent fix to me."
    reply = _post("r", text, "p", [Quote(quoted, "p", 0, len(quoted))])
    assert relation_from(cue_relation(reply, parent), 0, 0)[0] == "rebuts"


def test_head_gives_probabilities_and_labels_have_a_neutral_band() -> None:
    head = load_head()
    vecs = np.eye(384, dtype=np.float32)[:3]
    p = head.p_for(BAN, ["a", "b", "c"], vecs, np.zeros(3))
    assert p.shape == (3,) and np.all((p > 0) & (p < 1))
    assert label(0.9).stance == "for" and label(0.1).stance == "against"
    assert label(0.52).stance == "neutral"


def test_seed_stance_matches_the_hand_labels(seed) -> None:  # type: ignore[no-untyped-def]
    """Goal: >= 85% of the comments whose side is plain (tests/data/seed_stance.json)."""
    from argmap.mapping import get_map

    amap = get_map(seed)
    gold = json.loads(GOLD.read_text())["labels"]
    hits = 0
    for g in gold:
        snippet = " ".join(g["snippet"].split())
        post = next(p for p in seed.thread.posts if snippet in " ".join(p.own_text.split()))
        hits += amap.stances[post.id].stance == g["stance"]
    assert hits / len(gold) >= 0.85

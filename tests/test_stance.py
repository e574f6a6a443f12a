"""The stance / reply-relation model and the tree rule, and the seed's stance as a regression check.

The general examples below were written for these tests; none comes from a thread argmap is
evaluated on (the seed, threads/reddit_thread.json, MT-CSD, DEBAGREEMENT).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from argmap.records import Post, Thread
from argmap.relations import ReplyJudgement, propagate, reply_relations
from argmap.stance import LABELS, label, lean, pair_logits, stance_probs

GOLD = Path(__file__).parent / "data" / "seed_stance.json"
# The shipped model is under-trained (853 CPU steps on cores shared with seven others; dev
# mean 0.457, docs/experiments.md). These tests state what a trained one must do; strict:
# the first model that passes them turns them red until this marker is removed.
UNDER_TRAINED = pytest.mark.xfail(
    strict=True, reason="issue 11: stance_int8.onnx under-trained, see docs/experiments.md")

# (proposition, its negation, a text plainly arguing for the first)
FLIPS = (
    ("Public transport should be free.", "Public transport should not be free.",
     "Making buses and trains free would get cars off the road and help everyone who "
     "struggles to pay the fares."),
    ("Homework should be banned in primary schools.",
     "Homework should not be banned in primary schools.",
     "Young children need time to play after school; hours of homework only teach them to "
     "hate learning."),
    ("Nuclear power is a good way to fight climate change.",
     "Nuclear power is not a good way to fight climate change.",
     "Nuclear plants emit almost no carbon and run day and night, unlike wind and solar."),
)


@UNDER_TRAINED
def test_stance_flips_with_a_negated_proposition() -> None:
    """The proposition is read as text: the same words lean for it and against its negation."""
    for prop, negated, text in FLIPS:
        p, n = stance_probs(prop, [text])[0], stance_probs(negated, [text])[0]
        assert label(p).stance == "for", (prop, p)
        assert label(n).stance == "against", (negated, n)
        assert lean(p[None])[0] > 0 > lean(n[None])[0]


def test_a_pairs_logits_do_not_depend_on_its_batch() -> None:
    """Pairs of different lengths, run in batches (padded, masked) and one per call, give the
    same logits: the model quantises each pair's activations over its own tokens."""
    pairs = [(prop, text) for prop, _, text in FLIPS] + [(neg, "No.") for _, neg, _ in FLIPS]
    pairs += [("Cities should plant more trees.", "Trees cool the streets in summer and "
               "clean the air, and shaded streets are where people choose to walk. " * 3)]
    from argmap.cross_encoder import per_pair
    from argmap.relevance import MODEL_PATH as RELEVANCE
    from argmap.stance import MODEL_PATH as STANCE

    for model in (STANCE, RELEVANCE):
        assert per_pair(model), f"{model.name} would run one pair per call"
    alone = pair_logits(pairs, batch=1)
    for batch in (2, 16):
        together = pair_logits(pairs, batch=batch)
        assert np.allclose(together, alone, atol=1e-4), np.abs(together - alone).max()
    shuffled = pair_logits(pairs[::-1], batch=4)[::-1]
    assert np.allclose(shuffled, alone, atol=1e-4)


def test_probabilities_and_labels() -> None:
    probs = stance_probs("Cities should plant more trees.", ["Trees cool the streets.", ""])
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert label(np.array([0.1, 0.2, 0.7])).stance == "neutral"
    assert label(np.array([0.1, 0.7, 0.2])).stance == "against"
    assert LABELS == ("for", "against", "neutral")


def _post(pid: str, text: str, parent: str | None = None, kind: str = "comment") -> Post:
    return Post(id=pid, kind=kind, text=text, parent_id=parent)  # type: ignore[arg-type]


def test_replies_that_agree_or_disagree_are_told_apart() -> None:
    parent = _post("p", "Working from home makes teams more productive.")
    posts = [parent,
             _post("a", "Exactly, my team gets far more done at home than it did in the "
                        "office.", "p"),
             _post("d", "No, it doesn't. Remote teams talk less and ship less; every study "
                        "I have seen says so.", "p")]
    rel = reply_relations(posts)
    assert rel["a"].relation == "supports" and rel["a"].agreement > 0
    assert rel["d"].relation == "rebuts" and rel["d"].agreement < 0


def test_replies_to_a_news_story_are_not_relations_but_to_an_opinion_post_are() -> None:
    story = _post("s", "The council voted to close the old library on Friday.", kind="article")
    reply = _post("r", "Good riddance, nobody used it.", "s")
    assert reply_relations([story, reply]) == {}
    assert set(reply_relations([story, reply], argued=["s"])) == {"r"}


def test_learned_propagation_carries_an_agreeing_reply_toward_its_parents_side() -> None:
    """With the shipped learned weights, a reply neutral in its own words gains P(for) when
    it agrees with a "for" parent, against the same reply read alone, and leans further for
    than one that disagrees; the proposer's bonus and a given opening lean raise P(for).
    (Fitted on MT-CSD, disagreement carries little: the reply model's "disagree" is weak.)"""
    from argmap.relations import infer, weights

    w = weights()
    own = np.array([[0.9, 0.05, 0.05]] + [[0.2, 0.2, 0.6]] * 4)
    rel = np.array([[0, 0, 1], [0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0, 0, 1], [0, 0, 1.0]])
    parent = np.array([-1, 0, 0, -1, -1])
    final = infer(w, own, rel, parent)
    alone = final[3]
    assert final[0].argmax() == 0
    assert final[1][0] > alone[0]
    assert final[1][0] - final[1][1] > final[2][0] - final[2][1]
    with_bonus = infer(w, own, rel, parent, bonus=np.array([0, 0, 0, 0, 2.0]))
    assert with_bonus[4][0] > alone[0]
    opened = infer(w, own[1:2], rel[1:2], np.array([-1]), given=np.array([[0.88, 0.12, 0.0]]))
    assert opened[0][0] > alone[0]
    # the same through the mapping's interface: ids, judgements, a bonus and a given lean
    got = propagate([("root", None), ("agree", "root"), ("disagree", "root")],
                    {"root": own[0], "agree": own[1], "disagree": own[2]},
                    {"agree": ReplyJudgement("supports", 0.85),
                     "disagree": ReplyJudgement("rebuts", -0.85)})
    assert got["root"].stance == "for" and got["disagree"].stance != "for"


def test_opening_opinion_post_has_a_proposer_and_a_news_story_has_none() -> None:
    from argmap.mapping import concedes, opening_opinion

    selfpost = Post(id="t3_x", kind="article", title="CMV: Trains beat planes for short trips",
                    text="Door to door, a train is faster under 500 km and far cleaner.",
                    author="op")
    link = Post(id="t3_y", kind="article", title="Rail strike called off", author="poster",
                text="Rail strike called off\n\nhttps://example.org/news/rail")
    comment = _post("c", "ok")
    assert opening_opinion(Thread("t", [selfpost, comment], format="reddit")) is selfpost
    assert opening_opinion(Thread("t", [link, comment], format="reddit")) is None
    assert opening_opinion(Thread("t", [selfpost, comment], format="slashdot")) is None
    assert concedes(_post("d", "\u0394 Fair point, I had not thought of night trains."))
    assert not concedes(_post("e", "Night trains prove my point."))


def test_default_proposition_drops_a_site_tag() -> None:
    from types import SimpleNamespace

    from argmap.mapping import default_proposition

    for title, want in (("CMV: Trains beat planes", "Trains beat planes"),
                        ("Ask HN: Is Rust worth learning?", "Is Rust worth learning?"),
                        ("[Serious] Should voting be compulsory?", "Should voting be compulsory?"),
                        ("Council Bans Cars From Old Town", "Council Bans Cars From Old Town")):
        index = SimpleNamespace(thread=Thread(title, []))
        assert default_proposition(index) == want


@UNDER_TRAINED
def test_seed_stance_regression_check(seed) -> None:  # type: ignore[no-untyped-def]
    """A regression check, not a measure of quality: the seed is the thread the old cue lists
    were written from, and nothing in the model was chosen on it (held-out figures are in
    bench/stance.py). The bar is the majority-label baseline of these hand labels (answering
    every comment with the commonest side), which the map must not fall below; it is the
    baseline itself, not a number fitted to the model's score."""
    from argmap.mapping import get_map

    amap = get_map(seed)
    gold = json.loads(GOLD.read_text())["labels"]
    hits = 0
    for g in gold:
        snippet = " ".join(g["snippet"].split())
        post = next(p for p in seed.thread.posts if snippet in " ".join(p.own_text.split()))
        hits += amap.stances[post.id].stance == g["stance"]
    majority = max(sum(g["stance"] == s for g in gold) for s in ("for", "against"))
    assert hits >= majority, f"{hits}/{len(gold)} < majority {majority}"

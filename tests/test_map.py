"""The seed's argument map: sides, key points, verified quotes, rebuttals, distinct authors."""

from __future__ import annotations

import re

import pytest

from argmap.citations import locate_quote
from argmap.mapping import duplicates, get_map
from argmap.records import Author, Post

PLAIN_REBUTTALS = re.compile(
    r"^(It isn't\.|No\.|That isn't what's happening|Of course not|Seems like a very prudent fix)")


def test_both_sides_have_key_points_and_no_post_is_on_both(seed) -> None:  # type: ignore[no-untyped-def]
    amap = get_map(seed)
    assert amap.pro and amap.con
    pro = {p for kp in amap.pro for p in kp.post_ids}
    con = {p for kp in amap.con for p in kp.post_ids}
    assert not pro & con
    for pid in pro:
        assert amap.stances[pid].stance == "for"
    for pid in con:
        assert amap.stances[pid].stance == "against"
    assert not set(amap.neutral_posts) & (pro | con)


def test_every_quote_is_verified_in_the_posts_own_words(seed) -> None:  # type: ignore[no-untyped-def]
    amap = get_map(seed)
    quotes = [q for kp in amap.pro + amap.con for q in kp.quotes]
    assert quotes
    for q in quotes:
        post = seed.posts[q.post_id]
        assert post.text[q.start:q.end] == q.quote
        assert locate_quote(post, q.quote) is not None


@pytest.mark.xfail(strict=True, reason="issue 11: the under-trained stance model reads 'Seems like "
                   "a very prudent fix to me' as neither; remove when it passes")
def test_replies_that_plainly_contradict_their_parent_are_rebuttals(seed) -> None:  # type: ignore[no-untyped-def]
    amap = get_map(seed)
    rel = {(r.from_post_id, r.to_post_id): r.relation for r in amap.relations}
    plain = [p for p in seed.thread.posts
             if p.kind == "comment" and p.parent_id in seed.posts
             and seed.posts[p.parent_id].kind == "comment" and PLAIN_REBUTTALS.match(p.own_text)]
    assert len(plain) >= 4
    for p in plain:
        assert rel[(p.id, p.parent_id)] == "rebuts", p.own_text[:60]


def test_key_point_counts_are_distinct_authors(seed) -> None:  # type: ignore[no-untyped-def]
    amap = get_map(seed)
    for kp in amap.pro + amap.con:
        assert len(kp.authors) == len({a.key for a in kp.authors})
        expected = {Author.of(seed.posts[p]) for p in kp.post_ids}
        assert set(kp.authors) <= expected
    names = [Author.of(p).key for p in seed.thread.posts if p.kind == "comment" and not p.author]
    assert len(names) == len(set(names))  # every anonymous post is its own person


def test_near_duplicate_posts_count_once() -> None:
    text = "Microsoft is entitled to choose its customers, and this is a fine decision."
    posts = [Post(id="a", kind="comment", text=text, author="x"),
             Post(id="b", kind="comment", text="  " + text.upper() + " ", author="y"),
             Post(id="c", kind="comment", text="Something else entirely, said once.")]
    assert duplicates(posts) == {"b": "a"}


def test_map_is_cached_with_the_index_at_ingest(seed) -> None:  # type: ignore[no-untyped-def]
    from argmap.mapping import _doc_kind, map_from_dict

    assert seed.load_doc(_doc_kind(None)) is not None  # written by the ingest hook
    amap = get_map(seed)
    again = map_from_dict(amap.to_dict())
    assert again.to_dict() == amap.to_dict()
    d = amap.to_dict()
    assert set(d) >= {"proposition", "for", "against", "neutral_posts", "stances", "relations"}
    assert {"key_point", "authors", "post_ids", "quotes", "rebuttals"} <= set(d["for"][0])


def test_unanswered_objections_have_no_rebutting_reply(seed) -> None:  # type: ignore[no-untyped-def]
    amap = get_map(seed)
    rebutted = {r.to_post_id for r in amap.relations if r.relation == "rebuts"}
    for pid in amap.unanswered:
        assert amap.stances[pid].stance == "against" and pid not in rebutted


def test_matcher_prefers_the_key_point_an_argument_makes() -> None:
    from argmap.keypoints import match_scores

    args = ["Police misuse facial recognition and innocent people get arrested.",
            "A company may refuse to sell to anyone it likes; that is its right."]
    kps = ["Facial recognition leads to wrongful arrests",
           "Companies are free to choose their customers"]
    for method in ("head", "cosine", "cross"):
        s = match_scores(args, kps, method=method)
        assert s.shape == (2, 2) and ((s >= 0) & (s <= 1)).all()
        assert s[0, 0] > s[0, 1] and s[1, 1] > s[1, 0]


def test_margin_bonus_raises_only_each_arguments_best_key_point() -> None:
    """The lead bonus moves each argument's best score up by its lead over the runner-up and
    leaves every other pair at its plain mix (all scaled by 1 + margin)."""
    import numpy as np

    from argmap.keypoints import match_scores

    args = ["Police misuse facial recognition and innocent people get arrested.",
            "Companies should decide who their customers are.",
            "Bias in the training data hurts minorities."]
    kps = ["Facial recognition leads to wrongful arrests",
           "Companies are free to choose their customers",
           "AI systems are biased against minorities"]
    plain = match_scores(args, kps, method="cross", margin=0.0)
    bonus = match_scores(args, kps, method="cross", margin=0.5)
    srt = np.sort(plain, axis=1)
    expect = plain.copy()
    expect[np.arange(3), plain.argmax(1)] += 0.5 * (srt[:, -1] - srt[:, -2])
    assert np.allclose(bonus, expect / 1.5, atol=1e-6)
    assert (bonus.argmax(1) == plain.argmax(1)).all() and bonus.max() <= 1.0


def test_cross_encoder_reads_the_pair_together() -> None:
    """A pair's score is its own (the same alone as among others), and an argument making
    the key point outscores an unrelated one."""
    from argmap.keypoints import cross_scores

    kp = "Facial recognition leads to wrongful arrests"
    z = cross_scores([(kp, "Face matching got innocent people arrested by police."),
                      (kp, "Stock prices rose after the quarterly earnings report."),
                      ("Companies are free to choose their customers", "A much longer text " * 9)])
    assert z.shape == (3,) and z[0] > z[1]
    alone = cross_scores([(kp, "Stock prices rose after the quarterly earnings report.")])
    assert alone[0] == z[1]

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


def test_clustering_above_the_exact_linkage_limit_keeps_duplicates_and_topics_apart() -> None:
    """Past MAX_LINKAGE rows clustering samples; pasted duplicates still land together, every
    row is placed once, and two unrelated topics never share a cluster."""
    import numpy as np

    from argmap.keypoints import MAX_LINKAGE, cluster

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(2, 384))
    rows = np.concatenate([c + 0.05 * rng.normal(size=(MAX_LINKAGE, 384)) for c in centres])
    rows = np.concatenate([rows, rows[:300]]).astype(np.float32)  # 300 pasted twice
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    groups = cluster(rows)
    label = np.empty(len(rows), dtype=int)
    for g, members in enumerate(groups):
        label[members] = g
    assert sorted(i for g in groups for i in g) == list(range(len(rows)))
    assert (label[:300] == label[-300:]).all()
    first, second = set(label[:MAX_LINKAGE]), set(label[MAX_LINKAGE : 2 * MAX_LINKAGE])
    assert not first & second and len(groups) >= 2


def _reddit_json(title: str, op: str, selftext: str, tree: list) -> str:  # type: ignore[type-arg]
    """A Reddit /comments/<id>.json body: a self-post and (author, body, replies) comments."""
    import itertools
    import json

    ids = itertools.count(1)

    def listing(children: list) -> dict:  # type: ignore[type-arg]
        return {"kind": "Listing", "data": {"children": children}}

    def comment(author: str, body: str, replies: list) -> dict:  # type: ignore[type-arg]
        n = next(ids)
        return {"kind": "t1", "data": {
            "name": f"t1_c{n}", "id": f"c{n}", "author": author, "author_fullname": f"t2_{author}",
            "body": body, "created_utc": 1700000000 + n,
            "replies": listing([comment(*r) for r in replies]) if replies else ""}}

    sub = {"kind": "t3", "data": {"name": "t3_cars", "id": "cars", "title": title,
                                  "selftext": selftext, "author": op, "author_fullname": f"t2_{op}",
                                  "created_utc": 1700000000, "permalink": "/r/x/comments/cars/"}}
    return json.dumps([listing([sub]), listing([comment(*c) for c in tree])])


# Written for this test (not from any evaluated thread): one person, "lone", argues against
# a car ban under a self-post by its proposer, "op", and four others argue for it.
CAR_THREAD = ("CMV: Cities should ban private cars from their centres", "op",
              "Car-free centres are quieter, safer and cleaner. Shops do better when people walk, "
              "and buses run faster without traffic jams.", [
    ("lone", "Banning cars hurts disabled people and tradespeople who need to drive in. It is "
             "unfair to everyone who lives far from good public transport.", [
        ("fan1", "Disabled drivers get exemptions and tradespeople get delivery hours, so the "
                 "ban still works.", [
            ("lone", "Exemptions never cover everyone, and delivery hours make small firms pay "
                     "more. A ban punishes the people with the least choice.", [])]),
        ("op", "Most of those trips can move to buses once the streets are clear of traffic.", [
            ("lone", "Buses do not reach the suburbs where most workers live, so a ban simply "
                     "shuts them out of the city.", [])])]),
    ("fan2", "Agreed, car-free streets are much nicer to walk in and the air is cleaner.", [
        ("lone", "Nicer for tourists, maybe. For people who commute in from far away a car ban "
                 "is a disaster.", [])]),
    ("fan3", "I walked through a car-free centre last summer and the cafes were full; it was "
             "great for local business.", []),
    ("fan4", "Fewer cars means fewer crashes, and children can finally walk to school safely.", [
        ("lone", "Crashes fall anyway with lower speed limits; you do not need to ban cars for "
                 "that.", [])]),
    ("asker", "How long did it take the first car-free cities to see a difference?", [
        ("op", "About two years, from what I have read.", [])]),
])


def test_one_against_many_keeps_both_sides_and_the_proposer_is_for(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Both sides survive when one person argues against many: the lone objector's posts
    are on the against side and head a key point there. The proposer (author of the opening
    self-post) is "for" even where their own words take no side."""
    from argmap import api

    path = tmp_path / "cars.json"
    path.write_text(_reddit_json(*CAR_THREAD))
    api.ingest([path], corpus="cars")
    index = api.open_corpus("cars")
    amap = get_map(index)
    assert amap.proposition == "Cities should ban private cars from their centres"
    by_author: dict[str, list[str]] = {}
    for p in index.thread.posts:
        if p.kind == "comment":
            by_author.setdefault(p.author, []).append(p.id)
    lone = by_author["lone"]
    against = [pid for pid in lone if amap.stances[pid].stance == "against"]
    assert len(against) >= 0.6 * len(lone), [amap.stances[p] for p in lone]
    assert amap.con and any(set(kp.post_ids) & set(lone) for kp in amap.con)
    assert amap.pro
    assert all(amap.stances[pid].stance == "for" for pid in by_author["op"])

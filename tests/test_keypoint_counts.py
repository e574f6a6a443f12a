"""Key point counts a reader can trust: distinct identified people, anonymous posts apart,
the site's own notices and deleted authors never counted (issue 13 item 2)."""

from __future__ import annotations

import json

from argmap.brief import render_markdown
from argmap.embeddings import MiniLMEmbeddings
from argmap.mapping import _key_points
from argmap.records import Author, BriefPoint, Post, Unit, head_count, people_phrase
from ingest.formats.reddit import parse_reddit

CLAIM = "Public transport should be free because it cuts traffic and pollution in cities."


def _thread() -> list[Post]:
    people = [("op", "t2_op"), ("op", "t2_op"), ("ana", "t2_a"), ("ana", "t2_a"),
              ("ben", "t2_b"), ("", ""), ("Anonymous Coward", ""), ("[deleted]", ""),
              ("ModNotice", "t2_m")]
    posts = [Post(id="art", kind="article", text="Should transit be free?", author="op",
                  author_id="t2_op", title="Should transit be free?")]
    for i, (name, aid) in enumerate(people):
        posts.append(Post(id=f"c{i}", kind="comment", text=CLAIM, author=name, author_id=aid,
                          parent_id="art", depth=1,
                          role="moderator" if name == "ModNotice" else ""))
    return posts


def test_key_point_counts_people_once_and_anonymous_posts_apart() -> None:
    posts = _thread()
    by_id = {p.id: p for p in posts}
    comments = [p for p in posts if p.kind == "comment"]
    units = [Unit(f"{p.id}:0", p.id, 0, len(p.text), p.text, p.author) for p in comments]
    [kp] = _key_points("Public transport should be free", {p.id for p in comments}, units,
                       by_id, [], {}, MiniLMEmbeddings())
    assert head_count(kp.authors) == (3, 2)  # op (the proposer) once, ana once, ben; 2 anon
    assert people_phrase(*head_count(kp.authors)) == "3 people + 2 anonymous posts"
    assert "c7" not in kp.post_ids and "c8" not in kp.post_ids  # deleted author, mod notice
    point = BriefPoint(kp.key_point, kp.authors, kp.post_ids, kp.quotes, []).to_dict()
    assert (point["distinct_authors"], point["anonymous_posts"]) == (3, 2)
    md = render_markdown({"proposition": "p", "side": "for", "key_points": [point],
                          "other_side_points": [], "unanswered_objections": [],
                          "open_questions": []})
    assert "_3 people + 2 anonymous posts; posts:" in md


def test_people_phrase_reads_naturally() -> None:
    assert people_phrase(1, 0) == "1 person"
    assert people_phrase(0, 1) == "1 anonymous post"
    assert people_phrase(0, 0) == "0 people"
    anon = [Author("Anonymous", "post x", anonymous=True), Author("a", "a"), Author("a", "a")]
    assert head_count(anon) == (1, 1)


def test_reddit_records_the_sites_distinguished_voice() -> None:
    def comment(cid: str, author: str, distinguished: str | None) -> dict[str, object]:
        return {"kind": "t1", "data": {"name": cid, "id": cid[3:], "author": author,
                                       "body": "Some words here.", "replies": "",
                                       "distinguished": distinguished}}

    doc = [{"kind": "Listing", "data": {"children": [
        {"kind": "t3", "data": {"name": "t3_x", "id": "x", "title": "T", "selftext": "S",
                                "author": "op"}}]}},
           {"kind": "Listing", "data": {"children": [
               comment("t1_a", "SomeMod", "moderator"), comment("t1_b", "someone", None)]}}]
    thread = parse_reddit(json.dumps(doc))
    roles = {p.id: p.role for p in thread.posts if p.kind == "comment"}
    assert roles == {"t1_a": "moderator", "t1_b": ""}

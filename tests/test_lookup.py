"""Citation lookup on the seed: exact spans, own vs quoted words, words, authors, thread."""

from __future__ import annotations

import json

import pytest

from argmap import api
from argmap.errors import ArgmapError
from argmap.lookup import find
from argmap.text import clean_quote, normalise


def _quoting_post(seed):  # type: ignore[no-untyped-def]
    """A reply that repeats a sizeable piece of an ancestor's words."""
    for post in seed.thread.posts:
        for q in post.quotes:
            if len(q.text.split()) >= 5:
                return post, q
    pytest.fail("the seed has no reply quoting its parent")


def test_normalise_maps_back_to_source_offsets() -> None:
    text = "a  \n b\u201cc\u201d"
    norm, idx = normalise(text)
    assert norm == 'a b"c"'
    assert [text[i] for i in idx] == ["a", " ", "b", "\u201c", "c", "\u201d"]
    assert clean_quote('  "\u201cHello   world\u201d..." ') == "Hello world"


def test_pasted_own_sentence_gives_exact_span(seed) -> None:  # type: ignore[no-untyped-def]
    unit = next(u for u in seed.units if u.kind == "comment" and len(u.text.split()) >= 8)
    post = seed.posts[unit.post_id]
    pasted = "\u201c" + "\n   ".join(unit.text.split(" ")) + "\u201d"  # mangled whitespace
    result = find(seed, pasted)
    assert result.mode == "quote"
    hit = result.hits[0]
    assert (hit.post_id, hit.own, hit.author) == (post.id, True, post.author)
    assert post.text[hit.start : hit.end] == hit.text
    assert " ".join(hit.text.split()) == " ".join(unit.text.split())


def test_text_in_a_quoted_part_is_reported_as_quoted(seed) -> None:  # type: ignore[no-untyped-def]
    post, quote = _quoting_post(seed)
    words = clean_quote(" ".join(quote.text.split()[:8]))
    hits = find(seed, words, mode="quote", limit=50).hits
    quoted = next(h for h in hits if h.post_id == post.id)
    assert not quoted.own
    assert quoted.original_post_id == quote.from_post_id
    assert quoted.original_author == seed.posts[quote.from_post_id].author
    original = seed.posts[quote.from_post_id]
    assert quoted.original_start is not None and quoted.original_end is not None
    assert " ".join(original.text[quoted.original_start : quoted.original_end].split()) == words
    # the original author's own words come first
    assert hits[0].own and hits[0].post_id == quote.from_post_id


def test_words_find_who_said_the_13th_amendment_thing(seed) -> None:  # type: ignore[no-untyped-def]
    result = find(seed, "Who said the 13th amendment thing?")
    assert result.mode == "words"
    assert result.hits and result.hits[0].author == "taustin"
    assert "13th" in result.hits[0].text.lower()
    assert len({h.post_id for h in result.hits}) == len(result.hits)  # one hit per post


def test_author_search_any_case(seed) -> None:  # type: ignore[no-untyped-def]
    for query in ("taustin", "@TAUSTIN"):
        result = find(seed, query)
        assert result.mode == "author"
        assert result.hits and {h.author for h in result.hits} == {"taustin"}
    assert find(seed, "taus", mode="author").hits  # partial names when nothing exact


def test_post_id_and_thread_context(seed) -> None:  # type: ignore[no-untyped-def]
    post = max(seed.thread.posts, key=lambda p: p.depth)
    result = find(seed, post.id)
    assert result.mode == "post"
    hit = result.hits[0]
    chain = [a.post_id for a in hit.ancestors]
    assert len(chain) == post.depth or chain  # root first, parent last
    assert chain[-1] == post.parent_id
    assert [a.level for a in hit.ancestors] == list(range(len(chain)))
    parent = seed.posts[post.parent_id]
    replies = find(seed, parent.id).hits[0].replies
    assert post.id in [r.post_id for r in replies]
    assert all(r.level > len(chain) - 1 for r in replies)


def test_nothing_found_and_bad_mode(seed) -> None:  # type: ignore[no-untyped-def]
    assert find(seed, "zebra quantum marmalade").hits == []
    assert find(seed, "a", mode="quote").hits == []
    with pytest.raises(ArgmapError):
        find(seed, "x", mode="nope")


def test_api_and_cli_lookup_json(seed, capsys) -> None:  # type: ignore[no-untyped-def]
    from argmap.cli import main

    result = api.lookup("13th amendment")
    assert result.hits[0].author == "taustin"
    assert main(["lookup", "13th amendment", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mode"] == "quote" and out["hits"][0]["author"] == "taustin"
    assert {"post_id", "start", "end", "own", "original_post_id", "ancestors", "replies"} <= set(
        out["hits"][0]
    )

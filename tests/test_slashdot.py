"""The Slashdot text-dump parser against the shipped seed thread, read line by line by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from argmap.errors import InputError
from argmap.records import Post, Thread
from ingest.formats.slashdot import looks_like_slashdot, parse_slashdot

SEED = Path(__file__).resolve().parents[1] / "corpus" / "slashdot_microsoft_police_ai.txt"
TITLE = "Microsoft Bans US Police Departments From Using Enterprise AI Tool"

# Every shown comment in file order: (line of its bullet in the seed file, start of its text
# as published with any by-line removed, depth, line of its parent's bullet or 0 = article).
TREE = [
    (23, "Are they going to ban license plate", 1, 0),
    (25, "\" This is outside Microsoft's decision", 2, 23),
    (31, "You miss the 'IHMO' part? Tell me why", 3, 25),
    (33, "well, googlers don't want Google", 4, 31),
    (34, "Of course not. Seriously, anyone", 5, 33),
    (38, "some time back there was this movie", 6, 34),
    (39, "some time back there was this movie", 7, 38),
    (43, "Hmm....while I'm cautious against AI", 4, 31),
    (47, "You miss the 'IHMO' part? Tell me why", 4, 31),
    (51, "Tell me why a public company gets", 4, 31),
    (55, 'Ah. "IMHO" now means', 4, 31),
    (61, "\" This is outside Microsoft's decision", 3, 25),
    (69, 'My first thought at the headline was "They', 4, 61),
    (73, "I don't think it is. Microsoft has been", 3, 25),
    (75, "Given the (in)accuracy of things like", 2, 23),
    (79, "If the police themselves make that", 3, 75),
    (81, "Seems to me, forcing a company", 4, 79),
    (87, "The police tend to do what they want", 4, 79),
    (89, "What if a white supremacist group", 4, 79),
    (90, "Given the (in)accuracy of things like", 3, 75),
    (94, "Think of the PR nightmare", 3, 75),
    (95, "Are they going to ban license plate", 2, 23),
    (101, "We're supposed to trust the government.", 2, 23),
    (109, "AI isn't really appropriate", 2, 23),
    (115, "This is exactly it. The direction", 3, 109),
    (117, ">> Disallowing police from using", 2, 23),
    (123, "Because it's not useful.", 2, 23),
    (124, "They either accept money for services", 2, 23),
    (128, "IMO in a free society the owner", 2, 23),
    (129, 'The term "real-time facial recognition', 1, 0),
    (130, "I'm not sure there is an actual \"software", 2, 129),
    (132, "There is an engineering definition:", 3, 130),
    (136, "Interesting, I've been an engineer", 4, 132),
    (138, 'You need to look up what "real-time"', 2, 129),
    (142, "Guaranteed within certain amount of time.", 3, 138),
    (143, "Don't paint all police forces", 1, 0),
    (147, '", as is often the way they are portrayed', 2, 143),
    (149, "For the most part, the various levels", 2, 143),
    (151, "(I agree with you on the seriousness", 3, 149),
    (153, "No.\n\nReasonable, helpful, and rational", 3, 149),
    (157, "Feel free to go to India, China", 3, 149),
    (159, "The potential abuses of this real time", 1, 0),
    (163, "I would love to see it used by the feds", 1, 0),
    (165, "Please, there are plenty of other companies", 1, 0),
]
# bullet line -> (author, author id) for the comments that carry a by-line
AUTHORS = {
    55: ("Anonymous Coward", ""),
    73: ("EvilSS", "557649"),
    75: ("taustin", "171655"),
    81: ("taustin", "171655"),
    87: ("kmoser", "1469707"),
    95: ("tlhIngan", "30335"),
    109: ("sjames", "1099"),
    132: ("gweihir", "88907"),
    138: ("gweihir", "88907"),
}
# Comments Slashdot cut mid-sentence (its listing stops at ~512 characters).
TRUNCATED = {38, 39, 95, 117, 143, 151, 159}
CHROME = [
    "Become a fan of Slashdot",
    "Forgot your password?",
    "typodupeerror",
    "×",
    "This discussion has been archived",
    "Comments Filter:",
    "Duct tape is like the force",
    "Carl Zwanzig",
    "Working...",
]


@pytest.fixture(scope="module")
def thread() -> Thread:
    return parse_slashdot(SEED.read_text(encoding="utf-8"), str(SEED))


@pytest.fixture(scope="module")
def by_line(thread: Thread) -> dict[int, Post]:
    comments = [p for p in thread.posts if p.kind == "comment"]
    assert len(comments) == len(TREE) == 44
    return {line: post for (line, *_rest), post in zip(TREE, comments, strict=True)}


def test_story_title_tags_count_and_article(thread: Thread) -> None:
    assert thread.title == TITLE
    assert thread.format == "slashdot" and thread.source == str(SEED)
    assert thread.metadata["tags"] == ["AI", "Microsoft"]
    assert thread.metadata["comment_count_shown"] == 49
    art = thread.posts[0]
    assert (art.id, art.kind, art.depth, art.parent_id, art.title) == (
        "article",
        "article",
        0,
        None,
        TITLE,
    )
    paras = art.text.split("\n\n")
    assert len(paras) == 3
    assert paras[0].startswith("An anonymous reader quotes a report from TechCrunch: Microsoft")
    assert paras[0].endswith('"uncontrolled, in-the-wild" environments. [...]')
    assert paras[1].startswith("The new terms leave wiggle room for Microsoft.")
    assert paras[2].startswith("Last week, taser company Axon announced")
    assert paras[2].endswith("in response to Axon's product launch.")
    assert sum(p.kind == "article" for p in thread.posts) == 1


def test_full_tree_parents_and_depths(thread: Thread, by_line: dict[int, Post]) -> None:
    for line, start, depth, parent_line in TREE:
        post = by_line[line]
        assert post.kind == "comment", line
        assert post.text.startswith(start), (line, post.text[:60])
        assert post.depth == depth, line
        parent_id = "article" if parent_line == 0 else by_line[parent_line].id
        assert post.parent_id == parent_id, line
    # pre-order: every parent comes before its replies
    seen: set[str] = set()
    for p in thread.posts:
        assert p.parent_id is None or p.parent_id in seen
        seen.add(p.id)


def test_authors_time_and_comment_id(by_line: dict[int, Post]) -> None:
    for line, post in by_line.items():
        assert (post.author, post.author_id) == AUTHORS.get(line, ("", "")), line
        assert not post.text.startswith("by "), line
    first = by_line[75]
    assert first.id == "c64443218"
    assert first.time == "2024-05-02T15:37:00"
    assert first.text.startswith("Given the (in)accuracy")
    assert "Homepage" not in first.text and "Journal" not in first.text
    assert [p.time for line, p in by_line.items() if line != 75] == [""] * 43


def test_comment_text_as_published(by_line: dict[int, Post]) -> None:
    assert by_line[25].text == (
        "\" This is outside Microsoft's decision making IMHO\"\n\nIt isn't.\n\n"
        "Dollars to doughnuts that this is however just a ploy to get more money."
    )
    assert by_line[55].text == (
        'Ah. "IMHO" now means "You\'re not allowed to disagree with me". Riiiiiight...\n\n'
        'Yeah, you sound like one of those "Blue Lives Matter" proto-fascists.'
    )
    assert by_line[73].text.startswith("I don't think it is. Microsoft")
    assert by_line[73].text.endswith("That prompt: A red car.")
    assert by_line[87].text == (
        "The police tend to do what they want, without repercussions, so it's a moot point anyway."
    )
    assert by_line[153].text.split("\n\n")[0] == "No."
    assert by_line[117].text.split("\n\n")[2] == (
        "'explicitly bars the use of “real-time facial recognition technology” on mobile camer"
    )


def test_truncated_flags_exactly_the_cut_comments(by_line: dict[int, Post]) -> None:
    assert {line for line, p in by_line.items() if p.truncated} == TRUNCATED
    assert by_line[95].text.endswith("That's probably it. First, using")
    assert by_line[143].text.endswith("Might actually be a loss")
    # short endings without a period are not cuts
    assert not by_line[165].truncated and by_line[165].text.endswith("world wide")
    assert not by_line[147].truncated and not by_line[25].truncated


def test_chrome_is_gone(thread: Thread) -> None:
    for p in thread.posts:
        for chrome in CHROME:
            assert chrome not in p.text, (p.id, chrome)
        assert "\xa0" not in p.text
    assert sum(TITLE in (p.text + p.title) for p in thread.posts) == 1  # title once, no repeat


def test_ids_stable_unique_and_positional(thread: Thread, by_line: dict[int, Post]) -> None:
    again = parse_slashdot(SEED.read_text(encoding="utf-8"))
    assert [p.to_dict() for p in again.posts] == [p.to_dict() for p in thread.posts]
    ids = [p.id for p in thread.posts]
    assert len(set(ids)) == len(ids)
    assert by_line[23].id == "c-1" and by_line[25].id == "c-1-1"
    assert by_line[39].id == "c-1-1-1-1-1-1-1"
    assert by_line[79].id == "c-1-2-1" and by_line[165].id == "c-6"


def test_byline_layouts_and_line_endings() -> None:
    text = (
        "Comments Filter:\r\n"
        "  • by Anonymous Coward on Friday May 03, 2024 @09:05AM (#64445000)\r\n"
        "    First words.\r\n"
        "    • by some one ( 42 ) Homepage Right after the by-line.\r\n"
        "    •\r\n"
        "      by Ann ( 7 )\r\n"
        "      Body on the next line.\r\n"
        "  • by the way, not a by-line.\r\n"
    )
    t = parse_slashdot(text)
    ac, one, ann, plain = t.posts
    assert (ac.id, ac.author, ac.time, ac.text) == (
        "c64445000",
        "Anonymous Coward",
        "2024-05-03T09:05:00",
        "First words.",
    )
    assert (one.author, one.author_id, one.text, one.parent_id) == (
        "some one",
        "42",
        "Right after the by-line.",
        "c64445000",
    )
    assert (ann.author, ann.text, ann.depth, ann.id) == (
        "Ann",
        "Body on the next line.",
        2,
        "c-1-2",
    )
    assert (plain.author, plain.text, plain.parent_id) == ("", "by the way, not a by-line.", None)


def test_looks_like_slashdot() -> None:
    assert looks_like_slashdot(SEED.read_text(encoding="utf-8"))
    assert looks_like_slashdot("Comments Filter:\n  • a comment\n")
    assert not looks_like_slashdot(json.dumps([{"kind": "Listing", "text": "\n  • x"}] * 3))
    assert not looks_like_slashdot('{"id": 1, "children": []}')
    assert not looks_like_slashdot("id,comment,parent\n1,• hello,\n2,• world,1\n3,• x,1\n")
    assert not looks_like_slashdot("Just a paragraph of prose.\n\nAnother one.\n")


@pytest.mark.parametrize("text", ["", "plain prose with no structure\n", "a,b\n1,2\n"])
def test_structureless_text_is_a_one_line_input_error(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_slashdot(text, "notes.txt")
    msg = str(err.value)
    assert "\n" not in msg and "notes.txt" in msg and "•" in msg

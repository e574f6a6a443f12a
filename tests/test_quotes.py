"""Quote attribution: every quoting reply of the seed by name, plus small hand-made threads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from argmap.records import Post, Quote, Thread
from ingest.formats.slashdot import parse_slashdot
from ingest.quotes import attribute_quotes

SEED = Path(__file__).resolve().parents[1] / "corpus" / "slashdot_microsoft_police_ai.txt"
ROOT = "c-1"  # "Are they going to ban license plate reading/lookup too..."
IMHO = '" This is outside Microsoft\'s decision making IMHO"'


def words(s: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in re.findall(r"\w+(?:['’]\w+)*", s)]


def contains(hay: list[str], needle: list[str]) -> bool:
    """``needle`` occurs in ``hay``; its last word may be cut ("camer" of "cameras")."""
    n = len(needle)
    return any(
        hay[i : i + n - 1] == needle[:-1] and hay[i + n - 1].startswith(needle[-1])
        for i in range(len(hay) - n + 1)
    )


def check_invariants(thread: Thread) -> None:
    by_id = thread.by_id()
    for p in thread.posts:
        spans = sorted([(q.start, q.end) for q in p.quotes] + p.own_spans())
        pos = 0
        for s, e in spans:  # spans tile the text; only whitespace between them
            assert s >= pos and not p.text[pos:s].strip(), (p.id, s, pos)
            pos = e
        assert not p.text[pos:].strip()
        ancestors = set()
        pid = p.parent_id
        while pid is not None:
            ancestors.add(pid)
            pid = by_id[pid].parent_id
        for q in p.quotes:
            assert q.text == p.text[q.start : q.end] and q.text.strip() == q.text
            # "": a ">" line found in no post of the thread (the linked page, another site)
            assert q.from_post_id in ancestors or (q.from_post_id == "" and q.text[0] == ">")
            assert q.text not in p.own_text, (p.id, q.text)


@pytest.fixture(scope="module")
def seed() -> Thread:
    thread = attribute_quotes(parse_slashdot(SEED.read_text(encoding="utf-8"), str(SEED)))
    check_invariants(thread)
    return thread


# Every reply of the seed that repeats an ancestor: post id -> ([(origin, quoted text)], own
# text). "=<id>" as quoted text means the text of that whole post (pasted as-is).
SEED_QUOTES: dict[str, tuple[list[tuple[str, str]], str]] = {
    "c-1-1": (
        [(ROOT, IMHO)],
        "It isn't.\n\nDollars to doughnuts that this is however just a ploy to get more money.",
    ),
    "c-1-1-1-1-1-1-1": (
        [
            (
                "c-1-1-1-1-1-1",
                "some time back there was this movie about some lady who owned a shop in NYC "
                "and she was in trouble with the IRS for only paying them the taxes that she "
                "felt supported the things that she wanted her taxes to support, hence (for "
                "example) she did not pay that part of her taxes that she felt would support "
                "the DoD.",
            )
        ],
        'Seems like the IRS reply to that is simple- "ok, your $x in taxes will be directed '
        "towards the programs you support, and a matching amount of other people's taxes will "
        "be redirected from those program",
    ),
    "c-1-1-1-3": (
        [("c-1-1-1", "=c-1-1-1")],
        "Well, someone being hostile to the police is a nice change of pace from the "
        "police being hostile towards citizens. I'll give 'em a pass on this one.",
    ),
    "c-1-1-1-4": (
        [
            (
                "c-1-1-1",
                "Tell me why a public company gets to decide which government "
                "agencies they sell products to",
            )
        ],
        "That isn't what's happening. They're deciding what purposes the software is "
        "fit for. They aren't doing anything to actually prevent them doing it — "
        "They're not Apple — but they are stating that doing so is a violation of the "
        "license and therefore they can wash their hands of the liability.",
    ),
    # pastes c-1-1 whole; c-1-1's first line is itself a quote of the root comment
    "c-1-1-2": (
        [
            (ROOT, IMHO),
            (
                "c-1-1",
                "It isn't.\n\nDollars to doughnuts that this is "
                "however just a ploy to get more money.",
            ),
        ],
        "My first thought at the headline was \"They're developing some licensing "
        'scheme for law enforcement that will be *MUCH* more expensive." Governments '
        "are easy to sway into throwing massive piles of money at tech gadgets that "
        "might, maybe, sometimes, make policing easier. This has to be a lead-up to an "
        "announcement about special law-enforcement only access, that's exactly the "
        "same except for the licensing.",
    ),
    "c-1-1-2-1": (
        [
            (
                "c-1-1-2",
                "My first thought at the headline was \"They're developing some "
                'licensing scheme for law enforcement that will be *MUCH* more expensive."',
            )
        ],
        "Agreed. That was my first thought too. My second thought was that they're "
        "saying, \"Don't use the public interface! It logs everything. Here, use this "
        "special LEO interface that doesn't leave a paper trail.\"",
    ),
    "c-1-2-2": (
        [("c64443218", "=c64443218")],
        "Exactly. This is Microsoft's way of saying this technology is not fit for this "
        "particular purpose(s). LEOs will probably still use it regardless, but at least "
        "the courts will know that they were warned and broke the AUP/TOS anyway when it "
        "inevitably comes up in trials, hopefully making it a net liability for evidence "
        "purposes.",
    ),
    "c-1-3": ([(ROOT, "=" + ROOT)], "That's probably it. First, using"),  # tlhIngan
    "c-1-4": (
        [
            (ROOT, "We're supposed to trust the government."),
            (ROOT, "This is outside Microsoft's decision making IMHO."),
        ],
        "We would, if our government were trustworthy.\n\nIt most certainly is within the "
        "scope of any company's rights to refuse service to anyone the company finds "
        "unconscionable, including (and especially) U.S. law enforcement. The latter has "
        "no legal authority to compel service from any company.",
    ),
    "c-1-6": (
        [
            (ROOT, ">> Disallowing police from using technologies is not the right fix."),
            # TechCrunch's wording, mostly the article's words: credited to the article
            (
                "article",
                '"reaffirmed its ban on U.S. police departments from using generative '
                "AI for facial recognition through Azure OpenAI Service, the company’s fully "
                'managed, enterprise-focused wrapper around OpenAI tech."',
            ),
            (
                "article",
                "'explicitly bars the use of “real-time facial recognition "
                "technology” on mobile camer",
            ),
        ],
        "Seems like a very prudent fix to me. MS\n\nExcellent, I don't want any agency "
        "with the power of the police to have or be using that tech.",
    ),
    "c-1-8": (
        [(ROOT, "They either accept money for services rendered or they don't.")],
        "That's for MS to dictate, not you. It's their product, which they license and "
        "are entitled, by law, to change the TOS.",
    ),
    "c-2": (
        [("article", '"real-time facial recognition technology"')],
        "The term\n\nis trivial to side step. A random delay between 1-3 seconds of the video "
        "feed will probably make it non-real-time by most software definitions.",
    ),
    "c-3-1": (
        [("c-3", '", as is often the way they are portrayed in American media"')],
        "Found your problem.",
    ),
}


@pytest.mark.parametrize("post_id", sorted(SEED_QUOTES))
def test_seed_quoting_reply(seed: Thread, post_id: str) -> None:
    by_id = seed.by_id()
    post = by_id[post_id]
    expected, own = SEED_QUOTES[post_id]
    got = [(q.from_post_id, q.text) for q in post.quotes]
    want = [(src, by_id[t[1:]].text if t.startswith("=") else t) for src, t in expected]
    assert got == want
    assert post.own_text == own


def test_seed_ihmo_paste_keeps_only_the_repliers_words(seed: Thread) -> None:
    reply = seed.by_id()["c-1-1-1-3"]
    assert reply.own_text == (
        "Well, someone being hostile to the police is a nice change of pace from the police "
        "being hostile towards citizens. I'll give 'em a pass on this one."
    )
    assert reply.quotes == [Quote(seed.by_id()["c-1-1-1"].text, "c-1-1-1", 0, 249)]


def test_seed_only_those_replies_quote(seed: Thread) -> None:
    assert {p.id for p in seed.posts if p.quotes} == set(SEED_QUOTES)
    for p in seed.posts:
        if p.id not in SEED_QUOTES:
            assert p.own_text == p.text.strip(), p.id
    # echoes inside the repliers' own sentences stay theirs
    assert "real time facial recognition" in seed.by_id()["c-4"].own_text
    assert "Reasonable, helpful, and rational" in seed.by_id()["c-3-2-2"].own_text
    assert '"IMHO"' in seed.by_id()["c-1-1-1-5"].own_text


def test_seed_quotes_credit_the_original_author(seed: Thread) -> None:
    by_id = seed.by_id()
    for p in seed.posts:
        for q in p.quotes:
            if q.text.startswith('"reaffirmed'):  # a paraphrased source, checked above
                continue
            origin = by_id[q.from_post_id]
            assert contains(words(origin.title + " " + origin.own_text), words(q.text)), q


def comment(pid: str, text: str, parent: str = "a", depth: int = 1) -> Post:
    return Post(id=pid, kind="comment", text=text, parent_id=parent, depth=depth)


ARTICLE = Post(
    id="a",
    kind="article",
    title="Microsoft Bans US Police From Azure AI",
    text="Microsoft changed its terms. The terms prohibit any use of facial recognition by "
    "U.S. police, and bar real-time facial recognition on mobile cameras.",
)


def run(*posts: Post) -> dict[str, Post]:
    thread = attribute_quotes(Thread(title="t", posts=[ARTICLE, *posts]))
    check_invariants(thread)
    return thread.by_id()


def test_gt_lines_quote_the_parent() -> None:
    out = run(
        comment("p", "The police need every tool they can get.\n\nOtherwise crime wins."),
        comment("r", "> The police need every tool they can get.\n\nThey have plenty.", "p", 2),
    )
    r = out["r"]
    assert r.quotes == [Quote("> The police need every tool they can get.", "p", 0, 42)]
    assert r.own_text == "They have plenty."


def test_double_gt_line_quotes_the_grandparent_and_short_gt_lines() -> None:
    out = run(
        comment("g", "Disallowing police from using technologies is not the right fix."),
        comment("p", "No.\n\nIt is exactly the right fix here.", "g", 2),
        comment(
            "r",
            ">> Disallowing police from using technologies is not the right fix.\n"
            "> No.\n> Is it?\nBoth of you are wrong.",
            "p",
            3,
        ),
    )
    r = out["r"]
    assert [(q.from_post_id, q.text) for q in r.quotes] == [
        ("g", ">> Disallowing police from using technologies is not the right fix."),
        ("p", "> No."),
        ("", "> Is it?"),
    ]
    # "> Is it?" is in no ancestor: marked as quoted, so from an unknown source, not the replier's
    assert r.own_text == "Both of you are wrong."


def test_quoted_fragment_straight_and_curly() -> None:
    out = run(
        comment("p", "Microsoft is trying to avoid legal liability for misuse, nothing more."),
        comment("r", 'You say "trying to avoid legal liability" but that is cynical.', "p", 2),
        comment("s", "So “avoid legal liability for misuse” is all? Hardly.", "p", 2),
    )
    assert out["r"].quotes == [Quote('"trying to avoid legal liability"', "p", 8, 41)]
    assert out["r"].own_text == "You say\n\nbut that is cynical."
    assert [q.text for q in out["s"].quotes] == ["“avoid legal liability for misuse”"]
    assert out["s"].own_text == "So\n\nis all? Hardly."


def test_whole_pasted_parent_with_short_paragraphs() -> None:
    parent = "Is this outside Microsoft's decision making?\n\nIt isn't.\n\nNo."
    out = run(
        comment("p", parent),
        comment("r", parent.replace("\n\n", "\n\n\n") + "\n\nI disagree with both.", "p", 2),
    )
    r = out["r"]
    assert [(q.from_post_id, q.start) for q in r.quotes] == [("p", 0)]
    assert r.quotes[0].text == parent.replace("\n\n", "\n\n\n")
    assert r.own_text == "I disagree with both."


def test_reply_that_quotes_nothing() -> None:
    out = run(
        comment("p", "Police should be able to buy any software on the market."),
        comment("r", "Vendors choose their customers; that is how markets work.", "p", 2),
    )
    assert out["r"].quotes == [] and out["r"].own_text == out["r"].text


def test_short_common_phrases_are_not_stripped() -> None:
    out = run(
        comment("p", "Most police are reasonable, helpful, and rational. IMHO of course."),
        comment(
            "r",
            'Reasonable, helpful, and rational are not words for "IMHO" people. '
            "Any use of facial recognition by cops worries me.",
            "p",
            2,
        ),
    )
    assert out["r"].quotes == []


def test_reply_quoting_the_article() -> None:
    out = run(
        comment(
            "c",
            "The summary says the terms prohibit any use of facial recognition by "
            "U.S. police which is the whole point.",
        ),
        comment("d", "bar real-time facial recognition on mobile cameras\n\nGood."),
    )
    c = out["c"]
    assert [(q.from_post_id, q.text) for q in c.quotes] == [
        ("a", "the terms prohibit any use of facial recognition by U.S. police")
    ]
    assert c.own_text == "The summary says\n\nwhich is the whole point."
    assert [(q.from_post_id, q.text) for q in out["d"].quotes] == [
        ("a", "bar real-time facial recognition on mobile cameras")
    ]


def test_pasted_sentence_inline_and_quote_of_a_quote() -> None:
    out = run(
        comment("g", "We're supposed to trust the government with this. Fix the root."),
        comment(
            "p",
            '"We\'re supposed to trust the government with this."\n\nWe would, if '
            "it were trustworthy.",
            "g",
            2,
        ),
        comment(
            "r",
            '"We\'re supposed to trust the government with this."\n\nWe would, if it '
            "were trustworthy. Sure. We would, if it were trustworthy. Really?",
            "p",
            3,
        ),
    )
    r = out["r"]
    # the words p quoted stay credited to g; p's own words to p, both occurrences
    assert [(q.from_post_id, q.text) for q in r.quotes] == [
        ("g", '"We\'re supposed to trust the government with this."'),
        ("p", "We would, if it were trustworthy."),
        ("p", "We would, if it were trustworthy."),
    ]
    assert r.own_text == "Sure.\n\nReally?"


def test_idempotent_pure_and_keeps_given_quotes() -> None:
    p = comment("p", "Discriminating against US law enforcement should be illegal, honestly.")
    r = comment(
        "r",
        "Discriminating against US law enforcement should be illegal\n\nWhy?\n\n"
        "[a quote from elsewhere that the parser already found]",
        "p",
        2,
    )
    given = Quote("[a quote from elsewhere that the parser already found]", "a", 67, 122)
    assert r.text[given.start : given.end] == given.text
    r.quotes = [given]
    thread = Thread(title="t", posts=[ARTICLE, p, r])
    once = attribute_quotes(thread)
    assert r.quotes == [given]  # input not mutated
    twice = attribute_quotes(once)
    assert [x.quotes for x in twice.posts] == [x.quotes for x in once.posts]
    got = once.by_id()["r"]
    assert got.quotes[1] == given and got.quotes[0].from_post_id == "p"
    assert got.own_text == "Why?"


def test_gt_line_with_no_source_in_the_thread_is_not_the_repliers() -> None:
    """A ``>`` line quoting the linked article or another site: quoted, origin unknown."""
    from argmap.citations import DroppedCitation, verify_citation

    art = Post("a", "article", "Ferries will run hourly from June.", title="Ferry timetable")
    outside = "> The operator said the new boats burn a third less diesel per crossing."
    own = "That figure comes from their own brochure, so I doubt it."
    reply = Post("r", "comment", f"{outside}\n\n{own}", author="kim", parent_id="a")
    short = Post("s", "comment", "> Nope.\nAgreed with the above.", author="lee", parent_id="r")
    t = attribute_quotes(Thread("t", [art, reply, short]))
    check_invariants(t)
    r = t.by_id()["r"]
    assert [(q.text, q.from_post_id) for q in r.quotes] == [(outside, "")]
    assert "diesel" not in r.own_text and own in r.own_text
    assert isinstance(verify_citation(t.by_id(), "r", "burn a third less diesel"), DroppedCitation)
    assert verify_citation(t.by_id(), "r", "so I doubt it").post_id == "r"  # its own words
    assert [q.from_post_id for q in t.by_id()["s"].quotes] == [""]
    assert attribute_quotes(t) == t  # idempotent


def test_gt_line_found_in_the_parent_still_credits_the_parent() -> None:
    parent = Post("p", "comment", "The operator said the boats burn less diesel.", author="ann")
    reply = Post("r", "comment", "> the boats burn less diesel\nSource?", author="kim",
                 parent_id="p")
    t = attribute_quotes(Thread("t", [parent, reply]))
    assert [q.from_post_id for q in t.by_id()["r"].quotes] == ["p"]

"""The verifier: fabricated quotes, wrong posts, quoted-parent text, whitespace differences."""

from __future__ import annotations

import pytest

from argmap.citations import check_answer, locate_quote, split_sentences, verify_citation
from argmap.records import Citation, DroppedCitation, Post, Quote, Thread

PARENT_TEXT = "This is outside Microsoft's decision making IMHO. They either accept money or not."
REPLY_TEXT = (
    "\" This is outside Microsoft's decision making IMHO\"\n\nIt isn't.\n\nA ploy for money."
)


def _thread() -> Thread:
    parent = Post(id="p1", kind="comment", text=PARENT_TEXT, author="alice")
    q = REPLY_TEXT.index("This")
    qend = REPLY_TEXT.index("IMHO") + 4
    reply = Post(
        id="p2", kind="comment", text=REPLY_TEXT, author="bob", parent_id="p1", depth=1,
        quotes=[Quote(REPLY_TEXT[q:qend], "p1", q - 2, qend + 1)],
    )
    spaced = Post(id="p3", kind="comment", author="carol",
                  text="Real-time   does not\n mean  fast.\tIt means bounded.")
    return Thread(title="t", posts=[parent, reply, spaced])


def test_exact_quote_verifies_with_offsets() -> None:
    posts = _thread().by_id()
    got = verify_citation(posts, "p1", "They either accept money or not.")
    assert isinstance(got, Citation)
    assert PARENT_TEXT[got.start : got.end] == "They either accept money or not."
    assert got.author == "alice"


def test_whitespace_only_differences_are_accepted_and_map_to_exact_offsets() -> None:
    posts = _thread().by_id()
    got = verify_citation(posts, "p3", "Real-time does not mean fast.")
    assert isinstance(got, Citation)
    assert posts["p3"].text[got.start : got.end] == "Real-time   does not\n mean  fast."
    assert locate_quote(posts["p3"], "does not   mean fast") is not None


def test_typographic_quotes_and_wrapping_are_tolerated() -> None:
    posts = _thread().by_id()
    curly = "\u201cThis is outside Microsoft\u2019s decision making\u2026\u201d"
    got = verify_citation(posts, "p1", curly)
    assert isinstance(got, Citation) and got.post_id == "p1"


def test_fabricated_quote_is_dropped() -> None:
    posts = _thread().by_id()
    got = verify_citation(posts, "p1", "Microsoft reversed the ban last week.")
    assert isinstance(got, DroppedCitation) and "not found" in got.reason


def test_near_miss_quote_is_dropped() -> None:
    posts = _thread().by_id()
    got = verify_citation(posts, "p1", "They always accept money or not.")
    assert isinstance(got, DroppedCitation)


def test_wrong_post_id_is_dropped() -> None:
    posts = _thread().by_id()
    assert verify_citation(posts, "nope", "It isn't.").reason == "no such post"  # type: ignore[union-attr]
    got = verify_citation(posts, "p3", "They either accept money or not.")
    assert isinstance(got, DroppedCitation)


def test_tiny_quotes_are_not_checkable() -> None:
    got = verify_citation(_thread().by_id(), "p1", "IMHO")
    assert isinstance(got, DroppedCitation) and "short" in got.reason


def test_quoted_parent_text_is_credited_to_the_parent_never_the_quoter() -> None:
    posts = _thread().by_id()
    assert locate_quote(posts["p2"], "This is outside Microsoft's decision making") is None
    got = verify_citation(posts, "p2", "This is outside Microsoft's decision making IMHO")
    assert isinstance(got, Citation)
    assert got.post_id == "p1" and got.author == "alice"
    dropped = verify_citation(posts, "p2", "outside Microsoft's decision making", recredit=False)
    assert isinstance(dropped, DroppedCitation) and "quoted from p1" in dropped.reason


def test_own_words_of_the_quoter_stay_with_the_quoter() -> None:
    got = verify_citation(_thread(), "p2", "A ploy for money.")
    assert isinstance(got, Citation) and got.post_id == "p2"


def test_split_sentences_keeps_markers_with_their_sentence() -> None:
    text = 'It is bounded. [1] It is not fast [2]. Nobody said that.\nLast one [1: "quote. here"]'
    assert split_sentences(text) == [
        "It is bounded. [1]", "It is not fast [2].", "Nobody said that.",
        'Last one [1: "quote. here"]',
    ]


def test_check_answer_drops_unsupported_sentences_and_rekeys() -> None:
    posts = _thread().by_id()
    keyed = {"1": ("p3", "It means bounded."), "2": ("p1", "Microsoft reversed it.")}
    text = (
        "Real-time means bounded response [1]. The ban was reversed [2]. "
        "It was reversed. Money matters [7]. Not fast [1: \"does not mean fast\"]."
    )
    checked = check_answer(text, keyed, posts)
    assert checked.text == "Real-time means bounded response [1]. Not fast [2]."
    assert [c.quote for c in checked.citations] == ["It means bounded.", "does not\n mean  fast"]
    reasons = sorted(d.reason for d in checked.dropped)
    assert len(reasons) == 3 and all(r.endswith("sentence removed") for r in reasons)
    assert any(d.sentence == "It was reversed." for d in checked.dropped)


def test_check_answer_keeps_a_declared_claim_free_lead() -> None:
    posts = _thread().by_id()
    lead = "Here is what they said:"
    checked = check_answer(f"{lead}\nIt means bounded. [1]", {"1": ("p3", "It means bounded.")},
                           posts, keep_uncited=[lead])
    assert checked.text.splitlines() == [lead, "It means bounded. [1]"]
    assert checked.kept_sentences == 1


@pytest.mark.parametrize("bad", ["", "   ", "[1]"])
def test_check_answer_of_nothing_keeps_nothing(bad: str) -> None:
    checked = check_answer(bad, {}, _thread().by_id())
    assert checked.citations == [] and checked.kept_sentences == 0


def test_a_real_quote_under_an_unrelated_claim_is_dropped() -> None:
    posts = _thread().by_id()
    keyed = {"1": ("p3", "It means bounded.")}
    checked = check_answer("Penguins nest on ice shelves [1]. Real-time means bounded [1].",
                           keyed, posts)
    assert checked.text == "Real-time means bounded [1]."
    assert "share no content word" in checked.dropped[0].reason

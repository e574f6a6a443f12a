"""One text module: the same search terms, quote cleaning and quote locating everywhere."""

from __future__ import annotations

import pytest

from argmap import citations, lookup, mapping
from argmap.citations import locate_quote, verify_citation
from argmap.lexical import lexical_index
from argmap.lookup import find
from argmap.records import Citation, Post
from argmap.store import CorpusIndex
from argmap.text import clean_quote, locate, tokens, word_key
from ingest import units as units_mod
from tests._qa_corpus import build_in


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> CorpusIndex:
    return build_in(tmp_path_factory)


def test_tokens_stem_fold_and_drop_stop_words() -> None:
    assert tokens("Banned") == tokens("bans") == tokens("ban") == ["ban"]
    assert tokens("What did they say about the police?") == tokens("policing")
    assert tokens("real\u2011time") != [] and tokens("don\u2019t stop") == tokens("stop")
    assert word_key("  It's  FINE, really! ") == word_key("it's fine really")


def test_chat_and_lookup_rank_words_alike(mini: CorpusIndex) -> None:
    """Lookup's word search is chat retrieval's BM25: same rows, same scores, and "banned"
    finds what "ban" finds (the article says "banned", "The ban", "bans")."""
    lex = lexical_index(mini)
    for word in ("banned", "ban", "bans"):
        hits = find(mini, word, mode="words", limit=20).hits
        scores = lex.scores(word)
        best: dict[str, float] = {}
        for row, score in lex.ranked(word, 80):  # best first: a post's best sentence
            best.setdefault(lex.units[row].post_id, round(score, 4))
        assert [(h.post_id, h.score) for h in hits] == list(best.items())
        assert scores.max() == pytest.approx(lex.scores("ban").max())
    assert ([h.post_id for h in find(mini, "banned", mode="words").hits]
            == [h.post_id for h in find(mini, "ban", mode="words").hits])


def test_one_locate_for_verifier_lookup_and_units(mini: CorpusIndex) -> None:
    post = mini.posts["c6"]
    pasted = ("\u201cReal-time means an answer\n   within a specified "
              "maximum\u00a0response time.\u201d")
    span = locate(post.text, clean_quote(pasted))
    assert span is not None and post.text[span[0]:span[1]].startswith("Real-time means")
    assert locate_quote(post, pasted) == span
    hit = find(mini, pasted).hits[0]
    assert (hit.post_id, hit.start, hit.end) == ("c6", *span)
    got = verify_citation(mini, "c6", pasted)
    assert isinstance(got, Citation) and (got.start, got.end) == span
    # a splitter that reflowed whitespace still yields the exact source span
    text = "One  sentence\nhere. Two."
    assert list(units_mod._in_order(text, ["One sentence here.", "Two."], 0, len(text))) == [
        (0, 19), (20, 24)]
    for module in (citations, lookup, mapping, units_mod):
        assert not hasattr(module, "_locate") and not hasattr(module, "_find_in")


def test_clean_quote_strips_wrapping_only() -> None:
    assert clean_quote('  "\u201cHello   world\u201d..." ') == "Hello world"
    assert clean_quote("\u2026it does not mean fast.") == "it does not mean fast"
    post = Post(id="p", kind="comment", text="It does not mean fast. Really.")
    assert locate_quote(post, "\u2026does not   mean fast.") == (3, 21)


def test_numbers_are_one_term_in_digits_or_words() -> None:
    """Ordinals and cardinals, spelt or in digits, are the same search term (num2words)."""
    assert tokens("the thirteenth amendment") == tokens("the 13th Amendment")
    assert tokens("two rules") == tokens("2 rules") == ["2", "rule"]
    assert tokens("twenty-first century") == tokens("21st century")
    assert tokens("first") == tokens("1st") and tokens("third") == tokens("3rd")
    assert tokens("thirteenth") != tokens("thirteen")  # an ordinal is not the cardinal
    assert tokens("7") == tokens("seven") != []  # a one-digit number is still a term


def test_bm25_finds_a_numeral_by_its_spelling(mini: CorpusIndex) -> None:
    """The index side: the posts say "13th"; asking for "thirteenth" ranks them first."""
    lex = lexical_index(mini)
    top = {lex.units[r].post_id for r, _ in lex.ranked("the thirteenth amendment", 2)}
    assert top == {"c4", "c5"}
    assert find(mini, "thirteenth", mode="words").hits[0].post_id in {"c4", "c5"}

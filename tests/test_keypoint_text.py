"""Key point labels are clean clauses of the chosen sentence (issue 13 item 4)."""

from __future__ import annotations

from argmap.embeddings import MiniLMEmbeddings
from argmap.mapping import _key_points
from argmap.records import Post, Unit
from argmap.text import clean_clause


def test_clean_clause_drops_leading_punctuation_and_run_on_pieces() -> None:
    assert clean_clause(".I would be surprised if it passed") == (
        "I would be surprised if it passed\u2026")
    assert clean_clause("... and the law is clear.") == "And the law is clear."
    assert clean_clause("that was the end of it.Taxes should fund roads.") == (
        "Taxes should fund roads.")
    assert clean_clause("- Prices go up when supply falls!") == "Prices go up when supply falls!"
    assert clean_clause("U.S. law forbids it.") == "U.S. law forbids it."
    assert clean_clause('"Quoted claims stay whole."') == '"Quoted claims stay whole."'
    assert clean_clause("...") == "..."  # nothing left to mend: the text as it was


def test_key_point_label_is_a_clean_clause() -> None:
    text = "...free buses would cut traffic in the city centre"
    posts = {f"c{i}": Post(id=f"c{i}", kind="comment", text=text, author=f"u{i}")
             for i in range(2)}
    units = [Unit(f"{p}:0", p, 0, len(text), text, posts[p].author) for p in posts]
    [kp] = _key_points("City buses should be free", set(posts), units, posts, [], {},
                       MiniLMEmbeddings())
    assert kp.key_point == "Free buses would cut traffic in the city centre\u2026"

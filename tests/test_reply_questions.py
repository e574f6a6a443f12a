""""Who agreed / disagreed with X" is answered from the map's reply relations: only the
replies to X's posts labelled that way, not every reply (real seed store and map)."""

from __future__ import annotations

from collections import defaultdict

from argmap import api
from argmap.qa import ask
from argmap.store import CorpusIndex


def _relations_to_authors(seed: CorpusIndex) -> dict[str, dict[str, set[str]]]:
    """author -> relation -> reply post ids, from the cached argument map."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in api.argument_map(corpus=seed.name).relations:
        author = seed.posts[r.to_post_id].author
        if author:
            out[author][r.relation].add(r.from_post_id)
    return out


def test_agree_and_disagree_questions_follow_the_reply_relations(seed: CorpusIndex) -> None:
    rel = _relations_to_authors(seed)
    both = [a for a, by in rel.items() if by["supports"] and by["rebuts"]]
    assert both, "the seed should have an author with agreeing and disagreeing replies"
    who = both[0]
    against = ask(f"Who disagreed with {who}?", index=seed)
    agreeing = ask(f"Who agreed with {who}?", index=seed)
    for ans, wanted in ((against, "rebuts"), (agreeing, "supports")):
        cited = {c.post_id for c in ans.citations}
        assert cited and cited <= rel[who][wanted], (ans.question, cited, rel[who])
    assert not {c.post_id for c in against.citations} & {c.post_id for c in agreeing.citations}


def test_nobody_disagreed_is_an_abstention_not_every_reply(seed: CorpusIndex) -> None:
    rel = _relations_to_authors(seed)
    only_agreed = [a for a, by in rel.items() if by["supports"] and not by["rebuts"]
                   and " " not in a]
    assert only_agreed, "the seed should have an author whose replies all agree"
    ans = ask(f"Who disagreed with {only_agreed[0]}?", index=seed)
    assert ans.abstained and ans.citations == []

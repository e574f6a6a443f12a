"""Key Point Analysis in the map (issue 13 item 1): the argument filter keeps arguments and
drops thread talk; a key point gathers the sentences making one argument and no other."""

from __future__ import annotations

from argmap.argfilter import IS_ARGUMENT, gate, score
from argmap.embeddings import MiniLMEmbeddings
from argmap.kpa import analyse

# a general topic, written for this test: no evaluated thread or data set is about it
TOPIC = "Cities should make public buses free to ride"


def test_filter_drops_thanks_and_keeps_a_clear_argument() -> None:
    thanks, argument = score(TOPIC, [
        "Thanks, that makes sense.",
        "Free buses would take cars off the road and cut air pollution in crowded city centres.",
    ], MiniLMEmbeddings())
    # dropped even at the lenient gate KPA uses; kept even at the strict decision point
    assert thanks.argument < gate() <= IS_ARGUMENT <= argument.argument
    assert 0.0 <= thanks.quality <= 1.0 and 0.0 <= argument.quality <= 1.0


def test_key_point_groups_paraphrases_and_keeps_a_different_argument_apart() -> None:
    same = ["Free buses would take cars off the road and cut traffic in the city centre.",
            "If riding the bus cost nothing, fewer people would drive downtown, so traffic drops.",
            "Making buses free gets drivers out of their cars and eases congestion in town."]
    other = "Fares pay for maintenance, so free buses would leave the network short of money."
    out = analyse(TOPIC, same + [other], MiniLMEmbeddings())
    groups = [set(g.members) for g in out.groups]
    together = [g for g in groups if {0, 1} <= g or {0, 2} <= g or {1, 2} <= g]
    assert together, groups  # at least two of the paraphrases share one key point
    assert all(3 not in g for g in together)  # the cost argument is not folded into it
    assert set(out.arguments) == {0, 1, 2, 3}  # all four are arguments on the topic


def test_a_side_of_distinct_arguments_still_shows_them() -> None:
    """Two arguments making different points: neither candidate covers MIN_SUPPORT of them,
    so each stands as its own key point rather than the side showing none."""
    distinct = [
        "Free buses would take cars off the road and cut air pollution in crowded city centres.",
        "Low-income workers spend a large share of their pay on fares, so free rides help them.",
    ]
    out = analyse(TOPIC, distinct, MiniLMEmbeddings())
    assert sorted(g.members for g in out.groups) == [[0], [1]], out

"""Objections nobody answered are arguments nobody rebutted; open questions are questions,
trimmed to the question sentence (issue 13 item 3)."""

from __future__ import annotations

from argmap.brief import build_brief
from argmap.mapping import get_map, unanswered_objections
from argmap.records import Author, KeyPoint, Post, ReplyRelation, Thread, Unit
from argmap.text import question_start


def _post(pid: str, text: str, parent: str = "art") -> Post:
    return Post(id=pid, kind="comment", text=text, author=f"u{pid}", parent_id=parent)


def test_unanswered_objections_are_arguments_nobody_rebutted() -> None:
    comments = [
        _post("a", "Fares pay for maintenance, so free transit would starve the network."),
        _post("b", "That was my first thought too, honestly.", "a"),  # agrees: no objection
        _post("c", "That's probably it."),  # too short to argue anything
        _post("d", "Free transit mostly subsidises people who already ride it daily."),
        _post("e", "No, most new riders in trials were people who used to drive.", "d"),
        _post("f", "Would the city really cut fares without raising taxes somewhere?"),
        _post("g", "Taxes would have to rise to cover the lost fare revenue each year."),
    ]
    units = [Unit(f"{p.id}:0", p.id, 0, len(p.text), p.text, p.author) for p in comments]
    side_of = {p.id: "against" for p in comments if p.id != "e"} | {"e": "for"}
    relations = [ReplyRelation("b", "a", "supports"), ReplyRelation("e", "d", "rebuts")]
    shared = [KeyPoint("Taxes would rise.", [Author("ug", "ug")], ["g"])]
    got = unanswered_objections(comments, side_of, "against", units, relations, {}, shared)
    assert got == ["g", "a"]  # a point others made first; agreement, jab, rebutted, question out


def test_question_start_trims_to_the_question_sentence() -> None:
    text = ".I would be surprised. Would anyone really pay that much for a ticket?"
    assert text[question_start(text) or 0:] == "Would anyone really pay that much for a ticket?"
    run_on = "prices rise.Who pays for the roads then?"
    assert run_on[question_start(run_on) or 0:] == "Who pays for the roads then?"
    assert question_start("Free transit cuts traffic.") is None


def test_brief_open_questions_are_trimmed_verified_questions(  # type: ignore[no-untyped-def]
    tmp_path, monkeypatch
) -> None:
    from argmap.store import Store
    from ingest.units import units_for_thread

    asked = "Who would pay for the extra buses once fares are gone?"
    thread = Thread("Should city buses be free?", [
        Post(id="art", kind="article", text="Should city buses be free?", title="Buses"),
        _post("q", f"...I doubt it works.{asked}"),
        _post("s", "Free buses would cut traffic and pollution in the centre of town."),
    ])
    monkeypatch.setenv("ARGMAP_HOME", str(tmp_path))
    store = Store()
    store.write("questions", thread, units_for_thread(thread), source_hash="questions")
    index = store.open("questions")
    brief = build_brief(index, get_map(index), "for")
    assert [(q.post_id, q.quote) for q in brief.open_questions] == [("q", asked)]
    q = brief.open_questions[0]
    assert thread.by_id()["q"].text[q.start:q.end] == asked

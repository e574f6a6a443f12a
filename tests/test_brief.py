"""The debate brief renders for both sides, in Markdown and JSON, with verified quotes only."""

from __future__ import annotations

import json

import pytest

from argmap.brief import build_brief, render_markdown
from argmap.citations import locate_quote
from argmap.errors import ArgmapError
from argmap.mapping import get_map


@pytest.mark.parametrize("side", ["for", "against"])
def test_brief_renders_both_formats(seed, side: str) -> None:  # type: ignore[no-untyped-def]
    brief = build_brief(seed, get_map(seed), side)
    assert brief["side"] == side and brief["key_points"]
    json.loads(json.dumps(brief))
    md = render_markdown(brief)
    assert md.startswith("# Debate brief") and brief["key_points"][0]["key_point"] in md
    quotes = [q for kp in brief["key_points"] for q in kp["quotes"] + kp["rebuttals"]]
    quotes += brief["unanswered_objections"] + brief["open_questions"]
    for q in quotes:
        post = seed.posts[q["post_id"]]
        assert post.text[q["start"]:q["end"]] == q["quote"]
        assert locate_quote(post, q["quote"]) is not None


def test_brief_rejects_an_unknown_side(seed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ArgmapError):
        build_brief(seed, get_map(seed), "maybe")


def test_cli_brief_and_map(seed, capsys) -> None:  # type: ignore[no-untyped-def]
    from argmap.cli import main

    assert main(["brief", "--side", "against", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["side"] == "against"
    assert main(["brief", "--side", "for"]) == 0
    assert "arguing FOR" in capsys.readouterr().out
    assert main(["map", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["for"] and d["against"]

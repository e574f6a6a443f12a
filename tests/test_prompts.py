"""Prompt files: loaded by name, filled strictly, variables listable, corpus text inert."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap import prompts
from argmap.errors import ArgmapError


def test_shipped_prompts_and_their_variables() -> None:
    assert {"answer", "answer_system", "condense"} <= set(prompts.names())
    assert prompts.variables("answer") == {"question", "evidence"}
    assert prompts.variables("answer_system") == {"max_sentences", "not_in_discussion"}
    assert prompts.variables("condense") == {"question", "history"}


def test_render_fills_every_variable() -> None:
    text = prompts.render("answer", question="Q?", evidence=[
        {"key": "1", "who": "taustin", "context": "replying to A commenter", "text": "Words."}
    ])
    assert "Question: Q?" in text
    assert "[1] taustin (replying to A commenter): <<<Words.>>>" in text


def test_a_missing_variable_is_an_error_naming_it() -> None:
    with pytest.raises(ArgmapError, match="question"):
        prompts.render("answer", evidence=[])


def test_unknown_and_unsafe_names_are_refused() -> None:
    with pytest.raises(ArgmapError, match="no prompt 'nope'.*known: .*answer"):
        prompts.load("nope")
    for bad in ("../pyproject", "/etc/passwd", "a/b", ""):
        with pytest.raises(ArgmapError):
            prompts.load(bad)


def test_txt_prompts_load_too(tmp_path: Path) -> None:
    (tmp_path / "greet.txt").write_text("Hello {{ name }}!")
    assert prompts.render("greet", root=tmp_path, name="you") == "Hello you!"
    assert prompts.variables("greet", root=tmp_path) == {"name"}


def test_corpus_text_is_data_not_template() -> None:
    evil = "{{ 7 * 7 }} {% for x in range(3) %}loop{% endfor %} {{ question }}"
    text = prompts.render("answer", question="Q",
                          evidence=[{"key": "1", "who": "x", "context": "", "text": evil}])
    assert evil in text and "49" not in text

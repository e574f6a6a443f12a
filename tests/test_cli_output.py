"""What the plain-text CLI prints: corpus text can't drive the terminal, replies are named,
and a Chroma server lost mid-session is one line, not a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from argmap import api
from argmap.cli import main
from argmap.safetext import strip_controls
from tests.conftest import start_chroma_server

ERASE = "\x1b[1A\x1b[2K"  # cursor up, erase line: would overwrite the line printed above
HOSTILE = [
    {"id": "a1", "kind": "article", "title": f"Phones{ERASE}\x1b]0;owned\x07 in class\n# forged",
     "text": "Schools ban phones in class. Teachers asked for the ban."},
    {"id": "c1", "kind": "comment", "parent_id": "a1", "author": f"eve{ERASE}",
     "text": f"The ban is wrong because{ERASE}\rphones help students learn in class."},
    {"id": "c2", "kind": "comment", "parent_id": "c1", "author": "bob\u202eevil",
     "text": "Phones distract students\x9b2J and the ban helps them focus."},
]
# What a terminal would act on: ESC, C0 other than newline/tab, DEL, C1, bidi overrides.
ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(tmp_path: Path) -> str:
    src = tmp_path / "hostile.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in HOSTILE) + "\n")
    api.ingest([src], corpus="hostile")
    return "hostile"


def test_strip_controls_drops_every_control_sequence() -> None:
    assert strip_controls(f"a{ERASE}b\x1b]8;;http://x\x1b\\c\x1bPq\x1b\\d\re\x07\tf\ng") == \
        "abcde\tf\ng"
    assert strip_controls("caf\u00e9 \u2014 \u8ba8\u8bba") == "caf\u00e9 \u2014 \u8ba8\u8bba"


def test_plain_output_carries_no_terminal_controls(
    hostile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = [
        ["show", "c1"], ["show", "a1"], ["posts"], ["corpora"], ["lookup", "phones"],
        ["lookup", "eve", "--by", "author"], ["ask", "Why is the ban wrong?"], ["map"],
        ["brief", "--side", "against"],
    ]
    for cmd in commands:
        assert main([*cmd, "--corpus", hostile]) == 0, cmd
        out = capsys.readouterr()
        assert out.out.strip(), cmd
        assert not ACTIVE.search(out.out + out.err), (cmd, out.out)
    main(["map", "--corpus", hostile])  # a field meant for one line stays on one line
    assert "Proposition: Phones in class # forged\n" in capsys.readouterr().out
    main(["show", "c1", "--corpus", hostile])
    shown = capsys.readouterr().out
    assert "The ban is wrong becausephones help students learn in class." in shown
    assert main(["show", "c1", "--corpus", hostile, "--json"]) == 0  # JSON stays exact
    assert json.loads(capsys.readouterr().out)["text"] == HOSTILE[1]["text"]


def test_plain_lookup_says_whom_the_post_replied_to(
    hostile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lookup", "distract students", "--corpus", hostile]) == 0
    lines = capsys.readouterr().out.splitlines()
    hit = next(i for i, ln in enumerate(lines) if ln.startswith("c2 "))
    assert lines[hit + 1].strip().startswith("in reply to c1 [eve]")


def test_a_chroma_server_lost_after_connecting_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    proc, url = start_chroma_server(tmp_path / "server")
    try:
        monkeypatch.setenv("ARGMAP_CHROMA_URL", url)
        src = tmp_path / "t.jsonl"
        src.write_text("\n".join(json.dumps(r) for r in HOSTILE) + "\n")
        api.ingest([src], corpus="lost")
        assert main(["corpora"]) == 0  # connected; the client is cached for the process
        capsys.readouterr()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    for cmd in (["corpora"], ["posts"], ["show", "c1"], ["lookup", "phones"], ["map"],
                ["ask", "Why?"]):
        assert main([*cmd, "--corpus", "lost"]) == 2, cmd
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert f"cannot reach the Chroma server at {url}" in err, err


def test_cli_main_still_raises_bugs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only user errors become one line; a programming error keeps its traceback."""
    def boom() -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(api, "corpora", boom)
    with pytest.raises(ZeroDivisionError):
        main(["corpora"])

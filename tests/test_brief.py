"""The debate brief renders for both sides, in Markdown and JSON, with verified quotes only."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from argmap import api
from argmap.brief import build_brief, render_markdown
from argmap.citations import verify_citation
from argmap.errors import ArgmapError
from argmap.mapping import get_map
from argmap.safetext import inline, one_line


@pytest.mark.parametrize("side", ["for", "against"])
def test_brief_renders_both_formats(seed, side: str) -> None:  # type: ignore[no-untyped-def]
    brief = build_brief(seed, get_map(seed), side)
    assert brief.side == side and brief.key_points
    data = json.loads(json.dumps(brief.to_dict()))
    first = brief.key_points[0].authors
    assert (data["key_points"][0]["distinct_authors"] + data["key_points"][0]["anonymous_posts"]
            == len(first))  # every anonymous post apart, each named person once
    md = render_markdown(brief)
    assert md == render_markdown(data)
    assert md.startswith("# Debate brief") and inline(brief.key_points[0].key_point) in md
    quotes = [q for kp in brief.key_points for q in kp.quotes + kp.rebuttals]
    quotes += brief.unanswered_objections + brief.open_questions
    for q in quotes:
        post = seed.posts[q.post_id]
        assert post.text[q.start:q.end] == q.quote
        assert verify_citation(seed, q.post_id, q.quote) == replace(q, key="", author=post.author)


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


# A viewer that renders raw HTML, as GitHub-style previews and many editors do.
VIEWER = MarkdownIt("commonmark", {"html": True})
FORGED = ("Ban phones\n\n# Verified by the editors\n\n> fake quote\n>\n"
          "> -- admin (post a1, chars 0-9)")
OURS = {"h1", "h2", "h3", "p", "strong", "em", "blockquote"}  # what render_markdown writes
PAYLOADS = [
    "<script>alert(1)</script>", "<iframe src=javascript:alert(2)></iframe>",
    "![px](http://example.com/x.png)", "<img src=http://example.com/y.png>",
    "[click](javascript:alert(3))", "<http://example.com/auto>", "&lt;b&gt; **bold** `code`",
    "1. listed", "- bullet", "---", "<!-- hidden -->", "\x1b[1A\x1b[2K",
]
PUNCTUATED = st.text(alphabet=st.sampled_from(list("ab 1.-+=#>*_`[]()!<>&;:/\\|~$\n\t")) |
                     st.characters(), max_size=80)


@given(PUNCTUATED)
def test_an_escaped_field_shows_exactly_its_text(text: str) -> None:
    shown = one_line(text)
    for prefix, tag in (("> ", "blockquote><p"), ("### 1. ", "h3")):
        out = VIEWER.render(prefix + inline(text))
        assert "<" not in re.sub(r"</?(blockquote|p|h3)>", "", out), out
        if shown:
            inner = re.sub(r"</?(blockquote|p|h3)>|\n", "", out)
            assert html.unescape(inner) == ("1. " if tag == "h3" else "") + shown


def _assert_inert(md: str, headings: int, quotes: int) -> str:
    out = VIEWER.render(md)
    tags = re.findall(r"<(/?)([^\s>/]*)([^>]*)>", out)
    assert {t for _, t, _ in tags} <= OURS, out  # no script, iframe, img, a, comment...
    assert all(not attrs for *_, attrs in tags), out  # ...and nothing with a src or href
    assert len(re.findall(r"<h[1-6]>", out)) == headings, out
    assert out.count("<blockquote>") == quotes, out
    return out


def _hostile_quote(i: int) -> dict[str, Any]:
    return {"post_id": f"p{i}<b>", "author": PAYLOADS[i % len(PAYLOADS)] + "\n# x",
            "quote": FORGED + PAYLOADS[(i + 3) % len(PAYLOADS)], "start": 0, "end": 9}


def test_every_field_of_the_export_is_inert() -> None:
    quotes = [_hostile_quote(i) for i in range(len(PAYLOADS))]
    brief = {
        "proposition": FORGED, "side": "against",
        "key_points": [{"key_point": p + "\n## forged", "distinct_authors": 2,
                        "authors": [p], "post_ids": [p, "ok"], "quotes": quotes[:2],
                        "rebuttals": quotes[2:3]} for p in PAYLOADS],
        "other_side_points": PAYLOADS, "unanswered_objections": quotes[3:5],
        "open_questions": quotes[5:6],
    }
    out = _assert_inert(render_markdown(brief), 4 + len(PAYLOADS), 3 * len(PAYLOADS) + 3)
    assert "Verified by the editors" in out.split("<h2>")[0]  # inside the proposition line


def test_a_hostile_corpus_exports_inert_markdown(tmp_path: Path) -> None:
    posts = [{"id": "a1", "kind": "article", "title": FORGED,
              "text": "The school board voted to ban phones in class from next term."}]
    for i, payload in enumerate(PAYLOADS):
        posts.append({
            "id": f"c{i}", "kind": "comment", "parent_id": "a1" if i % 2 == 0 else f"c{i - 1}",
            "author": f"{payload}\n# author {i}",
            "text": f"The ban is wrong because phones help students learn {payload} every day. "
                    f"Phones distract students {payload} and the ban helps them focus.",
        })
    src = tmp_path / "hostile.jsonl"
    src.write_text("\n".join(json.dumps(p) for p in posts) + "\n")
    api.ingest([src], corpus="hostile")
    for side in ("for", "against"):
        brief = api.brief(side, corpus="hostile")
        shown = sum(len(kp.quotes) + len(kp.rebuttals) for kp in brief.key_points)
        shown += len(brief.unanswered_objections) + len(brief.open_questions)
        _assert_inert(render_markdown(brief), 4 + len(brief.key_points), shown)


COPIED = "Why would anyone trust the police with real-time facial recognition software?"


def _copying_thread():  # type: ignore[no-untyped-def]
    """c3 repeats alice's question from another branch (c1 is not its ancestor), so quote
    attribution leaves the words in c3's own text."""
    from argmap.records import Post, Thread

    return Thread(title="Microsoft bans police AI", format="test", posts=[
        Post(id="a0", kind="article", text="Microsoft has banned U.S. police departments from "
             "using its AI service for facial recognition on body cameras."),
        Post(id="c1", kind="comment", author="alice", text=COPIED),
        Post(id="c2", kind="comment", author="bob", text="Cameras are everywhere now anyway."),
        Post(id="c3", kind="comment", author="carol", parent_id="c2", depth=1,
             text=f"{COPIED} Nobody asked the public about any of this before it started."),
    ])


def test_words_copied_from_another_branch_are_never_the_copiers_quote(  # type: ignore[no-untyped-def]
    tmp_path, monkeypatch
) -> None:
    from argmap.records import Citation
    from argmap.store import Store
    from ingest.quotes import attribute_quotes
    from ingest.units import units_for_thread

    thread = attribute_quotes(_copying_thread())
    assert not thread.by_id()["c3"].quotes  # attribution looks at ancestors only
    credited = verify_citation(thread, "c3", COPIED)
    assert isinstance(credited, Citation) and credited.post_id == "c1"
    assert not isinstance(verify_citation(thread, "c3", COPIED, recredit=False), Citation)
    own = "Nobody asked the public about any of this before it started."
    assert verify_citation(thread, "c3", own).post_id == "c3"  # type: ignore[union-attr]
    monkeypatch.setenv("ARGMAP_HOME", str(tmp_path))
    store = Store()
    store.write("copy", thread, units_for_thread(thread), source_hash="copy")
    index = store.open("copy")
    amap = get_map(index)
    shown = [q for kp in amap.pro + amap.con for q in kp.quotes]
    for side in ("for", "against"):
        brief = build_brief(index, amap, side)
        shown += [q for kp in brief.key_points for q in kp.quotes + kp.rebuttals]
        shown += brief.unanswered_objections + brief.open_questions
        assert [(q.post_id, q.quote) for q in brief.open_questions] == [("c1", COPIED)]
    assert shown and not [q for q in shown if q.post_id == "c3" and "trust the police" in q.quote]

"""Safe rendering: escaped Markdown shows exactly the source text; DOT labels stay quoted."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from argmap.records import Post, Quote
from argmap.ui.render import HIGHLIGHT, QUOTED, dot_string, escape_md, post_md

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _shown(md: str) -> str:
    """What a reader sees, roughly: directives dropped, escapes resolved, spaces collapsed."""
    md = re.sub(rf":({HIGHLIGHT}|{QUOTED})\[((?:\\.|[^\]\\])*)\]", r"\2", md)
    return " ".join(_UNESCAPE.sub(r"\1", md).split())


@given(st.text(max_size=200))
def test_escaped_markdown_shows_the_text_verbatim(text: str) -> None:
    md = escape_md(text)
    assert _shown(md) == " ".join(text.split())
    # no unescaped Markdown or HTML metacharacter survives
    assert not re.search(r"(?<!\\)[<>\[\]()!*_`#|~$&:]", md.replace("\\\\", ""))


@given(st.text(min_size=1, max_size=120), st.data())
def test_post_md_highlights_without_losing_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    q_start = data.draw(st.integers(0, len(text)))
    q_end = data.draw(st.integers(q_start, len(text)))
    post = Post(id="p", kind="comment", text=text,
                quotes=[Quote(text[q_start:q_end], "o", q_start, q_end)])
    assert _shown(post_md(post, start, end)) == " ".join(text.split())


def test_payloads_stay_text() -> None:
    for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                    "![x](http://example.com/x.png)", "[a](javascript:alert(1))",
                    ":red[x] $x^2$ &lt;b&gt; <!-- c --> ```code```"):
        md = escape_md(payload)
        assert "<" not in md.replace("\\<", "") and "](" not in md


def test_dot_labels_are_escaped() -> None:
    label = dot_string('say "hi" \\ <b>bye</b>; node [shape=none]', limit=200)
    assert label.startswith('"') and label.endswith('"')
    inner = label[1:-1]
    assert re.fullmatch(r'(?:\\.|[^"\\])*', inner)  # every quote/backslash is escaped


def _graph(key_point: str, posts: list[Post]):  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from argmap.records import ArgumentMap, Author, KeyPoint
    from argmap.ui.map_page import map_dot

    kp = KeyPoint(key_point, list(dict.fromkeys(Author.of(p) for p in posts)),
                  [p.id for p in posts])
    amap = ArgumentMap("Ban phones?", [kp], [], [], {}, [])
    return map_dot(amap, SimpleNamespace(posts={p.id: p for p in posts}))  # type: ignore[arg-type]


def _labels(dot: str) -> list[str]:
    return re.findall(r'\[label="((?:\\.|[^"\\])*)", shape=note', dot)


def test_map_graph_never_cuts_the_people_count() -> None:
    posts = [Post(id=f"c{i}", kind="comment", text="x", author=f"u{i}") for i in range(3)]
    dot = _graph("a very long key point " * 20, posts)
    assert "(3 people)" in dot


def test_map_graph_anonymous_posts_are_told_apart() -> None:
    anon = [Post(id=f"c{i}", kind="comment", text="x", author=a)
            for i, a in enumerate(["", "Anonymous Coward", "anonymous"])]
    named = [Post(id="n1", kind="comment", text="x", author="ann"),
             Post(id="n2", kind="comment", text="y", author="ann")]
    labels = _labels(_graph("Phones distract", anon))
    assert len(labels) == 3 and len(set(labels)) == 3  # one node per post, none identical
    assert all(lb.startswith("anonymous") for lb in labels)
    assert _labels(_graph("Phones distract", named)) == ["ann"]  # one node per person

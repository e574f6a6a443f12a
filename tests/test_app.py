"""Every page of app.py through Streamlit's AppTest, plus the upload handler it calls.

AppTest runs the real script in this process, so these drive the same code the browser
does; what they can't check (JavaScript, real clicks) tests/test_browser.py does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from argmap import api
from argmap.config import DEFAULT_CORPUS
from argmap.errors import InputError
from argmap.records import Answer, Citation, DroppedCitation
from argmap.ui.app_pages import path
from argmap.ui.chat import answer_md
from argmap.ui.render import escape_md
from argmap.ui.uploads import ingest_upload, safe_parts
from tests.conftest import REDDIT

APP = str(Path(__file__).resolve().parents[1] / "app.py")
XSS = [
    {"id": "a1", "kind": "article", "text": "A story about <b>tags</b>.",
     "title": "XSS <i>test</i>"},
    {"id": "x1", "kind": "comment", "parent_id": "a1", "author": "mallory",
     "text": "Look <script>alert('pwned')</script> here"},
    {"id": "x2", "kind": "comment", "parent_id": "x1", "author": "mallory",
     "text": "<img src=x onerror=alert(1)> and ![t](http://127.0.0.1:9/t.png) and "
             "[a](javascript:alert(1))"},
]


@pytest.fixture(autouse=True)
def _no_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGMAP_NO_WARMUP", "1")


def run_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    if page:
        at.switch_page(path(page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Look up").click().run()
    assert not at.exception, [e.value for e in at.exception]


def markdown_of(at: AppTest) -> list[Any]:
    return [*at.markdown, *at.caption]


def text_of(at: AppTest) -> str:
    return "\n".join(m.value for m in markdown_of(at))


def popover_labels(at: AppTest) -> list[str]:
    found = at.get("popover")
    return [getattr(p.proto, "popover", p.proto).label for p in found]


def assert_no_html(at: AppTest) -> None:
    for m in at.get("markdown"):
        assert not m.proto.allow_html, m.value


@pytest.fixture
def seeded(seed) -> None:  # type: ignore[no-untyped-def]
    """ARGMAP_HOME is the shared seed home (read-only use)."""


def test_chat_answers_with_verified_citations(seeded: None) -> None:
    from argmap.citations import locate_quote

    at = run_app()
    at.chat_input[0].set_value("Does the ban cover police outside the US?").run()
    assert not at.exception
    turns = at.session_state["chat_history"]
    question, answer = turns[-1]
    assert not answer.abstained and answer.citations
    index = api.open_corpus(DEFAULT_CORPUS)
    for c in answer.citations:  # every citation shown is verified in the post's own words
        assert locate_quote(index.posts[c.post_id], c.quote) is not None
    assert len(at.chat_message) == 2
    body = text_of(at)
    assert ":blue-badge[" in body
    assert ":orange-background[" in body  # the quote highlighted inside its post
    assert at.get("page_link")  # each citation links to Citation lookup
    assert len(popover_labels(at)) == len(answer.citations)
    assert_no_html(at)
    at.chat_input[0].set_value("and who disagreed?").run()
    assert len(at.session_state["chat_history"]) == 2
    at.sidebar.button[0].click().run()  # clear conversation
    assert at.session_state["chat_history"] == [] and not at.chat_message


def test_chat_shows_an_overview_answer_from_the_map(seeded: None) -> None:
    """"Summarize the arguments for and against": both sides, people counts, one verified
    quote per key point, each openable, and a link to the map page."""
    from argmap.citations import locate_quote

    at = run_app()
    at.chat_input[0].set_value("Summarize the arguments for and against").run()
    assert not at.exception, [e.value for e in at.exception]
    _, answer = at.session_state["chat_history"][-1]
    assert answer.route == "overview" and not answer.abstained and answer.citations
    index = api.open_corpus(DEFAULT_CORPUS)
    for c in answer.citations:
        assert locate_quote(index.posts[c.post_id], c.quote) is not None
    body = text_of(at)
    assert "For \\(" in body and "Against \\(" in body  # escaped: corpus text is data
    assert re.search(r"\d+ (people|person|anonymous post)", body)
    assert body.count(":blue-badge[") == len(answer.citations)
    assert len(popover_labels(at)) == len(answer.citations)
    links = [getattr(p.proto, "page_link", p.proto) for p in at.get("page_link")]
    assert any(link.label == "Open the argument map" and link.page == "map"
               for link in links), [link.label for link in links]
    assert "From the argument map" in body
    assert_no_html(at)


def test_dropped_citations_never_look_valid(seeded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    c = Citation("1", "c-1", "someone", "quote", 0, 5)
    answer = Answer(
        "q?", "Supported claim [1]. Invented claim [2].", False, "fake", citations=[c],
        dropped=[DroppedCitation("2", "c-9", "made up", "no such post")],
    )
    md = answer_md(answer)
    assert ":blue-badge[1]" in md and ":blue-badge[2]" not in md and "unverified" in md
    monkeypatch.setattr(api, "ask", lambda *a, **k: answer, raising=False)
    at = run_app()
    at.chat_input[0].set_value("q?").run()
    labels = popover_labels(at)
    assert len(labels) == 1 and "1" in labels[0]
    assert "could not be verified" in text_of(at)
    assert all("[2]" not in label for label in labels)


def test_generative_engine_streams_and_only_verified_citations_show(
    seeded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake engine streams a draft that cites a real key and an invented one."""
    from argmap.engines import fake
    from argmap.ui import chat

    reply = "The ban is US-only [1]. The ban was reversed yesterday [42]."
    monkeypatch.setenv("ARGMAP_ENGINE", "fake")
    monkeypatch.setattr(fake.FakeEngine, "__init__", _fake_init(fake, reply))
    tokens: list[str] = []
    original = chat.Stream.__call__
    monkeypatch.setattr(chat.Stream, "__call__", lambda self, t: (tokens.append(t),
                                                                    original(self, t)))
    at = run_app()
    assert at.sidebar.selectbox(key="_engine_pick").value == "fake"
    at.chat_input[0].set_value("Does the ban cover police outside the US?").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(tokens) > 1  # streamed, token by token
    _, answer = at.session_state["chat_history"][-1]
    assert answer.engine == "fake"
    assert len(popover_labels(at)) == len(answer.citations)
    assert "reversed" not in text_of(at)  # the invented claim never reaches the page
    # [42] is invented; whether the real key's claim survives depends on which sentence the
    # re-ranker numbered [1], and the verifier (tests/test_citations.py) judges that
    assert "42" in [d.key for d in answer.dropped]
    assert "42" not in [c.key for c in answer.citations]


def _fake_init(fake, reply: str):  # type: ignore[no-untyped-def]
    base = fake.FakeEngine.__init__

    def init(self, replies=None, condense_with_model=False):  # type: ignore[no-untyped-def]
        base(self, replies=[reply] * 5, condense_with_model=condense_with_model)

    return init


def test_map_lists_both_sides_and_shows_quotes(seeded: None) -> None:
    at = run_app("map")
    heads = [h.value for h in at.subheader]
    assert any(h.startswith("For (") for h in heads)
    assert any(h.startswith("Against (") for h in heads)
    amap = api.argument_map(corpus=DEFAULT_CORPUS)
    assert amap.pro and amap.con
    dot = at.get("graphviz_chart")[0].proto.spec
    assert dot.startswith("digraph") and 'label="for"' in dot and 'label="against"' in dot
    body = text_of(at)
    assert escape_md(amap.pro[0].key_point) in body and escape_md(amap.con[0].key_point) in body
    assert ":orange-background[" in body  # the selected key point's quotes, highlighted
    pick = next(s for s in at.selectbox if s.label.startswith("Show the quotes"))
    pick.select_index(len(amap.pro)).run()  # first "against" key point
    body = text_of(at)
    assert f"**{escape_md(amap.con[0].key_point)}**" in body
    assert f":gray[#{escape_md(amap.con[0].quotes[0].post_id)}]" in body
    assert_no_html(at)


def test_brief_renders_and_downloads(seeded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    saved: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        if filename:
            saved[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    at = run_app("prep")
    assert [b.label for b in at.get("download_button")] == ["Markdown", "JSON"]
    md = saved[f"brief-{DEFAULT_CORPUS}-for.md"].decode()
    data = json.loads(saved[f"brief-{DEFAULT_CORPUS}-for.json"])
    assert md.startswith("# Debate brief: arguing FOR")
    assert data["side"] == "for" and data["key_points"]
    assert escape_md(data["key_points"][0]["key_point"]) in text_of(at)
    at.radio(key="prep_side").set_value("against").run()
    assert json.loads(saved[f"brief-{DEFAULT_CORPUS}-against.json"])["side"] == "against"
    assert_no_html(at)


def _quoting(index):  # type: ignore[no-untyped-def]
    return next((p, q) for p in index.thread.posts for q in p.quotes if len(q.text.split()) >= 5)


def test_lookup_finds_seed_quote_and_marks_quoted_text(seeded: None) -> None:
    at = run_app("lookup")
    at.text_area(key="lookup_q").set_value("13th amendment")
    submit(at)
    body = text_of(at)
    assert "taustin" in body and ":green-badge[own words]" in body
    assert "thread" in " ".join(e.label.lower() for e in at.expander)
    post, quote = _quoting(api.open_corpus(DEFAULT_CORPUS))
    at.text_area(key="lookup_q").set_value(" ".join(quote.text.split()[:8]))
    at.radio(key="lookup_by").set_value("quote")
    submit(at)
    body = text_of(at)
    assert ":orange-badge[quoted from" in body
    assert "credited to the original post" in body
    assert_no_html(at)


def test_lookup_from_url_query(seeded: None) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["q"] = "taustin"
    at.query_params["by"] = "author"
    at.run()
    at.switch_page(path("lookup")).run()
    assert "taustin" in text_of(at)


@pytest.mark.slow
def test_first_run_indexes_seed_then_upload_and_bad_upload(isolated_home: Path) -> None:
    at = run_app()
    assert any("Indexed" in s.label for s in at.status)
    assert [c.name for c in api.corpora()] == [DEFAULT_CORPUS]
    at.switch_page(path("sources")).run()
    before = {c.name: c.generation for c in api.corpora()}
    at.file_uploader[0].set_value(("bad.json", b'{"not": "a thread"', "application/json")).run()
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert at.error and "Nothing was changed" in at.error[0].value
    assert {c.name: c.generation for c in api.corpora()} == before
    at.file_uploader[0].set_value(
        ("reddit_thread.json", REDDIT.read_bytes(), "application/json")
    ).run()
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert not at.exception
    names = [c.name for c in api.corpora()]
    assert "reddit_thread" in names and DEFAULT_CORPUS in names
    assert at.session_state["corpus"] == "reddit_thread"
    assert at.success and escape_md("reddit_thread") in at.success[0].value
    assert api.open_corpus(DEFAULT_CORPUS).info.generation == before[DEFAULT_CORPUS]


def test_upload_handler_sanitises_and_never_damages(isolated_home: Path) -> None:
    assert safe_parts("../../etc/passwd") == ("passwd", "txt")
    assert safe_parts("..\\..\\x y.JSON") == ("x_y", "json")
    assert safe_parts("evil.sh") == ("evil", "txt")
    first = ingest_upload("../../reddit_thread.json", REDDIT.read_bytes())
    assert first.corpus == "reddit_thread"
    saved = list((isolated_home / "uploads").iterdir())
    assert len(saved) == 1 and saved[0].resolve().parent == (isolated_home / "uploads").resolve()
    gen = api.open_corpus("reddit_thread").info.generation
    with pytest.raises(InputError) as bad:
        ingest_upload("reddit_thread.json", b"[1, 2, 3]", replace=True)
    assert str(isolated_home) not in str(bad.value)  # names the upload, not our temp path
    assert api.open_corpus("reddit_thread").info.generation == gen
    assert len(list((isolated_home / "uploads").iterdir())) == 1
    with pytest.raises(InputError, match="limit"):
        ingest_upload("big.txt", b"x" * (api.settings().limits.max_file_bytes + 1))
    second = ingest_upload("reddit_thread.json", REDDIT.read_bytes())
    assert second.corpus == "reddit_thread-2"  # no silent replacement


def test_xss_comment_shows_as_plain_text(isolated_home: Path, tmp_path: Path) -> None:
    src = tmp_path / "xss.jsonl"
    src.write_text("\n".join(json.dumps(p) for p in XSS) + "\n")
    api.ingest([src], corpus="xss")
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["corpus"] = "xss"
    at.run()
    at.switch_page(path("lookup")).run()
    at.text_area(key="lookup_q").set_value("mallory")
    submit(at)
    body = text_of(at)
    assert r"\<script\>alert\(\'pwned\'\)\<\/script\>" in body
    assert r"\<img src\=x onerror\=alert\(1\)\>" in body
    assert r"\!\[t\]\(http\:" in body and "](javascript" not in body
    assert_no_html(at)
    for page in ("map", "prep", "sources"):
        at.switch_page(path(page)).run()
        assert not at.exception
        assert_no_html(at)


def test_unreachable_chroma_server_is_said_in_the_sidebar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGMAP_CHROMA_URL", "http://127.0.0.1:9")
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    said = [unescape(e.value) for e in at.sidebar.error]
    assert any("cannot reach the Chroma server at http://127.0.0.1:9" in s for s in said), said


def unescape(md: str) -> str:
    """The text an escaped message shows."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md)


def test_error_messages_carrying_input_stay_text(isolated_home: Path) -> None:
    """A parse error quotes the file; shown as Markdown, that quote could fetch an image."""
    at = run_app("sources")
    bad = (
        '{"id": "1", "kind": "comment", "text": "hi"}\n'
        '{"id": "2", "kind": "![h](http://example.com/x.png)", "text": "yo"}\n'
    )
    at.file_uploader[0].set_value(("![h](x).jsonl", bad.encode(), "application/json")).run()
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value for e in at.error]
    assert shown and "Nothing was changed" in shown[0]
    assert "![h](http://example.com/x.png)" in unescape(shown[0])  # the text, quoted...
    assert "](" not in shown[0] and "\\!\\[h\\]" in shown[0]  # ...as text, not an image
    assert_no_html(at)


def test_upload_keeps_its_name_offers_formats_and_counts_sentences(isolated_home: Path) -> None:
    at = run_app("sources")
    rows = "id,author,parent_id,comment\n" + "".join(
        f"{i},user{i},{'' if i == 1 else 1},Phones in school are a distraction number {i}.\n"
        for i in range(1, 6)
    )
    at.file_uploader[0].set_value(("School phones.csv", rows.encode(), "text/csv")).run()
    picker = at.selectbox(key="upload_format")
    assert picker.value == "detect" and {"CSV", "JSON Lines"} <= set(picker.options)
    picker.set_value("jsonl").run()  # the picked format is the one used
    next(b for b in at.button if b.label == "Ingest").click().run()
    error = " ".join(e.value for e in at.error)
    assert error and "--format" not in error and "School phones" in unescape(error)
    assert all(c.name == DEFAULT_CORPUS for c in api.corpora())
    at.selectbox(key="upload_format").set_value("csv").run()
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert not at.exception, [e.value for e in at.exception]
    info = api.open_corpus("School_phones").info
    assert info.title == "School phones"
    assert api.argument_map(corpus="School_phones").proposition == "School phones"
    flash = unescape(at.success[0].value)
    assert f"{info.posts} posts, {info.units} sentences" in flash, flash


def test_undetectable_upload_never_says_pass_format(isolated_home: Path) -> None:
    with pytest.raises(InputError) as bad:
        ingest_upload("notes.txt", b"just some words\nand more words\n")
    assert "--format" not in str(bad.value) and "Format" in str(bad.value)
    assert "notes.txt" in str(bad.value)


def test_chroma_server_lost_after_connecting_is_said_on_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import start_chroma_server

    proc, url = start_chroma_server(tmp_path / "server")
    try:
        monkeypatch.setenv("ARGMAP_CHROMA_URL", url)
        src = tmp_path / "xss.jsonl"
        src.write_text("\n".join(json.dumps(p) for p in XSS) + "\n")
        api.ingest([src], corpus="lost")
        at = AppTest.from_file(APP, default_timeout=180)
        at.session_state["corpus"] = "lost"
        at.run()
        assert not at.exception and not at.sidebar.error
    finally:
        proc.kill()
        proc.wait(timeout=10)
    for page in ("chat", "map", "prep", "lookup", "sources"):
        at.switch_page(path(page)).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        said = [unescape(e.value) for e in at.sidebar.error]
        assert any(f"cannot reach the Chroma server at {url}" in s for s in said), (page, said)


def test_stated_proposition_rebuilds_the_map_once_and_both_pages_use_it(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proposition field, prefilled with the default, rebuilds the map for what the user
    types; the debate-prep page and a second visit read that map from the cache."""
    from argmap import mapping
    from tests.builders import two_post_jsonl

    api.ingest([two_post_jsonl(tmp_path / "bikes.jsonl", "bike lanes")], corpus="bikes")
    builds: list[str | None] = []
    real = mapping.build_map

    def counted(index, proposition=None):  # type: ignore[no-untyped-def]
        builds.append(proposition)
        return real(index, proposition)

    monkeypatch.setattr(mapping, "build_map", counted)
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["corpus"] = "bikes"
    at.run().switch_page(path("map")).run()
    field = at.text_input(key="_proposition_pick")
    default = api.argument_map(corpus="bikes").proposition
    assert field.value == default and builds == []  # the default map was cached at ingest
    stated = "Every town should build protected bike lanes."
    field.set_value(stated).run()
    assert not at.exception, [e.value for e in at.exception]
    assert builds == [stated]
    graph = at.get("graphviz_chart")[0].proto.spec  # the graph's centre is the proposition
    assert "Every town" in graph and "protected" in graph
    at.switch_page(path("prep")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="_proposition_pick").value == stated
    at.switch_page(path("map")).run()
    assert at.text_input(key="_proposition_pick").value == stated
    assert "protected" in at.get("graphviz_chart")[0].proto.spec
    assert builds == [stated]  # prep and the second visit both read the cached map
    assert api.argument_map(corpus="bikes", proposition=stated).proposition == stated

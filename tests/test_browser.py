"""End to end in a real headless Chromium: `streamlit run app.py` on loopback, driven by
Playwright. Asks a seed question, opens a citation, opens the map and the brief, asks for
an overview (answered from the argument map, linking to its page), and checks
that a comment carrying <script> / onerror markup shows as text and runs nothing. Every
page of every test runs in a context that aborts, and fails the test on, any request that
would leave loopback (a favicon from a CDN, an image named in a comment or a title).

Debian's chromium only (no browser download); skipped when it is missing, unless
ARGMAP_REQUIRE_BROWSER is set (CI), where a missing browser is a failure.
Screenshots go to tests/artifacts/; with ARGMAP_UPDATE_DOCS=1 the README's go to docs/.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import SEED_FILE

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
QUESTION = "Does the ban cover police outside the US?"
OVERVIEW = "Summarize the arguments for and against"
XSS_TEXT = "Look <script>alert('pwned')</script> here"
XSS_IMG = "<img src=x onerror=alert(1)> and ![t](http://127.0.0.1:9/t.png)"
OUTSIDE = "http://example.com"  # never reached: the guard aborts it and fails the test
HOSTILE_TITLE = f"XSS test ![t]({OUTSIDE}/title.png)\n# forged <img src={OUTSIDE}/h.png>"
HOSTILE_AUTHOR = f"![a]({OUTSIDE}/author.png) <img src={OUTSIDE}/a2.png>"
HOSTILE_TEXT = (
    f"Phones help students. <iframe src={OUTSIDE}/frame></iframe> "
    f"<link rel=stylesheet href={OUTSIDE}/s.css><style>@import url({OUTSIDE}/i.css)</style> "
    f"[link]({OUTSIDE}/l) <video src={OUTSIDE}/v.mp4></video> :material/forum: "
    f"$\\href{{{OUTSIDE}}}{{x}}$ ![img]({OUTSIDE}/comment.png)"
)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _need_browser() -> None:
    reason = ""
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is missing"
    if reason:
        if os.environ.get("ARGMAP_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGMAP_")}
    env.update(ARGMAP_HOME=str(home), PYTHONUNBUFFERED="1")
    if os.environ.get("ARGMAP_EMBED_CACHE"):
        env["ARGMAP_EMBED_CACHE"] = os.environ["ARGMAP_EMBED_CACHE"]
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("streamlit did not come up")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, embed_cache: Path) -> Iterator[str]:
    _need_browser()
    home = tmp_path_factory.mktemp("browser-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("ARGMAP_HOME", str(home))
    mp.setenv("ARGMAP_EMBED_CACHE", str(embed_cache))
    try:
        from argmap import api

        api.ingest([SEED_FILE])
        xss = home / "xss.jsonl"
        rows = [
            {"id": "a1", "kind": "article", "text": "A story about tags.",
             "title": HOSTILE_TITLE},
            {"id": "x1", "kind": "comment", "parent_id": "a1", "author": "mallory",
             "text": XSS_TEXT},
            {"id": "x2", "kind": "comment", "parent_id": "x1", "author": "mallory",
             "text": XSS_IMG},
            {"id": "x3", "kind": "comment", "parent_id": "a1", "author": HOSTILE_AUTHOR,
             "text": HOSTILE_TEXT},
            {"id": "x4", "kind": "comment", "parent_id": "x3", "author": "",
             "text": f"Phones distract students. {HOSTILE_TEXT}"},
        ]
        xss.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
        api.ingest([xss], corpus="xss")
        port = free_port()
        proc = start_app(home, port, tmp_path_factory.mktemp("logs") / "streamlit.log")
        try:
            wait_healthy(port, proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def shot(page: Any, name: str, docs: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if docs and os.environ.get("ARGMAP_UPDATE_DOCS"):
        from PIL import Image  # a 64-colour palette keeps the README's images small

        (ROOT / "docs").mkdir(exist_ok=True)
        img = Image.open(ARTIFACTS / f"{name}.png").convert("RGB").quantize(64)
        img.save(ROOT / "docs" / f"{name}.png", optimize=True)


def on_loopback(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOOPBACK


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A browser context in which any request leaving loopback is aborted and fails the test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    outside: list[str] = []

    def guard(route: Any) -> None:
        if on_loopback(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    ctx.on("request", lambda r: None if on_loopback(r.url) else outside.append(r.url))
    ctx.on("page", lambda p: p.on("websocket", lambda ws: None if on_loopback(ws.url)
                                  else outside.append(ws.url)))
    try:
        yield ctx
        for page in ctx.pages:  # the favicon is fetched by the browser, so read the DOM too
            icons = page.evaluate(
                "[...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
            outside.extend(u for u in icons if not on_loopback(u))
        assert not outside, sorted(set(outside))
    finally:
        ctx.close()


def new_page(context: Any) -> Any:
    page = context.new_page()
    page.set_default_timeout(90_000)
    return page


def open_page(context: Any, url: str) -> Any:
    page = new_page(context)
    page.goto(url)
    return page


def test_chat_citation_map_and_brief(context: Any, app_url: str) -> None:
    page = open_page(context, app_url)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(QUESTION)
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    popover = answer.get_by_test_id("stPopover").first
    popover.wait_for()
    assert "[1]" in popover.inner_text()
    shot(page, "chat", docs=True)
    popover.get_by_role("button").click()
    body = page.get_by_test_id("stPopoverBody")
    body.wait_for()
    assert body.locator(".stMarkdownColoredBackground, [style*='background']").count() >= 1
    shot(page, "chat-citation")
    body.get_by_text("Open in Citation lookup").click()
    page.get_by_text("own words").first.wait_for()  # the cited span, found in lookup
    assert "q=" in page.url
    shot(page, "lookup")

    page.get_by_test_id("stSidebarNav").get_by_text("Argument map").click()
    page.get_by_test_id("stGraphVizChart").locator("svg").wait_for()
    page.get_by_text("Against (").first.wait_for(state="attached")  # the list tab, both sides
    page.get_by_text("For (").first.wait_for(state="attached")
    shot(page, "map", docs=True)

    page.get_by_test_id("stSidebarNav").get_by_text("Debate prep").click()
    page.get_by_test_id("stDownloadButton").first.wait_for()
    page.get_by_text("Strongest points").wait_for()
    shot(page, "brief")


def test_chat_overview_answer_from_the_map(context: Any, app_url: str) -> None:
    """"Summarize the arguments for and against" gets the map's answer: both sides, people
    counts, numbered verified quotes that open, and a link that opens the map page."""
    page = open_page(context, app_url)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(OVERVIEW)
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    answer.get_by_test_id("stPopover").first.wait_for()
    text = answer.inner_text()
    assert "For (" in text and "Against (" in text, text
    assert re.search(r"\d+ (people|person|anonymous posts?)\)", text), text
    assert "From the argument map" in text
    labels = [p.inner_text() for p in answer.get_by_test_id("stPopover").all()]
    assert len(labels) >= 2 and all(re.match(r"\[\d+\]", lb.strip()) for lb in labels), labels
    assert all(f"[{lb.split(']')[0].strip('[ ')}]" in text for lb in labels)
    shot(page, "chat-overview")
    answer.get_by_test_id("stPopover").first.get_by_role("button").click()
    body = page.get_by_test_id("stPopoverBody")
    body.wait_for()
    assert body.locator(".stMarkdownColoredBackground, [style*='background']").count() >= 1
    page.keyboard.press("Escape")
    answer.get_by_text("Open the argument map").click()
    page.get_by_test_id("stGraphVizChart").locator("svg").wait_for()
    assert urlparse(page.url).path.rstrip("/").endswith("map")


def test_xss_comment_stays_inert(context: Any, app_url: str) -> None:
    page = new_page(context)
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{app_url}/lookup?corpus=xss&q=mallory&by=author")
    page.get_by_text(XSS_TEXT).first.wait_for()
    page.get_by_text("<img src=x onerror=alert(1)>", exact=False).first.wait_for()
    page.wait_for_timeout(500)
    shot(page, "xss")
    main = page.get_by_test_id("stMain")
    assert main.locator("script").count() == 0
    assert main.locator("img[src='x']").count() == 0
    assert dialogs == []
    assert not [u for u in requests if ":9/" in u or u.endswith("/x")]


def test_no_page_leaves_loopback_with_a_hostile_corpus(context: Any, app_url: str) -> None:
    """Every page, the hostile corpus active: the context guard fails on any outside request."""
    page = open_page(context, f"{app_url}/?corpus=xss")
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Do phones help students?")
    box.press("Enter")
    page.get_by_test_id("stChatMessage").nth(1).wait_for()
    page.goto(f"{app_url}/map?corpus=xss")
    page.get_by_test_id("stGraphVizChart").locator("svg").wait_for()
    page.goto(f"{app_url}/prep?corpus=xss")
    page.get_by_text("Strongest points").wait_for()
    page.goto(f"{app_url}/lookup?corpus=xss&q=phones&by=words")
    page.get_by_text("Phones help students").first.wait_for()
    page.goto(f"{app_url}/sources?corpus=xss")
    page.get_by_text("Add a discussion").wait_for()
    bad = (f'{{"id": "1", "kind": "comment", "text": "hi"}}\n'  # the error quotes the file
           f'{{"id": "2", "kind": "![h]({OUTSIDE}/x.png)", "text": "yo"}}\n')
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": "hostile.jsonl", "mimeType": "application/json", "buffer": bad.encode()})
    page.get_by_role("button", name="Ingest").click()
    page.get_by_text("Nothing was changed").wait_for()
    page.wait_for_timeout(1000)  # late image and font loads
    assert page.get_by_test_id("stMain").locator("img[src*='example.com'], iframe").count() == 0

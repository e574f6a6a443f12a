"""`argmap app` from another directory: the packaged web app starts (no app.py, no
.streamlit/ in sight), indexes the packaged corpus on first run and answers in a browser.

By default this runs the `argmap` beside this interpreter; CI sets ARGMAP_APP_EXE to the
`argmap` of a throwaway venv with the wheel installed (`.ci/run`). Chromium and Playwright
as in tests/test_browser.py: skipped when missing unless ARGMAP_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    QUESTION,
    _need_browser,
    free_port,
    wait_healthy,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _argmap() -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGMAP_")}
    installed = os.environ.get("ARGMAP_APP_EXE")
    if installed:  # the wheel's own package, not this checkout's
        env.pop("PYTHONPATH", None)
        return [installed], env
    beside = Path(sys.executable).parent / "argmap"
    return ([str(beside)] if beside.exists() else [sys.executable, "-m", "argmap.cli"]), env


def test_argmap_app_answers_from_any_directory(tmp_path: Path, embed_cache: Path) -> None:
    _need_browser()
    from playwright.sync_api import sync_playwright

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cmd, env = _argmap()
    env.update(ARGMAP_HOME=str(tmp_path / "home"), ARGMAP_EMBED_CACHE=str(embed_cache),
               PYTHONUNBUFFERED="1")
    port = free_port()
    log = tmp_path / "app.log"
    proc = subprocess.Popen([*cmd, "app", "--port", str(port), "--address", "127.0.0.1"],
                            cwd=elsewhere, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)
    try:
        wait_healthy(port, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.set_default_timeout(180_000)  # the first visit indexes the packaged corpus
            page.goto(f"http://127.0.0.1:{port}")
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(QUESTION)
            box.press("Enter")
            answer = page.get_by_test_id("stChatMessage").nth(1)
            answer.get_by_test_id("stPopover").first.wait_for()
            assert "[1]" in answer.inner_text()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert sorted(p.name for p in elsewhere.iterdir()) == [], "the app wrote into the cwd"
    assert (tmp_path / "home").is_dir(), log.read_text()[-2000:]

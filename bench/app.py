"""How fast the app feels: `streamlit run` start -> served page -> first answer in a browser.

Starts `streamlit run app.py` on a loopback port against a fresh ARGMAP_HOME, drives Debian's
chromium with Playwright and prints, for two cases:
  * indexed store: the seed already ingested (what a returning user sees);
  * empty store: first run, the app indexes the shipped corpus itself.
Times: process start -> /_stcore/health, -> chat box visible (page served), and question
submitted -> first answer with citations visible (goal: within 3 s of the page loading),
then a second question on the warm app.

    python bench/app.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
QUESTIONS = ("Does the ban cover police outside the US?", "Who said the 13th amendment thing?")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one_run(home: Path, cache: Path) -> dict[str, float]:
    """One cold `streamlit run`; the browser is up first so its start-up is not counted."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGMAP_")}
    env.update(ARGMAP_HOME=str(home), ARGMAP_EMBED_CACHE=str(cache))
    out: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.set_default_timeout(180_000)
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                        if r.read() == b"ok":
                            break
                except OSError:
                    time.sleep(0.05)
            out["health"] = time.perf_counter() - t0
            page.goto(f"http://127.0.0.1:{port}/")
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for()
            loaded = time.perf_counter()
            out["page"] = loaded - t0
            for n, question in enumerate(QUESTIONS, 1):
                asked = time.perf_counter()
                box.fill(question)
                box.press("Enter")
                page.get_by_test_id("stChatMessage").nth(2 * n - 1).get_by_test_id(
                    "stPopover"
                ).first.wait_for()
                done = time.perf_counter()
                out[f"answer{n}"] = done - asked
                if n == 1:
                    out["load_to_answer"] = done - loaded
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"bench/app.py needs {CHROMIUM} (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="argmap-bench-app-") as tmp:
        cache = Path(tmp) / "embed_cache.sqlite"
        indexed = Path(tmp) / "indexed"
        os.environ.update(ARGMAP_HOME=str(indexed), ARGMAP_EMBED_CACHE=str(cache))
        from argmap import api

        api.ingest()
        cases = {"indexed store": [one_run(indexed, cache) for _ in range(args.runs)]}
        # a true first run: empty store and empty embedding cache, so the seed is embedded
        cases["empty store (first run)"] = [
            one_run(Path(tmp) / f"empty{i}", Path(tmp) / f"cache{i}.sqlite")
            for i in range(args.runs)
        ]
    print(f"argmap app bench: {args.runs} run(s) per case, median (min-max) seconds; "
          f"{os.cpu_count()} CPU(s)")
    labels = {
        "health": "streamlit run -> health endpoint",
        "page": "streamlit run -> chat page served (corpus ready)",
        "answer1": "question -> first answer shown",
        "load_to_answer": "page loaded -> first answer shown (goal <= 3 s)",
        "answer2": "second question -> answer (warm)",
    }
    for case, runs in cases.items():
        print(f"\n{case}")
        for key, label in labels.items():
            vals = [r[key] for r in runs]
            print(f"  {label:<50} {statistics.median(vals):6.2f}  "
                  f"({min(vals):.2f}-{max(vals):.2f})")


if __name__ == "__main__":
    main()

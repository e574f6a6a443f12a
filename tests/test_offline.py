"""No phone-home: ingest, ask, map, brief, lookup and every app page with sockets blocked.

Runs in a fresh interpreter so import-time telemetry (Chroma, onnxruntime, Streamlit)
would be caught too. Connections to a configured Chroma server or LLM endpoint are the
only ones argmap may make, and none is configured here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_FILE

PROBE = r"""
import socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[:2]))
    raise OSError("network blocked by test")
for name in ("connect", "connect_ex", "sendto"):
    setattr(socket.socket, name, refuse)
socket.getaddrinfo = refuse
socket.create_connection = refuse

from argmap.cli import main
assert main(["ingest", sys.argv[1]]) == 0
from argmap import api
answer = api.ask("Who said the ban would violate the 13th amendment?")
assert answer.citations and not answer.abstained, answer
amap = api.argument_map()
assert amap.pro and amap.con
assert api.brief("against")
assert api.lookup("13th amendment").hits

from streamlit.testing.v1 import AppTest
from argmap.ui.app_pages import path
at = AppTest.from_file(sys.argv[2], default_timeout=300).run()
assert not at.exception, at.exception
for page in ("chat", "map", "prep", "lookup", "sources"):
    at.switch_page(path(page)).run()
    assert not at.exception, (page, at.exception)
print("ATTEMPTS", len(attempts), attempts)
"""


@pytest.mark.slow
def test_nothing_reaches_the_network(tmp_path: Path) -> None:
    env = {**os.environ, "ARGMAP_EMBED_CACHE": str(tmp_path / "cache.sqlite"),
           "ARGMAP_NO_WARMUP": "1"}
    app = Path(__file__).resolve().parents[1] / "app.py"
    proc = subprocess.run([sys.executable, "-c", PROBE, str(SEED_FILE), str(app)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ATTEMPTS 0 []" in proc.stdout, proc.stdout[-2000:]

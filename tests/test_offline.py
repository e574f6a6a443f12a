"""Nothing reaches the network at run time: ingest and a query with sockets blocked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED_FILE

PROBE = r"""
import socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[:2]))
    raise OSError("network blocked by test")
for name in ("connect", "connect_ex"):
    setattr(socket.socket, name, refuse)
socket.getaddrinfo = refuse
socket.create_connection = refuse
from argmap.cli import main
rc = main(["ingest", sys.argv[1]])
from argmap.store import Store
store = Store()
index = store.open("slashdot_microsoft_police_ai")
hits = index.dense_search(store.embeddings.embed_query("who banned police from AI?"), 3)
assert rc == 0 and len(hits) == 3, (rc, hits)
print("ATTEMPTS", len(attempts), attempts)
"""


def test_ingest_and_query_make_no_connection(tmp_path: Path) -> None:
    env = {**os.environ, "ARGMAP_EMBED_CACHE": str(tmp_path / "cache.sqlite")}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(SEED_FILE)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ATTEMPTS 0 []" in proc.stdout, proc.stdout

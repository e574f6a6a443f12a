"""A loopback OpenAI-compatible /v1/embeddings server backed by the packaged model.

It stands in for the remote embeddings box (vLLM, TEI, Ollama) of server mode; the
vectors are real, so retrieval through it behaves like the local model.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from argmap.embeddings import MiniLMEmbeddings


@contextmanager
def embeddings_server() -> Iterator[tuple[str, list[int]]]:
    """Yields (base_url, calls) where calls counts texts embedded per request."""
    model = MiniLMEmbeddings()
    calls: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            calls.append(len(texts))
            vecs = model.encode([str(t) for t in texts]) * 3.0  # un-normalised on purpose
            b64 = body.get("encoding_format") == "base64"
            data = [{"object": "embedding", "index": i,
                     "embedding": base64.b64encode(v.astype(np.float32).tobytes()).decode()
                     if b64 else v.tolist()} for i, v in enumerate(vecs)]
            out = json.dumps({"object": "list", "data": data, "model": body.get("model", "m"),
                              "usage": {"prompt_tokens": 0, "total_tokens": 0}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", calls
    finally:
        server.shutdown()
        server.server_close()

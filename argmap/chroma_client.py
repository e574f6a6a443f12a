"""One Chroma client per location and process, with one-line errors for the usual faults."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from argmap.config import Settings
from argmap.errors import StoreError, is_disk_full

_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _client(cfg: Settings) -> Any:
    """One Chroma client per location and process: concurrent creation races inside chromadb."""
    key = cfg.chroma_url or str(cfg.chroma_path.resolve())
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = _new_client(cfg)
        elif not cfg.chroma_url:
            _check_writable(cfg.chroma_path)
        return _CLIENTS[key]


def _new_client(cfg: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if cfg.chroma_url:
        url = urlparse(cfg.chroma_url if "//" in cfg.chroma_url else f"http://{cfg.chroma_url}")
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {cfg.chroma_url} ({type(exc).__name__}); "
                "is `chroma run` up?"
            ) from None
        return client
    _check_writable(cfg.chroma_path)
    try:
        client = chromadb.PersistentClient(path=str(cfg.chroma_path), settings=chroma_settings)
        client.list_collections()
    except Exception as exc:
        text = str(exc).lower()
        if "disk is full" in text or "no space" in text:
            raise StoreError(_os_problem(cfg.chroma_path, OSError(errno.ENOSPC, ""))) from None
        if "readonly" in text or "read-only" in text:
            raise StoreError(_os_problem(cfg.chroma_path, OSError(errno.EROFS, ""))) from None
        raise StoreError(
            f"the index at {cfg.chroma_path} cannot be opened ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:120] if str(exc) else ''}); delete that folder and run "
            "`argmap ingest` to rebuild it"
        ) from None
    return client


def _check_writable(path: Path) -> None:
    """Chroma's embedded mode writes even to read, so a read-only or full disk fails early."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise StoreError(_os_problem(path, exc)) from None


def _write_problem(path: Path, exc: Exception, local: Path | None) -> str:
    """Names a cause only when the error or the ``local`` disk shows it: a wrong guess sends
    users to the wrong fix."""
    if isinstance(exc, OSError):
        return _os_problem(path, exc)
    if _ran_out_of_space(exc, local):
        return _os_problem(path, OSError(errno.ENOSPC, ""))
    first = (str(exc).splitlines() or [""])[0][:160]
    if "readonly" in first.lower() or "read-only" in first.lower():
        return _os_problem(path, OSError(errno.EROFS, ""))
    return f"{type(exc).__name__}: {first}"


def _ran_out_of_space(exc: Exception, local: Path | None) -> bool:
    return is_disk_full(exc) or (local is not None and _nearly_full(local))


def _nearly_full(path: Path) -> bool:
    """Chroma's embedded backend reports a full disk as, e.g., "Error in compaction: Failed to
    apply logs to the hnsw segment writer" (test_faults), so the disk itself is asked."""
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return False
    return usage.free < min(64 << 20, usage.total // 20)


def _os_problem(path: Path, exc: OSError) -> str:
    if is_disk_full(exc):
        return f"the disk holding {path} is full; free space or set ARGMAP_HOME elsewhere"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"the index folder {path} is read-only; set ARGMAP_HOME to a writable folder "
                "(copy the index there to keep it)")
    return f"cannot use the index folder {path}: {exc.strerror or exc}"

"""User-facing errors: surfaces print ``str(err)`` as one line and exit non-zero."""

import errno


class ArgmapError(Exception):
    """A problem the user can fix (bad input, missing corpus, unreachable server)."""


class InputError(ArgmapError):
    """A source file that cannot be parsed; nothing was written."""


class StoreError(ArgmapError):
    """The index cannot be read or written (corrupt, read-only, unreachable)."""


def is_disk_full(exc: BaseException) -> bool:
    """Out of space or over quota, from the OS or from SQLite (which Chroma and the cache use):
    only then may a message suggest freeing space."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    text = str(exc).lower()
    return "disk is full" in text or "no space left" in text


def as_user_error(exc: BaseException) -> ArgmapError | None:
    """``exc`` as a one-line user error, or None when it is a bug to show in full.

    The store checks a Chroma server once, when it connects; a server that dies later
    fails inside httpx on the next call, so surfaces translate that here, naming the server.
    """
    if isinstance(exc, ArgmapError):
        return exc
    try:
        import httpx
    except ImportError:  # pragma: no cover - chromadb depends on it
        return None
    if not isinstance(exc, httpx.TransportError):
        return None
    from urllib.parse import urlparse

    from argmap.config import settings

    try:
        host = exc.request.url.host
        where = f"{exc.request.url.scheme}://{exc.request.url.netloc.decode()}"
    except RuntimeError:  # raised without a request attached
        host, where = "", "a server"
    chroma = settings().chroma_url or ""
    chroma_host = urlparse(chroma if "//" in chroma else f"http://{chroma}").hostname
    if chroma and (not host or host == chroma_host):
        return StoreError(
            f"cannot reach the Chroma server at {chroma} ({type(exc).__name__}); "
            "is `chroma run` up?"
        )
    return ArgmapError(f"lost the connection to {where} ({type(exc).__name__})")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during an ingest; ``str(err)`` is one line saying which index is live."""

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

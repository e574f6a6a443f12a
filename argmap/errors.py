"""User-facing errors: surfaces print ``str(err)`` as one line and exit non-zero."""


class ArgmapError(Exception):
    """A problem the user can fix (bad input, missing corpus, unreachable server)."""


class InputError(ArgmapError):
    """A source file that cannot be parsed; nothing was written."""


class StoreError(ArgmapError):
    """The index cannot be read or written (corrupt, read-only, unreachable)."""

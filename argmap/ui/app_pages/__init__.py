"""Streamlit page scripts, one per page, each a two-line call into a plain ``argmap.ui``
function. Addressed by absolute path (``path``) so a page resolves the same whether
Streamlit was started on the packaged ``app/streamlit_app.py`` or on a checkout's ``app.py``."""

from pathlib import Path

DIR = Path(__file__).resolve().parent


def path(page: str) -> str:
    """The script of ``page`` (``"chat"``, ``"lookup"``, ...)."""
    return str(DIR / f"{page}.py")

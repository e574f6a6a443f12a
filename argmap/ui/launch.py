"""`argmap app`: start the packaged web app with `streamlit run`, from any directory.

Streamlit reads ``.streamlit/config.toml`` only from the current directory and the home
folder, so an installed app carries its settings (``streamlit_config.toml``, the same file
as a checkout's ``.streamlit/config.toml``) and passes them as flags; flags given after
``--`` come later on the command line and win.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
APP_SCRIPT = HERE / "app" / "streamlit_app.py"
CONFIG = HERE / "streamlit_config.toml"


def _flag_value(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _flags(table: dict[str, Any], prefix: str) -> list[str]:
    flags: list[str] = []
    for key, value in table.items():
        if isinstance(value, dict):  # [theme.light] -> --theme.light.option
            flags += _flags(value, f"{prefix}{key}.")
        else:
            flags += [f"--{prefix}{key}", _flag_value(value)]
    return flags


def config_flags(config: Path = CONFIG) -> list[str]:
    """``--section.option value`` for every setting in the packaged Streamlit config."""
    return _flags(tomllib.loads(config.read_text(encoding="utf-8")), "")


def command(port: int | None = None, address: str | None = None,
            extra: list[str] | None = None) -> list[str]:
    # This interpreter's streamlit: works from a venv's bin/ without activating it.
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), *config_flags()]
    if port is not None:
        cmd += ["--server.port", str(port)]
    if address:
        cmd += ["--server.address", address]
    return cmd + [a for a in (extra or []) if a != "--"]


def run(port: int | None = None, address: str | None = None,
        extra: list[str] | None = None) -> None:
    """Become the Streamlit server (exec), so Ctrl-C and exit codes are Streamlit's own."""
    cmd = command(port, address, extra)
    os.execv(cmd[0], cmd)

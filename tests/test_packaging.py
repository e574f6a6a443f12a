"""What a non-editable install carries: every package and every data file the code reads.

A wheel holds only the packages and package-data pyproject.toml names, so a file or package
missing there works in a checkout and breaks after `pip install .` (`.ci/run` installs the
wheel once; these checks say which file is missing, in seconds).
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from argmap.config import CORPUS_DIR, PROMPTS_DIR
from argmap.ui import launch

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
SHIPPED = ("argmap", "ingest", "prompts", "corpus")


def _package(folder: Path) -> str:
    return ".".join(folder.relative_to(ROOT).parts)


def test_every_package_is_listed() -> None:
    found = {_package(init.parent) for top in SHIPPED for init in (ROOT / top).rglob("__init__.py")}
    assert found == set(SETUPTOOLS["packages"])


def test_every_data_file_is_package_data() -> None:
    data = SETUPTOOLS["package-data"]
    missing = []
    for top in SHIPPED:
        for f in (ROOT / top).rglob("*"):
            if not f.is_file() or f.suffix in (".py", ".pyc") or "__pycache__" in f.parts:
                continue
            # a pattern of any enclosing package may name it ("models/*.onnx" of argmap)
            pkgs = [p for p in f.parents if (p / "__init__.py").exists()]
            if not any(fnmatch(f.relative_to(p).as_posix(), pat)
                       for p in pkgs for pat in data.get(_package(p), [])):
                missing.append(f.relative_to(ROOT).as_posix())
    assert missing == []


def test_prompts_and_corpus_are_read_from_their_packages() -> None:
    assert PROMPTS_DIR == ROOT / "prompts" and CORPUS_DIR == ROOT / "corpus"


def test_installed_app_uses_the_checkouts_streamlit_settings() -> None:
    """`streamlit run app.py` reads .streamlit/config.toml; `argmap app` passes the packaged
    copy as flags. They are one file's content, checked here."""
    checkout = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert tomllib.loads(launch.CONFIG.read_text()) == checkout
    flags = launch.command(8600)
    assert flags[flags.index("--browser.gatherUsageStats") + 1] == "false"
    assert flags[flags.index("--theme.dark.orangeBackgroundColor") + 1].startswith("#")
    assert str(launch.APP_SCRIPT) in flags and flags[-2:] == ["--server.port", "8600"]


def test_argmap_app_listens_on_this_machine_only_by_default() -> None:
    """A discussion index is private by default: `argmap app` binds loopback unless asked."""
    from argmap.cli import build_parser
    from argmap.ui import launch

    args = build_parser().parse_args(["app"])
    cmd = launch.command(args.port, args.address, args.streamlit_args)
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    args = build_parser().parse_args(["app", "--address", "0.0.0.0"])
    cmd = launch.command(args.port, args.address, args.streamlit_args)
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"

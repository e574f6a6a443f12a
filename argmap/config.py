"""Every setting in one place: ``ARGMAP_*`` environment variables, validated by pydantic.

``settings()`` reads the environment each time it is called (tests monkeypatch variables
per test; the app picks up a changed variable on its next rerun), so nothing here is
cached at import. The CLI passes its flags (``--chroma-url``) with ``overridden(...)``
rather than writing ``os.environ``. The README's settings table is generated from the
field descriptions: ``python -m argmap.config --markdown`` (``--write README.md`` updates it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Set before onnxruntime or chromadb are imported anywhere: their API switches do not
# stop the start-up look-ups, the environment variables do.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator  # noqa: E402
from pydantic_settings import BaseSettings, SettingsConfigDict  # noqa: E402

from argmap.errors import ArgmapError  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # a checkout's root (README, tests)
# The shipped thread and the prompts are package data (corpus/ and prompts/ are packages), so
# a checkout and a non-editable install find them the same way; pip installs them as folders.
CORPUS_DIR = Path(str(files("corpus")))
PROMPTS_DIR = Path(str(files("prompts")))
DEFAULT_CORPUS = "slashdot_microsoft_police_ai"
PREFIX = "ARGMAP_"
# Calibrated on tests/data/devset.json by `python bench/calibrate.py` (see its output):
# the midpoint of the widest gap between unanswerable and answerable dev questions.
ABSTAIN_THRESHOLD = 0.60


class SettingsError(ArgmapError):
    """A setting (environment variable or command-line flag) has a value argmap cannot use."""


@dataclass(frozen=True)
class Limits:
    """Guards against hostile or accidental input (ARGMAP_MAX_*)."""

    max_file_bytes: int = 16 * 1024 * 1024
    max_posts: int = 200_000
    max_post_chars: int = 100_000
    max_depth: int = 500


def _or_plain(name: str) -> Any:
    """Read ARGMAP_<name>, else <name> as other OpenAI tools already do."""
    return AliasChoices(PREFIX + name, name)


class Settings(BaseSettings):
    """argmap's settings; each field is the environment variable ``ARGMAP_<FIELD>``."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True,
        populate_by_name=True,
    )

    home: Path = Field(Path(".argmap"), description=(
        "where the Chroma folder, uploads and the embedding cache live"))
    corpus: str = Field(DEFAULT_CORPUS, description="the corpus commands use by default")
    chroma_url: str | None = Field(None, description=(
        "use a Chroma server instead of the folder, e.g. `http://127.0.0.1:8000` "
        "(`--chroma-url` overrides)"))
    engine: str = Field("extractive", description=(
        "answer engine: `extractive` (offline, no model), `openai`, `ollama`, `fake`"))
    openai_base_url: str | None = Field(
        None, validation_alias=_or_plain("OPENAI_BASE_URL"), description=(
            "any OpenAI-compatible server (OpenAI, Azure OpenAI, vLLM, llama.cpp server); "
            "unset: OpenAI"))
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=_or_plain("OPENAI_API_KEY"),
        description="API key for the openai engine")
    openai_model: str = Field("gpt-4o-mini", description="model for the openai engine")
    ollama_url: str = Field("http://localhost:11434", description="Ollama server")
    ollama_model: str = Field("llama3.2", description="model for the ollama engine")
    llm_timeout: float = Field(120.0, gt=0, description=(
        "seconds a generative engine may take per call"))
    llm_max_tokens: int = Field(400, gt=0, description=(
        "longest answer a generative engine may write, in tokens"))
    abstain_threshold: float = Field(ABSTAIN_THRESHOLD, ge=0, description=(
        "evidence support below which the answer is \"The discussion doesn't say.\" "
        "(calibrated, `bench/calibrate.py`)"))
    embed_url: str | None = Field(None, description=(
        "embed through an OpenAI-compatible embeddings endpoint instead of the packaged model"))
    embed_model: str = Field("all-MiniLM-L6-v2", description=(
        "model name at `ARGMAP_EMBED_URL`"))
    embed_api_key: SecretStr = Field(SecretStr("not-needed"), description=(
        "API key for `ARGMAP_EMBED_URL`"))
    embed_cache: Path | None = Field(None, description=(
        "embedding cache file (unset: `embed_cache.sqlite` in `ARGMAP_HOME`)"))
    embed_threads: int = Field(0, ge=0, description="onnxruntime threads (0: all cores)")
    max_file_bytes: int = Field(Limits.max_file_bytes, gt=0, description=(
        "largest input file; each limit's breach is one clear error line"))
    max_posts: int = Field(Limits.max_posts, gt=0, description="most posts in one file")
    max_post_chars: int = Field(Limits.max_post_chars, gt=0, description=(
        "longest post, in characters"))
    max_depth: int = Field(Limits.max_depth, gt=0, description="deepest reply chain")
    no_warmup: bool = Field(False, description=(
        "the app skips loading the model and index in the background at start"))

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Any,
                                   env_settings: Any, dotenv_settings: Any,
                                   file_secret_settings: Any) -> tuple[Any, ...]:
        """Arguments and the environment only: no .env or secrets folder is read."""
        return init_settings, env_settings

    @field_validator("home", "embed_cache")
    @classmethod
    def _expand(cls, path: Path | None) -> Path | None:
        return path.expanduser() if path is not None else None

    @field_validator("chroma_url")
    @classmethod
    def _check_chroma_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        url = url.strip()
        problem = chroma_url_problem(url)
        if problem:
            raise ValueError(problem)
        return url

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_path(self) -> Path:
        """Content-addressed, so sharing one across homes (tests, corpora) is safe."""
        return self.embed_cache or self.home / "embed_cache.sqlite"

    @property
    def limits(self) -> Limits:
        return Limits(self.max_file_bytes, self.max_posts, self.max_post_chars, self.max_depth)


def chroma_url_problem(url: str) -> str | None:
    """Why ``url`` is not ``[http[s]://]host[:port]``, or None. Chroma's client takes only a
    host and a port, so a path would be dropped silently: it is refused instead."""
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.port == 0:  # .port raises on a port that is not a number in range
            return "port 0"
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"use http:// or https://, not {parts.scheme}://"
    if not parts.hostname:
        return "no host name"
    if parts.path.strip("/") or parts.query or parts.fragment:
        return "give only http[s]://host[:port]"
    return None


_OVERRIDES: dict[str, Any] = {}
_READ = (PREFIX, "OPENAI_")  # the variables Settings reads: its cache key


@contextmanager
def overridden(**values: Any) -> Iterator[None]:
    """Within the block, ``settings()`` uses these values (None: not given) over the env."""
    saved = dict(_OVERRIDES)
    _OVERRIDES.update({k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        _OVERRIDES.clear()
        _OVERRIDES.update(saved)


def settings() -> Settings:
    """The settings now: the CLI's overrides, then the environment, then the defaults."""
    ours = sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(_READ))
    return _settings(tuple(ours), tuple(sorted(_OVERRIDES.items())))


@lru_cache(maxsize=16)
def _settings(env: tuple[tuple[str, str], ...], given: tuple[tuple[str, Any], ...]) -> Settings:
    """Keyed by the variables it reads, so a changed variable is seen at once; building one
    costs milliseconds and some callers ask per question."""
    try:
        return Settings(**dict(given))
    except ValidationError as exc:
        raise SettingsError(_describe(exc, dict(given))) from None


def variables(name: str) -> list[str]:
    """The environment variables that set field ``name``, first one preferred."""
    alias = Settings.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return [str(c) for c in alias.choices]
    return [PREFIX + name.upper()]


def _describe(exc: ValidationError, given: dict[str, Any]) -> str:
    """One line naming the variable (or flag) and what is wrong with its value."""
    err = exc.errors()[0]
    loc = str(err["loc"][0]) if err["loc"] else ""
    field = next((n for n in Settings.model_fields if loc in (n, *variables(n))), loc)
    if field in given:
        source = "--" + field.replace("_", "-")
    else:
        names = variables(field) if field in Settings.model_fields else [loc]
        source = next((n for n in names if os.environ.get(n)), names[0])
    msg = str(err["msg"]).removeprefix("Value error, ")
    secret = "SecretStr" in str(getattr(Settings.model_fields.get(field), "annotation", ""))
    shown = "" if secret else f"={err['input']!r}"
    return f"invalid setting {source}{shown}: {msg}"


def markdown_table() -> str:
    """The README's settings table, generated from the field descriptions."""
    rows = ["| variable | default | what |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        names = variables(name)
        var = f"`{names[0]}`" + "".join(f" (or `{n}`)" for n in names[1:])
        default = field.default
        if isinstance(default, SecretStr):
            default = default.get_secret_value()
        shown = "(unset)" if default is None else f"`{default}`"
        rows.append(f"| {var} | {shown} | {field.description} |")
    return "\n".join(rows) + "\n"


TABLE_START = "<!-- settings table: generated by `python -m argmap.config --write README.md` -->"
TABLE_END = "<!-- end of settings table -->"


def with_table(readme: str) -> str:
    """``readme`` with the text between the table markers replaced by the current table."""
    head, start, rest = readme.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise SystemExit(f"the settings table markers are missing: {TABLE_START} ... {TABLE_END}")
    return f"{head}{TABLE_START}\n{markdown_table()}{TABLE_END}{tail}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m argmap.config", description=__doc__)
    ap.add_argument("--markdown", action="store_true", help="print the settings table")
    ap.add_argument("--write", type=Path, metavar="README", help="update the table in README")
    args = ap.parse_args(argv)
    if args.write:
        args.write.write_text(with_table(args.write.read_text(encoding="utf-8")),
                              encoding="utf-8")
    elif args.markdown:
        sys.stdout.write(markdown_table())
    else:
        ap.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())

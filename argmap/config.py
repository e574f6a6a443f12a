"""Settings from ``ARGMAP_*`` environment variables, read when asked (tests monkeypatch env)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Set before onnxruntime or chromadb are imported anywhere: their API switches do not
# stop the start-up look-ups, the environment variables do.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PROJECT_ROOT / "corpus"
PROMPTS_DIR = PROJECT_ROOT / "prompts"
DEFAULT_CORPUS = "slashdot_microsoft_police_ai"


@dataclass(frozen=True)
class Limits:
    """Guards against hostile or accidental input; each is configurable by env."""

    max_file_bytes: int = 16 * 1024 * 1024
    max_posts: int = 200_000
    max_post_chars: int = 100_000
    max_depth: int = 500


@dataclass(frozen=True)
class Settings:
    home: Path
    chroma_url: str | None
    engine: str
    corpus: str
    limits: Limits

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_path(self) -> Path:
        """Content-addressed, so sharing one across homes (tests, corpora) is safe."""
        raw = os.environ.get("ARGMAP_EMBED_CACHE")
        return Path(raw) if raw else self.home / "embed_cache.sqlite"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def settings() -> Settings:
    return Settings(
        home=Path(os.environ.get("ARGMAP_HOME", ".argmap")).expanduser(),
        chroma_url=os.environ.get("ARGMAP_CHROMA_URL") or None,
        engine=os.environ.get("ARGMAP_ENGINE", "extractive"),
        corpus=os.environ.get("ARGMAP_CORPUS", DEFAULT_CORPUS),
        limits=Limits(
            max_file_bytes=_int("ARGMAP_MAX_FILE_BYTES", Limits.max_file_bytes),
            max_posts=_int("ARGMAP_MAX_POSTS", Limits.max_posts),
            max_post_chars=_int("ARGMAP_MAX_POST_CHARS", Limits.max_post_chars),
            max_depth=_int("ARGMAP_MAX_DEPTH", Limits.max_depth),
        ),
    )

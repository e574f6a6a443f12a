"""What every page shares: the active corpus and engine, first-run indexing, error guard.

Kept in ``st.session_state`` so each browser session has its own choices, while the heavy
objects (Chroma, the model, corpus indexes) are process-wide caches in the layers below.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st

from argmap import api
from argmap.config import settings
from argmap.errors import as_user_error
from argmap.ui.render import escape_md

CORPUS = "corpus"
ENGINE = "engine"
_BOOT_LOCK = threading.Lock()
_WARMED: set[tuple[str, str, str]] = set()


def corpus_names() -> list[str]:
    return [c.name for c in api.corpora()]


def active_corpus() -> str | None:
    """The session's corpus, falling back to the configured default, then the first one."""
    names = corpus_names()
    current = st.session_state.get(CORPUS)
    if current in names:
        return str(current)
    linked = st.query_params.get("corpus")  # links can name the corpus (?corpus=NAME)
    if current is None and linked in names:
        st.session_state[CORPUS] = linked
        return str(linked)
    default = settings().corpus
    chosen = default if default in names else (names[0] if names else None)
    st.session_state[CORPUS] = chosen
    return chosen


PROPOSITIONS = "propositions"  # corpus -> the proposition the user stated for it


def _keep_proposition(corpus: str) -> None:
    st.session_state.setdefault(PROPOSITIONS, {})[corpus] = st.session_state["_proposition_pick"]


def proposition_field(corpus: str) -> str | None:
    """An editable proposition, prefilled with the corpus's default (its headline); the map
    and debate-prep pages share what the user typed. Returns the stated proposition, or None
    for the default, whose map was cached at ingest."""
    from argmap.mapping import default_proposition

    default = default_proposition(api.open_corpus(corpus))
    st.session_state["_proposition_pick"] = st.session_state.get(PROPOSITIONS, {}).get(
        corpus, default)
    st.text_input(
        "Proposition", key="_proposition_pick", on_change=lambda: _keep_proposition(corpus),
        help="What the two sides argue about. Change it and press Enter: the map is rebuilt "
        "for your wording (and kept, so the next visit is instant).",
    )
    text = " ".join(str(st.session_state["_proposition_pick"]).split())
    return None if not text or text == default else text


def set_corpus(name: str) -> None:
    st.session_state[CORPUS] = name


def set_engine(name: str) -> None:
    st.session_state[ENGINE] = name


# A generative engine is offered only when its settings are present (see README).
_CONFIGURED_BY = {
    "openai": ("openai_api_key", "openai_base_url"),
    "ollama": ("ollama_url", "ollama_model"),
}


def engine_names() -> list[str]:
    """Engines usable now: extractive, the configured default, configured generative ones."""
    from argmap.engines import engine_names as registered

    known = set(registered())
    cfg = settings()
    names = [cfg.engine, "extractive"] + [
        name for name, fields in _CONFIGURED_BY.items() if cfg.model_fields_set & set(fields)
    ]
    return [n for n in dict.fromkeys(names) if n in known]


def active_engine() -> str:
    names = engine_names()
    current = st.session_state.get(ENGINE)
    if current not in names:
        current = names[0]
        st.session_state[ENGINE] = current
    return str(current)


def sidebar() -> None:
    """Corpus and engine pickers shown on every page."""
    names = corpus_names()
    with st.sidebar:
        if names:
            st.session_state["_corpus_pick"] = active_corpus()
            st.selectbox(
                "Corpus", names, key="_corpus_pick",
                on_change=lambda: set_corpus(st.session_state["_corpus_pick"]),
                help="The discussion every page works on. Add more under Sources.",
            )
        engines = engine_names()
        st.session_state["_engine_pick"] = active_engine()
        st.selectbox(
            "Engine", engines, key="_engine_pick",
            on_change=lambda: set_engine(st.session_state["_engine_pick"]),
            help="extractive answers only with the discussion's own sentences; generative "
            "engines appear when configured (see README).",
        )


def progress_reporter(bar: object) -> Callable[[str, int, int], None]:
    """An ingest progress callback ``(stage, done, total)`` that moves a ``st.progress`` bar."""

    def report(stage: str, done: int, total: int) -> None:
        frac = min(1.0, done / total) if total else 0.0
        bar.progress(frac, text=f"{stage}: {done}/{total}")  # type: ignore[attr-defined]

    return report


def ensure_corpus() -> None:
    """First run on an empty store: index the shipped corpus, with progress shown."""
    if st.session_state.get("_bootstrapped"):
        return
    with _BOOT_LOCK:
        if not api.corpora():
            label = "First run: indexing the shipped discussion\u2026"
            with st.status(label, expanded=True) as box:
                bar = st.progress(0.0, text="parsing")
                results = api.ingest(progress=progress_reporter(bar))
                box.update(
                    label=escape_md(f"Indexed {', '.join(r.corpus for r in results)}"),
                    state="complete", expanded=False,
                )
    st.session_state["_bootstrapped"] = True


def warm_up(corpus: str | None) -> None:
    """Load the model and indexes in the background so the first question is fast."""
    if not corpus or settings().no_warmup:
        return
    key = (str(settings().home), corpus, "extractive")  # never spend an LLM call on warming
    if key in _WARMED:
        return
    _WARMED.add(key)

    def run() -> None:
        try:
            api.ask("What is this discussion about?", corpus=corpus, engine=key[2])
        except Exception:  # noqa: BLE001 - warming is best effort; the page reports errors
            _WARMED.discard(key)

    threading.Thread(target=run, name="argmap-warm-up", daemon=True).start()


def say(kind: str, text: str, where: Any = None) -> None:
    """Show a message that may carry input (a file name, a parse error quoting the file, a
    corpus name) as plain text: ``st.error`` and friends render Markdown, which can fetch
    images or build links."""
    getattr(where or st, kind)(escape_md(text))


def guarded(page: Callable[[], None], where: Any = None) -> None:
    """Run a page; user errors become one friendly line (in ``where``) instead of a traceback.

    That includes a Chroma server dying mid-session: app.py guards the sidebar too, so the
    sidebar says so on every page, and the page itself shows the same line.
    """
    try:
        page()
    except Exception as exc:
        err = as_user_error(exc)
        if err is None:
            raise
        say("error", " ".join(str(err).split()), where=where)

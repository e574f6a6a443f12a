"""Sources page: upload and ingest a discussion, list corpora, pick the active one."""

from __future__ import annotations

import time

import streamlit as st

from argmap import api
from argmap.errors import as_user_error
from argmap.ui import state
from argmap.ui.render import escape_md
from argmap.ui.uploads import SUFFIXES, ingest_upload, safe_parts
from ingest.formats import FORMATS

FORMATS_HELP = (
    "Slashdot page text (.txt), Reddit `/comments/<id>.json`, Hacker News Algolia item JSON, "
    "CSV with `id, comment` (optional `author, parent_id, timestamp`), or JSON Lines posts."
)
DETECT = "detect"
FORMAT_LABELS = {DETECT: "Detect from the file", "slashdot": "Slashdot page text",
                 "reddit": "Reddit comments JSON", "hn": "Hacker News Algolia JSON",
                 "csv": "CSV", "jsonl": "JSON Lines"}


def corpora_table() -> None:
    rows = api.corpora()
    if not rows:
        st.info("No corpora yet.")
        return
    active = state.active_corpus()
    st.dataframe(
        [
            {
                "active": "\u25cf" if r.name == active else "",
                "corpus": r.name, "title": r.title, "format": r.format, "posts": r.posts,
                "sentences": r.units,
                "ingested": time.strftime("%Y-%m-%d %H:%M", time.localtime(r.ingested_at)),
            }
            for r in rows
        ],
        hide_index=True, width="stretch",
    )
    names = [r.name for r in rows]
    st.session_state["_sources_pick"] = active if active in names else names[0]
    st.selectbox(
        "Active corpus", names, key="_sources_pick",
        on_change=lambda: state.set_corpus(st.session_state["_sources_pick"]),
        help="Chat, map, debate prep and lookup all work on this corpus.",
    )


def upload_form() -> None:
    st.subheader("Add a discussion")
    st.caption(FORMATS_HELP)
    file = st.file_uploader("Discussion file", type=list(SUFFIXES), key="upload_file")
    if file is None:
        return
    default, _ = safe_parts(file.name)
    name = st.text_input("Corpus name", value=default, key=f"upload_name_{default}")
    fmt = st.selectbox(
        "Format", [DETECT, *FORMATS], key="upload_format",
        format_func=lambda f: FORMAT_LABELS.get(f, f),
        help="Detection reads the file's shape; pick the format when it can't tell.",
    )
    replace = st.checkbox(
        "Replace the corpus of that name if it exists", value=False, key="upload_replace"
    )
    if not st.button("Ingest", type="primary", icon=":material/upload:"):
        return
    with st.status(f"Ingesting {escape_md(file.name)}\u2026", expanded=True) as box:
        bar = st.progress(0.0, text="reading")
        try:
            result = ingest_upload(
                file.name, file.getvalue(), corpus=name.strip() or None, replace=replace,
                progress=state.progress_reporter(bar), fmt=None if fmt == DETECT else fmt,
            )
        except Exception as exc:  # noqa: BLE001 - any parser surprise must stay a message
            err = as_user_error(exc)
            box.update(label="Upload not ingested", state="error", expanded=True)
            state.say("error", f"{err}. Nothing was changed." if err is not None else
                      f"Could not read that file ({type(exc).__name__}). Nothing was changed.")
            return
        bar.progress(1.0, text="done")
        box.update(label=escape_md(f"Added corpus {result.corpus}"), state="complete",
                   expanded=False)
    state.set_corpus(result.corpus)
    st.session_state["_sources_flash"] = (
        f"Added {result.corpus}: {result.info.posts} posts, {result.info.units} sentences"
        f"{' (unchanged)' if result.unchanged else ''} \u2014 it is now the active corpus."
    )
    st.rerun()


def page() -> None:
    st.title("Sources")
    flash = st.session_state.pop("_sources_flash", None)
    if flash:
        state.say("success", flash)
    corpora_table()
    upload_form()

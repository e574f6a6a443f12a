"""The same store behaviour on an embedded Chroma folder and on a `chroma run` server."""

from __future__ import annotations

import uuid

import pytest

from argmap.config import settings
from argmap.errors import ArgmapError, StoreError
from argmap.records import Post, Thread, Unit
from argmap.store import CorpusIndex, Store
from ingest.pipeline import ingest_path
from tests.conftest import SEED_FILE


def _tiny(text: str) -> tuple[Thread, list[Unit]]:
    posts = [
        Post(id="a", kind="article", title="T", text=text),
        Post(id="c1", kind="comment", author="ann", parent_id="a", depth=1,
             text="Police should not use face recognition."),
    ]
    units = [Unit(id=f"{p.id}:0-{len(p.text)}", post_id=p.id, start=0, end=len(p.text),
                  text=p.text, author=p.author, kind=p.kind, depth=p.depth,
                  parent_id=p.parent_id) for p in posts]
    return Thread(title="T", posts=posts, format="test"), units


def test_write_open_search_and_swap(backend: str) -> None:
    name = f"t-{uuid.uuid4().hex[:8]}"
    store = Store()
    thread, units = _tiny("Microsoft bans police from Azure OpenAI.")
    first = store.write(name, thread, units, "h1")
    index = store.open(name)
    assert [p.id for p in index.thread.posts] == ["a", "c1"]
    hits = index.dense_search(store.embeddings.embed_query("face recognition by police"), 2)
    assert hits[0][0].post_id == "c1" and hits[0][1] > hits[1][1]
    by_author = index.dense_search(store.embeddings.embed_query("Microsoft"), 2,
                                   where={"author": "ann"})
    assert [u.post_id for u, _ in by_author] == ["c1"]
    thread2, units2 = _tiny("A different article text about something else.")
    second = store.write(name, thread2, units2, "h2")
    assert second.generation != first.generation
    assert store.open(name).thread.posts[0].text.startswith("A different")
    # the index opened before the swap still reads its own generation completely
    assert index.thread.posts[0].text.startswith("Microsoft")
    store.delete(name)
    assert store.info(name) is None


def test_seed_ingest_is_idempotent(backend: str) -> None:
    store = Store()
    name = f"seed-{uuid.uuid4().hex[:6]}"
    first = ingest_path(SEED_FILE, corpus=name, store=store)
    again = ingest_path(SEED_FILE, corpus=name, store=store)
    assert not first.unchanged and again.unchanged
    assert again.info == first.info and again.embedded == 0
    index = store.open(name)
    assert index.info.posts == 45 and len(index.units) == first.info.units
    store.delete(name)


def test_unknown_corpus_is_a_clear_error(backend: str) -> None:
    with pytest.raises(ArgmapError, match="no corpus named 'nope'"):
        Store().open("nope")


def test_unreachable_server_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGMAP_CHROMA_URL", "http://127.0.0.1:9")
    with pytest.raises(StoreError) as err:
        Store()
    assert "cannot reach the Chroma server at http://127.0.0.1:9" in str(err.value)
    assert "\n" not in str(err.value)


def test_corrupt_folder_says_how_to_rebuild() -> None:
    path = settings().chroma_path
    path.mkdir(parents=True)
    (path / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="delete that folder and run `argmap ingest`"):
        Store()


def test_units_and_posts_read_back_whole_and_old_layout_still_opens() -> None:
    """Units are stored as spans (their text comes from the post) and posts in JSON blocks;
    both read back equal to what was written, and an index written in the earlier layout
    (one record per post, unit text as the document, the thread doc as a document) opens."""
    import json

    import numpy as np

    from ingest.pipeline import prepare

    store = Store()
    thread, units, digest = prepare(SEED_FILE)
    store.write("layout", thread, units, digest)
    index = store.open("layout")
    assert index.thread.posts == thread.posts and index.units == units

    info = store.info("layout")
    assert info is not None
    gen, reg = info.generation, store._registry()
    ucol = store.client.get_collection(f"layout.{gen}.u", embedding_function=None)
    pcol = store.client.get_collection(f"layout.{gen}.p", embedding_function=None)
    pcol.delete(ids=pcol.get()["ids"])
    pcol.upsert(ids=[p.id for p in thread.posts], documents=[""] * len(thread.posts),
                embeddings=np.ones((len(thread.posts), 1), dtype=np.float32),
                metadatas=[{"post_id": p.id, "post_json": json.dumps(p.to_dict())}
                           for p in thread.posts])
    vecs = ucol.get(ids=[u.id for u in units], include=["embeddings"])["embeddings"]
    ucol.upsert(ids=[u.id for u in units], documents=[u.text for u in units], embeddings=vecs,
                metadatas=[{"post_id": u.post_id, "author": u.author, "kind": u.kind,
                            "depth": u.depth, "parent_id": u.parent_id or "",
                            "start": u.start, "end": u.end} for u in units])
    reg.upsert(ids=[f"layout::{gen}::thread"], embeddings=[[0.0]],
               metadatas=[{"corpus": "layout", "doc": "thread"}],
               documents=[json.dumps({"order": [p.id for p in thread.posts],
                                      "thread_meta": thread.metadata})])
    old = CorpusIndex(store, info)  # a fresh reader, not the one cached above
    assert old.thread.posts == thread.posts and old.units == units

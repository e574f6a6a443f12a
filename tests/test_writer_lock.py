"""One writer per corpus (issue 15 items 1, 4, 7): deterministic, via the store's hooks.

A hook pauses one write just before its flip while a second writer runs, so the
interleaving that used to leave the registry pointing at a deleted generation is forced,
never timed. Each test runs on the embedded folder and on a real Chroma server.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from argmap import store as store_mod
from argmap.errors import StoreError
from argmap.store import CorpusIndex, Store
from tests.builders import tiny_thread

WAIT = 120  # an upper bound on each Event wait, so a broken lock fails instead of hanging




def _in_thread(fn: Callable[[], Any], out: dict[str, Any], key: str) -> threading.Thread:
    def run() -> None:
        try:
            out[key] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            out[key] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _read_whole(name: str, text: str) -> None:
    """What `posts`/`ask` do: resolve the record, read the thread, search the units."""
    store = Store()
    index = store.open(name)
    assert index.thread.posts[0].text == text
    hits = index.dense_search(store.embeddings.embed_query(text), 2)
    assert len(hits) == 2


def test_second_writer_fails_or_waits_and_readers_never_break(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"lock-{uuid.uuid4().hex[:8]}"
    Store().write(name, *tiny_thread("first version"), "h0")
    paused, resume = threading.Event(), threading.Event()

    def before_flip(corpus: str, gen: str) -> None:
        if corpus == name and not paused.is_set():  # only the first writer pauses
            paused.set()
            assert resume.wait(WAIT)

    monkeypatch.setattr(store_mod.hooks, "before_flip", before_flip)
    out: dict[str, Any] = {}
    first = _in_thread(lambda: Store().write(name, *tiny_thread("second version"), "h1"), out, "a")
    assert paused.wait(WAIT)

    # a writer that will not wait fails in one line and writes nothing
    with pytest.raises(StoreError, match="being written by another ingest") as err:
        Store().write(name, *tiny_thread("third version"), "h2", lock_wait=0)
    assert "\n" not in str(err.value)
    _read_whole(name, "first version")

    # a writer that waits starts waiting while the first is paused, then runs after it
    waiting = threading.Event()
    monkeypatch.setattr(store_mod.hooks, "on_lock_wait",
                        lambda corpus: waiting.set() if corpus == name else None)
    second = _in_thread(
        lambda: Store().write(name, *tiny_thread("third version"), "h2", lock_wait=WAIT), out, "b")
    assert waiting.wait(WAIT)
    _read_whole(name, "first version")
    resume.set()
    first.join(WAIT)
    second.join(WAIT)
    a, b = out["a"], out["b"]
    assert not isinstance(a, BaseException), a
    assert not isinstance(b, BaseException), b

    store = Store()
    info = store.info(name)
    assert info is not None and info.generation == b.generation
    _read_whole(name, "third version")
    # the first writer's generation is the previous one, kept whole for readers
    assert CorpusIndex(store, a).thread.posts[0].text == "second version"
    store.delete(name)


def test_lock_holds_across_processes(backend: str) -> None:
    """Another process holding the corpus's lock keeps this one from writing."""
    name = f"xproc-{uuid.uuid4().hex[:8]}"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom argmap.locking import writer_lock\nfrom argmap.store import Store\n"
         f"lock = writer_lock(Store(), {name!r}, 0)\nprint('locked', flush=True)\n"
         "sys.stdin.readline()\nlock.release()\nprint('released', flush=True)"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="being written by another ingest"):
            Store().write(name, *tiny_thread("blocked"), "h", lock_wait=0)
        assert Store().info(name) is None
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        assert holder.wait(WAIT) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
    Store().write(name, *tiny_thread("after release"), "h", lock_wait=0)
    _read_whole(name, "after release")


def _collections(store: Store, corpus: str) -> list[str]:
    names = [str(getattr(c, "name", c)) for c in store.client.list_collections()]
    return sorted(n for n in names if n.startswith(corpus + ".")
                  and n[len(corpus) + 1:].count(".") == 1)


def test_dotted_corpus_names_are_garbage_collected(backend: str) -> None:
    """`thread.v2` kept every generation (GC split names on dots); its sibling `thread`
    must survive the dotted one's collections being cleaned."""
    tag = uuid.uuid4().hex[:6]
    plain, dotted = f"thread{tag}", f"thread{tag}.v2"
    store = Store()
    store.write(plain, *tiny_thread("the plain corpus"), "p")
    for i in range(5):
        store.write(dotted, *tiny_thread(f"dotted version {i}"), f"h{i}")
        assert len(_collections(store, dotted)) <= 4  # current + previous, units + posts
    info = store.info(dotted)
    assert info is not None
    gens = {n.split(".")[-2] for n in _collections(store, dotted)}
    assert info.generation in gens and len(gens) == 2
    reg = store._registry().get(where={"corpus": dotted})
    assert len(reg["ids"]) <= 1 + 2 * 2  # current + (generation, thread) per kept generation
    _read_whole(dotted, "dotted version 4")
    _read_whole(plain, "the plain corpus")
    store.delete(dotted)
    assert _collections(store, dotted) == []
    _read_whole(plain, "the plain corpus")


def test_two_uploads_of_one_name_at_once_become_two_corpora(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both pick the free name `talk`; the second finds it taken under the lock and moves
    to `talk-2` instead of silently replacing the first."""
    import json

    from argmap.ui.uploads import ingest_upload

    def data(words: str) -> bytes:
        rows = [{"id": "p1", "kind": "article", "author": "ed", "parent_id": None,
                 "text": f"An article about {words}."},
                {"id": "p2", "kind": "comment", "author": "ann", "parent_id": "p1",
                 "text": f"I think {words} is a bad idea."}]
        return "\n".join(json.dumps(r) for r in rows).encode()

    paused, resume, waiting = threading.Event(), threading.Event(), threading.Event()

    def before_flip(corpus: str, gen: str) -> None:
        if not paused.is_set():
            paused.set()
            assert resume.wait(WAIT)

    monkeypatch.setattr(store_mod.hooks, "before_flip", before_flip)
    monkeypatch.setattr(store_mod.hooks, "on_lock_wait", lambda corpus: waiting.set())
    out: dict[str, Any] = {}
    first = _in_thread(lambda: ingest_upload("talk.jsonl", data("cameras")), out, "a")
    assert paused.wait(WAIT)
    second = _in_thread(lambda: ingest_upload("talk.jsonl", data("drones")), out, "b")
    assert waiting.wait(WAIT)
    resume.set()
    first.join(WAIT)
    second.join(WAIT)
    assert not isinstance(out["a"], BaseException), out["a"]
    assert not isinstance(out["b"], BaseException), out["b"]
    assert (out["a"].corpus, out["b"].corpus) == ("talk", "talk-2")
    assert "cameras" in Store().open("talk").thread.posts[0].text
    assert "drones" in Store().open("talk-2").thread.posts[0].text


def test_gc_never_touches_a_generation_newer_than_the_writers_own() -> None:
    """A writer's GC spares any generation newer than its own (one being written by a
    writer that took over a lapsed lease) and drops only older orphans."""
    store = Store()
    store.write("gcnew", *tiny_thread("current"), "h1")
    orphan = f"g{1:016x}"  # an old killed run's half-written generation
    store._write("gcnew", orphan, *tiny_thread("orphan"), "h0", None)
    mine = f"g{time.time_ns():x}"
    newer = f"g{int(mine[1:], 16) + 10**9:x}"  # started after this writer's generation
    pending = store._write("gcnew", newer, *tiny_thread("in progress"), "h2", None)
    store._collect_garbage("gcnew", mine)
    gens = {n.split(".")[-2] for n in _collections(store, "gcnew")}
    info = store.info("gcnew")
    assert info is not None
    assert gens == {info.generation, newer}
    assert CorpusIndex(store, pending).thread.posts[0].text == "in progress"


def test_server_lease_blocks_while_live_and_lapses(chroma_server: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A lease record another machine holds blocks a write until its expiry passes; a
    lapsed one (its writer died) is taken over and cleaned up."""
    monkeypatch.setenv("ARGMAP_CHROMA_URL", chroma_server)
    store = Store()
    name = f"lease-{uuid.uuid4().hex[:8]}"
    reg = store._registry()
    lease = {"corpus": name, "doc": "lease", "slot": 7, "owner": "elsewhere"}
    reg.add(ids=[f"{name}::lease::{7:010d}"], embeddings=[[0.0]], documents=[""],
            metadatas=[{**lease, "expires": time.time() + 3600}])
    with pytest.raises(StoreError, match="being written by another ingest"):
        store.write(name, *tiny_thread("blocked"), "h", lock_wait=0)
    reg.update(ids=[f"{name}::lease::{7:010d}"], metadatas=[{**lease, "expires": 0.0}])
    store.write(name, *tiny_thread("took over"), "h", lock_wait=0)
    _read_whole(name, "took over")
    left = reg.get(where={"$and": [{"corpus": name}, {"doc": "lease"}]})
    assert left["ids"] == []  # the dead writer's lease and our own are gone


def test_a_reader_outlived_by_two_reingests_gets_one_line(backend: str) -> None:
    """The previous generation is kept one round; a reader still on the one before gets a
    clear StoreError, never chromadb's NotFoundError, and a fresh open reads the new one."""
    store = Store()
    name = f"stale-{uuid.uuid4().hex[:8]}"
    store.write(name, *tiny_thread("one"), "h1")
    old = CorpusIndex(store, store.open(name).info)  # a reader that has loaded nothing yet
    store.write(name, *tiny_thread("two"), "h2")
    store.write(name, *tiny_thread("three"), "h3")
    with pytest.raises(StoreError, match="re-ingested twice while being read") as err:
        old.dense_search(store.embeddings.embed_query("one"), 2)
    assert "\n" not in str(err.value)
    with pytest.raises(StoreError, match="re-ingested twice"):
        _ = old.thread
    _read_whole(name, "three")

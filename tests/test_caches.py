"""Bounded caches (issue 14 item 9): one open index per (store, corpus), the current
generation's, and everything derived from it (thread, units, BM25, lookup tables) goes
when a re-ingest replaces it."""

from __future__ import annotations

import gc
import weakref

from argmap import store as store_mod
from argmap.lexical import lexical_index
from argmap.lookup import find
from argmap.qa import cached_stances
from argmap.retrieve import retrieve
from argmap.store import Store
from tests.builders import tiny_thread

ROUNDS = 4




def test_reingests_keep_only_the_current_generation_cached() -> None:
    store = Store()
    refs: list[weakref.ref[object]] = []
    for i in range(ROUNDS):
        store.write("cached", *tiny_thread(f"Police cameras, round {i}."), f"h{i}")
        index = Store().open("cached")  # a fresh Store per request, as the app's pages do
        assert f"round {i}" in index.thread.posts[0].text
        lex = lexical_index(index)
        assert retrieve(index, "police cameras", k=2)
        assert find(index, "police", mode="words").hits
        cached_stances(index)
        refs += [weakref.ref(index), weakref.ref(lex), weakref.ref(index.thread),
                 weakref.ref(index.units[0])]
        del index, lex
    gc.collect()
    alive = [r for r in refs if r() is not None]
    assert len(alive) == 4, f"{len(alive) // 4} generations kept alive, expected 1"
    assert [r() for r in refs[-4:]] == [r() for r in alive]
    keys = [k for k in store_mod._INDEX_CACHE if k[1] == "cached"]
    assert len(keys) == 1
    current = store.info("cached")
    assert current is not None
    assert store_mod._INDEX_CACHE[keys[0]].info.generation == current.generation

"""What the stages read from a corpus: the one interface between the store and the rest.

``argmap.store.CorpusIndex`` is the implementation in use; retrieval, lookup, the map and
the brief take any object with these members, so a test or another store can stand in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from argmap.records import Post, Thread, Unit

T = TypeVar("T")


class CorpusInfoView(Protocol):
    @property
    def generation(self) -> str: ...


class CorpusView(Protocol):
    """What the stages read from one generation of one corpus (``store.CorpusIndex``)."""

    @property
    def name(self) -> str: ...
    @property
    def info(self) -> CorpusInfoView: ...
    @property
    def store(self) -> Any: ...  # ``location`` and ``embeddings`` (argmap.store.Store)
    @property
    def derived(self) -> dict[str, Any]: ...  # data derived from this generation
    @property
    def thread(self) -> Thread: ...
    @property
    def posts(self) -> Mapping[str, Post]: ...
    @property
    def replies(self) -> Mapping[str, list[str]]: ...
    @property
    def units(self) -> list[Unit]: ...
    @property
    def unit_by_id(self) -> Mapping[str, Unit]: ...

    def dense_search(self, vector: Sequence[float], k: int,
                     where: dict[str, Any] | None = None) -> list[tuple[Unit, float]]: ...
    def unit_vectors(self, unit_ids: list[str]) -> dict[str, np.ndarray]: ...
    def memo(self, kind: str, build: Callable[[], T]) -> T: ...
    def load_doc(self, kind: str) -> str | None: ...
    def save_doc(self, kind: str, text: str) -> None: ...

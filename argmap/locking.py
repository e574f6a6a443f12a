"""One writer per corpus, across processes: a file lock for the embedded folder, a lease
record in the registry collection for a Chroma server.

The embedded folder lives on one machine, so an OS file lock fits: the kernel drops it when
its process dies, even by kill -9, so a killed ingest never blocks the next one. A server is
shared by machines that share no file system, so its lock is a record in the registry with
an expiry that the holder keeps renewing; a writer that died is replaced once its lease
lapses. Chroma has no compare-and-swap, but ``add`` of an id that exists is ignored, so the
first of two writers adding the same lease slot wins and both read back the same owner.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from argmap.errors import StoreError

LEASE_S = 60.0  # a server lease lapses this long after its holder last renewed it
_POLL_S = 0.2


class WriterLock(Protocol):
    def release(self) -> None: ...

    def held(self) -> bool:
        """Still ours (a stalled lease holder can have been replaced)."""
        ...


def _busy(corpus: str, waited: float) -> StoreError:
    return StoreError(
        f"corpus {corpus!r} is being written by another ingest (waited {waited:.0f} s); "
        "try again when it has finished"
    )


class FolderLock:
    def __init__(self, folder: Path, corpus: str, wait_s: float,
                 on_wait: Callable[[str], None] | None):
        from filelock import FileLock, Timeout

        folder.mkdir(parents=True, exist_ok=True)
        # thread_local=False: a lock taken by one thread is released by the same object
        # from whichever thread finishes the write.
        self._lock = FileLock(folder / f"{corpus}.lock", thread_local=False)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            if on_wait is not None:
                on_wait(corpus)
            try:
                self._lock.acquire(timeout=wait_s)
            except Timeout:
                raise _busy(corpus, wait_s) from None

    def release(self) -> None:
        self._lock.release()

    def held(self) -> bool:
        return bool(self._lock.is_locked)


class Lease:
    """Lease slots ``{corpus}::lease::{k}``: the highest live slot holds the corpus."""

    def __init__(self, registry: Any, corpus: str, wait_s: float,
                 on_wait: Callable[[str], None] | None):
        self.reg, self.corpus, self.owner = registry, corpus, uuid.uuid4().hex
        self.slot = ""
        start = time.monotonic()
        waiting = False
        while not self._try_take():
            if not waiting and on_wait is not None:
                on_wait(corpus)
            waiting = True
            if time.monotonic() - start > wait_s:
                raise _busy(corpus, wait_s)
            time.sleep(_POLL_S)
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew, daemon=True)
        self._renewer.start()

    def _leases(self) -> list[tuple[int, str, dict[str, Any]]]:
        got = self.reg.get(where={"$and": [{"corpus": self.corpus}, {"doc": "lease"}]},
                           include=["metadatas"])
        return sorted((int(m["slot"]), i, m)
                      for i, m in zip(got["ids"], got["metadatas"], strict=True))

    def _try_take(self) -> bool:
        leases = self._leases()
        if leases and float(leases[-1][2]["expires"]) > time.time():
            return False
        slot = leases[-1][0] + 1 if leases else 1
        lease_id = f"{self.corpus}::lease::{slot:010d}"
        self.reg.add(ids=[lease_id], embeddings=[[0.0]], documents=[""],
                     metadatas=[self._meta(slot)])
        back = self.reg.get(ids=[lease_id], include=["metadatas"])["metadatas"]
        if not back or back[0].get("owner") != self.owner:
            return False  # another writer added this slot first
        self.slot = lease_id
        stale = [i for _, i, _ in leases]  # lapsed leases of writers that died
        if stale:
            self.reg.delete(ids=stale)
        return True

    def _meta(self, slot: int) -> dict[str, Any]:
        return {"corpus": self.corpus, "doc": "lease", "slot": slot, "owner": self.owner,
                "expires": time.time() + LEASE_S}

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_S / 4):
            try:
                if self.held():
                    slot = int(self.slot.rsplit("::", 1)[1])
                    self.reg.update(ids=[self.slot], metadatas=[self._meta(slot)])
            except Exception:  # noqa: BLE001 - a missed renewal is retried; held() decides
                pass

    def held(self) -> bool:
        back = self.reg.get(ids=[self.slot], include=["metadatas"])["metadatas"]
        return bool(back) and back[0].get("owner") == self.owner

    def release(self) -> None:
        """Best effort: a lease that cannot be deleted (server gone) lapses on its own, and
        an error here must not replace the one that ended the write."""
        self._stop.set()
        try:
            if self.held():
                self.reg.delete(ids=[self.slot])
        except Exception:  # noqa: BLE001
            pass


def writer_lock(store: Any, corpus: str, wait_s: float,
                on_wait: Callable[[str], None] | None = None) -> WriterLock:
    """Block until this process is the corpus's only writer (at most ``wait_s``)."""
    if store.cfg.chroma_url:
        return Lease(store._registry(), corpus, wait_s, on_wait)
    return FolderLock(store.cfg.chroma_path / "locks", corpus, wait_s, on_wait)

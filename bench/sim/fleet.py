"""Lightweight players: many bundle-sync clients in one process, for fleet benchmarks.

A simulated player is the real sync client without a screen: a
:class:`~player.sources.sync.BundleSync` (the same cycle, conditional requests,
:func:`~player.sources.bundle.verify_manifest`, size and sha256 checks, activation and
collection) over its own fetcher (its own keep-alive connection), paced by :meth:`SyncWorker.next_wait <player.sources.sync.SyncWorker.next_wait>`
(the interval ±20 %, full-jitter backoff, ``Retry-After``). What is left out is only
what a screen does with a bundle: building its library, layout and rendering — and, by
default, requests: the fetcher is :class:`~bench.sim.lightfetch.LightFetcher`,
the same contract on a raw socket, 30 times cheaper (``client="requests"`` puts the
player's own :class:`~player.sources.fetch.Fetcher` back).

The one seam is the store. :class:`MemoryStore` has :class:`~player.sources.store.Store`'s
interface (``get``/``put``/``collect``/``last_error`` and the pointer files
``read_pointer``/``write_pointer`` that BundleSync uses for ``bundle.json`` and
``bundle-previous.json``) but keeps pointers in memory and object bytes in an
:class:`ObjectPool` shared by the fleet (content-addressed bytes are immutable, so
sharing them only saves memory; each store still knows which objects *it* holds, and a
player that has not downloaded an object does not have it). The real player keeps using
the on-disk :class:`~player.sources.store.Store`.

:class:`Fleet` runs thousands of players on a few worker threads: a heap of next-poll
times, and each due player runs one cycle on whichever worker is free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from player.sources.fetch import Fetcher, Getter
from bench.sim.lightfetch import LightFetcher
from player.sources.store import Store
from player.sources.sync import BundleSync, Outcome, SyncResult, SyncWorker

log = logging.getLogger(__name__)


class ObjectPool:
    """Object bytes by sha256, shared by the stores of a fleet (thread-safe)."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def intern(self, sha: str, data: bytes) -> None:
        """Keep one copy of ``data`` (whose sha256 is ``sha``)."""
        with self._lock:
            self._data.setdefault(sha, data)

    def get(self, sha: str) -> bytes | None:
        """The bytes, if any store ever kept them."""
        return self._data.get(sha)


class MemoryStore(Store):
    """A :class:`Store` whose pointer files and objects live in memory."""

    def __init__(self, pool: ObjectPool | None = None, name: str = "memory") -> None:
        super().__init__(Path(f"<{name}>"))  # never touched: every file method is overridden
        self.pool = pool or ObjectPool()
        self.held: set[str] = set()
        self.pointers: dict[str, str] = {}

    def put(self, data: bytes) -> str | None:
        """Keep ``data``; returns its sha256."""
        sha = hashlib.sha256(data).hexdigest()
        self.pool.intern(sha, data)
        self.held.add(sha)
        self.last_error = None
        return sha

    def get(self, sha: str) -> bytes | None:
        """The object's bytes if this store holds it."""
        return self.pool.get(sha) if sha in self.held else None

    def has(self, sha: str) -> bool:
        """Whether this store holds the object."""
        return sha in self.held

    def read_pointer(self, name: str) -> str:
        """A pointer file's text (FileNotFoundError when there is none, as on disk)."""
        try:
            return self.pointers[name]
        except KeyError:
            raise FileNotFoundError(f"{self.root}/{name}.json") from None

    def write_pointer(self, name: str, data: bytes) -> None:
        """Replace a pointer file (a dict assignment: atomic as the disk's rename)."""
        self.pointers[name] = data.decode("utf-8")

    def referenced(self) -> set[str]:
        """Every object a pointer refers to."""
        keep: set[str] = set()
        for text in self.pointers.values():
            data = json.loads(text)
            keep.update(v for v in data.get("files", {}).values() if isinstance(v, str))
        return keep

    def collect(self, grace: float = 0.0) -> int:
        """Forget objects no pointer refers to (one thread per store: no grace needed)."""
        unused = self.held - self.referenced()
        self.held -= unused
        return len(unused)

    def clone(self, name: str) -> "MemoryStore":
        """A store holding the same objects and pointers (a player that is already in sync)."""
        other = MemoryStore(self.pool, name)
        other.held = set(self.held)
        other.pointers = dict(self.pointers)
        return other


@dataclass
class SimPlayer:
    """One simulated screen: its sync client and the worker logic that paces it."""

    name: str
    sync: BundleSync
    worker: SyncWorker
    outcomes: dict[str, int] = field(default_factory=dict)
    activated: dict[int, float] = field(default_factory=dict)  # version -> wall time it went active
    last_ok: float | None = None  # wall time of the last cycle that reached the source

    @property
    def version(self) -> int | None:
        """The active bundle's version."""
        return self.sync.active.version if self.sync.active else None

    def cycle(self) -> tuple[Outcome, float]:
        """One sync cycle (BundleSync.run_once) and the wait before the next (SyncWorker.next_wait)."""
        outcome = self.sync.run_once()
        self.outcomes[outcome.result] = self.outcomes.get(outcome.result, 0) + 1
        finished = time.time()
        if outcome.result in (SyncResult.UNCHANGED, SyncResult.UPDATED):
            self.last_ok = finished
        if outcome.result == SyncResult.UPDATED and outcome.version is not None:
            self.activated[outcome.version] = finished
        return outcome, self.worker.next_wait(outcome)


CLIENTS = ("light", "requests")


def make_player(name: str, url: str, public_key: Path | None, interval: float, store: MemoryStore,
                now: Callable[[], dt.datetime], seed: int | None = None, timeout: float = 10.0,
                deadline: float = 120.0, allow_unsigned: bool = False, client: str = "light") -> SimPlayer:
    """A simulated player built from the real parts (only the store is in memory).

    ``client`` is the HTTP transport: ``light`` (:class:`LightFetcher`, raw sockets,
    ~30 µs a request: the figures are the server's) or ``requests`` (the player's own
    :class:`Fetcher`, ~1 ms of Python a request: a thousand of them saturate the
    simulator's cores first). Either ignores proxy variables: a benchmark talks to
    127.0.0.1 only.
    """
    user_agent = f"signage-fleet/{name}"
    if client == "light":
        fetcher: Getter = LightFetcher(timeout=timeout, deadline=deadline, user_agent=user_agent)
    elif client == "requests":
        fetcher = Fetcher(timeout=timeout, deadline=deadline, user_agent=user_agent)
        fetcher.session.trust_env = False
    else:
        raise ValueError(f"client must be one of {', '.join(CLIENTS)}, not {client!r}")
    sync = BundleSync(url, store, fetcher, public_key, allow_unsigned, now)
    worker = SyncWorker(sync, interval, on_library=lambda _library: None, rng=random.Random(seed))
    return SimPlayer(name, sync, worker)


class Fleet:
    """Runs many :class:`SimPlayer` on a pool of worker threads, each player at its own times."""

    def __init__(self, players: list[SimPlayer], threads: int = 16,
                 on_outcome: Callable[[SimPlayer, Outcome], None] | None = None) -> None:
        self.players = players
        self.threads = threads
        self.on_outcome = on_outcome
        self._heap: list[tuple[float, int]] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self.busy = 0
        self.late: list[float] = []  # how late each cycle started (a saturated simulator shows here)

    def start(self, first_wait: Callable[[SimPlayer], float]) -> None:
        """Start polling; each player's first cycle after ``first_wait(player)`` seconds."""
        start = time.monotonic()
        with self._cond:
            for index, player in enumerate(self.players):
                heapq.heappush(self._heap, (start + first_wait(player), index))
        for number in range(self.threads):
            thread = threading.Thread(target=self._work, name=f"fleet-{number}", daemon=True)
            thread.start()
            self._workers.append(thread)

    def stop(self) -> None:
        """Stop after the cycles in progress, and close every session."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for thread in self._workers:
            thread.join(timeout=30)
        for player in self.players:
            player.sync.fetcher.close()

    def _work(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                if not self._heap:
                    self._cond.wait(0.5)
                    continue
                due, index = self._heap[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._cond.wait(min(wait, 0.5))
                    continue
                heapq.heappop(self._heap)
                self.busy += 1
            self.late.append(-wait)
            player = self.players[index]
            try:
                outcome, pause = player.cycle()
                if self.on_outcome is not None:
                    self.on_outcome(player, outcome)
            finally:
                with self._cond:
                    self.busy -= 1
            with self._cond:
                heapq.heappush(self._heap, (time.monotonic() + pause, index))
                self._cond.notify()


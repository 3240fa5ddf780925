"""One start/stop protocol for every background service, and threads that come back.

Every part of the player that runs beside the frame loop — the drop-folder loader, the
bundle and alert syncs, the page preparers, the status writer, housekeeping, the power
switch, the heartbeat, the metrics exporter, the preview writer — is a :class:`Service`:
``name``, ``start()``, ``stop()`` and a :meth:`~Service.health` snapshot. The runtime
keeps them in one list, starts them in order and stops them in reverse
(:class:`Services`).

Most of them are a :class:`Worker`: a daemon thread running :meth:`Worker.run` under a
supervisor. Whatever escapes ``run`` (a bug, a library raising what it never should) is
logged with its traceback, counted, and ``run`` starts again after a short backoff —
a thread never silently disappears, and ``status.json`` (``services``) shows its
restarts and last error.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

#: Seconds before a crashed worker runs again: doubling from the first, up to the last.
BACKOFF = (1.0, 60.0)


@dataclass(frozen=True)
class Health:
    """A service's state, for ``status.json`` → ``services``."""

    name: str
    alive: bool
    restarts: int = 0
    last_error: str | None = None


class Service(Protocol):
    """What the runtime starts and stops."""

    name: str

    def start(self) -> None:
        """Start working (returns at once)."""

    def stop(self) -> None:
        """Stop and release everything (may wait a little for a thread)."""

    def health(self) -> Health:
        """Alive, restarts, last error."""


class Worker:
    """A service whose work is :meth:`run` in a supervised daemon thread.

    Subclasses implement :meth:`run`, which should return when :attr:`stopping` is set
    (wait on it rather than sleeping).
    """

    name = "worker"

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            self.name = name
        self.stopping = threading.Event()
        self.restarts = 0
        self.last_crash: str | None = None
        self._thread: threading.Thread | None = None
        self.join_timeout = 10.0

    def run(self) -> None:
        """The work; returns when :attr:`stopping` is set."""
        raise NotImplementedError

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._supervise, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end and wait for it (at most ``join_timeout`` seconds)."""
        self.stopping.set()
        self.wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.join_timeout)

    def wake(self) -> None:
        """Interrupt a wait of :meth:`run` (subclasses with their own events override)."""

    @property
    def started(self) -> bool:
        """:meth:`start` was called."""
        return self._thread is not None

    @property
    def alive(self) -> bool:
        """The thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def health(self) -> Health:
        """Alive, restarts, last error."""
        return Health(self.name, self.alive or self._thread is None, self.restarts, self.last_crash)

    def _supervise(self) -> None:
        delay = BACKOFF[0]
        while not self.stopping.is_set():
            try:
                self.run()
                return
            except Exception as exc:  # noqa: BLE001 - a worker thread must never just vanish
                self.restarts += 1
                self.last_crash = f"{type(exc).__name__}: {str(exc)[:200]}"
                log.error("%s thread failed (%s); restarting in %.0f s\n%s", self.name, self.last_crash, delay,
                          traceback.format_exc().rstrip())
            if self.stopping.wait(delay):
                return
            delay = min(BACKOFF[1], delay * 2)


class Services:
    """Services started in order and stopped in reverse."""

    def __init__(self, services: Iterable[Service] = ()) -> None:
        self.items: list[Service] = list(services)
        self._started: list[Service] = []

    def add(self, service: Service) -> Service:
        """Append a service (before :meth:`start`)."""
        self.items.append(service)
        return service

    def start(self) -> None:
        """Start every service in order; one that fails to start is logged and skipped."""
        for service in self.items:
            try:
                service.start()
            except Exception as exc:  # noqa: BLE001 - one broken service must not stop the screen
                log.error("cannot start %s: %s: %s", service.name, type(exc).__name__, exc)
                continue
            self._started.append(service)

    def stop(self) -> None:
        """Stop the started services in reverse order."""
        while self._started:
            service = self._started.pop()
            try:
                service.stop()
            except Exception as exc:  # noqa: BLE001 - stopping goes on with the others
                log.error("cannot stop %s cleanly: %s: %s", service.name, type(exc).__name__, exc)

    def health(self) -> Sequence[Health]:
        """Every service's health."""
        return tuple(service.health() for service in self.items)

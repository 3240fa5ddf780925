"""A background thread for slow, occasional work the frame loop must never wait for:
flushing the play log to the SD card, its daily compression, saving screenshots.

Jobs are plain callables; periodic ones run every ``seconds``. A job that raises is
logged (once per distinct message) and the thread goes on.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass

from player.worker import Worker

log = logging.getLogger(__name__)


@dataclass
class _Periodic:
    name: str
    seconds: float
    job: Callable[[], None]
    due: float


class Housekeeper(Worker):
    """One worker thread: queued one-off jobs and periodic jobs.

    ``final`` (e.g. a last play-log flush), set before stopping, runs in the thread after
    the queued jobs."""

    name = "housekeeping"

    def __init__(self) -> None:
        super().__init__()
        self._jobs: queue.Queue[tuple[str, Callable[[], None]] | None] = queue.Queue()
        self._periodic: list[_Periodic] = []
        self._last_error: dict[str, str] = {}
        self.final: Callable[[], None] | None = None
        self.join_timeout = 30.0

    def every(self, name: str, seconds: float, job: Callable[[], None], first_after: float | None = None) -> None:
        """Run ``job`` every ``seconds`` (the first time after ``first_after``, default ``seconds``)."""
        delay = seconds if first_after is None else first_after
        self._periodic.append(_Periodic(name, seconds, job, time.monotonic() + delay))

    def submit(self, name: str, job: Callable[[], None]) -> None:
        """Run ``job`` soon, once."""
        self._jobs.put((name, job))

    def stop(self) -> None:
        """Finish queued jobs, run :attr:`final` in the thread, and stop."""
        if self.final is not None:
            self.submit("final", self.final)
        super().stop()

    def wake(self) -> None:
        """End the wait (stopping: queued jobs are still done)."""
        self._jobs.put(None)

    def run(self) -> None:
        """Queued jobs as they come; periodic ones when due."""
        while True:
            now = time.monotonic()
            due = min((p.due for p in self._periodic), default=now + 3600)
            try:
                item = self._jobs.get(timeout=max(0.0, due - now) if not self.stopping.is_set() else 0.5)
            except queue.Empty:
                item = ("", None)
            if item is None:
                self._drain()
                return
            name, job = item
            if job is not None:
                self._call(name, job)
            if self.stopping.is_set():
                continue
            now = time.monotonic()
            for periodic in self._periodic:
                if now >= periodic.due:
                    periodic.due = now + periodic.seconds
                    self._call(periodic.name, periodic.job)

    def _drain(self) -> None:
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return
            if item is not None and item[1] is not None:
                self._call(*item)

    def _call(self, name: str, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - a failing job must not end the thread
            message = f"{type(exc).__name__}: {exc}"
            if self._last_error.get(name) != message:
                log.error("%s failed: %s", name, message)
                self._last_error[name] = message
        else:
            self._last_error.pop(name, None)

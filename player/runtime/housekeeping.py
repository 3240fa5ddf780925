"""A background thread for slow, occasional work the frame loop must never wait for:
flushing the play log to the SD card, its daily compression, saving screenshots.

Jobs are plain callables; periodic ones run every ``seconds``. A job that raises is
logged (once per distinct message) and the thread goes on.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class _Periodic:
    name: str
    seconds: float
    job: Callable[[], None]
    due: float


class Housekeeper:
    """One worker thread: queued one-off jobs and periodic jobs."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[str, Callable[[], None]] | None] = queue.Queue()
        self._periodic: list[_Periodic] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)
        self._last_error: dict[str, str] = {}

    def every(self, name: str, seconds: float, job: Callable[[], None], first_after: float | None = None) -> None:
        """Run ``job`` every ``seconds`` (the first time after ``first_after``, default ``seconds``)."""
        delay = seconds if first_after is None else first_after
        self._periodic.append(_Periodic(name, seconds, job, time.monotonic() + delay))

    def submit(self, name: str, job: Callable[[], None]) -> None:
        """Run ``job`` soon, once."""
        self._jobs.put((name, job))

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, final: Callable[[], None] | None = None) -> None:
        """Finish queued jobs, run ``final`` (e.g. a last flush) in the thread, and stop."""
        if final is not None:
            self.submit("final", final)
        self._stop.set()
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            now = time.monotonic()
            due = min((p.due for p in self._periodic), default=now + 3600)
            try:
                item = self._jobs.get(timeout=max(0.0, due - now) if not self._stop.is_set() else 0.5)
            except queue.Empty:
                item = ("", None)
            if item is None:
                self._drain()
                return
            name, job = item
            if job is not None:
                self._call(name, job)
            if self._stop.is_set():
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

"""Time sources, passed in so that logic never calls ``datetime.now()`` itself.

Clock trust (first version): the real time can never be earlier than the day this
release was made, so a clock below that floor (a Raspberry Pi booting without network
time after a power cut often says 1970) is not trusted. While untrusted, the schedule is
evaluated at the floor and the header hides the date. A later issue adds persisted
trusted time and NTP confirmation.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from player import RELEASE_DATE


class Clock(Protocol):
    """Wall time and a monotonic counter."""

    def now(self) -> dt.datetime:
        """Aware wall-clock time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back."""

    def sleep(self, seconds: float) -> None:
        """Wait (a simulated clock just moves on)."""


class SystemClock:
    """The machine's clocks."""

    def now(self) -> dt.datetime:
        """Aware UTC time."""
        return dt.datetime.now(dt.timezone.utc)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep()``; ``select()`` if the C library refuses (seen under libfaketime)."""
        if seconds > 0:
            try:
                time.sleep(seconds)
            except OSError:
                select.select([], [], [], seconds)


class SimulatedClock:
    """A clock that runs only when slept on: accelerated runs and tests.

    ``now()`` is ``start`` plus the simulated seconds; ``sleep`` advances both clocks.
    """

    def __init__(self, start: dt.datetime, monotonic: float = 1000.0) -> None:
        self._start = start
        self._mono0 = monotonic
        self._elapsed = 0.0

    def now(self) -> dt.datetime:
        """Simulated wall time."""
        return self._start + dt.timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        """Simulated monotonic time."""
        return self._mono0 + self._elapsed

    def sleep(self, seconds: float) -> None:
        """Move time on."""
        self._elapsed += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        """Move time on (a stall, for tests)."""
        self._elapsed += seconds


def date_files(folder: Path, moment: dt.datetime) -> None:
    """Give every file under ``folder`` the modification time ``moment``.

    For simulations: the clock-trust floor includes the newest content file's time, so
    files copied in *now* would make a simulated start in the past untrusted. A simulation
    dates its content as if it had been copied in at its simulated ``moment``.
    """
    stamp = moment.timestamp()
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (stamp, stamp))


class ScriptedClock(SimulatedClock):
    """Simulated time that runs scripted steps at given simulated seconds: a frame loop
    driven like a user would drive it (kiosk taps in tests, the kiosk screenshots).

    ``real``: real seconds each ``sleep`` also takes, so background threads get their time.
    """

    def __init__(self, start: dt.datetime, real: float = 0.0) -> None:
        super().__init__(start)
        self.real = real
        self.elapsed = 0.0
        self._steps: list[tuple[float, Callable[[], None]]] = []

    def at(self, seconds: float, step: Callable[[], None]) -> None:
        """Run ``step`` once ``seconds`` of simulated time have passed."""
        self._steps.append((seconds, step))
        self._steps.sort(key=lambda s: s[0])

    def sleep(self, seconds: float) -> None:
        """Move time on, then run the steps that are due."""
        super().sleep(seconds)
        if self.real:
            time.sleep(self.real)
        self.elapsed += max(0.0, seconds)
        while self._steps and self._steps[0][0] <= self.elapsed:
            self._steps.pop(0)[1]()


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one moment (``signage render --at``)."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        """The fixed moment."""
        return self.at

    def monotonic(self) -> float:
        """Seconds of the fixed moment since the epoch (deterministic ticker position)."""
        return self.at.timestamp()

    def sleep(self, seconds: float) -> None:
        """A stopped clock does not move."""


@functools.lru_cache(maxsize=8)
def release_floor(tz: ZoneInfo) -> dt.datetime:
    """Midnight of the release day: the earliest time that can be real."""
    return dt.datetime.combine(dt.date.fromisoformat(RELEASE_DATE), dt.time(), tzinfo=tz)


def trusted_time(now: dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, bool]:
    """The time to schedule by and whether the clock is trusted."""
    floor = release_floor(tz)
    if now < floor:
        return floor, False
    return now, True

"""Time sources, passed in so that logic never calls ``datetime.now()`` itself.

Clock trust (first version): the real time can never be earlier than the day this
release was made, so a clock below that floor (a Raspberry Pi booting without network
time after a power cut often says 1970) is not trusted. While untrusted, the schedule is
evaluated at the floor and the header hides the date. A later issue adds persisted
trusted time and NTP confirmation.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from player import RELEASE_DATE


class Clock(Protocol):
    """Wall time and a monotonic counter."""

    def now(self) -> dt.datetime:
        """Aware wall-clock time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back."""


class SystemClock:
    """The machine's clocks."""

    def now(self) -> dt.datetime:
        """Aware UTC time."""
        return dt.datetime.now(dt.timezone.utc)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()


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


def release_floor(tz: ZoneInfo) -> dt.datetime:
    """Midnight of the release day: the earliest time that can be real."""
    return dt.datetime.combine(dt.date.fromisoformat(RELEASE_DATE), dt.time(), tzinfo=tz)


def trusted_time(now: dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, bool]:
    """The time to schedule by and whether the clock is trusted."""
    floor = release_floor(tz)
    if now < floor:
        return floor, False
    return now, True

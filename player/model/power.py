"""When the screen should be on: the ``power:`` schedule as a pure function of local time.

``on``/``off`` are times of day; ``days`` are the weekdays the screen comes on at all
(0 = Monday; empty: every day). ``on`` before ``off`` is a daytime window; ``on`` after
``off`` (e.g. 20:00–06:00) runs past midnight and belongs to the day it started. With
no schedule the screen is always on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class PowerSchedule:
    """The parts of ``config.power`` that decide on/off."""

    on: dt.time | None = None
    off: dt.time | None = None
    days: frozenset[int] = frozenset()

    @property
    def always_on(self) -> bool:
        """No schedule configured."""
        return self.on is None or self.off is None

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The on-window that starts on ``day`` (naive local times), if the day has one."""
        if self.days and day.weekday() not in self.days:
            return None
        start = dt.datetime.combine(day, self.on)
        end_day = day if self.off > self.on else day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, self.off) if self.off != dt.time.max else \
            dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time())
        return start, end

    def is_on(self, local: dt.datetime) -> bool:
        """Should the screen be on at ``local`` (naive or aware local time)?"""
        if self.always_on:
            return True
        naive = local.replace(tzinfo=None)
        for day in (naive.date() - dt.timedelta(days=1), naive.date()):
            window = self._window(day)
            if window is not None and window[0] <= naive < window[1]:
                return True
        return False

    def next_change(self, local: dt.datetime) -> dt.datetime | None:
        """The next moment the state changes after ``local`` (same tzinfo), or None."""
        if self.always_on:
            return None
        naive = local.replace(tzinfo=None)
        candidates = []
        for offset in range(-1, 9):
            window = self._window(naive.date() + dt.timedelta(days=offset))
            if window is not None:
                candidates.extend(edge for edge in window if edge > naive)
        if not candidates:
            return None
        return min(candidates).replace(tzinfo=local.tzinfo)

    def next_on(self, local: dt.datetime) -> dt.datetime | None:
        """The next moment after ``local`` the screen is switched on (same tzinfo), or None
        (always on). While on, that is the start of the next window, not this one."""
        if self.always_on:
            return None
        naive = local.replace(tzinfo=None)
        starts = []
        for offset in range(0, 9):
            window = self._window(naive.date() + dt.timedelta(days=offset))
            if window is not None and window[0] > naive:
                starts.append(window[0])
        return min(starts).replace(tzinfo=local.tzinfo) if starts else None

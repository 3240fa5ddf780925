"""The whole "what is on screen" decision, pure: schedule + cycle + rotator.

:class:`Scheduler` is what the frame loop consults; tests and simulations drive it
event by event with simulated times (a fortnight runs in seconds). Times are two
clocks: ``t`` (seconds, monotonic: page durations) and ``wall`` (aware datetime, the
time to schedule by — already corrected for an untrusted clock).

- :meth:`reschedule`: content or the schedule changed (a new library, a boundary from
  :func:`~player.model.schedule.next_change`, a clock jump): the page on screen stays
  if its notice is still in the rotation, urgent notices interrupt at once.
- :meth:`step`: the page's time is up (or an urgent notice is due).
- :meth:`what_now`: which of the two is due at (t, wall), if any — cheap, per frame.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

from player.model.notice import Library, Notice
from player.model.rotation import URGENT_EVERY, Rotator, Slot, build_cycle
from player.model.schedule import ACTIVE, Decision, evaluate, next_change

PageTimes = Callable[[Notice], Sequence[float]]


class Due(enum.Enum):
    """What :meth:`Scheduler.what_now` says is due."""

    RESCHEDULE = "reschedule"   # content or the schedule changed: re-evaluate, keep the page if it stays
    STEP = "step"               # the page's time is up (or an urgent notice is due)
Ready = Callable[[list[Notice]], list[Notice]]


def _all(notices: list[Notice]) -> list[Notice]:
    return notices


class Scheduler:
    """Schedule evaluation and page rotation for one screen."""

    def __init__(self, tz: ZoneInfo, tags: Iterable[str], page_times: PageTimes,
                 urgent_every: float = URGENT_EVERY) -> None:
        self.tz = tz
        self.tags = tuple(tags)
        self.page_times = page_times
        self.rotator = Rotator(urgent_every)
        self.library = Library()
        self.next_change: dt.datetime | None = None

    @property
    def current(self) -> Slot | None:
        """The page on screen."""
        return self.rotator.current

    def decisions(self, wall: dt.datetime) -> list[Decision]:
        """Every notice's state at ``wall``, active ones first in rotation order."""
        return evaluate(self.library, wall, self.tz, self.tags)

    def set_library(self, library: Library) -> None:
        """New content (call :meth:`reschedule` afterwards)."""
        self.library = library

    def _slots(self, wall: dt.datetime, ready: Ready) -> list[Slot]:
        active = [d.notice for d in self.decisions(wall) if d.state == ACTIVE]
        self.next_change = next_change(self.library, wall, self.tz, self.tags)
        return build_cycle(ready(active), self.page_times)

    def reschedule(self, t: float, wall: dt.datetime, ready: Ready = _all) -> None:
        """Content or schedule changed at (t, wall)."""
        self.rotator.update(t, self._slots(wall, ready))

    def step(self, t: float, wall: dt.datetime, ready: Ready = _all) -> None:
        """Move on to the next page (the rotation is rebuilt from the schedule first)."""
        self.rotator.slots = self._slots(wall, ready)
        self.rotator.step(t)

    def what_now(self, t: float, wall: dt.datetime) -> Due | None:
        """What is due at (t, wall): a reschedule, a step, or nothing."""
        if self.next_change is not None and wall >= self.next_change:
            return Due.RESCHEDULE
        if t >= self.rotator.due() - 1e-9:
            return Due.STEP
        return None

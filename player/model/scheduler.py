"""The whole "what is on screen" decision, pure: schedule + cycle + rotator.

:class:`Scheduler` is what the frame loop consults; tests and simulations drive it
event by event with simulated times (a fortnight runs in seconds). Times are two
clocks: ``t`` (seconds, monotonic: page durations) and ``wall`` (aware datetime, the
time to schedule by — already corrected for an untrusted clock).

- :meth:`reschedule`: content or the schedule changed (a new library, a boundary from
  :func:`~player.model.schedule.next_change`, a clock jump): the page on screen stays
  if its notice is still in the rotation, urgent notices interrupt at once.
- :meth:`step`: the page's time is up (or an urgent notice is due); the cycle is kept
  unless the decisions changed.
- :meth:`what_now`: which of the two is due at (t, wall), if any — cheap, per frame.

Cost stays flat in the amount of content: the schedule is evaluated once per library
and per period between two changes (a decision cannot change before
:func:`~player.model.schedule.next_change`), and the cycle is rebuilt only when the
notices ready for it change; a page step with 5,000 notices costs a scan of ``ready``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

from player.model.notice import Library, Notice
from player.model.rotation import URGENT_EVERY, Rotator, Slot, SlotMemo, build_cycle
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
        #: (library, evaluated at, valid until, decisions): the last evaluation
        self._decided: tuple[Library, dt.datetime, dt.datetime | None, list[Decision]] | None = None
        #: (the notices of the cycle, its slots): the last cycle built
        self._cycle: tuple[list[Notice], list[Slot]] | None = None
        self._memo: SlotMemo = {}   # each notice's slots, reused while it stays the same
        self._active: tuple[list[Decision], list[Notice]] | None = None

    @property
    def current(self) -> Slot | None:
        """The page on screen."""
        return self.rotator.current

    def decisions(self, wall: dt.datetime) -> list[Decision]:
        """Every notice's state at ``wall``, active ones first in rotation order (the
        same list until the library changes or ``wall`` leaves the period it holds for:
        do not modify it)."""
        decided = self._decided
        if decided is not None and decided[0] is self.library and decided[1] <= wall \
                and (decided[2] is None or wall < decided[2]):
            return decided[3]
        decisions = evaluate(self.library, wall, self.tz, self.tags)
        until = next_change(self.library, wall, self.tz, self.tags)
        self._decided = (self.library, wall, until, decisions)
        self.next_change = until
        return decisions

    def set_library(self, library: Library) -> None:
        """New content (call :meth:`reschedule` afterwards)."""
        self.library = library

    def _slots(self, wall: dt.datetime, ready: Ready) -> list[Slot]:
        decisions = self.decisions(wall)
        if self._active is None or self._active[0] is not decisions:
            self._active = (decisions, [d.notice for d in decisions if d.state == ACTIVE])
        notices = ready(self._active[1])
        cycle = self._cycle
        if cycle is not None and cycle[0] == notices:  # the same notices (by identity first)
            return cycle[1]
        slots = build_cycle(notices, self.page_times, self._memo)
        self._cycle = (notices, slots)
        return slots

    def reschedule(self, t: float, wall: dt.datetime, ready: Ready = _all) -> None:
        """Content or schedule changed at (t, wall)."""
        self.rotator.update(t, self._slots(wall, ready))

    def step(self, t: float, wall: dt.datetime, ready: Ready = _all) -> None:
        """Move on to the next page (the rotation is rebuilt first when the schedule's
        decisions changed; which notices are ready changes only with a reschedule)."""
        if self._active is None or self._active[0] is not self.decisions(wall):
            self.rotator.slots = self._slots(wall, ready)
        self.rotator.step(t)

    def what_now(self, t: float, wall: dt.datetime) -> Due | None:
        """What is due at (t, wall): a reschedule, a step, or nothing."""
        if self.next_change is not None and wall >= self.next_change:
            return Due.RESCHEDULE
        if t >= self.rotator.due() - 1e-9:
            return Due.STEP
        return None

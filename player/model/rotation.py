"""The rotation: which page of which notice is up, and for how long. Pure.

**The cycle.** Active notices in rotation order (priority, ``order``, category, title)
become *slots*, one per page with its display time. Notices of priority ``high`` appear
twice per cycle: the cycle is ``H + N1 + H + N2``, where H are the high notices and N1,
N2 the first and second half of the others, so a high notice plays twice as often as a
normal one and never twice in a row (unless there is nothing else). Urgent notices are
not taken in turn: they interrupt (below); only when nothing else is active do they
rotate like the others.

**Urgent notices interrupt.** An active urgent notice that has not started within the
last ``urgent_every`` seconds (or never) takes the screen at once — within a second of
arriving or of its start time — shows all its pages, and then the interrupted page comes
back for the rest of its time (skipped if less than :data:`MIN_RESUME` seconds were
left), so the rotation always progresses. An urgent notice that is itself longer than
``urgent_every`` would otherwise keep the screen: after it, the resumed page plays out
before the next interruption.

**Changes.** When content or the schedule changes, the page on screen stays (re-laid
out if its notice changed) unless its notice left the rotation; the next page is the
first slot after the current one in cycle order, so notices that appear or vanish do
not restart the cycle.

:class:`Rotator` holds this state and is driven with plain numbers: times are seconds
on the loop's monotonic clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from player.model.notice import Notice, Priority
from player.model.schedule import sort_key

URGENT_EVERY = 60.0
#: An interrupted page with less time than this left is not brought back.
MIN_RESUME = 3.0


class Slot(NamedTuple):
    """One page of one notice in the rotation (an immutable value; a NamedTuple rather
    than a frozen dataclass because a cycle of 5,000 notices makes 5,000 of them within
    one frame, at a sixth of the cost)."""

    notice_id: str
    page: int          # 0-based
    pages: int
    seconds: float
    key: tuple = ()    # position of the notice's block in the cycle, then its sort key
    urgent: bool = False

    def position(self) -> tuple:
        """Order in the cycle."""
        return (self.key, self.page)


#: Slots made before, by notice object: id(notice) -> (notice, block, page times, slots).
SlotMemo = dict[int, tuple[Notice, int, tuple[float, ...], tuple[Slot, ...]]]


def build_cycle(notices: Sequence[Notice], page_times: Callable[[Notice], Sequence[float]],
                memo: SlotMemo | None = None) -> list[Slot]:
    """Slots for the active notices, ``notices`` already in rotation order.

    ``memo`` (kept by the caller between calls) reuses the slots of a notice object whose
    block and page times are unchanged, and afterwards holds only this cycle's notices: a
    rotation of 5,000 notices is rebuilt without making 5,000 slots again.
    """
    urgent = [n for n in notices if n.meta.priority == Priority.URGENT]
    high = [n for n in notices if n.meta.priority == Priority.HIGH]
    normal = [n for n in notices if n.meta.priority == Priority.NORMAL]
    half = (len(normal) + 1) // 2
    blocks = [urgent, high, normal[:half]]
    if high and normal[half:]:
        blocks.append(high)
    blocks.append(normal[half:])
    slots: list[Slot] = []
    made: SlotMemo = {}
    for number, block in enumerate(blocks):
        for notice in block:
            times = page_times(notice)
            entry = memo.get(id(notice)) if memo is not None else None
            if entry is None or entry[0] is not notice or entry[1] != number or (
                    entry[2] is not times and entry[2] != tuple(times)):
                times = tuple(times) or (0.0,)
                key = (number, sort_key(notice))
                is_urgent = notice.meta.priority == Priority.URGENT
                count = len(times)
                entry = (notice, number, times, (Slot(notice.id, 0, 1, times[0], key, is_urgent),) if count == 1
                         else tuple([Slot(notice.id, i, count, t, key, is_urgent) for i, t in enumerate(times)]))
            made[id(notice)] = entry
            slots.extend(entry[3])
    if memo is not None:
        memo.clear()
        memo.update(made)
    return slots


def next_slot(slots: Sequence[Slot], current: Slot | None) -> Slot | None:
    """The slot that follows ``current`` in cycle order (wrapping); None if empty.

    Urgent notices are reached by interruption, not in turn (unless nothing else is active).
    """
    slots = [s for s in slots if not s.urgent] or list(slots)
    if not slots:
        return None
    if current is None:
        return slots[0]
    here = current.position()
    for slot in slots:
        if slot.position() > here:
            return slot
    return slots[0]


def slot_at(slots: Sequence[Slot], seconds: float) -> tuple[Slot | None, float]:
    """The slot playing ``seconds`` into a repeating cycle, and how far into it we are."""
    total = sum(s.seconds for s in slots)
    if not slots or total <= 0:
        return (slots[0] if slots else None), 0.0
    position = seconds % total
    for slot in slots:
        if position < slot.seconds:
            return slot, position
        position -= slot.seconds
    return slots[-1], 0.0


@dataclass
class Rotator:
    """The page on screen and what comes next."""

    urgent_every: float = URGENT_EVERY
    slots: list[Slot] = field(default_factory=list)
    current: Slot | None = None
    since: float = 0.0
    #: When each urgent notice last started showing.
    urgent_started: dict[str, float] = field(default_factory=dict)
    #: The slot an urgent interruption took the screen from, and its seconds left.
    resume: Slot | None = None
    resume_left: float = 0.0
    #: While interrupting: the urgent notice being shown.
    interrupting: str | None = None
    #: The page resumed after an interruption plays in full before the next one, so an
    #: urgent notice longer than ``urgent_every`` cannot keep the screen for itself.
    owed: bool = False

    def due(self) -> float:
        """When something must change next (page end or an urgent notice's recurrence)."""
        if self.current is None:
            return float("-inf") if self.slots else float("inf")  # idle: wait for a reschedule
        ends = self.since + self.current.seconds
        if self.interrupting is not None or self.current.urgent or self.owed:
            return ends  # no interruption of an urgent notice or of a resumed page
        for slot in self.slots:
            if slot.urgent and slot.page == 0 and slot.notice_id != self.interrupting:
                started = self.urgent_started.get(slot.notice_id)
                ends = min(ends, float("-inf") if started is None else started + self.urgent_every)
        return ends

    def update(self, t: float, slots: list[Slot]) -> bool:
        """New slots (content or schedule changed) at time ``t``; True if the page changed."""
        self.slots = slots
        present = {s.notice_id for s in slots if s.urgent}
        self.urgent_started = {k: v for k, v in self.urgent_started.items() if k in present}
        current = self.current
        if current is not None:
            same = [s for s in slots if s.notice_id == current.notice_id]
            if same:
                self.current = same[min(current.page, len(same) - 1)]
                if self.current.page != current.page or self.current.pages != current.pages:
                    self.since = t
                changed = self.current != current
                return self._interrupt(t) or changed
        return self.step(t)

    def step(self, t: float) -> bool:
        """Time is up for the current page (or it vanished): show the next one."""
        self.owed = False
        if self._interrupt(t):
            return True
        previous = self.current
        if self.interrupting is not None:
            following = [s for s in self.slots if previous is not None and s.notice_id == self.interrupting
                         and s.page == previous.page + 1]
            if following:
                self._show(following[0], t)
                return True
            # The urgent notice has been shown in full (or has gone): back to where it interrupted.
            started = self.urgent_started.get(self.interrupting or "", t)
            resume, self.resume, self.interrupting = self.resume, None, None
            again = [s for s in self.slots if resume is not None and s.notice_id == resume.notice_id
                     and s.page == resume.page]
            if again and self.resume_left >= MIN_RESUME:
                self._show(again[0], t)
                self.since = t - max(0.0, again[0].seconds - self.resume_left)  # the rest of its time
            else:
                self._show(next_slot(self.slots, resume or previous), t)
            long_urgent = t - started >= self.urgent_every
            self.owed = long_urgent and self.current is not None and not self.current.urgent
            return True
        self._show(next_slot(self.slots, previous), t)
        return True

    def _interrupt(self, t: float) -> bool:
        """Take the screen for an urgent notice that is due; True if it did."""
        if self.interrupting is not None or (self.current is not None and self.current.urgent):
            return False
        for slot in self.slots:
            if slot.urgent and slot.page == 0:
                started = self.urgent_started.get(slot.notice_id)
                if started is None or (not self.owed and t - started >= self.urgent_every - 1e-9):
                    self.resume = self.current
                    self.resume_left = (self.since + self.current.seconds - t) if self.current else 0.0
                    self.interrupting = slot.notice_id
                    self._show(slot, t)
                    return True
        return False

    def _show(self, slot: Slot | None, t: float) -> None:
        self.current = slot
        self.since = t
        if slot is not None and slot.urgent and slot.page == 0:
            self.urgent_started[slot.notice_id] = t

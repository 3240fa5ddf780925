"""The rotation: an ordered cycle of (notice, page) slots and how to step through it.

Pure. Page counts and page times come from layout, passed in as numbers. Slots are in
rotation order (see :func:`player.model.schedule.sort_key`), then page order, so the
slot after the current one is simply the first slot that sorts after it; this stays
right when notices appear or vanish between two steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from player.model.notice import Notice
from player.model.schedule import sort_key


@dataclass(frozen=True)
class Slot:
    """One page of one notice in the rotation."""

    notice_id: str
    page: int          # 0-based
    pages: int
    seconds: float
    key: tuple = ()

    def position(self) -> tuple:
        """Sort position in the rotation."""
        return (self.key, self.page)


def build_cycle(notices: Sequence[Notice], page_times: Callable[[Notice], Sequence[float]]) -> list[Slot]:
    """Slots for the active notices in rotation order."""
    slots = []
    for notice in notices:
        times = list(page_times(notice)) or [0.0]
        key = sort_key(notice)
        slots.extend(Slot(notice.id, i, len(times), t, key) for i, t in enumerate(times))
    return slots


def next_slot(slots: Sequence[Slot], current: Slot | None) -> Slot | None:
    """The slot that follows ``current`` (wrapping around); None for an empty rotation."""
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

"""What a resident is doing on a touch kiosk: the browsing state and how touches change it.

No pygame here: the frame loop turns SDL's finger and mouse events into :meth:`Kiosk.down`
/ :meth:`Kiosk.up` calls with screen coordinates, and draws whatever state results.
A tap acts on the target it started on (so a finger that slides off a button does not
press its neighbour); a horizontal swipe pages back or forward; after ``idle_return``
seconds without a touch the kiosk goes back to the rotation and large text is reset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from player.layout.kiosk import NEXT, PREV, Target, hit

ROTATION, LIST, READING = "rotation", "list", "reading"
#: A swipe: at least this share of the screen width sideways, and mostly sideways.
SWIPE_SHARE = 0.06


@dataclass(frozen=True)
class Action:
    """What a touch asks for: a target kind of layout/kiosk.py (prev, next, home, category,
    large, row) and its value (the category or notice id)."""

    kind: str
    value: str = ""


@dataclass
class _Press:
    x: float
    y: float
    target: Target | None


class Kiosk:
    """Browsing state; every method is called from the frame loop (cheap, no I/O)."""

    def __init__(self, idle_return: float, width: int) -> None:
        self.idle_return = idle_return
        self.width = width
        self.mode = ROTATION
        self.category: str | None = None
        self.list_page = 0
        self.notice_id: str | None = None
        self.page = 0
        self.large = False
        self.last_touch: float | None = None
        self._press: _Press | None = None

    @property
    def browsing(self) -> bool:
        """A resident is using the kiosk (not the rotation)."""
        return self.mode != ROTATION

    @property
    def pressed(self) -> Target | None:
        """The target under a finger that is down (drawn highlighted: feedback)."""
        return self._press.target if self._press else None

    def down(self, x: float, y: float, t: float, targets: Sequence[Target]) -> Target | None:
        """A finger (or mouse button) went down; returns the target to highlight."""
        self.last_touch = t
        self._press = _Press(x, y, hit(targets, x, y))
        return self._press.target

    def up(self, x: float, y: float, t: float, targets: Sequence[Target]) -> Action | None:
        """The finger lifted: a swipe, a tap on the target it started on, or nothing."""
        self.last_touch = t
        press, self._press = self._press, None
        if press is None:
            return None
        dx, dy = x - press.x, y - press.y
        if abs(dx) >= SWIPE_SHARE * self.width and abs(dx) > 1.5 * abs(dy):
            return Action(PREV if dx > 0 else NEXT)  # finger moves right: back, like a book
        if press.target is not None and hit(targets, x, y) == press.target:
            return Action(press.target.kind, press.target.value)
        return None

    def cancel(self) -> None:
        """Forget a press (the screen changed under the finger)."""
        self._press = None

    def idle(self, t: float) -> bool:
        """True once, when ``idle_return`` passed without a touch while browsing."""
        if self.browsing and self.last_touch is not None and t - self.last_touch >= self.idle_return:
            self.home()
            return True
        return False

    # -- state changes (the frame loop decides with the library and page counts) ------

    def home(self) -> None:
        """Back to the rotation; large text off."""
        self.mode, self.category, self.notice_id, self.page, self.list_page = ROTATION, None, None, 0, 0
        self.large = False
        self._press = None

    def open_category(self, category: str) -> None:
        """The list of a category's notices."""
        self.mode, self.category, self.list_page, self.notice_id, self.page = LIST, category, 0, None, 0

    def open_notice(self, notice_id: str, page: int = 0) -> None:
        """Read one notice."""
        self.mode, self.notice_id, self.page = READING, notice_id, page

    def turn(self, step: int, pages: int) -> bool:
        """Page within the list or the notice; False at either end."""
        if self.mode == LIST:
            target = self.list_page + step
            if 0 <= target < pages:
                self.list_page = target
                return True
            return False
        target = self.page + step
        if 0 <= target < pages:
            self.page = target
            return True
        return False


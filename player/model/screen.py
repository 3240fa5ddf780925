"""What is on the screen at one moment: the immutable snapshot the frame loop composes.

The runtime's content state (runtime/content.py) builds an :class:`OnScreen` once per
frame from the libraries, the schedule, the clock and the alerts; the compositor
(render/compositor.py) draws from it and nothing else; ``status.json`` is built from the
last one. Pure data: no pygame, no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from player.model.alertstate import ActiveAlert
from player.model.notice import Library, Notice, Priority
from player.model.schedule import Decision


@dataclass(frozen=True)
class Page:
    """A page of a notice in the rotation: which, and what its footer says."""

    notice: Notice
    index: int          # 0-based
    pages: int
    days_left: int | None = None   # a 公示's days remaining (None: not a 公示 or no end)


@dataclass(frozen=True)
class OnScreen:
    """Everything the frame shows at ``t`` (loop seconds) / ``wall`` (schedule time).

    ``version`` changes whenever the content, the schedule's decisions or the page do:
    views redraw what depends on them when it changes, nothing else.
    """

    t: float
    wall: dt.datetime
    local: dt.datetime | None        # the header's date and clock; None: the clock is not trusted
    trusted: bool
    library: Library = field(default_factory=Library)
    decisions: tuple[Decision, ...] = ()
    page: Page | None = None         # the rotation's page (None: nothing to show)
    ticker: tuple[str, ...] = ()
    alerts: tuple[ActiveAlert, ...] = ()
    screen_on: bool = True           # False: dark by the power schedule (nothing is drawn)
    ready: bool = True               # False: the content is still being read at start
    version: int = 0

    @property
    def urgent(self) -> bool:
        """The rotation shows an urgent notice."""
        return self.page is not None and self.page.notice.meta.priority == Priority.URGENT

    @property
    def full_alert(self) -> ActiveAlert | None:
        """The red or orange alert that takes the whole screen, if any."""
        return next((a for a in self.alerts if a.full_screen), None)

    @property
    def band_alerts(self) -> tuple[ActiveAlert, ...]:
        """Yellow and blue alerts (and all-clears): the band above the ticker."""
        return tuple(a for a in self.alerts if not a.full_screen)

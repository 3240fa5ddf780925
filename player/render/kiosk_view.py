"""The kiosk on screen: turns touch and mouse events into browsing, and draws it.

A view of the compositor (render/compositor.py): while a resident browses, it owns the
page area and the navigation bar; the rotation goes on underneath. Events are handled
and their visual feedback (a darker button) drawn in the same frame. Pages come from the
:class:`~player.render.pagecache.PageSource` — laid out and drawn by the preparer
threads, never here; a page that is not ready leaves the view as it is. Large text (大字)
is a second variant of the pages whose theme has larger text sizes, so notices are laid
out and paginated again, never stretched. An urgent notice or a full-screen alert
suspends browsing; it resumes afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from player.layout.browsing import LIST, READING, ROTATION, Action, Kiosk
from player.layout.kiosk import CATEGORY, HOME, LARGE, NEXT, PREV, ROW, ListPage, Target, list_page, nav_targets
from player.model.notice import Library, Notice, Priority
from player.model.schedule import ACTIVE, Decision, countdown_text, days_remaining
from player.model.screen import Page
from player.model.textdoc import format_date
from player.render.kiosk import draw_list, draw_nav
from player.render.pagecache import LARGE as LARGE_TEXT, NORMAL, PageSource
from player.render.pg import pygame
from player.render.views import Painter

class TouchMap(Protocol):
    """Touches on a rotated panel (runtime/present.py ``Rotation``)."""

    physical: tuple[int, int]

    def to_logical(self, x: float, y: float) -> tuple[float, float]:
        """A physical pixel position -> the logical one."""


def active_categories(decisions: Sequence[Decision]) -> tuple[str, ...]:
    """The kiosk's tabs: categories of the notices on screen now, sorted."""
    return tuple(sorted({d.notice.category for d in decisions if d.state == ACTIVE and d.notice.category}))


class KioskView:
    """Browsing on a touch kiosk (created only with ``interaction.touch: true``)."""

    def __init__(self, painter: Painter, pages: PageSource, idle_return: float, tz: ZoneInfo,
                 touch_map: "TouchMap | None" = None) -> None:
        """Args:
            touch_map: a rotated panel's mapping of touches (None: not rotated).
        """
        self.painter = painter
        self.touch_map = touch_map
        self.pages = pages
        self.frame = painter.frame
        assert self.frame.nav is not None, "the kiosk theme reserves a navigation bar"
        self.kiosk = Kiosk(idle_return, self.frame.width)
        self.tz = tz
        self.categories: tuple[str, ...] = ()
        self.targets: tuple[Target, ...] = nav_targets(self.frame.nav, (), self.frame.nav_rows)
        self.suspended = False        # an urgent notice or an alert has the screen
        self.nav_dirty = True
        self.page_dirty = False
        self._listing: ListPage | None = None
        self._pages = 1               # pages of what is shown while browsing
        self._rotation: Page | None = None

    # -- state the compositor asks about ---------------------------------------------------

    @property
    def visible(self) -> bool:
        """The page area shows browsing (not the rotation)."""
        return self.kiosk.browsing and not self.suspended

    @property
    def variant(self) -> str:
        """Which pages are read: large text or normal."""
        return LARGE_TEXT if self.kiosk.large else NORMAL

    def note_rotation(self, page: Page | None) -> None:
        """What the rotation shows (‹ › and 大字 in the rotation start reading it)."""
        self._rotation = page

    def set_categories(self, decisions: Sequence[Decision]) -> None:
        """Tabs: the categories of the notices this screen shows now."""
        categories = active_categories(decisions)
        if categories != self.categories:
            self.categories = categories
            self.targets = nav_targets(self.frame.nav, categories, self.frame.nav_rows)
            self.nav_dirty = True

    # -- input -------------------------------------------------------------------------------

    def handle(self, event: "pygame.event.Event", t: float) -> Action | None:
        """A pygame event: finger (normalised coordinates of the physical screen) or left
        mouse button, mapped to the logical screen on a rotated panel."""
        mapping = self.touch_map
        width, height = mapping.physical if mapping is not None else (self.frame.width, self.frame.height)
        if event.type in (pygame.FINGERDOWN, pygame.FINGERUP):
            x, y = event.x * width, event.y * height
            down = event.type == pygame.FINGERDOWN
        elif event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP) and event.button == 1 \
                and not getattr(event, "touch", False):  # SDL also sends touches as mouse events
            (x, y), down = event.pos, event.type == pygame.MOUSEBUTTONDOWN
        else:
            return None
        if mapping is not None:
            x, y = mapping.to_logical(x, y)
        return self.touch(x, y, down, t)

    def touch(self, x: float, y: float, down: bool, t: float) -> Action | None:
        """A finger down or up at (x, y) in the logical screen."""
        targets = self._all_targets()
        if down:
            pressed = self.kiosk.down(x, y, t, targets)
            if pressed is not None:
                self._feedback(pressed)
            return None
        before = self.kiosk.pressed
        action = self.kiosk.up(x, y, t, targets)
        if before is not None:
            self._feedback(before)  # released: normal colour again
        return action

    def _feedback(self, target: Target) -> None:
        if target.kind == ROW:
            self.page_dirty = True
        else:
            self.nav_dirty = True

    def _all_targets(self) -> tuple[Target, ...]:
        rows = self._listing.rows if self.visible and self.kiosk.mode == LIST and self._listing else ()
        return self.targets + tuple(rows)

    def apply(self, action: Action) -> None:
        """Carry out a tap or swipe."""
        k = self.kiosk
        if action.kind == HOME:
            k.home()
        elif action.kind == CATEGORY:
            k.open_category(action.value)
        elif action.kind == ROW:
            k.open_notice(action.value)
        elif action.kind == LARGE:
            k.large = not k.large
            if k.mode == ROTATION and self._rotation is not None:
                k.category = self._rotation.notice.category
                k.open_notice(self._rotation.notice.id)
            k.page = 0  # pages differ in large text
        elif action.kind in (PREV, NEXT):
            step = 1 if action.kind == NEXT else -1
            if k.mode == ROTATION:
                page = self._rotation
                if page is None:
                    return
                count = self.pages.page_count(page.notice, self.variant) or page.pages
                target = page.index + step
                if not 0 <= target < count:
                    return
                k.category = page.notice.category
                k.open_notice(page.notice.id, target)
            elif not k.turn(step, self._pages):
                return
        self.page_dirty = self.nav_dirty = True

    def idle(self, t: float) -> bool:
        """True when the kiosk went back to the rotation by itself (idle_return)."""
        if self.kiosk.idle(t):
            self.nav_dirty = True
            return True
        return False

    def suspend(self, suspended: bool) -> str | None:
        """An urgent notice or alert has the screen: suspend browsing; "suspend"/"resume"
        on a change."""
        if self.kiosk.browsing and suspended and not self.suspended:
            self.suspended = True
            self.kiosk.cancel()
            return "suspend"
        if self.suspended and not suspended:
            self.suspended = False
            self.page_dirty = self.nav_dirty = True
            return "resume"
        return None

    # -- drawing --------------------------------------------------------------------------------

    def browsed_notice(self, library: Library) -> Notice | None:
        """The notice being read, if any (and still present)."""
        if self.kiosk.mode == READING and self.kiosk.notice_id:
            return library.get(self.kiosk.notice_id)
        return None

    def draw_nav(self, surface: "pygame.Surface") -> "pygame.Rect":
        """The bar, in its current state."""
        self.nav_dirty = False
        k = self.kiosk
        active = "" if not k.browsing else k.category
        if k.mode == ROTATION or self.suspended:
            enabled = {PREV, NEXT} if self._rotation is not None else set()
        else:
            page = k.list_page if k.mode == LIST else k.page
            enabled = ({PREV} if page > 0 else set()) | ({NEXT} if page < self._pages - 1 else set())
        return draw_nav(surface, self.frame.nav, self.targets, self.painter.fonts, self.painter.theme,
                        active, k.large, k.pressed, enabled)

    def draw_page(self, surface: "pygame.Surface", library: Library, decisions: Sequence[Decision],
                  wall: dt.datetime) -> "pygame.Rect | None":
        """The page area and footer while browsing (None: nothing drawn yet, a page is
        being prepared; the view stays as it is — the pressed button already answered)."""
        k = self.kiosk
        body = self.painter.body_rect()
        if k.mode == READING:
            notice = self.browsed_notice(library)
            if notice is None:  # removed while being read
                k.open_category(k.category) if k.category else k.home()
                return self.draw_page(surface, library, decisions, wall) if k.browsing else body
            count = self.pages.page_count(notice, self.variant)
            if count is None:
                return None
            k.page = min(k.page, count - 1)
            drawn = self.pages.page(notice, k.page, self.variant)
            if drawn is None:
                return None
            self.page_dirty = False
            self._pages = count
            surface.fill(self.painter.theme.background, body)
            surface.blit(drawn, (self.frame.page.x, self.frame.page.y))
            self.painter.footer(surface, Page(notice, k.page, count, days_remaining(notice, wall, self.tz)))
            return body
        self.page_dirty = False
        theme, fonts, styles = self.painter.theme, self.painter.fonts, self.painter.styles
        surface.fill(theme.background, body)
        ids = [d.notice.id for d in decisions if d.state == ACTIVE and d.notice.category == k.category]
        row_h = max(round(styles.body.size * 2.2), 64, self.frame.min_target)
        area = self.frame.page
        self._listing = list_page(area, ids, k.list_page, row_h, round(styles.body.size * 1.8))
        self._pages, k.list_page = self._listing.pages, self._listing.page
        notices = {n.id: n for n in library.notices}
        draw_list(surface, area, self._listing, k.category or "", notices, lambda n: self._note(n, wall),
                  fonts, theme, styles.body, k.pressed)
        foot = self.frame.footer
        if self._listing.pages > 1:
            text = f"第 {self._listing.page + 1}/{self._listing.pages} 页"
            w = fonts.width(text, styles.muted)
            fonts.draw(surface, foot.right - w, foot.y + (foot.h - fonts.line_height(styles.muted)) / 2, text,
                       styles.muted)
        return body

    def _note(self, notice: Notice, wall: dt.datetime) -> str:
        if notice.meta.is_publicity:
            text = countdown_text(days_remaining(notice, wall, self.tz))
            if text is not None:
                return f"公示{text}"
        if notice.meta.priority == Priority.URGENT:
            return "紧急"
        if notice.meta.date:
            return format_date(notice.meta.date)
        return ""

    def status(self) -> dict:
        """``status.json`` → ``interaction``."""
        k = self.kiosk
        page = k.list_page if k.mode == LIST else k.page
        return {"touch": True, "mode": k.mode, "suspended": self.suspended, "category": k.category,
                "notice": k.notice_id, "page": page + 1 if k.browsing else None,
                "pages": self._pages if k.browsing else None, "large_text": k.large,
                "categories": list(self.categories)}

"""The kiosk on screen: turns touch and mouse events into browsing, and draws it.

The frame loop (runtime/app.py) owns the rotation; while a resident browses, this
controller owns the page area and the navigation bar. Events are handled and their
visual feedback (a darker button) drawn in the same frame. Large text (大字) uses a
second renderer whose theme has larger text sizes, so notices are laid out and paginated
again, never stretched. An urgent notice suspends browsing; it resumes afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from player.layout.kiosk import CATEGORY, HOME, LARGE, NEXT, PREV, ROW, ListPage, Target, list_page, nav_targets
from player.layout.theme import Theme
from player.model.notice import Library, Notice, Priority
from player.model.schedule import ACTIVE, Decision, days_remaining
from player.model.textdoc import format_date
from player.render.frame import FrameRenderer, Showing
from player.render.kiosk import draw_list, draw_nav
from player.render.pg import pygame
from player.runtime.kiosk import LIST, READING, ROTATION, Action, Kiosk
from player.runtime.prepare import Prepared, Preparer

#: The navigation bar's height as a share of the screen height (≈ 103 px, 25 mm at 1080p).
NAV_SHARE = 0.095
#: 大字: text sizes multiplied by this (body 38 px -> 53 px at 1080p).
LARGE_SCALE = 1.4


def kiosk_theme(theme: Theme) -> Theme:
    """The theme with room for the navigation bar."""
    return dataclasses.replace(theme, nav=NAV_SHARE)


def large_theme(theme: Theme) -> Theme:
    """The same screen regions with larger text (大字)."""
    s = LARGE_SCALE
    return dataclasses.replace(theme, title=theme.title * 1.2, body=theme.body * s, heading1=theme.heading1 * 1.3,
                               small=theme.small * 1.2, table=theme.table * s, table_min=theme.table_min * s)


def active_categories(decisions: Sequence[Decision]) -> tuple[str, ...]:
    """The kiosk's tabs: categories of the notices on screen now, sorted."""
    return tuple(sorted({d.notice.category for d in decisions if d.state == ACTIVE and d.notice.category}))


class KioskView:
    """Browsing on a touch kiosk (created only with ``interaction.touch: true``)."""

    def __init__(self, renderer: FrameRenderer, make_large: Callable[[], FrameRenderer], idle_return: float,
                 tz: ZoneInfo, preparer_for: Callable[[bool], Preparer | None] | None = None) -> None:
        """``preparer_for(large)``: the background thread that lays out and draws pages for
        the normal or the large-text renderer (None: draw inline, for deterministic tests)."""
        self.renderer = renderer
        self._preparer_for = preparer_for
        self._waiting: tuple[str, str, int, bool] | None = None  # a page being prepared
        self._make_large = make_large
        self._large: FrameRenderer | None = None
        self.frame = renderer.frame
        assert self.frame.nav is not None, "the kiosk theme reserves a navigation bar"
        self.kiosk = Kiosk(idle_return, self.frame.width)
        self.tz = tz
        self.categories: tuple[str, ...] = ()
        self.targets: tuple[Target, ...] = nav_targets(self.frame.nav, ())
        self.suspended = False        # an urgent notice has the screen
        self.nav_dirty = True
        self.page_dirty = False
        self._listing: ListPage | None = None
        self._pages = 1               # pages of what is shown while browsing
        self._rotation_notice: Notice | None = None
        self._rotation_page = 0

    # -- state the app asks about -----------------------------------------------------------

    @property
    def visible(self) -> bool:
        """The page area shows browsing (not the rotation)."""
        return self.kiosk.browsing and not self.suspended

    @property
    def reader(self) -> FrameRenderer:
        """The renderer for notices read on the kiosk (large text or normal)."""
        if self.kiosk.large:
            if self._large is None:
                self._large = self._make_large()
            return self._large
        return self.renderer

    def note_rotation(self, notice: Notice | None, page: int) -> None:
        """What the rotation shows (‹ › and 大字 in the rotation start reading it)."""
        self._rotation_notice, self._rotation_page = notice, page

    def set_categories(self, decisions: Sequence[Decision]) -> None:
        """Tabs: the categories of the notices this screen shows now."""
        categories = active_categories(decisions)
        if categories != self.categories:
            self.categories = categories
            self.targets = nav_targets(self.frame.nav, categories)
            self.nav_dirty = True

    # -- input -------------------------------------------------------------------------------

    def handle(self, event: "pygame.event.Event", t: float) -> Action | None:
        """A pygame event: finger (normalised coordinates) or left mouse button."""
        if event.type in (pygame.FINGERDOWN, pygame.FINGERUP):
            x, y = event.x * self.frame.width, event.y * self.frame.height
            down = event.type == pygame.FINGERDOWN
        elif event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP) and event.button == 1 \
                and not getattr(event, "touch", False):  # SDL also sends touches as mouse events
            (x, y), down = event.pos, event.type == pygame.MOUSEBUTTONDOWN
        else:
            return None
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
            if k.mode == ROTATION and self._rotation_notice is not None:
                k.category = self._rotation_notice.category
                k.open_notice(self._rotation_notice.id)
            k.page = 0  # pages differ in large text
        elif action.kind in (PREV, NEXT):
            step = 1 if action.kind == NEXT else -1
            if k.mode == ROTATION:
                notice = self._rotation_notice
                if notice is None:
                    return
                pages = self.reader.page_count(notice)
                target = self._rotation_page + step
                if not 0 <= target < pages:
                    return
                k.category = notice.category
                k.open_notice(notice.id, target)
            elif not k.turn(step, self._pages):
                return
        self.page_dirty = self.nav_dirty = True

    def idle(self, t: float) -> bool:
        """True when the kiosk went back to the rotation by itself (idle_return)."""
        if self.kiosk.idle(t):
            self.nav_dirty = True
            return True
        return False

    def urgent(self, urgent_on_screen: bool) -> str | None:
        """The rotation shows an urgent notice: suspend browsing; "suspend"/"resume" on a change."""
        if self.kiosk.browsing and urgent_on_screen and not self.suspended:
            self.suspended = True
            self.kiosk.cancel()
            return "suspend"
        if self.suspended and not urgent_on_screen:
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
            enabled = {PREV, NEXT} if self._rotation_notice is not None else set()
        else:
            page = k.list_page if k.mode == LIST else k.page
            enabled = ({PREV} if page > 0 else set()) | ({NEXT} if page < self._pages - 1 else set())
        return draw_nav(surface, self.frame.nav, self.targets, self.renderer.fonts, self.renderer.theme,
                        active, k.large, k.pressed, enabled)

    def adopted(self, item: Prepared, large: bool) -> None:
        """A prepared layout/page arrived (adopted by its renderer): draw it if awaited."""
        if self._waiting is not None and self._waiting[:2] == (item.notice_id, item.sha256) \
                and self._waiting[3] == large and item.page == self._waiting[2]:
            self._waiting = None
            self.page_dirty = True

    def poll_large(self) -> None:
        """Adopt pages the large-text preparer finished (called every frame)."""
        preparer = self._preparer_for(True) if self._large is not None and self._preparer_for else None
        if preparer is None:
            return
        for item in preparer.results():
            self._large.adopt(item.notice_id, item.sha256, item.pages, item.page, item.surface)
            self.adopted(item, True)

    def draw_page(self, surface: "pygame.Surface", library: Library, decisions: Sequence[Decision],
                  wall: dt.datetime) -> "pygame.Rect | None":
        """The page area and footer while browsing (None: nothing drawn yet, a page is
        being prepared)."""
        self.page_dirty = False
        k = self.kiosk
        frame = self.frame
        body = pygame.Rect(0, frame.header.bottom, frame.width, frame.nav.y - frame.header.bottom)
        if k.mode == READING:
            notice = self.browsed_notice(library)
            if notice is None:  # removed while being read
                k.open_category(k.category) if k.category else k.home()
                return self.draw_page(surface, library, decisions, wall) if k.browsing else body
            reader = self.reader
            if reader.has_layout(notice):
                k.page = min(k.page, reader.page_count(notice) - 1)
            preparer = self._preparer_for(k.large) if self._preparer_for is not None else None
            if preparer is not None and not reader.has_surface(notice, k.page):
                # Never lay out or draw in the frame loop: the view stays as it is (the
                # pressed button already answered the tap) until the page arrives.
                self._waiting = (notice.id, notice.sha256, k.page, k.large)
                preparer.request(notice, k.page)
                return None
            self._pages = reader.page_count(notice)
            reader.draw_body(surface, Showing(notice, k.page, days_remaining(notice, wall, self.tz)))
            return body
        surface.fill(self.renderer.theme.background, body)
        ids = [d.notice.id for d in decisions if d.state == ACTIVE and d.notice.category == k.category]
        styles = self.renderer.layouter.styles
        row_h = max(round(styles.body.size * 2.2), 64)
        area = frame.page
        self._listing = list_page(area, ids, k.list_page, row_h, round(styles.body.size * 1.8))
        self._pages, k.list_page = self._listing.pages, self._listing.page
        notices = {n.id: n for n in library.notices}
        draw_list(surface, area, self._listing, k.category or "", notices, lambda n: self._note(n, wall),
                  self.renderer.fonts, self.renderer.theme, styles.body, k.pressed)
        foot = frame.footer
        if self._listing.pages > 1:
            text = f"第 {self._listing.page + 1}/{self._listing.pages} 页"
            w = self.renderer.fonts.width(text, styles.muted)
            self.renderer.fonts.draw(surface, foot.right - w, foot.y + (foot.h - self.renderer.fonts.line_height(
                styles.muted)) / 2, text, styles.muted)
        return body

    def _note(self, notice: Notice, wall: dt.datetime) -> str:
        if notice.meta.is_publicity:
            left = days_remaining(notice, wall, self.tz)
            if left is not None:
                return f"公示剩余{left}天" if left > 0 else "公示今日截止"
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


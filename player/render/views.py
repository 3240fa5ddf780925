"""What the page area shows: the rotation, a full-screen alert, the idle page.

A view draws into the regions the compositor gives it, from an
:class:`~player.model.screen.OnScreen` snapshot and pages prepared elsewhere
(:class:`~player.render.pagecache.PageSource`); it never lays out or draws a page
itself: a page that is not ready yet leaves the previous one on screen. It returns the
rectangles it changed. The kiosk's browsing view is in :mod:`player.render.kiosk_view`.
"""

from __future__ import annotations

from dataclasses import dataclass

from player.layout.alert import alert_colors, alert_pages
from player.layout.display import Style
from player.layout.pages import footer_texts
from player.layout.templates import TextBox
from player.layout.theme import Frame, Styles, Theme
from player.model.alertstate import ActiveAlert
from player.model.screen import OnScreen, Page
from player.render.draw import draw_ops
from player.render.fonts import Fonts
from player.render.frame import FrameRenderer
from player.render.pagecache import PageSource
from player.render.pg import pygame

WIPE_SECONDS = 0.4
IDLE_TEXT = "暂无公告"
LOADING_TEXT = "正在载入公告…"
#: Seconds each page of a long full-screen alert stays.
ALERT_PAGE_SECONDS = 15.0


@dataclass
class Wipe:
    """A page change in progress: the new page is revealed left to right (or faded in)."""

    surface: "pygame.Surface"
    started: float
    shown: int = 0
    fade: bool = False


class Painter:
    """The shared drawing of page areas: footer, idle text, wipes."""

    def __init__(self, frame: Frame, fonts: Fonts, theme: Theme, styles: Styles, screen_name: str) -> None:
        self.frame = frame
        self.fonts = fonts
        self.theme = theme
        self.styles = styles
        self.screen_name = screen_name

    def body_rect(self) -> "pygame.Rect":
        """Everything between the header and the navigation bar or ticker (beside the
        side panel, if any)."""
        frame = self.frame
        top = frame.header.bottom if frame.header.h else 0
        bottom = frame.nav.y if frame.nav is not None else (frame.ticker.y if frame.ticker.h else frame.height)
        right = frame.side.x if frame.side is not None else frame.width
        return pygame.Rect(0, top, right, bottom - top)

    def footer_boxes(self, page: Page | None) -> list[TextBox]:
        """The footer's texts and where they go: 第 n/m 页 at the right, the 公示 line at
        the left, cut with … so that the two never meet."""
        if page is None:
            return []
        foot, styles, fonts = self.frame.footer, self.styles, self.fonts
        left, right = footer_texts(page.notice, page.index + 1, page.pages, page.days_left)
        y = foot.y + (foot.h - fonts.line_height(styles.small)) / 2
        out, room = [], float(foot.w)
        if right:
            w = fonts.width(right, styles.muted)
            out.append(TextBox(right, foot.right - w, y, w, fonts.line_height(styles.muted), styles.muted))
            room = foot.w - w - styles.small.size
        if left:
            text = fit(fonts, left, styles.period, room)
            out.append(TextBox(text, foot.x, y, fonts.width(text, styles.period), fonts.line_height(styles.period),
                               styles.period))
        return out

    def footer(self, surface: "pygame.Surface", page: Page | None) -> "pygame.Rect":
        """The line under the page: 公示 days remaining and 第 n/m 页."""
        foot = self.frame.footer
        rect = pygame.Rect(foot.x, foot.y, foot.w, foot.h)
        surface.fill(self.theme.background, rect)
        for item in self.footer_boxes(page):
            self.fonts.draw(surface, item.x, item.y, item.text, item.style)
        return rect

    def idle_boxes(self, loading: bool) -> list[TextBox]:
        """The idle page's texts: the office name and 暂无公告 (正在载入 at start)."""
        box, styles, fonts = self.frame.page, self.styles, self.fonts
        title = Style(styles.title.size, True, self.theme.accent)
        out = []
        for text, style, dy in ((self.screen_name, title, -0.6), (LOADING_TEXT if loading else IDLE_TEXT,
                                                                   styles.muted, 0.8)):
            text = fit(fonts, text, style, box.w)
            w = fonts.width(text, style)
            y = box.y + box.h / 2 + dy * title.size * 1.2
            out.append(TextBox(text, box.x + (box.w - w) / 2, y, w, fonts.line_height(style), style))
        return out

    def idle(self, surface: "pygame.Surface", loading: bool) -> "pygame.Rect":
        """The office name and 暂无公告 (or 正在载入 while the content is read at start)."""
        body = self.body_rect()
        surface.fill(self.theme.background, body)
        for item in self.idle_boxes(loading):
            self.fonts.draw(surface, item.x, item.y, item.text, item.style)
        return body

    def wipe_step(self, surface: "pygame.Surface", wipe: Wipe, t: float) -> tuple["pygame.Rect", bool]:
        """One frame of a page change; (the rectangle drawn, finished?)."""
        box = self.frame.page
        progress = min(1.0, (t - wipe.started) / WIPE_SECONDS)
        eased = progress * progress * (3 - 2 * progress)  # smoothstep
        if wipe.fade:  # the whole page, more opaque each frame
            wipe.surface.set_alpha(255 if progress >= 1.0 else round(255 * eased))
            surface.blit(wipe.surface, (box.x, box.y))
            wipe.surface.set_alpha(None)
            return pygame.Rect(box.x, box.y, box.w, box.h), progress >= 1.0
        reach = box.w if progress >= 1.0 else round(box.w * eased)
        area = pygame.Rect(wipe.shown, 0, max(0, reach - wipe.shown), box.h)
        if area.w:
            surface.blit(wipe.surface, (box.x + area.x, box.y), area)
        wipe.shown = reach
        return pygame.Rect(box.x + area.x, box.y, area.w, box.h), progress >= 1.0


def fit(fonts: Fonts, text: str, style: Style, width: float) -> str:
    """``text``, cut with … so it fits ``width``."""
    if fonts.width(text, style) <= width:
        return text
    while len(text) > 1 and fonts.width(text + "…", style) > width:
        text = text[:-1]
    return text + "…"


class RotationView:
    """The rotation's pages, wiped in one after the other."""

    def __init__(self, painter: Painter, pages: PageSource) -> None:
        self.painter = painter
        self.pages = pages
        self.wipe: Wipe | None = None
        self.fade_next = False
        self._shown: tuple | None = None   # what the page area shows now

    def reset(self, keep_fade: bool = False) -> None:
        """Draw the page again at the next frame (the view was covered)."""
        self._shown = None
        self.wipe = None
        if not keep_fade:
            self.fade_next = False

    def draw(self, surface: "pygame.Surface", snap: OnScreen, t: float, full: bool) -> list["pygame.Rect"]:
        """The page area for this frame."""
        rects = []
        page = snap.page
        key = None if page is None else (page.notice.id, page.notice.sha256, page.index, page.pages,
                                         page.days_left)
        wanted = key if key is not None else ("idle", snap.ready)
        if full or wanted != self._shown:
            if page is None:
                self.wipe = None
                rects.append(self.painter.idle(surface, loading=not snap.ready))
                self._shown = wanted
            else:
                drawn = self.pages.page(page.notice, page.index)
                same_page = self._shown is not None and self._shown[:3] == key[:3]
                if drawn is not None:
                    if full:
                        surface.fill(self.painter.theme.background, self.painter.body_rect())
                        surface.blit(drawn, (self.painter.frame.page.x, self.painter.frame.page.y))
                        rects.append(self.painter.body_rect())
                        self.wipe = None
                    elif not same_page:
                        self.wipe = Wipe(drawn, t, fade=self.fade_next)
                    self.fade_next = False
                    rects.append(self.painter.footer(surface, page))
                    self._shown = wanted
                elif full:  # not prepared yet: the background now, the page when it comes
                    surface.fill(self.painter.theme.background, self.painter.body_rect())
                    rects.append(self.painter.body_rect())
                    self._shown = None
        if self.wipe is not None:
            rect, done = self.painter.wipe_step(surface, self.wipe, t)
            rects.append(rect)
            if done:
                self.wipe = None
        return rects


class AlertView:
    """A red or orange alert over the whole body of the screen, page after page."""

    def __init__(self, painter: Painter, pages: "AlertPages") -> None:
        self.painter = painter
        self.pages = pages
        self._shown: tuple | None = None
        self._since = 0.0

    def reset(self) -> None:
        """Draw again at the next frame."""
        self._shown = None

    def draw(self, surface: "pygame.Surface", snap: OnScreen, t: float, full: bool) -> list["pygame.Rect"]:
        """The alert's current page."""
        alert = snap.full_alert
        if alert is None:
            return []
        if self._shown is None or self._shown[1] != alert.alert:
            self.pages.retain(alert)  # another alert, or new content: the old pages go
        count = self.pages.count(alert)
        if self._shown is None or self._shown[0] != alert.alert.id or full:
            self._since = t
        index = int((t - self._since) // ALERT_PAGE_SECONDS) % max(1, count or 1)
        key = (alert.alert.id, alert.alert, index)
        if not full and key == self._shown:
            return []
        drawn = self.pages.page(alert, index)
        body = self.painter.body_rect()
        if drawn is None:
            if full or self._shown is None:
                surface.fill(self.pages.background(alert), body)
                return [body]
            return []
        surface.blit(drawn, (body.x, body.y))
        self._shown = key
        return [body]


class AlertPages:
    """Full-screen alert pages, laid out and drawn in the preparer (never the loop)."""

    def __init__(self, painter: Painter, source, tz) -> None:
        """``source``: the runtime's :class:`~player.runtime.prepare.Pages` (``drawing``,
        ``forget_drawings``). Pages are keyed by the whole alert message, so an update
        that changes any of its words is drawn again."""
        self.painter = painter
        self.source = source
        self.tz = tz
        self._counts: dict[tuple, int] = {}
        self._keys: set[tuple] = set()

    def retain(self, alert: ActiveAlert) -> None:
        """Forget the drawn pages of every other alert message (each is a screen-sized
        surface, outside the byte-bounded page cache). Alert pages are the only drawings."""
        keep = {k for k in self._keys if k[1] == alert.alert}
        if keep != self._keys:
            self.source.forget_drawings(keep)
            self._keys = keep
            for key in [k for k in self._counts if k[0] != alert.alert]:
                del self._counts[key]  # in place: a preparer thread may be writing the new count

    @staticmethod
    def background(alert: ActiveAlert) -> tuple[int, int, int]:
        """The level colour."""
        return alert_colors(alert.alert)[0]

    def _size(self) -> tuple[int, int]:
        body = self.painter.body_rect()
        return body.w, body.h

    def count(self, alert: ActiveAlert) -> int | None:
        """Pages of the alert (None until laid out)."""
        key = (alert.alert, self._size())
        if key not in self._counts:
            surface = self.page(alert, 0)
            if surface is None:
                return None
        return self._counts.get(key)

    def page(self, alert: ActiveAlert, index: int) -> "pygame.Surface | None":
        """One page drawn (None while the preparer draws it)."""
        width, height = self._size()
        a = alert.alert
        count_key = (a, (width, height))
        tz = self.tz
        counts = self._counts

        def draw(renderer: FrameRenderer) -> "pygame.Surface":  # in the preparer thread
            laid = alert_pages(a, width, height, renderer.fonts, tz)
            counts[count_key] = len(laid)  # one key, written once; the loop only reads it
            surface = pygame.Surface((width, height))
            surface.fill(alert_colors(a)[0])
            draw_ops(surface, laid[min(index, len(laid) - 1)].ops, renderer.fonts)
            return surface

        key = ("alert", a, index, width, height)
        self._keys.add(key)
        return self.source.drawing(key, draw)


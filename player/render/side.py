"""The split template's side panel: date, clock, and the 公示 on screen with their countdowns.

The list is the notices in the schedule's decisions that are active 公示, each with its
title (cut with … to one line) and :func:`~player.model.schedule.countdown_text` (the one
wording of the remaining days) under it; what does not fit is summed up as 另有 N 项.
The panel is drawn whole when the date or the list changes, the clock digits once a
second. Where every text goes is computed by :meth:`SidePanel.boxes` (the geometric
checks use it too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from player.layout.display import Box, Style
from player.layout.templates import TextBox
from player.layout.theme import Theme
from player.model.notice import Notice
from player.model.schedule import ACTIVE, Decision, countdown_text, days_remaining
from player.render.fonts import Fonts
from player.render.header import UNSYNCED, WIDEST_CLOCK, ClockDigits, date_text, fit_text
from player.render.pg import pygame

HEADING = "公示中"
NONE_TEXT = "暂无公示"
PANEL_BG = (243, 238, 228)


def publicity(decisions: Sequence[Decision], wall: dt.datetime, tz: ZoneInfo) -> list[tuple[Notice, str]]:
    """The active 公示 and their countdown texts, soonest end first."""
    out = []
    for d in decisions:
        if d.state == ACTIVE and d.notice.meta.is_publicity:
            days = days_remaining(d.notice, wall, tz)
            text = countdown_text(days)
            if text is not None:
                out.append((days, d.notice.title, d.notice, text))
    out.sort(key=lambda item: (item[0], item[1]))
    return [(notice, text) for _days, _title, notice, text in out]


class SidePanel:
    """Draws the side panel into its box."""

    def __init__(self, box: Box, fonts: Fonts, theme: Theme, unit: float, tz: ZoneInfo, smallest: int = 12) -> None:
        self.box = box
        self.fonts = fonts
        self.theme = theme
        self.tz = tz
        self.smallest = smallest
        self.pad = round(theme.margin * unit * 0.6)
        self.date_style = Style(max(smallest, theme.px(theme.small, unit)), False, theme.text)
        self.clock_style = Style(theme.px(theme.title * 1.3, unit), True, theme.accent)
        self.head_style = Style(theme.px(theme.small, unit), True, theme.accent_text)
        self.title_style = Style(theme.px(theme.small, unit), True, theme.text)
        self.note_style = Style(max(smallest, round(theme.px(theme.small, unit) * 0.9)), False, theme.accent)
        lh = fonts.line_height
        inner_w = box.w - 2 * self.pad
        clock_w = round(fonts.width(WIDEST_CLOCK, self.clock_style)) + 2
        if clock_w > inner_w:  # a narrow panel: a smaller clock
            self.clock_style = Style(max(smallest, int(self.clock_style.size * inner_w / clock_w)), True,
                                     theme.accent)
            clock_w = round(fonts.width(WIDEST_CLOCK, self.clock_style)) + 2
        y = box.y + self.pad
        self.date_row = Box(box.x + self.pad, y, inner_w, round(lh(self.date_style)))
        y = self.date_row.bottom + self.pad // 3
        clock_h = round(lh(self.clock_style))
        self.clock_rect = pygame.Rect(box.x + (box.w - clock_w) // 2, y, clock_w, clock_h)
        self.clock = ClockDigits(fonts, self.clock_style, self.clock_rect, PANEL_BG,
                                 Box(self.clock_rect.x, y, clock_w, clock_h))
        y += clock_h + self.pad // 2
        self.head_box = Box(box.x, y, box.w, round(lh(self.head_style) * 1.5))
        self.list_top = self.head_box.bottom + self.pad // 2

    def boxes(self, local: dt.datetime | None, items: list[tuple[Notice, str]]) -> list[TextBox]:
        """Every text of the panel and where it goes (the clock's digits included)."""
        fonts, box = self.fonts, self.box
        lh = fonts.line_height
        inner = box.w - 2 * self.pad
        date, _style = fit_text(fonts, date_text(local) if local else UNSYNCED, self.date_style, inner,
                                self.smallest)
        date_w = fonts.width(date, _style)
        out = [TextBox(date, box.x + (box.w - date_w) / 2, self.date_row.y, date_w, lh(_style), _style)]
        if local is not None:
            clock = local.strftime("%H:%M:%S")
            out.append(TextBox(clock, self.clock_rect.x, self.clock_rect.y, fonts.width(clock, self.clock_style),
                               lh(self.clock_style), self.clock_style))
        head = f"{HEADING}（{len(items)}）" if items else HEADING
        out.append(TextBox(head, box.x + self.pad, self.head_box.y + (self.head_box.h - lh(self.head_style)) / 2,
                           fonts.width(head, self.head_style), lh(self.head_style), self.head_style))
        y = float(self.list_top)
        row_h = lh(self.title_style) + lh(self.note_style) + self.pad / 2
        bottom = box.bottom - self.pad
        if not items:
            out.append(TextBox(NONE_TEXT, box.x + self.pad, y, fonts.width(NONE_TEXT, self.note_style),
                               lh(self.note_style), Style(self.note_style.size, False, self.theme.muted)))
            return out
        for n, (notice, note) in enumerate(items):
            left = len(items) - n
            if y + row_h > bottom or (left > 1 and y + 2 * row_h > bottom):
                more = f"另有 {left} 项"
                out.append(TextBox(more, box.x + self.pad, y, fonts.width(more, self.note_style),
                                   lh(self.note_style), self.note_style))
                break
            title, style = fit_text(fonts, notice.title, self.title_style, inner, self.smallest)
            out.append(TextBox(title, box.x + self.pad, y, fonts.width(title, style), lh(style), style))
            y += lh(style)
            note, nstyle = fit_text(fonts, note, self.note_style, inner, self.smallest)
            out.append(TextBox(note, box.x + self.pad, y, fonts.width(note, nstyle), lh(nstyle), nstyle))
            y += lh(nstyle) + self.pad / 2
        return out

    def draw(self, surface: "pygame.Surface", local: dt.datetime | None,
             items: list[tuple[Notice, str]]) -> "pygame.Rect":
        """The whole panel."""
        box = self.box
        rect = pygame.Rect(box.x, box.y, box.w, box.h)
        surface.fill(PANEL_BG, rect)
        pygame.draw.rect(surface, self.theme.accent, pygame.Rect(box.x, box.y, max(2, self.pad // 6), box.h))
        head = self.head_box
        pygame.draw.rect(surface, self.theme.accent, pygame.Rect(box.x + self.pad // 2, head.y,
                                                                 box.w - self.pad, head.h),
                         border_radius=max(2, head.h // 5))
        for item in self.boxes(local, items):
            if item.style == self.clock_style and local is not None:
                self.clock.draw(surface, local)
            else:
                self.fonts.draw(surface, item.x, item.y, item.text, item.style)
        return rect

    def draw_clock(self, surface: "pygame.Surface", local: dt.datetime) -> "pygame.Rect":
        """Only the clock digits."""
        return self.clock.draw(surface, local)

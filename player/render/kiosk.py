"""Drawing the kiosk's navigation bar and category lists (geometry: layout/kiosk.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from player.layout.display import Box, Style
from player.layout.kiosk import CATEGORY, HOME, LARGE, NEXT, PREV, ListPage, Target
from player.layout.theme import Theme
from player.model.notice import Notice
from player.render.fonts import Fonts
from player.render.pg import pygame

PRESSED_DARKEN = 0.75


def _rect(box: Box) -> "pygame.Rect":
    return pygame.Rect(box.x, box.y, box.w, box.h)


def _shade(color: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(c * factor))) for c in color)  # type: ignore[return-value]


def fit_text(fonts: Fonts, text: str, style: Style, width: float) -> str:
    """``text``, cut with … so it fits ``width``."""
    if fonts.width(text, style) <= width:
        return text
    while text and fonts.width(text + "…", style) > width:
        text = text[:-1]
    return text + "…"


def draw_nav(surface: "pygame.Surface", nav: Box, targets: Sequence[Target], fonts: Fonts, theme: Theme,
             active: str | None, large: bool, pressed: Target | None, enabled: set[str]) -> "pygame.Rect":
    """The bar: ``active`` is the highlighted tab (a category, or "" for 首页); buttons
    not in ``enabled`` are drawn dimmed; the ``pressed`` one darker (touch feedback)."""
    surface.fill(theme.ticker_bg, _rect(nav))
    size = max(12, round(min((t.box.h for t in targets), default=nav.h) * 0.43))
    for target in targets:
        selected = (target.kind == HOME and active == "") or (target.kind == CATEGORY and target.value == active) \
            or (target.kind == LARGE and large)
        dim = target.kind in (PREV, NEXT) and target.kind not in enabled
        fill = theme.accent if selected else (78, 78, 90) if not dim else (58, 58, 66)
        if pressed is not None and target == pressed:
            fill = _shade(fill, PRESSED_DARKEN)
        rect = _rect(target.box)
        pygame.draw.rect(surface, fill, rect, border_radius=max(4, target.box.h // 8))
        color = (140, 140, 150) if dim else theme.accent_text
        room = target.box.w - target.box.h * 0.24
        style = Style(size, True, color)
        natural = fonts.width(target.label, style)
        if natural > room:  # a smaller size before cutting a category name (not below 2/3)
            style = Style(max(int(size * room / natural), round(size * 2 / 3)), True, color)
        label = fit_text(fonts, target.label, style, room)
        w = fonts.width(label, style)
        y = target.box.y + (target.box.h - fonts.line_height(style)) / 2
        fonts.draw(surface, target.box.x + (target.box.w - w) / 2, y, label, style)
    return _rect(nav)


def draw_list(surface: "pygame.Surface", area: Box, listing: ListPage, category: str,
              notices: dict[str, Notice], note: Callable[[Notice], str], fonts: Fonts, theme: Theme,
              body: Style, pressed: Target | None) -> "pygame.Rect":
    """A category's notices as large rows: title on the left, date or 公示 days on the right."""
    rect = _rect(area)
    surface.fill(theme.background, rect)
    head = Style(round(body.size * 1.15), True, theme.accent)
    total = sum(1 for n in notices.values() if n.category == category)
    fonts.draw(surface, listing.heading.x, listing.heading.y + (listing.heading.h - fonts.line_height(head)) / 2,
               f"{category}（共 {total} 条，点击查看）", head)
    title_style = Style(body.size, True, theme.text)
    note_style = Style(round(body.size * 0.8), False, theme.accent)
    for row in listing.rows:
        notice = notices.get(row.value)
        if notice is None:
            continue
        box = row.box
        fill = theme.zebra if pressed != row else _shade(theme.zebra, 0.85)
        pygame.draw.rect(surface, fill, _rect(box), border_radius=max(4, box.h // 8))
        pygame.draw.rect(surface, theme.table_line, _rect(box), width=2, border_radius=max(4, box.h // 8))
        pad = box.h // 4
        right = note(notice)
        right_w = fonts.width(right, note_style) if right else 0
        if right:
            fonts.draw(surface, box.right - pad - right_w,
                       box.y + (box.h - fonts.line_height(note_style)) / 2, right, note_style)
        title = fit_text(fonts, notice.title, title_style, box.w - 3 * pad - right_w)
        fonts.draw(surface, box.x + pad, box.y + (box.h - fonts.line_height(title_style)) / 2, title, title_style)
    return rect

"""Where the touch targets of a kiosk are: pure geometry, hit-testing included.

A kiosk screen has a navigation bar above the ticker: ‹ 上一页, 首页 (back to the
rotation), one tab per category (栏目, the content's first-level folders), 大字 and
下一页 ›. On a narrow (portrait) screen the bar has two rows: the buttons on the first,
the category tabs on the second. A category opens a list of its notices as large rows.
Every target is at least :data:`MIN_TARGET_MM` tall and wide on the configured panel
(``display.diagonal_inches``; :meth:`~player.layout.theme.Panel.min_target_px`) — older
readers miss small targets — and targets never touch (a gap between them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from player.layout.display import Box
from player.layout.theme import Panel


PREV, NEXT, HOME, CATEGORY, LARGE, ROW = "prev", "next", "home", "category", "large", "row"


@dataclass(frozen=True)
class Target:
    """A tappable rectangle and what it does."""

    kind: str
    box: Box
    value: str = ""   # the category (CATEGORY) or notice id (ROW)
    label: str = ""

    def contains(self, x: float, y: float) -> bool:
        """Whether a touch at (x, y) hits this target."""
        b = self.box
        return b.x <= x < b.right and b.y <= y < b.bottom


def nav_targets(nav: Box, categories: Sequence[str], rows: int = 1) -> tuple[Target, ...]:
    """The navigation bar: page buttons at the ends, 首页 and the category tabs between, 大字.

    With ``rows`` 2 (portrait): ‹ 上一页, 首页, 大字, 下一页 › on the first row, the
    category tabs sharing the second."""
    if rows >= 2:
        row_h = nav.h // 2
        top = nav_targets(Box(nav.x, nav.y, nav.w, row_h), ())
        if not categories:
            return top
        gap = max(4, row_h // 12)
        tabs = _row(Box(nav.x + gap, nav.y + row_h + gap // 2, nav.w - 2 * gap, nav.h - row_h - gap - gap // 2),
                    [(CATEGORY, c, c) for c in categories], gap)
        return top + tabs
    gap = max(4, nav.h // 12)
    y, h = nav.y + gap, nav.h - 2 * gap
    side = max(h * 2, nav.w // 10)       # 上一页 / 下一页: wide, at the screen edges
    large = max(h * 3 // 2, nav.w // 14)
    targets = [Target(PREV, Box(nav.x + gap, y, side, h), label="‹ 上一页"),
               Target(NEXT, Box(nav.right - gap - side, y, side, h), label="下一页 ›")]
    left = nav.x + 2 * gap + side
    right = nav.right - 2 * gap - side
    targets.append(Target(LARGE, Box(right - large, y, large, h), label="大字"))
    right -= large + gap
    tabs = [(HOME, "", "首页"), *((CATEGORY, c, c) for c in categories)]
    return tuple(targets) + _row(Box(left, y, right - left, h), tabs, gap)


def _row(box: Box, tabs: Sequence[tuple[str, str, str]], gap: int) -> tuple[Target, ...]:
    """Tabs sharing ``box`` equally, ``gap`` apart."""
    width = (box.w - gap * (len(tabs) - 1)) / len(tabs)
    out = []
    for i, (kind, value, label) in enumerate(tabs):
        x = round(box.x + i * (width + gap))
        out.append(Target(kind, Box(x, box.y, round(box.x + i * (width + gap) + width) - x, box.h), value, label))
    return tuple(out)


@dataclass(frozen=True)
class ListPage:
    """One page of a category's notice list."""

    heading: Box
    rows: tuple[Target, ...]
    page: int
    pages: int


def list_page(area: Box, notice_ids: Sequence[str], page: int, row_h: int, heading_h: int) -> ListPage:
    """Rows (one per notice) that fit the page area under a heading; ``page`` is clamped."""
    gap = max(6, row_h // 8)
    per_page = max(1, (area.h - heading_h - gap) // (row_h + gap))
    pages = max(1, -(-len(notice_ids) // per_page))
    page = min(max(page, 0), pages - 1)
    rows = []
    y = area.y + heading_h + gap
    for nid in notice_ids[page * per_page:(page + 1) * per_page]:
        rows.append(Target(ROW, Box(area.x, y, area.w, row_h), nid))
        y += row_h + gap
    return ListPage(Box(area.x, area.y, area.w, heading_h), tuple(rows), page, pages)


def hit(targets: Sequence[Target], x: float, y: float) -> Target | None:
    """The target under a touch, if any."""
    return next((t for t in targets if t.contains(x, y)), None)


def min_target_px(width: int, height: int, panel: Panel = Panel()) -> int:
    """:data:`MIN_TARGET_MM` in pixels on a ``width`` x ``height`` panel."""
    return panel.min_target_px(width, height)

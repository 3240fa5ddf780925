"""Where the touch targets of a kiosk are: pure geometry, hit-testing included.

A kiosk screen has a navigation bar above the ticker: ‹ 上一页, 首页 (back to the
rotation), one tab per category (栏目, the content's first-level folders), 大字 and
下一页 ›. A category opens a list of its notices as large rows. Every target is at
least :data:`MIN_TARGET_MM` tall on a 21.5-inch 1080p screen (0.248 mm a pixel) —
older readers miss small targets — and targets never touch (a gap between them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from player.layout.display import Box

#: Recommended minimum touch-target size (WCAG 2.5.5 asks 44 CSS px; 12 mm is the usual
#: physical figure for kiosks). At 0.248 mm per pixel that is 48 px.
MIN_TARGET_MM = 12.0
MM_PER_PX_1080 = 0.248

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


def nav_targets(nav: Box, categories: Sequence[str]) -> tuple[Target, ...]:
    """The navigation bar: page buttons at the ends, 首页 and the category tabs between, 大字."""
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
    width = (right - left - gap * (len(tabs) - 1)) / len(tabs)
    for i, (kind, value, label) in enumerate(tabs):
        x = round(left + i * (width + gap))
        targets.append(Target(kind, Box(x, y, round(left + i * (width + gap) + width) - x, h), value, label))
    return tuple(targets)


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


def min_target_px(height: int) -> int:
    """:data:`MIN_TARGET_MM` in pixels on a 21.5-inch screen of this height."""
    return round(MIN_TARGET_MM / MM_PER_PX_1080 * height / 1080)

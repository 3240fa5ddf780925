"""Vertical flow and pagination.

Content is a sequence of :class:`Item` (a line, a table row, a picture) each with a
height and the space wanted above it. :func:`paginate` fills pages top to bottom:

- an item is never cut (a line never straddles two pages);
- space above an item is dropped at the top of a page;
- an item marked ``keep_with_next`` (a heading, the line before a 落款) never ends a page
  when something follows it, and one marked ``keep_with_previous`` (the last line of a
  paragraph) never starts one: they move to the next page together with their
  neighbours — unless that would leave the page less than :data:`MIN_FILL` full, when
  the keeps give way (a page is never left mostly empty by them);
- the last two pages are balanced: when the last page would be less than
  :data:`BALANCE_BELOW` full, lines move over from the page before until the two are as
  even as possible, the earlier one never the emptier, at a break the keeps allow that
  leaves neither the first line of a block (``block_line``) alone at the bottom of the
  page nor its last line alone at the top;
- ``repeat`` items (a table's header row) are re-emitted at the top of every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from player.layout.display import Op, RectOp, TextOp


#: A keep chain never leaves a page less full than this (share of the page height).
MIN_FILL = 0.5
#: The last page is balanced with the one before when it is less full than this.
BALANCE_BELOW = 0.5


@dataclass(frozen=True)
class Item:
    """A block of ops with y relative to the item's top."""

    ops: tuple[Op, ...]
    height: float
    space_before: float = 0.0
    keep_with_next: bool = False
    chars: int = 0
    group: int | None = field(default=None, compare=False)
    keep_with_previous: bool = False
    #: (number, count): this item is line ``number`` of a block (paragraph) of ``count``.
    block_line: tuple[int, int] = (0, 1)


def shift(op: Op, dx: float, dy: float) -> Op:
    """An op moved by (dx, dy)."""
    if isinstance(op, TextOp):
        return TextOp(op.x + dx, op.y + dy, op.text, op.style)
    if isinstance(op, RectOp):
        return RectOp(op.x + dx, op.y + dy, op.w, op.h, op.color, op.radius)
    return replace(op, x=op.x + dx, y=op.y + dy)  # PictureOp, QrCode


def paginate(items: list[Item], height: float, first_top: float, other_top: float,
             repeat: tuple[Item, ...] = ()) -> list[tuple[list[Op], int]]:
    """Place items on pages of ``height`` pixels.

    Args:
        items: the flow.
        height: usable height of a page.
        first_top / other_top: y where content starts on the first / later pages
            (below the title block or the running head).
        repeat: items drawn at the top of every page before the flow (table header).

    Returns:
        Per page: its ops and its number of characters.
    """
    repeat_h = sum(rep.height for rep in repeat)
    starts = page_starts(items, height, first_top + repeat_h, other_top + repeat_h)
    pages: list[tuple[list[Op], int]] = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(items)
        ops: list[Op] = []
        y = first_top if number == 0 else other_top
        for rep in repeat:
            ops.extend(shift(op, 0, y) for op in rep.ops)
            y += rep.height
        for index in range(start, end):
            item = items[index]
            y += item.space_before if index > start else 0.0
            ops.extend(shift(op, 0, y) for op in item.ops)
            y += item.height
        pages.append((ops, sum(item.chars for item in items[start:end])))
    return pages


def page_starts(items: list[Item], height: float, first_top: float, other_top: float) -> list[int]:
    """Index of the first item of every page (``[0]`` for an empty flow).

    Args:
        items: the flow.
        height: usable height of a page.
        first_top / other_top: where the flow starts on the first / later pages.
    """
    starts = [0]
    index, top = 0, first_top
    while index < len(items):
        start, y = index, top
        while index < len(items):
            item = items[index]
            space = item.space_before if index > start else 0.0
            if y + space + item.height > height + 0.5 and index > start:
                break
            y += space + item.height
            index += 1
        if index >= len(items):
            break
        back = index
        while back - 1 > start and not _may_break(items, back):
            back -= 1
        if back < index and top + _height(items, start, back) < MIN_FILL * height:
            back = index  # the keeps would empty the page: they give way
        starts.append(back)
        index, top = back, other_top
    if len(starts) > 1:
        first = first_top if len(starts) == 2 else other_top
        starts[-1] = _balanced(items, starts[-2], starts[-1], height, first, other_top)
    return starts


def _may_break(items: list[Item], index: int) -> bool:
    """Whether a page may end before ``items[index]``."""
    return not items[index - 1].keep_with_next and not items[index].keep_with_previous


def _height(items: list[Item], start: int, end: int) -> float:
    """Height of ``items[start:end]`` set at the top of a page (its first space dropped)."""
    return sum(item.height + (item.space_before if index > start else 0.0)
               for index, item in enumerate(items[start:end], start))


def _balanced(items: list[Item], prev: int, last: int, height: float, prev_top: float,
              last_top: float) -> int:
    """Start of the last page, moved earlier so that the last two pages are even."""
    if last_top + _height(items, last, len(items)) >= BALANCE_BELOW * height:
        return last
    best = last
    for k in range(last - 1, prev, -1):
        prev_fill = prev_top + _height(items, prev, k)
        last_fill = last_top + _height(items, k, len(items))
        if last_fill > prev_fill or last_fill > height + 0.5:
            break
        if _may_break(items, k) and _clean_break(items, k):
            best = k
    return best


def _clean_break(items: list[Item], index: int) -> bool:
    """A break before ``items[index]`` leaves no block's first line alone at a page bottom
    and no block's last line alone at a page top."""
    number, count = items[index].block_line
    before, before_count = items[index - 1].block_line
    return not (count > 1 and number == count - 1) and not (before_count > 1 and before == 0)

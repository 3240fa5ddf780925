"""Vertical flow and pagination.

Content is a sequence of :class:`Item` (a line, a table row, a picture) each with a
height and the space wanted above it. :func:`paginate` fills pages top to bottom:

- an item is never cut (a line never straddles two pages);
- space above an item is dropped at the top of a page;
- an item marked ``keep_with_next`` (a heading) never ends a page when something
  follows it: it moves to the next page with what it introduces;
- ``repeat`` items (a table's header row) are re-emitted at the top of every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from player.layout.display import Op, RectOp, TextOp, ImageOp, PictureOp, QrCode


@dataclass(frozen=True)
class Item:
    """A block of ops with y relative to the item's top."""

    ops: tuple[Op, ...]
    height: float
    space_before: float = 0.0
    keep_with_next: bool = False
    chars: int = 0
    group: int | None = field(default=None, compare=False)


def shift(op: Op, dx: float, dy: float) -> Op:
    """An op moved by (dx, dy)."""
    if isinstance(op, TextOp):
        return TextOp(op.x + dx, op.y + dy, op.text, op.style)
    if isinstance(op, RectOp):
        return RectOp(op.x + dx, op.y + dy, op.w, op.h, op.color, op.radius)
    if isinstance(op, (PictureOp, QrCode)):
        return replace(op, x=op.x + dx, y=op.y + dy)
    return ImageOp(op.x + dx, op.y + dy, op.w, op.h)


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
    pages: list[tuple[list[Op], int]] = []
    index = 0
    top = first_top
    while index < len(items) or not pages:
        ops: list[Op] = []
        chars = 0
        y = top
        for rep in repeat:
            ops.extend(shift(op, 0, y) for op in rep.ops)
            y += rep.height
        placed_start = index
        while index < len(items):
            item = items[index]
            space = item.space_before if index > placed_start else 0.0
            if y + space + item.height > height + 0.5 and index > placed_start:
                break
            y += space
            ops.extend(shift(op, 0, y) for op in item.ops)
            y += item.height
            chars += item.chars
            index += 1
        # Keep headings with what follows: move trailing keep-with-next items over.
        if index < len(items):
            back = index
            while back - 1 > placed_start and items[back - 1].keep_with_next:
                back -= 1
            if back < index:
                kept = _count_ops(items[placed_start:back])
                ops = ops[: kept + _count_ops(repeat)]
                chars = sum(it.chars for it in items[placed_start:back])
                index = back
        pages.append((ops, chars))
        top = other_top
        if not items:
            break
    return pages


def _count_ops(items) -> int:
    return sum(len(item.ops) for item in items)

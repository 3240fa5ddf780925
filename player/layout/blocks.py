"""Document blocks that are not lines of text: figures, tables inside text, scanned pages.

- A :class:`~player.model.notice.Figure` is one flow item: the picture centred at the
  largest size that fits the width and :data:`FIGURE_MAX_HEIGHT` of the page (never
  enlarged more than :data:`MAX_UPSCALE` times), its caption centred under it.
- A :class:`~player.model.notice.TableBlock` is laid out by :mod:`player.layout.table`
  (column fitting, font step-down, column groups) and flows with the text: its header
  rows stay with the first data row.
- A :class:`~player.model.notice.ScanBody` is cut into slices: each page picture is
  scaled so that its text lines are as tall as the theme's body text (never an A4 page
  shrunk to the screen height, which nobody can read at 3 m), no wider than the page
  area, and cut at blank rows between text lines (the scan's ``cuts``) so that no line
  is sliced through. Slices fill the pages in order; each page of the notice gets
  第 n/m 页 from the footer like any other.
"""

from __future__ import annotations

from dataclasses import replace

from player.layout.display import Metrics, Op, PictureOp, RectOp
from player.layout.flow import Item
from player.layout.paragraph import layout_paragraph
from player.layout.table import table_groups
from player.layout.theme import Styles, Theme
from player.model.notice import Figure, ScanBody, Span, TableBlock

FIGURE_MAX_HEIGHT = 0.72
MAX_UPSCALE = 2.0
#: A slice shorter than this share of a page starts a new page rather than being squeezed in.
MIN_SLICE = 0.25
#: A cut is only taken if the slice keeps at least this share of the room available.
MIN_FILL = 0.6


def figure_items(block: Figure, width: float, page_h: float, metrics: Metrics, styles: Styles,
                 space_before: float) -> list[Item]:
    """A figure (and its caption) as one flow item."""
    pic = block.picture
    scale = min(width / pic.width, page_h * FIGURE_MAX_HEIGHT / pic.height, MAX_UPSCALE)
    w, h = pic.width * scale, pic.height * scale
    ops: list[Op] = [PictureOp((width - w) / 2, 0.0, w, h, pic)]
    height = h
    chars = 0
    if block.caption:
        style = styles.muted
        lines = layout_paragraph([Span(block.caption)], width, metrics, style, justify=False, align="center")
        line_h = max(metrics.line_height(style), style.size * 1.5)
        top = h + style.size * 0.4
        for number, line in enumerate(lines):
            ops.extend(replace(op, y=op.y + top + number * line_h) for op in line.runs)
            chars += line.chars
        height = top + line_h * len(lines)
    return [Item(tuple(ops), height, space_before, chars=chars)]


def table_items(block: TableBlock, width: float, page_h: float, metrics: Metrics, styles: Styles,
                theme: Theme, space_before: float) -> list[Item]:
    """A table inside text as flow items (header rows kept with the first data row)."""
    items: list[Item] = []
    for group in table_groups(block.table, width, page_h * 0.8, metrics, styles, theme):
        head = [replace(it, keep_with_next=True) for it in group.repeat]
        rows = list(group.rows)
        group_items = head + rows
        if group_items:
            group_items[0] = replace(group_items[0], space_before=space_before)
        items += group_items
    return items


def scan_pages(body: ScanBody, width: float, page_h: float, first_top: float, other_top: float,
               body_px: float) -> list[tuple[list[Op], int]]:
    """A scanned document cut into pages of slices (see the module docstring).

    Args:
        width: the page area's width.
        page_h: the page area's height.
        first_top / other_top: where content starts on the first / later pages.
        body_px: the body text size the scan's text lines are scaled to.

    Returns:
        Per page: its ops and an estimate of the characters on it (for page times).
    """
    pages: list[tuple[list[Op], int]] = []
    ops: list[Op] = []
    chars = 0
    y = first_top
    for page in body.pages:
        pic = page.picture
        scale = body_px / page.text_px if page.text_px > 0 else width / pic.width
        scale = min(scale, width / pic.width)
        x = (width - pic.width * scale) / 2
        top = 0
        while top < pic.height:
            room = page_h - y
            if room < page_h * MIN_SLICE and ops:
                pages.append((ops, chars))
                ops, chars, y = [], 0, other_top
                room = page_h - y
            bottom = min(pic.height, top + int(room / scale))
            if bottom < pic.height:
                usable = [c for c in page.cuts if top + (bottom - top) * MIN_FILL <= c <= bottom]
                if usable:
                    bottom = usable[-1]
            bottom = max(bottom, top + 1)
            h = (bottom - top) * scale
            if ops and y > (first_top if not pages else other_top):
                ops.append(RectOp(width * 0.1, y - 2, width * 0.8, 1, (215, 208, 196)))
            ops.append(PictureOp(x, y, pic.width * scale, h, pic, (0, top, pic.width, bottom - top)))
            chars += _chars(page.text_px, pic.width, bottom - top)
            y += h + 6
            top = bottom
            if bottom < pic.height:
                pages.append((ops, chars))
                ops, chars, y = [], 0, other_top
    if ops or not pages:
        pages.append((ops, chars))
    return pages


def _chars(text_px: float, width: int, height: int) -> int:
    if text_px <= 0:
        return 0
    return int(height / (text_px * 1.8) * width / text_px * 0.8)

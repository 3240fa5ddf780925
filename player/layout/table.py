"""Tables (财务公开, 收费标准) -> flow items: a repeated header row and data rows.

Column widths fit the content: each column wants its widest cell (natural width) and
needs at least its widest unbreakable token (minimum width). When the natural widths
fit, the spare width is shared out in proportion; when only the minimums fit, the
columns between minimum and natural share what is left and wrap with
:func:`~player.layout.linebreak.break_lines`; when not even that fits, the font steps
down to ``table_min`` and, as a last resort, cells wrap between characters, so nothing
is ever clipped. Numeric columns (most cells are amounts, counts or percentages) are
right-aligned so digits line up; rows alternate backgrounds (zebra); a row whose first
cell says 合计/总计/小计 is bold.
"""

from __future__ import annotations

import re

from player.layout.display import Metrics, Op, RectOp, Style, TextOp
from player.layout.flow import Item, shift
from player.layout.linebreak import tokenize
from player.layout.paragraph import layout_paragraph
from player.layout.theme import Styles, Theme
from player.model.notice import Span, TableBody

_NUMBER = re.compile(r"^[-+−]?[￥¥$]?\d[\d,，]*(?:\.\d+)?\s*(?:%|％|‰|元|万元|亿元|人|户|个|项|次|元/页|元/次)?$")
_TOTAL = ("合计", "总计", "小计", "合 计", "总 计")
LINE_BOX = 1.45


def numeric_columns(table: TableBody) -> list[bool]:
    """Which columns hold numbers (at least 60% of their non-empty cells)."""
    result = []
    for col in range(len(table.header)):
        cells = [row[col] for row in table.rows if row[col]]
        numbers = sum(1 for c in cells if _NUMBER.match(c))
        result.append(bool(cells) and numbers / len(cells) >= 0.6)
    return result


def _widths(table: TableBody, style: Style, head: Style, metrics: Metrics, pad: float,
            avail: float) -> tuple[list[float], bool]:
    cols = len(table.header)
    natural = [0.0] * cols
    minimum = [0.0] * cols
    for row, st in [(table.header, head)] + [(r, style) for r in table.rows]:
        for c, cell in enumerate(row):
            natural[c] = max(natural[c], metrics.width(cell, st))
            for tok in tokenize(cell):
                minimum[c] = max(minimum[c], metrics.width(cell[tok.start:tok.end], st))
    natural = [w + 2 * pad for w in natural]
    minimum = [min(w + 2 * pad, n) for w, n in zip(minimum, natural)]
    if sum(natural) <= avail:
        spare = avail - sum(natural)
        total = sum(natural)
        return [w + spare * w / total for w in natural], True
    if sum(minimum) <= avail:
        spare = avail - sum(minimum)
        want = [n - m for n, m in zip(natural, minimum)]
        total = sum(want) or 1.0
        return [m + spare * w / total for m, w in zip(minimum, want)], True
    return [avail * w / sum(minimum) for w in minimum], False


def table_items(table: TableBody, width: float, metrics: Metrics, styles: Styles,
                theme: Theme) -> tuple[tuple[Item, ...], list[Item]]:
    """Lay out a table for a page area ``width`` wide.

    Returns:
        (header items repeated on every page, row items).
    """
    size = styles.table.size
    min_size = max(10, round(styles.table.size * theme.table_min / theme.table))
    while True:
        style = Style(size, False, theme.text)
        head = Style(size, True, theme.table_head_fg)
        pad = size * 0.45
        widths, fits = _widths(table, style, head, metrics, pad, width)
        if fits or size <= min_size:
            break
        size = max(min_size, int(size * 0.9))
    numeric = numeric_columns(table)
    bold = Style(size, True, theme.text)
    header = _row(table.header, widths, metrics, head, head, pad, [False] * len(widths),
                  theme.table_head_bg, centre=True)
    rows = []
    for index, cells in enumerate(table.rows):
        is_total = cells[0].strip() in _TOTAL or (len(cells) > 1 and not cells[0] and cells[1].strip() in _TOTAL)
        background = theme.zebra if index % 2 else None
        rows.append(_row(cells, widths, metrics, bold if is_total else style, bold, pad, numeric,
                         background, line_color=theme.table_line))
    return (header,), rows


def _row(cells, widths, metrics, style, bold, pad, numeric, background, centre=False,
         line_color=None) -> Item:
    line_h = style.size * LINE_BOX
    columns: list[list[Op]] = []
    height = 0.0
    chars = 0
    for c, cell in enumerate(cells):
        inner = max(1.0, widths[c] - 2 * pad)
        align = "center" if centre else "right" if numeric[c] else "left"
        lines = layout_paragraph([Span(cell)], inner, metrics, style, bold, justify=False, align=align)
        ops: list[Op] = []
        for number, line in enumerate(lines):
            ops.extend(shift(op, pad, pad * 0.5 + number * line_h) for op in line.runs)
            chars += line.chars
        columns.append(ops)
        height = max(height, len(lines) * line_h)
    height += pad
    out: list[Op] = []
    total_w = sum(widths)
    if background is not None:
        out.append(RectOp(0, 0, total_w, height, background))
    if line_color is not None:
        out.append(RectOp(0, height - 1, total_w, 1, line_color))
    x = 0.0
    for c, ops in enumerate(columns):
        out.extend(shift(op, x, 0.0) for op in ops)
        x += widths[c]
    return Item(tuple(out), height, chars=chars)

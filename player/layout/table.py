"""Tables (财务公开, 收费标准) -> groups of flow items: a header row repeated on every
page, then the data rows.

Column widths fit the content. Each column has a *natural* width (its widest cell on
one line) and a *minimum* (its widest unbreakable token — a number, a word — and at
least three characters when the column is wider than that):

1. at the table font size, if the natural widths fit, the spare width is shared out in
   proportion;
2. else, if the minimums fit, the widest columns are capped at one common width
   ("water-filling"), so only they wrap — never a number or a word — and narrow
   columns (序号, 执行率) keep their single line;
3. else the font steps down, to ``theme.table_min``, and tries again;
4. at the smallest size, a table still too wide is split into column groups shown one
   after the other, each repeating the first (key) column, under a caption
   "表格较宽，分 N 部分显示：第 k 部分". Nothing is ever clipped.

Numeric columns (most cells are amounts, counts or percentages) are right-aligned; rows
alternate backgrounds (zebra); a row whose first cell says 合计/总计/小计 is bold. A row
taller than a page (a cell with pages of text) is cut between lines. Header cells are
column headings: with a word segmenter they break between words (收费/标准, not 收费标/准).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from player.layout.display import Metrics, Op, RectOp, Style
from player.layout.flow import Item, shift
from player.layout.linebreak import tokenize
from player.layout.paragraph import layout_paragraph
from player.layout.theme import Styles, Theme
from player.layout.words import Segmenter
from player.model.notice import Span, TableBody

_NUMBER = re.compile(r"^[-+−]?[￥¥$]?\d[\d,，]*(?:\.\d+)?\s*(?:%|％|‰|元|万元|亿元|人|户|个|项|次|元/页|元/次)?$")
_TOTAL = ("合计", "总计", "小计", "合 计", "总 计")
LINE_BOX = 1.45
MIN_CHARS = 3


@dataclass(frozen=True)
class TableGroup:
    """One part of a table: items repeated at the top of each page, and the rows."""

    repeat: tuple[Item, ...]
    rows: tuple[Item, ...]


def numeric_columns(table: TableBody) -> list[bool]:
    """Which columns hold numbers (at least 60% of their non-empty cells)."""
    result = []
    for col in range(len(table.header)):
        cells = [row[col] for row in table.rows if row[col]]
        numbers = sum(1 for c in cells if _NUMBER.match(c))
        result.append(bool(cells) and numbers / len(cells) >= 0.6)
    return result


def _column_widths(table: TableBody, cols: list[int], style: Style, head: Style, metrics: Metrics,
                   pad: float) -> tuple[list[float], list[float]]:
    """Natural and minimum widths of the given columns (padding included)."""
    natural, minimum = [], []
    wide = {(m.row, m.col) for m in table.merges if m.cols > 1}
    for c in cols:
        nat = mini = 0.0
        for r, (row, st) in enumerate([(table.header, head)] + [(r, style) for r in table.rows]):
            cell = row[c] if (r, c) not in wide else ""
            nat = max(nat, metrics.width(cell, st))
            for tok in tokenize(cell):
                mini = max(mini, metrics.width(cell[tok.start:tok.end], st))
        mini = max(mini, min(nat, MIN_CHARS * style.size))
        natural.append(nat + 2 * pad)
        minimum.append(mini + 2 * pad)
    return natural, minimum


def fit_widths(natural: list[float], minimum: list[float], avail: float) -> list[float] | None:
    """Column widths filling ``avail``, or None when not even the minimums fit."""
    if sum(minimum) > avail + 1e-6:
        return None
    if sum(natural) <= avail:
        total = sum(natural) or 1.0
        spare = avail - sum(natural)
        return [w + spare * w / total for w in natural]
    # Water-filling: cap = the width at which capped columns exactly fill the line.
    low, high = 0.0, max(natural)
    for _ in range(40):
        cap = (low + high) / 2
        used = sum(max(m, min(n, cap)) for n, m in zip(natural, minimum))
        if used > avail:
            high = cap
        else:
            low = cap
    return [max(m, min(n, low)) for n, m in zip(natural, minimum)]


def table_groups(table: TableBody, width: float, max_row_height: float, metrics: Metrics,
                 styles: Styles, theme: Theme, words: Segmenter | None = None) -> list[TableGroup]:
    """Lay out a table for a page area ``width`` wide.

    Args:
        max_row_height: the tallest a row may be (rows beyond are cut between lines).
        words: word segmenter for the header cells (None: they break between characters).

    Returns:
        The table as one group, or several column groups when it is too wide.
    """
    size = styles.table.size
    min_size = max(10, round(styles.table.size * theme.table_min / theme.table))
    all_cols = list(range(len(table.header)))
    while True:
        style, head, pad = _styles(size, theme)
        natural, minimum = _column_widths(table, all_cols, style, head, metrics, pad)
        widths = fit_widths(natural, minimum, width)
        if widths is not None:
            return [_group(table, all_cols, widths, style, head, pad, metrics, theme, max_row_height, None, words)]
        if size <= min_size:
            break
        size = max(min_size, int(size * 0.9))
    # Too wide even at the smallest size: column groups, each with the key column.
    key = [0]
    nat = dict(zip(all_cols, natural))
    mini = dict(zip(all_cols, minimum))
    if len(all_cols) > 2 and mini[0] + mini[1] < width / 3 and numeric_columns(table)[0]:
        key = [0, 1]  # 序号 + 项目: the index alone would not say which row is which
    groups: list[list[int]] = []
    current: list[int] = []
    for c in all_cols:
        if c in key:
            continue
        if current and sum(mini[k] for k in key + current + [c]) > width:
            groups.append(current)
            current = []
        current.append(c)
    if current:
        groups.append(current)
    result = []
    for number, group in enumerate(groups, 1):
        cols = key + group
        widths = fit_widths([nat[c] for c in cols], [mini[c] for c in cols], width)
        if widths is None:  # a single column wider than the screen: share out, cells wrap anywhere
            total = sum(mini[c] for c in cols)
            widths = [width * mini[c] / total for c in cols]
        caption = f"表格较宽，分 {len(groups)} 部分显示：第 {number} 部分（第 {group[0] + 1}–{group[-1] + 1} 列）"
        result.append(_group(table, cols, widths, style, head, pad, metrics, theme, max_row_height, caption,
                             words))
    return result


def _styles(size: int, theme: Theme) -> tuple[Style, Style, float]:
    return Style(size, False, theme.text), Style(size, True, theme.table_head_fg), size * 0.45


def _group(table: TableBody, cols: list[int], widths: list[float], style: Style, head: Style,
           pad: float, metrics: Metrics, theme: Theme, max_h: float, caption: str | None,
           words: Segmenter | None = None) -> TableGroup:
    numeric = numeric_columns(table)
    bold = Style(style.size, True, theme.text)
    repeat: list[Item] = []
    if table.subtitle:
        sub_style = Style(style.size, True, theme.text)
        sub_lines = layout_paragraph([Span(table.subtitle)], sum(widths), metrics, sub_style, justify=False)
        line_h = style.size * LINE_BOX
        ops = tuple(shift(op, 0, i * line_h) for i, line in enumerate(sub_lines) for op in line.runs)
        repeat.append(Item(ops, line_h * len(sub_lines) + pad * 0.5))
    if caption:
        cap_style = Style(style.size, True, theme.accent)
        cap_lines = layout_paragraph([Span(caption)], sum(widths), metrics, cap_style, justify=False)
        line_h = style.size * LINE_BOX
        ops = tuple(shift(op, 0, i * line_h) for i, line in enumerate(cap_lines) for op in line.runs)
        repeat.append(Item(ops, line_h * len(cap_lines) + pad * 0.5))
    spans = _spans(table, cols)
    header = _row([table.header[c] for c in cols], widths, metrics, head, head, pad,
                  [False] * len(cols), theme.table_head_bg, max_h, centre=True, spans=spans[0], words=words)
    repeat.extend(header)
    rows: list[Item] = []
    for index, cells in enumerate(table.rows):
        first = cells[0].strip()
        is_total = first in _TOTAL or (len(cells) > 1 and not first and cells[1].strip() in _TOTAL)
        background = theme.zebra if index % 2 else None
        rows.extend(_row([cells[c] for c in cols], widths, metrics, bold if is_total else style, bold, pad,
                         [numeric[c] for c in cols], background, max_h, line_color=theme.table_line,
                         spans=spans[index + 1]))
    return TableGroup(tuple(repeat), tuple(rows))


def _spans(table: TableBody, cols: list[int]) -> list[list[tuple[int, bool]]]:
    """Per row and shown column: (columns the cell spans, 0 when covered; whether the
    cell's merge continues below, so no rule is drawn under it)."""
    position = {c: i for i, c in enumerate(cols)}
    grid = [[(1, False) for _ in cols] for _ in range(len(table.rows) + 1)]
    for m in table.merges:
        shown = [position[c] for c in range(m.col, m.col + m.cols) if c in position]
        for r in range(m.row, min(m.row + m.rows, len(grid))):
            below = r < m.row + m.rows - 1
            for k, at in enumerate(shown):
                grid[r][at] = (len(shown) if r == m.row and k == 0 else 0, below)
    return grid


def _row(cells: list[str], widths: list[float], metrics: Metrics, style: Style, bold: Style,
         pad: float, numeric: list[bool], background, max_h: float, centre: bool = False,
         line_color=None, spans: list[tuple[int, bool]] | None = None,
         words: Segmenter | None = None) -> list[Item]:
    """One table row as one item, or several when it is taller than ``max_h``.

    ``spans`` (merged cells): per column, how many columns its cell spans (0: covered by
    a merged cell) and whether the merge continues below (no rule under it).
    """
    line_h = style.size * LINE_BOX
    spans = spans or [(1, False)] * len(cells)
    columns = []
    for c, cell in enumerate(cells):
        span = spans[c][0]
        inner = max(1.0, sum(widths[c:c + span]) - 2 * pad) if span else 1.0
        align = "center" if centre or span > 1 else "right" if numeric[c] else "left"
        text = cell if span else ""
        columns.append(layout_paragraph([Span(text)], inner, metrics, style, bold, justify=False, align=align,
                                        words=words))
    tallest = max((len(lines) for lines in columns), default=0)
    per_item = max(1, int((max_h - pad) // line_h))
    items = []
    for first_line in range(0, max(tallest, 1), per_item):
        count = min(per_item, max(tallest, 1) - first_line)
        height = count * line_h + pad
        ops: list[Op] = []
        total_w = sum(widths)
        if background is not None:
            ops.append(RectOp(0, 0, total_w, height, background))
        if line_color is not None:
            x = 0.0
            for c, width in enumerate(widths):
                if not spans[c][1]:
                    ops.append(RectOp(x, height - 1, width, 1, line_color))
                x += width
        x = 0.0
        chars = 0
        for c, lines in enumerate(columns):
            for number, line in enumerate(lines[first_line:first_line + count]):
                ops.extend(shift(op, x + pad, pad * 0.5 + number * line_h) for op in line.runs)
                chars += line.chars
            x += widths[c]
        items.append(Item(tuple(ops), height, chars=chars))
    return items

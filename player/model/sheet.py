"""A worksheet's grid of displayed values -> a title and a :class:`TableBody`.

Readers (:mod:`player.model.xlsx` for ``.xlsx``/``.xlsm``, :mod:`player.model.xls` for
``.xls`` and WPS ``.et``) turn a sheet into a :class:`Grid`: the displayed text of every
visible cell (hidden rows and columns already left out) and the merged ranges in
visible coordinates. :func:`grid_table` then

- trims empty rows and columns around the data (and inside: an empty row is dropped);
- takes the rows above the header that hold one or two cells in a table of three or
  more columns (a merged title row, 单位：元) as the title and a subtitle;
- takes the first remaining row as the header. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from player.model.notice import Merge, TableBody


@dataclass(frozen=True)
class Grid:
    """Visible cells of one sheet (row-major) and merges (row, col, rows, cols), 0-based."""

    name: str
    rows: tuple[tuple[str, ...], ...]
    merges: tuple[tuple[int, int, int, int], ...] = ()


def grid_table(grid: Grid) -> tuple[str | None, TableBody] | None:
    """The sheet as (title or None, table), or None when it holds no data."""
    rows = [list(r) for r in grid.rows]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep_rows = [i for i, r in enumerate(rows) if any(c for c in r)]
    keep_cols = [j for j in range(width) if any(rows[i][j] for i in keep_rows)]
    if not keep_rows or not keep_cols:
        return None
    row_at = {old: new for new, old in enumerate(keep_rows)}
    col_at = {old: new for new, old in enumerate(keep_cols)}
    cells = [[rows[i][j] for j in keep_cols] for i in keep_rows]
    merges = []
    for r, c, nr, nc in grid.merges:
        rs = [row_at[x] for x in range(r, r + nr) if x in row_at]
        cs = [col_at[x] for x in range(c, c + nc) if x in col_at]
        if rs and cs and (len(rs) > 1 or len(cs) > 1) and r in row_at and c in col_at:
            merges.append((rs[0], cs[0], len(rs), len(cs)))
    ncols = len(keep_cols)
    title: str | None = None
    notes: list[str] = []
    start = 0
    while start < len(cells) - 1 and ncols >= 3:
        filled = [c for c in cells[start] if c]
        if len(filled) > 2 or len(filled) == 0:
            break
        spans_wide = any(m[0] == start and m[3] >= max(2, ncols // 2) for m in merges)
        if title is None and len(filled) == 1 and (spans_wide or start == 0):
            title = filled[0]
        else:
            notes.append("　".join(filled))
        start += 1
    body = cells[start:]
    if not body:
        return None
    merges = [(r - start, c, nr, nc) for r, c, nr, nc in merges if r >= start]
    header, data = tuple(body[0]), tuple(tuple(r) for r in body[1:])
    subtitle = "　".join(notes) or None
    return title, TableBody(header, data, tuple(Merge(*m) for m in sorted(merges)), subtitle)

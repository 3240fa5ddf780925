"""A Word table (``w:tbl``) -> :class:`~player.model.notice.TableBody` with merged cells.

Word stores a horizontal merge as one cell with ``w:gridSpan`` and a vertical merge as
a ``w:vMerge="restart"`` cell followed by ``w:vMerge`` (continue) cells below it. The
grid here has one string per grid column; covered cells are empty and named by a
:class:`~player.model.notice.Merge`. Empty rows go; a first row merged across the
whole table (a caption typed into the table) becomes the table's subtitle. A table of
one row or one column is a layout device (a framed paragraph), not data: None.
"""

from __future__ import annotations

from collections.abc import Callable

from player.model.docxstyle import W, wval
from player.model.notice import Merge, TableBody

MAX_COLUMNS = 64
MAX_ROWS = 5000


def table_from_xml(tbl, cell_text: Callable[[object], str]) -> TableBody | None:
    """Read one table (nested tables' text joins their cell's text).

    Args:
        tbl: the ``w:tbl`` element.
        cell_text: text of a ``w:tc`` (the caller's run rules: bold, tracked changes …).
    """
    grid: list[list[str]] = []
    spans: dict[tuple[int, int], int] = {}        # (row, col) -> gridSpan
    vstart: dict[int, tuple[int, int]] = {}       # col -> (row, col) of the open vertical merge
    vrows: dict[tuple[int, int], int] = {}
    for tr in tbl.iterchildren(W + "tr"):
        if len(grid) >= MAX_ROWS:
            break
        row: list[str] = []
        trpr = tr.find(W + "trPr")
        before = wval(trpr, "gridBefore")
        if before and before.isdigit():
            row.extend([""] * min(int(before), MAX_COLUMNS))
        r = len(grid)
        for tc in tr.iterchildren(W + "tc"):
            tcpr = tc.find(W + "tcPr")
            span_val = wval(tcpr, "gridSpan")
            span = max(1, min(int(span_val), MAX_COLUMNS)) if span_val and span_val.isdigit() else 1
            vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
            col = len(row)
            if col >= MAX_COLUMNS:
                break
            if vmerge is not None and vmerge.get(W + "val", "continue") == "continue" and col in vstart:
                start = vstart[col]
                vrows[start] = vrows.get(start, 1) + 1
                row.extend([""] * span)
                continue
            row.append(cell_text(tc).strip())
            row.extend([""] * (span - 1))
            if span > 1:
                spans[(r, col)] = span
            if vmerge is not None:
                vstart[col] = (r, col)
                vrows[(r, col)] = 1
            else:
                vstart.pop(col, None)
        grid.append(row)
    width = min(MAX_COLUMNS, max((len(row) for row in grid), default=0))
    grid = [row[:width] + [""] * (width - len(row)) for row in grid]
    keep = [r for r, row in enumerate(grid) if any(cell for cell in row)]
    if len(keep) < 2 or width < 2:
        return None
    renumber = {old: new for new, old in enumerate(keep)}
    rows = [tuple(grid[r]) for r in keep]
    merges = []
    for (r, c), span in spans.items():
        if r in renumber:
            merges.append((renumber[r], c, 1, span))
    for (r, c), count in vrows.items():
        if r in renumber and count > 1:
            last = max((renumber[x] for x in range(r, r + count) if x in renumber), default=renumber[r])
            existing = next((m for m in merges if m[:2] == (renumber[r], c)), None)
            cols = existing[3] if existing else 1
            if existing:
                merges.remove(existing)
            merges.append((renumber[r], c, last - renumber[r] + 1, cols))
    subtitle = None
    first_span = next((m for m in merges if m[0] == 0 and m[1] == 0 and m[3] == width and m[2] == 1), None)
    if first_span is not None and len(rows) >= 3:
        subtitle = rows[0][0]
        rows = rows[1:]
        merges = [(m[0] - 1, m[1], m[2], m[3]) for m in merges if m is not first_span]
    merges = [Merge(*m) for m in sorted(merges) if m[2] > 1 or m[3] > 1]
    return TableBody(rows[0], tuple(rows[1:]), tuple(merges), subtitle)

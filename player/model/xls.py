"""Excel 97-2003 ``.xls`` and WPS ``.et`` -> a :class:`~player.model.draft.Draft`
(runs in the sandbox).

Both are BIFF8 workbooks in an OLE2 file (an ``.et`` saved by a recent WPS may be an
``.xlsx`` inside: the bytes decide, see :func:`parse_sheet_file`). xlrd reads them with
``formatting_info=True``, which gives what a faithful display needs and calamine does
not: number formats, hidden rows and columns, merged ranges and sheet visibility.
Formulas are read by the values saved with them; xlrd runs nothing.
"""

from __future__ import annotations

import datetime as dt

from player.model.container import Kind, refuse_corrupt, refuse_password, sniff
from player.model.draft import Draft
from player.model.limits import Limits
from player.model.numfmt import format_value
from player.model.problems import ContentError
from player.model.sheet import Grid
from player.model.xlsx import draft_from_grids, parse_xlsx


def parse_sheet_file(data: bytes, limits: Limits) -> Draft:
    """Any workbook by its bytes: xlsx inside a zip, BIFF inside OLE2 (the sandbox job
    for ``.xls`` and ``.et``).

    Raises:
        ContentError: see :func:`parse_xls` and :func:`~player.model.xlsx.parse_xlsx`.
    """
    kind = sniff(data)
    if kind in (Kind.ZIP, Kind.ENCRYPTED):
        return parse_xlsx(data, limits)
    return parse_xls(data, limits)


def parse_xls(data: bytes, limits: Limits) -> Draft:
    """Parse a BIFF workbook.

    Raises:
        ContentError: password-protected, damaged, too many cells, or no data.
    """
    if sniff(data) is not Kind.OLE2:
        raise refuse_corrupt("not an Excel 97-2003 workbook", "Excel 表格")
    import xlrd
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise refuse_password("Excel 表格") from None
        raise refuse_corrupt(str(exc)[:80], "Excel 表格") from None
    except (ValueError, IndexError, KeyError, AssertionError, OSError, EOFError, TypeError) as exc:
        raise refuse_corrupt(f"{type(exc).__name__}: {str(exc)[:80]}", "Excel 表格") from None
    grids = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if getattr(sheet, "visibility", 0) != 0:
            continue
        grids.append(_grid(book, sheet, limits))
    return draft_from_grids(grids, [])


def _grid(book, sheet, limits: Limits) -> Grid:
    import xlrd
    if sheet.nrows * sheet.ncols > limits.sheet_cells:
        raise ContentError(
            f"sheet '{sheet.name}' has {sheet.nrows} rows x {sheet.ncols} columns, over the "
            f"{limits.sheet_cells:,} cell limit; split it or delete unused rows",
            f"工作表“{sheet.name}”有 {sheet.nrows} 行 × {sheet.ncols} 列，超过 {limits.sheet_cells:,} 个单元格的上限："
            "请拆分，或删除多余的行列")
    hidden_rows = {r for r, info in sheet.rowinfo_map.items() if getattr(info, "hidden", 0)}
    hidden_cols = {c for c, info in sheet.colinfo_map.items() if getattr(info, "hidden", 0)}
    rows = [r for r in range(sheet.nrows) if r not in hidden_rows]
    cols = [c for c in range(sheet.ncols) if c not in hidden_cols]
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: i for i, c in enumerate(cols)}
    values = []
    for r in rows:
        line = []
        for c in cols:
            cell = sheet.cell(r, c)
            fmt = None
            try:
                fmt = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
            except (IndexError, KeyError, TypeError, AttributeError):
                pass
            value = cell.value
            if cell.ctype == xlrd.XL_CELL_EMPTY or cell.ctype == xlrd.XL_CELL_BLANK:
                value = None
            elif cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    parts = xlrd.xldate_as_tuple(value, book.datemode)
                    value = dt.datetime(*parts) if parts[0] else dt.time(*parts[3:])
                except (xlrd.xldate.XLDateError, ValueError):
                    pass
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#ERR")
            line.append(format_value(value, fmt).replace("\n", " "))
        values.append(tuple(line))
    merges = []
    for rlo, rhi, clo, chi in sheet.merged_cells:
        rs = [row_at[r] for r in range(rlo, rhi) if r in row_at]
        cs = [col_at[c] for c in range(clo, chi) if c in col_at]
        if rs and cs and rlo in row_at and clo in col_at:
            merges.append((rs[0], cs[0], len(rs), len(cs)))
    return Grid(sheet.name, tuple(values), tuple(merges))

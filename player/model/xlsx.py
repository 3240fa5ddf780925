"""Excel ``.xlsx``/``.xlsm`` -> a :class:`~player.model.draft.Draft` (runs in the sandbox).

openpyxl reads the workbook with ``data_only=True`` (the values Excel saved with the
formulas; nothing is recalculated, no macro can run: openpyxl executes nothing and does
not even load the VBA part) and ``keep_links=False`` (external links are not followed;
their saved values are shown, with a note). Every visible sheet with data becomes a
table (the first one's title row is the notice title); hidden sheets, rows and columns
are left out; values are shown as Excel displays them (:mod:`player.model.numfmt`).

A formula whose saved value is missing (a workbook written by a program that does not
calculate, never opened in Excel) is refused: the sheet XML is searched for ``<f>``
cells without ``<v>`` before openpyxl reads it.
"""

from __future__ import annotations

import io
import re
import zipfile

from player.model.container import Kind, check_zip, read_member, refuse_corrupt, refuse_password, sniff
from player.model.draft import Draft
from player.model.limits import Limits
from player.model.notice import Note
from player.model.numfmt import format_value
from player.model.problems import ContentError
from player.model.sheet import Grid, grid_table

_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>[^<]")


def parse_xlsx(data: bytes, limits: Limits) -> Draft:
    """Parse a workbook (the sandbox job for ``.xlsx``/``.xlsm``).

    Raises:
        ContentError: password-protected, damaged, a zip bomb, formulas without saved
            values, too many cells, or no data at all.
    """
    kind = sniff(data)
    if kind is Kind.ENCRYPTED:
        raise refuse_password("Excel 表格")
    if kind is not Kind.ZIP:
        raise refuse_corrupt("not an Excel 2007+ workbook", "Excel 表格")
    archive = check_zip(data, limits, "Excel 表格")
    _check_cached_values(archive, limits)
    notes: list[Note] = []
    names = archive.namelist()
    if any(n.startswith("xl/externalLinks/") for n in names):
        notes.append(Note("the workbook links to other files; the values saved with it are shown",
                          "表格引用了其他文件（外部链接），屏幕显示的是保存时的数值，不会自动更新"))
    if "xl/vbaProject.bin" in names:
        notes.append(Note("the workbook contains macros; they never run, only the data is shown",
                          "表格中含有宏，播放器不会运行宏，只显示数据"))
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), data_only=True, keep_links=False, keep_vba=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise refuse_corrupt(f"{type(exc).__name__}: {str(exc)[:80]}", "Excel 表格") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl/lxml raise many kinds on bad XML
        raise refuse_corrupt(f"{type(exc).__name__}: {str(exc)[:80]}", "Excel 表格") from None
    grids = [_grid(sheet, limits) for sheet in book.worksheets if sheet.sheet_state == "visible"]
    return draft_from_grids(grids, notes)


def draft_from_grids(grids: list[Grid], notes: list[Note]) -> Draft:
    """Tables of the sheets with data; the first sheet's title row is the title.

    Raises:
        ContentError: no visible sheet has data.
    """
    tables = []
    title = None
    several = sum(1 for g in grids if any(any(c for c in r) for r in g.rows)) > 1
    for grid in grids:
        result = grid_table(grid)
        if result is None:
            continue
        sheet_title, table = result
        if title is None and not tables:
            title = sheet_title
        elif sheet_title:
            table = _with_subtitle(table, sheet_title)
        if several:
            table = _with_subtitle(table, grid.name)
        tables.append(table)
    if not tables:
        raise ContentError("the workbook has no data on its visible sheets; fill in the table or remove the file",
                           "表格里没有数据（可见的工作表都是空的）：请填写表格，或删除该文件")
    return Draft(title, tables=tuple(tables), notes=tuple(notes))


def _with_subtitle(table, text: str):
    from dataclasses import replace
    return replace(table, subtitle=f"{text}　{table.subtitle}" if table.subtitle else text)


def _check_cached_values(archive: zipfile.ZipFile, limits: Limits) -> None:
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        xml = read_member(archive, name, limits.unzipped_bytes)
        if not _FORMULA.search(xml):
            continue
        for match in _CELL.finditer(xml):
            inner = match.group(1) or b""
            if _FORMULA.search(inner) and not _VALUE.search(inner):
                raise ContentError(
                    "the workbook was saved without the values of its formulas (written by a program, "
                    "never calculated); open it in Excel or WPS and save it once",
                    "表格中的公式没有保存计算结果：请在 Excel 中打开并保存一次（WPS 同样可以），再放入")


def _grid(sheet, limits: Limits) -> Grid:
    max_row, max_col = sheet.max_row or 0, sheet.max_column or 0
    if max_row * max_col > limits.sheet_cells:
        raise ContentError(
            f"sheet '{sheet.title}' has {max_row} rows x {max_col} columns, over the "
            f"{limits.sheet_cells:,} cell limit; split it or delete unused rows",
            f"工作表“{sheet.title}”有 {max_row} 行 × {max_col} 列，超过 {limits.sheet_cells:,} 个单元格的上限："
            "请拆分，或删除多余的行列")
    hidden_cols = set()
    for key, dim in sheet.column_dimensions.items():
        if dim.hidden:
            low, high = dim.min or 1, dim.max or 1
            hidden_cols.update(range(low, min(high, max_col) + 1))
    hidden_rows = {r for r, dim in sheet.row_dimensions.items() if dim.hidden}
    cols = [c for c in range(1, max_col + 1) if c not in hidden_cols]
    rows_kept = [r for r in range(1, max_row + 1) if r not in hidden_rows]
    col_at = {c: i for i, c in enumerate(cols)}
    row_at = {r: i for i, r in enumerate(rows_kept)}
    values: list[list[str]] = [[""] * len(cols) for _ in rows_kept]
    for row in sheet.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for cell in row:
            if cell.value is None:
                continue
            r, c = row_at.get(cell.row), col_at.get(cell.column)
            if r is not None and c is not None:
                values[r][c] = format_value(cell.value, cell.number_format).replace("\n", " ")
    merges = []
    for rng in sheet.merged_cells.ranges:
        rs = [row_at[r] for r in range(rng.min_row, rng.max_row + 1) if r in row_at]
        cs = [col_at[c] for c in range(rng.min_col, rng.max_col + 1) if c in col_at]
        if rs and cs and rng.min_row in row_at and rng.min_col in col_at:
            merges.append((rs[0], cs[0], len(rs), len(cs)))
    return Grid(sheet.title, tuple(tuple(r) for r in values), tuple(merges))

"""CSV files (财务公开, 收费标准) -> :class:`TableBody`.

Excel on Chinese Windows saves CSV in GBK with CRLF; :func:`decode_text` handles the
encoding. The delimiter is a comma, or a tab / semicolon / Chinese comma when the first
line clearly uses one. Short rows are padded with empty cells; trailing empty columns and
empty rows are dropped; a row longer than the header is an error naming its line.
"""

from __future__ import annotations

import csv
import io

from player.model.notice import TableBody
from player.model.problems import ContentError

MAX_COLUMNS = 40


def parse_csv(text: str) -> TableBody:
    """Parse CSV text into a table (first row is the header).

    Raises:
        ContentError: empty table, broken quoting, rows wider than the header.
    """
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            cells = [c.strip() for c in row]
            if any(cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ContentError(
            f"CSV cannot be read: {exc}; save it again from Excel as 'CSV (逗号分隔)'",
            "表格文件格式有误（引号不配对等）：请在 Excel 中“另存为”→“CSV（逗号分隔）”",
            reader.line_num) from None
    if not rows:
        raise ContentError("the table is empty; put a header row and data rows in it",
                           "表格是空的：第一行写表头，下面每行一条数据")
    header_line, header = rows[0]
    while header and not header[-1] and all(len(r) < len(header) or not r[len(header) - 1]
                                            for _, r in rows[1:]):
        header.pop()
    width = len(header)
    if width == 0:
        raise ContentError("the header row is empty", "表格第一行（表头）是空的", header_line)
    if width > MAX_COLUMNS:
        raise ContentError(f"the table has {width} columns; at most {MAX_COLUMNS} fit a screen",
                           f"表格有 {width} 列，超过屏幕可显示的 {MAX_COLUMNS} 列：请拆分表格", header_line)
    body: list[tuple[str, ...]] = []
    for line, cells in rows[1:]:
        while len(cells) > width and not cells[-1]:
            cells.pop()
        if len(cells) > width:
            raise ContentError(
                f"row has {len(cells)} cells but the header has {width}; "
                "a comma inside a number or text needs quotes, or add a header column",
                f"这一行有 {len(cells)} 格，比表头的 {width} 格多：数字或文字中的逗号请去掉，或补上表头",
                line)
        body.append(tuple(cells + [""] * (width - len(cells))))
    return TableBody(tuple(header), tuple(body))

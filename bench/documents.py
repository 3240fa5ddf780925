"""Benchmark: how long a document takes from bytes to laid-out pages.

    .venv/bin/python bench/documents.py [--runs 3]

For each kind, the file is made first (python-docx, reportlab, openpyxl; the scan is a
text PDF rendered to 200 dpi JPEGs), then timed through the real path: ingest_document
with a real Sandbox worker (already started: the player keeps one) and a dict store,
then the Layouter with the real fonts at 1920x1080. "ready" = parse + pictures + layout.
Targets (issue 16): a 20-page .docx <= 1 s; a 50-page text PDF <= 3 s; a 10-page
scanned PDF <= 5 s; a 5,000-row .xlsx <= 2 s.

Also: reading the 5,000-row sheet with openpyxl (what the player uses) and with
python-calamine (if installed), and what each can read for .xls, for the record in
docs/architecture.md.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from docfiles import big_xlsx, fees_xls, long_docx, scanned_pdf, text_pdf  # noqa: E402
from player.layout.pages import Layouter  # noqa: E402
from player.layout.templates import frame_for  # noqa: E402
from player.model.limits import Limits  # noqa: E402
from player.model.notice import Meta, Notice  # noqa: E402
from player.render.fonts import load_fonts  # noqa: E402
from player.render.pg import pygame  # noqa: E402
from player.sources.documents import ingest_document  # noqa: E402
from player.sources.sandbox import Sandbox  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pygame.freetype.init()
    layouter = Layouter(frame_for(1920, 1080), load_fonts())
    sandbox = Sandbox()
    sandbox.run("player.model.limits:Limits")  # the worker is up, as in a running player
    import pypdfium2
    for label, data in (("text", text_pdf(pages=50)), ("scan source", text_pdf(pages=10))):
        print(f"({label} PDF: {len(pypdfium2.PdfDocument(data))} pages)")
    cases = [
        ("20-page .docx", "a.docx", long_docx(20), 1.0),
        ("50-page text PDF", "a.pdf", text_pdf(pages=50), 3.0),
        ("10-page scanned PDF", "b.pdf", scanned_pdf(pages=10, source=text_pdf(pages=10)), 5.0),
        ("5,000-row .xlsx", "a.xlsx", big_xlsx(5000), 2.0),
    ]
    print(f"{'file':22} {'size':>8} {'pages':>5} {'parse s':>8} {'layout s':>8} {'ready s':>8} {'target':>7}")
    for label, name, data, target in cases:
        parse_times, layout_times, pages = [], [], 0
        for _ in range(args.runs):
            store: dict[str, bytes] = {}

            def keep(blob: bytes) -> str:
                sha = hashlib.sha256(blob).hexdigest()
                store[sha] = blob
                return sha

            start = time.perf_counter()
            parsed = ingest_document(name, data, sandbox=sandbox, keep=keep, box=(1920, 1080), limits=Limits(),
                                     converter=None)
            middle = time.perf_counter()
            notice = Notice("x/" + name, "x/" + name, "x", parsed.title or name, Meta(), parsed.body,
                            hashlib.sha256(data).hexdigest())
            pages = len(layouter.layout(notice))
            parse_times.append(middle - start)
            layout_times.append(time.perf_counter() - middle)
        parse, lay = statistics.median(parse_times), statistics.median(layout_times)
        ready = parse + lay
        print(f"{label:22} {len(data) / 1024:7.0f}K {pages:5d} {parse:8.2f} {lay:8.2f} {ready:8.2f} "
              f"{'<= ' + format(target, 'g'):>7} {'ok' if ready <= target else 'MISSED'}")
    sandbox.close()
    _readers(big_xlsx(5000))


def _readers(data: bytes) -> None:
    from openpyxl import load_workbook
    start = time.perf_counter()
    book = load_workbook(io.BytesIO(data), data_only=True)
    rows = [[c.number_format for c in row] for row in book.active.iter_rows()]
    print(f"\n5,000-row sheet, values and number formats: openpyxl {time.perf_counter() - start:.2f} s "
          f"({len(rows)} rows)")
    try:
        import python_calamine
    except ImportError:
        print("python-calamine not installed: not compared")
        return
    start = time.perf_counter()
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    values = sheet.to_python()
    print(f"5,000-row sheet, values only (no number formats, no hidden rows/columns): python-calamine "
          f"{time.perf_counter() - start:.2f} s ({len(values)} rows)")
    xls = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(fees_xls())).get_sheet_by_index(0)
    print(f".xls with calamine: {xls.to_python()} (hidden row included, 1234.5 unformatted)")


if __name__ == "__main__":
    main()

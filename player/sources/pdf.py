"""PDF files with pypdfium2 (PDFium, Apache-2.0/BSD), inside the sandbox worker.

:func:`read_pdf` is the sandbox job. It opens the PDF (a password refuses it), checks
the page limit, and decides per document:

- **text**: when the text layer is usable, each page's characters with their boxes
  become lines (:class:`~player.model.pdftext.TextLine`) and the document is rebuilt
  by :func:`player.model.pdftext.rebuild`;
- **scan**: when there is no text layer, or the text is unusable — private-use
  characters, U+FFFD or control codes (a font without a ToUnicode map), or mostly
  accented Latin letters (CJK codes read through a Latin encoding) — the pages are
  rendered to grayscale JPEGs at a resolution where a text line's ink is about
  ``text_px`` pixels tall, cropped to their content, and measured: the typical line
  height and the blank rows where a slice may be cut
  (:class:`~player.model.notice.ScanPage` is made from them by the caller).

Never executed: JavaScript (PDFium runs it only inside a form-fill environment with a
JS platform, which is never created here) and forms (not initialised, so fields are
not drawn or filled); documents that carry either get a note. Memory and time are the
sandbox's; a page is never rendered above ``max_pixels``.
"""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass

from player.model.container import refuse_corrupt, refuse_password
from player.model.draft import Draft
from player.model.limits import Limits
from player.model.notice import Note
from player.model.pdftext import PageLines, TextLine, rebuild
from player.model.problems import ContentError

#: Rendering never goes beyond this many pixels per PDF point (300 dpi).
MAX_SCALE = 300 / 72
#: A document whose pages average fewer usable characters than this is a scan.
MIN_CHARS_PER_PAGE = 15
INK = 150           # gray level below which a pixel is ink
JPEG_QUALITY = 85


@dataclass(frozen=True)
class ScannedPage:
    """A rendered page: JPEG bytes, typical text line height (px) and cut rows."""

    data: bytes
    width: int
    height: int
    text_px: float
    cuts: tuple[int, ...]


@dataclass(frozen=True)
class PdfResult:
    """What :func:`read_pdf` found: a rebuilt text document, or scanned pages."""

    draft: Draft | None
    scans: tuple[ScannedPage, ...] = ()
    title: str | None = None
    notes: tuple[Note, ...] = ()


def read_pdf(data: bytes, limits: Limits, text_px: int, max_pixels: int) -> PdfResult:
    """Read a PDF as text or as scanned pages (the sandbox job).

    Args:
        data: the file's bytes.
        limits: ``pdf_pages``.
        text_px: how tall a text line's ink should be in rendered scans.
        max_pixels: the largest rendered page.

    Raises:
        ContentError: password-protected, damaged, over the page limit, or empty.
    """
    import pypdfium2 as pdfium
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise refuse_password("PDF 文件") from None
        raise refuse_corrupt(str(exc)[:80], "PDF 文件") from None
    count = len(pdf)
    if count == 0:
        raise refuse_corrupt("no pages", "PDF 文件")
    if count > limits.pdf_pages:
        raise ContentError(
            f"the PDF has {count} pages, over the limit of {limits.pdf_pages}; split it or publish the pages that matter",
            f"PDF 共 {count} 页，超过 {limits.pdf_pages} 页的上限：请拆分文件，或只放入需要公开的页")
    notes = []
    import pypdfium2.raw as raw
    if raw.FPDFDoc_GetJavaScriptActionCount(pdf) > 0 or b"/JavaScript" in data:
        notes.append(Note("the PDF contains JavaScript; it is never run", "PDF 中含有脚本，播放器不会运行"))
    if pdf.get_formtype() != 0:
        notes.append(Note("the PDF has form fields; they are not shown", "PDF 中的表单域不会显示"))
    meta_title = (pdf.get_metadata_value("Title") or "").strip()
    meta_title = None if meta_title.lower() in ("", "untitled", "无标题") else meta_title
    pages, good, bad, latin = [], 0, 0, 0
    for index in range(count):
        page_lines, counts = _page_lines(pdf[index])
        pages.append(page_lines)
        good, bad, latin = good + counts[0], bad + counts[1], latin + counts[2]
    usable = good >= MIN_CHARS_PER_PAGE * count and bad <= good * 0.02 and latin <= good * 0.3
    if usable:
        title, blocks, rebuilt_notes = rebuild(pages)
        if blocks or title:
            return PdfResult(Draft(title or meta_title, tuple(blocks), notes=tuple(notes + rebuilt_notes)))
    scans = tuple(_scan(pdf[index], text_px, max_pixels) for index in range(count))
    reason = ("the PDF has no usable text (scanned, or fonts without a Unicode map)" if good
              else "the PDF has no text layer (scanned)")
    notes.append(Note(f"{reason}: its {count} page(s) are shown as pictures",
                      f"PDF 没有可用的文字（扫描件或字体缺少编码表），{count} 页按图片分段显示"))
    return PdfResult(None, scans, meta_title, tuple(notes))


def _page_lines(page) -> tuple[PageLines, tuple[int, int, int]]:
    import pypdfium2.raw as raw
    width, height = page.get_size()
    textpage = page.get_textpage()
    count = textpage.count_chars()
    lines: list[TextLine] = []
    chars: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    good = bad = latin = 0
    left, bottom, right, top = (raw.c_double(), raw.c_double(), raw.c_double(), raw.c_double())
    origin_x, origin_y = raw.c_double(), raw.c_double()
    baselines: list[float] = []

    def flush() -> None:
        if chars and "".join(chars).strip():
            x0 = min(b[0] for b in boxes)
            x1 = max(b[2] for b in boxes)
            tops = [b[3] for b in boxes]
            sizes = [b[3] - b[1] for b in boxes if b[3] > b[1]]
            lines.append(TextLine("".join(chars), x0, x1, height - max(tops),
                                  statistics.median(sizes) if sizes else 10.0))
        chars.clear()
        boxes.clear()
        baselines.clear()

    for index in range(count):
        code = raw.FPDFText_GetUnicode(textpage, index)
        if raw.FPDFText_IsGenerated(textpage, index) or code in (10, 13):
            if code in (10, 13):
                flush()
            elif code == 32 and chars:
                chars.append(" ")
            continue
        ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if ch.isspace():
            if chars:
                chars.append(" " if ch != "\u3000" else ch)
            continue
        if code < 32 or 0xE000 <= code <= 0xF8FF or code == 0xFFFD or code >= 0xF0000:
            bad += 1
        elif 0xC0 <= code <= 0x24F:
            latin += 1
            good += 1
        else:
            good += 1
        raw.FPDFText_GetCharBox(textpage, index, left, right, bottom, top)
        raw.FPDFText_GetCharOrigin(textpage, index, origin_x, origin_y)
        font = raw.FPDFText_GetFontSize(textpage, index)
        size = font if font > 0 else max(1.0, top.value - bottom.value)
        # The em box on the baseline (CJK ink is a little smaller than the type size;
        # punctuation sits low): descent about 12 % of the size.
        base = origin_y.value
        box = (left.value, base - size * 0.12, max(right.value, left.value), base + size * 0.88)
        if boxes and (abs(base - baselines[-1]) > size * 0.5 or box[0] < boxes[-1][0] - size * 3):
            flush()
        baselines.append(base)
        chars.append(ch)
        boxes.append(box)
    flush()
    textpage.close()
    return PageLines(width, height, tuple(lines)), (good, bad, latin)


def _scan(page, text_px: int, max_pixels: int) -> ScannedPage:
    width, height = page.get_size()
    probe = page.render(scale=1.0, grayscale=True).to_pil().convert("L")
    measured = _line_height(probe)
    scale = text_px / measured if measured else 2.0
    scale = max(1.0, min(MAX_SCALE, scale))
    if width * height * scale * scale > max_pixels:
        scale = (max_pixels / (width * height)) ** 0.5
    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    image = _crop(image)
    text, cuts = _profile(image)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return ScannedPage(out.getvalue(), image.width, image.height, text, tuple(cuts))


def _ink_rows(image) -> list[bool]:
    from PIL import Image
    ink = image.point(lambda v: 255 if v < INK else 0)
    profile = list(ink.resize((1, image.height), Image.Resampling.BOX).getdata())
    return [v > 1 for v in profile]


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    runs, start = [], None
    for index, flag in enumerate(flags + [not value]):
        if flag == value and start is None:
            start = index
        elif flag != value and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _line_height(image) -> float:
    heights = [b - a for a, b in _runs(_ink_rows(image), True) if b - a >= 3]
    return float(statistics.median(heights)) if heights else 0.0


def _crop(image):
    ink = image.point(lambda v: 255 if v < INK else 0)
    box = ink.getbbox()
    if not box:
        return image
    margin = max(8, image.width // 60)
    box = (max(0, box[0] - margin), max(0, box[1] - margin),
           min(image.width, box[2] + margin), min(image.height, box[3] + margin))
    return image.crop(box)


def _profile(image) -> tuple[float, list[int]]:
    rows = _ink_rows(image)
    heights = [b - a for a, b in _runs(rows, True) if b - a >= 3]
    text = float(statistics.median(heights)) if heights else 0.0
    cuts = [(a + b) // 2 for a, b in _runs(rows, False) if b - a >= 2 and a > 0]
    return text, cuts

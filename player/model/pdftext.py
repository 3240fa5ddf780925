"""Positioned text lines of a PDF -> title and blocks, as the author wrote them.

A PDF knows where each line of text sits, not where paragraphs start. The rules, in
order (sizes in PDF points; "size" is a line's type size):

1. **Running headers, footers and page numbers go**: lines in the top or bottom
   :data:`EDGE` of a page whose text (digits ignored) repeats on at least half of the
   pages, and lines there that are only a page number (3, - 3 -, 第3页, 3/12).
2. **Body size and margins**: the median size of the lines (weighted by length), the
   left margin (10th percentile of line starts) and the right margin (90th percentile
   of line ends).
3. **Title**: on the first page, a line in the top 40 % larger than the body type,
   preferring one that reads like a 公文 title (关于……的通知), else the largest;
   consecutive lines of the same size join it. Larger lines above it (the red
   letterhead, 文号) are left out, with a note.
4. **Paragraphs**: a line joins the previous one unless it is indented, the previous
   line ended short of the right margin, a vertical gap separates them, it opens with
   a ladder marker (一、（一）1.（1）), or its size differs. A line broken inside a
   sentence is never a paragraph end; paragraphs continue across pages.
5. **Headings**: lines larger than the body (by size rank, levels 1-2), and the ladder
   rules of ``.txt`` (:func:`~player.model.textdoc.ladder_block`).
6. **落款**: right-aligned lines at the end, and a trailing date line with its
   signature, become closing lines. Pure.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from player.model.notice import Block, Closing, Heading, Note, Paragraph, Span
from player.model.textdoc import closing_blocks, ladder_block

EDGE = 0.09
_PAGE_NUMBER = re.compile(r"^[-—－–_\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—－–_\s]*$"
                          r"|^(?:page|Page|PAGE)\s*\d+(?:\s*of\s*\d+)?$")
_LADDER = re.compile(r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)]|\d{1,3}[．.、](?!\d)"
                     r"|[（(]\d{1,3}[）)]|第[一二三四五六七八九十百\d]+[章条节])")
_TITLE_WORDS = ("通知", "公告", "通告", "决定", "意见", "办法", "方案", "报告", "公示", "指南", "须知",
                "规定", "细则", "决议", "纪要", "批复", "通报", "倡议书", "告知书", "标准", "清单")
_SENTENCE_END = "。！？；：!?;:”」"


@dataclass(frozen=True)
class TextLine:
    """One line of text on a page: ``top`` measured from the top of the page, points."""

    text: str
    x0: float
    x1: float
    top: float
    size: float


@dataclass(frozen=True)
class PageLines:
    """The lines of one page, top to bottom, and the page size in points."""

    width: float
    height: float
    lines: tuple[TextLine, ...]


@dataclass
class _Line:
    line: TextLine
    page: int
    page_width: float


def rebuild(pages: list[PageLines]) -> tuple[str | None, list[Block], list[Note]]:
    """Rebuild a document from its pages' lines (see the module docstring).

    Returns:
        (title or None, blocks, notes).
    """
    lines = _drop_running(pages)
    notes: list[Note] = []
    if not lines:
        return None, [], notes
    weights = [(ln.line.size, len(ln.line.text)) for ln in lines]
    body = _weighted_median(weights)
    left = _percentile([ln.line.x0 for ln in lines if abs(ln.line.size - body) < 1], 0.1)
    right = _percentile([ln.line.x1 for ln in lines if abs(ln.line.size - body) < 1], 0.9)
    title, lines, dropped = _title(lines, pages, body)
    if dropped:
        notes.append(Note(f"{dropped} larger line(s) above the title (letterhead, 文号) are not shown",
                          "标题上方的文头（发文机关标志、文号）未在屏幕上显示"))
    heading_sizes = sorted({round(ln.line.size) for ln in lines if ln.line.size > body * 1.12}, reverse=True)
    blocks: list[Block] = []
    para: list[str] = []
    closing_start = _closing_start(lines, left, right, body)
    pitch = _pitch(lines)
    previous: _Line | None = None

    def flush() -> None:
        if para:
            blocks.append(ladder_block((Span("".join(para)),)))
            para.clear()

    for index, item in enumerate(lines):
        line = item.line
        text = line.text.strip(" \u3000\t")
        if not text:
            continue
        if index >= closing_start:
            flush()
            blocks.append(Closing(text))
            previous = item
            continue
        if line.size > body * 1.12 and len(text) <= 40:
            flush()
            level = min(2, heading_sizes.index(round(line.size)) + 1) if round(line.size) in heading_sizes else 2
            if blocks and isinstance(blocks[-1], Heading) and previous is not None and abs(
                    previous.line.size - line.size) < 0.5 and previous.page == item.page:
                blocks[-1] = Heading((Span("".join(s.text for s in blocks[-1].spans) + text),), blocks[-1].level)
            else:
                blocks.append(Heading((Span(text),), level))
            previous = item
            continue
        centred = _centred(line, item.page_width, left, right)
        if centred:
            flush()
            blocks.append(Paragraph((Span(text),), indent=False))
            previous = item
            continue
        if para and previous is not None and not _starts_paragraph(item, previous, left, right, body, pitch):
            para.append(_join_gap(para[-1], text) + text)
        else:
            flush()
            para.append(text)
        previous = item
    flush()
    return title, _closings(blocks), notes


def _drop_running(pages: list[PageLines]) -> list[_Line]:
    counts: dict[str, int] = {}
    for page in pages:
        seen = set()
        for line in page.lines:
            if _at_edge(line, page):
                key = re.sub(r"\d+", "#", line.text.strip())
                if key not in seen:
                    seen.add(key)
                    counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, n in counts.items() if len(pages) >= 2 and n >= 2 and n * 2 >= len(pages)}
    out = []
    for number, page in enumerate(pages):
        for line in page.lines:
            if _at_edge(line, page):
                text = line.text.strip()
                if re.sub(r"\d+", "#", text) in repeated or _PAGE_NUMBER.match(text):
                    continue
            out.append(_Line(line, number, page.width))
    return out


def _at_edge(line: TextLine, page: PageLines) -> bool:
    return line.top < page.height * EDGE or line.top + line.size > page.height * (1 - EDGE)


def _title(lines: list[_Line], pages: list[PageLines], body: float) -> tuple[str | None, list[_Line], int]:
    first_h = pages[0].height if pages else 0
    top = [(i, ln) for i, ln in enumerate(lines) if ln.page == 0 and ln.line.top < first_h * 0.4
           and ln.line.size > body * 1.15 and ln.line.text.strip()]
    if not top:
        return None, lines, 0
    worded = [(i, ln) for i, ln in top if ln.line.text.strip().startswith("关于")
              or ln.line.text.strip().endswith(_TITLE_WORDS)]
    index, chosen = worded[0] if worded else max(top, key=lambda c: c[1].line.size)
    taken = [index]
    while taken[-1] + 1 < len(lines):
        nxt = lines[taken[-1] + 1]
        if nxt.page == 0 and abs(nxt.line.size - chosen.line.size) < 0.5:
            taken.append(taken[-1] + 1)
        else:
            break
    while taken[0] - 1 >= 0 and abs(lines[taken[0] - 1].line.size - chosen.line.size) < 0.5:
        taken.insert(0, taken[0] - 1)
    title = "".join(lines[i].line.text.strip(" \u3000") for i in taken)
    dropped = [i for i, _ln in top if i < taken[0]]
    skip = set(taken) | set(dropped)
    return title, [ln for i, ln in enumerate(lines) if i not in skip], len(dropped)


def _starts_paragraph(item: _Line, previous: _Line, left: float, right: float, body: float,
                      pitch: float) -> bool:
    line, prev = item.line, previous.line
    size = max(line.size, 1.0)
    if line.text.startswith(("\u3000", "  ")) or line.x0 > left + size * 1.2:
        return True
    if prev.x1 < right - size * 1.5 and prev.text.rstrip()[-1:] in _SENTENCE_END:
        return True  # a short line that ends a sentence; one broken inside a sentence goes on
    if abs(line.size - prev.size) > 1.0:
        return True
    if item.page == previous.page and line.top - prev.top > pitch * 1.6:
        return True
    return bool(_LADDER.match(line.text.strip(" \u3000")))


def _centred(line: TextLine, width: float, left: float, right: float) -> bool:
    middle = (left + right) / 2 if right > left else width / 2
    return (line.x0 > left + line.size * 2.5 and line.x1 < right - line.size * 2.5
            and abs((line.x0 + line.x1) / 2 - middle) < line.size * 1.5)


def _closing_start(lines: list[_Line], left: float, right: float, body: float) -> int:
    """Index of the first line of a right-aligned block at the very end (len: none)."""
    start = len(lines)
    while start > 0 and len(lines) - start < 3:
        line = lines[start - 1].line
        width = right - left
        if line.x0 > left + width * 0.4 and line.x1 > right - line.size * 3 and len(line.text.strip()) <= 30:
            start -= 1
        else:
            break
    return start


def _closings(blocks: list[Block]) -> list[Block]:
    if blocks and isinstance(blocks[-1], Closing):
        return blocks
    tail = len(blocks)
    while tail > 0 and isinstance(blocks[tail - 1], Paragraph):
        tail -= 1
    return blocks[:tail] + closing_blocks(blocks[tail:])


def _pitch(lines: list[_Line]) -> float:
    steps = [b.line.top - a.line.top for a, b in zip(lines, lines[1:])
             if a.page == b.page and 0 < b.line.top - a.line.top < a.line.size * 3]
    return statistics.median(steps) if steps else 20.0


def _join_gap(before: str, after: str) -> str:
    if before and after and before[-1].isascii() and before[-1].isalnum() and after[0].isascii() \
            and after[0].isalnum():
        return " "
    return ""


def _weighted_median(pairs: list[tuple[float, int]]) -> float:
    pairs = sorted(pairs)
    total = sum(w for _s, w in pairs)
    acc = 0
    for size, weight in pairs:
        acc += weight
        if acc * 2 >= total:
            return size
    return pairs[-1][0] if pairs else 12.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]

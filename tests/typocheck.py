"""Typographic checks over laid-out pages (pure: a notice and its pages in, problems out).

The rules docs/content.md promises ("How text is set on the screen"), checked on the
display ops alone, with this module's own patterns:

- isolated last character: no paragraph or list item of two or more lines ends in a line
  holding one character, with or without its punctuation (密。), unless the line before
  is a single run (a number with its unit) too wide to share a line with that mark, or
  the break cuts a run wider than the line;
- page top: no page starts with a line of one character (准。), nor with the short last
  line (under a third of the measure) of a paragraph;
- unbreakable runs: no line ends inside a number with its unit, a decimal amount, a
  date, a time range or a telephone number, unless the run is wider than the line (in
  tables: every run of a cell is drawn whole by one text op);
- titles and headings: a line break between two Han characters falls between two words
  of the segmenter (unless the word is wider than the line), and title lines are
  balanced (the last line at least a third of the longest);
- page fill: no page but the last is less than a quarter full; no page is less than a
  quarter full while the page before had room for its content; the last page is not less
  than a quarter full after a page more than three quarters full with more than half a
  page of text (lines that balancing could have moved).

Lines are rebuilt from the ops (text ops of one y, left to right) and matched in order
against the notice's blocks, so a lost or reordered line is a problem too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from player.layout.display import Op, Page, TextOp
from player.layout.pages import Layouter
from player.layout.words import Segmenter, inside_words
from player.model.notice import Closing, Figure, Heading, ListItem, Notice, Paragraph, TableBlock, TableBody, TextBody

#: Runs that must not be split, written independently of player/layout/runs.py.
RUNS = re.compile("|".join([
    r"\d{2,4}年\d{1,2}月\d{1,2}[日号]", r"\d{2,4}年\d{1,2}月", r"\d{1,2}月\d{1,2}[日号]",
    r"(?<!\d)\d{4}[-./]\d{1,2}[-./]\d{1,2}(?!\d)",
    r"\d{1,2}[:：]\d{2}[-—–~～至]\d{1,2}[:：]\d{2}",
    r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)", r"(?<!\d)1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)",
    r"(?<![\d.])\d{5,}(?![\d.])",
    r"[￥¥$]?\d[\d,]*(?:\.\d+)?(?:%|％|‰|℃|万元|亿元|元|平方米|平方公里|千克|公斤|公里|米|吨|人|户|个|项|次|天|年|岁|小时)",
    r"(?<![\d.])\d[\d,]*\.\d+",
]))
SHORT = 1 / 3


@dataclass(frozen=True)
class Line:
    """One visual line rebuilt from the ops: its text, page and extent."""

    text: str
    page: int
    x0: float
    x1: float
    style_size: int


def core(text: str) -> int:
    """Letters, digits and Han characters in ``text``."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def rebuild_lines(ops, page: int, layouter: Layouter) -> list[Line]:
    """Text ops grouped by y into lines, top to bottom."""
    rows: dict[float, list[TextOp]] = {}
    for op in ops:
        if isinstance(op, TextOp):
            rows.setdefault(round(op.y, 2), []).append(op)
    lines = []
    for y in sorted(rows):
        row = sorted(rows[y], key=lambda op: op.x)
        x1 = max(op.x + layouter.metrics.width(op.text, op.style) for op in row)
        lines.append(Line("".join(op.text for op in row), page, row[0].x, x1, row[0].style.size))
    return lines


def locate(text: str, lines: list[str]) -> list[int]:
    """Start of every line in ``text`` (spaces between lines skipped). Raises ValueError."""
    starts, pos = [], 0
    for line in lines:
        while not text.startswith(line, pos) and pos < len(text) and text[pos] in " \t":
            pos += 1
        if not text.startswith(line, pos):
            raise ValueError(f"line {line!r} is not the next part of {text!r}")
        starts.append(pos)
        pos += len(line)
    if text[pos:].strip(" \t"):
        raise ValueError(f"text lost at the end of {text!r}: {text[pos:]!r}")
    return starts


def split_runs(text: str, starts: list[int], widest: float, width_of) -> list[str]:
    """Runs of ``text`` that a line break (``starts[1:]``) falls inside."""
    bad = []
    for match in RUNS.finditer(text):
        if any(match.start() < b < match.end() for b in starts[1:]) and width_of(match.group()) <= widest + 0.5:
            bad.append(match.group())
    return bad


def word_breaks_inside(text: str, starts: list[int], words: Segmenter | None, widest: float,
                       width_of) -> list[str]:
    """Line breaks of a title or heading that fall inside a word (``a/b`` texts)."""
    if words is None:
        return []
    inside = inside_words(text, words)
    bad = []
    for b in starts[1:]:
        if not (is_han(text[b - 1]) and is_han(text[b])) or b not in inside:
            continue
        lo, hi = b - 1, b + 1
        while lo in inside:
            lo -= 1
        while hi in inside:
            hi += 1
        if width_of(text[lo:hi]) <= widest + 0.5:
            bad.append(text[lo:b] + "/" + text[b:hi])
    return bad


class Checker:
    """Checks the pages of one notice laid out by ``layouter``.

    ``words``: the segmenter whose words titles and headings must keep (default: the
    layouter's; None there means no word check).
    """

    def __init__(self, layouter: Layouter, words: Segmenter | None = None) -> None:
        self.lay = layouter
        self.words = words if words is not None else getattr(layouter, "words", None)

    def check(self, notice: Notice, pages: tuple[Page, ...]) -> list[str]:
        """Every problem found, one line each (``id p<page>: rule: detail``)."""
        lay, problems = self.lay, []
        head0, _ = lay.title_block(notice)
        qr = lay.qr_column(notice)
        head = set(head0)
        extra: set[Op] = set(qr.ops) if qr is not None else set()
        if qr is not None:
            head |= set(lay.title_block(notice, qr.flow_width)[0])
        running = set(lay.running_head(notice)[0])
        title_ops = {op for op in pages[0].ops if isinstance(op, TextOp) and op.style == lay.styles.title}
        problems += self._title(notice, rebuild_lines(title_ops, 0, lay))
        head |= title_ops
        flows = [[op for op in page.ops if op not in extra and op not in (head if n == 0 else running)]
                 for n, page in enumerate(pages)]
        if isinstance(notice.body, TextBody):
            problems += self._text(notice, flows)
        elif isinstance(notice.body, TableBody):
            problems += self._table(notice, flows)
        if not isinstance(notice.body, TableBody) or len(pages) < 2:
            problems += self._fill(notice, pages, extra)
        return problems

    # -- titles -------------------------------------------------------------------------

    def _title(self, notice: Notice, lines: list[Line]) -> list[str]:
        if not lines:
            return []
        problems = []
        style = self.lay.styles.title
        width_of = lambda s: self.lay.metrics.width(s, style)  # noqa: E731
        try:
            starts = locate(notice.title, [ln.text for ln in lines])
        except ValueError as exc:
            return [f"{notice.id} p1: title: {exc}"]
        widest = max(ln.x1 - ln.x0 for ln in lines)
        for cut in word_breaks_inside(notice.title, starts, self.words, self.lay.frame.page.w * 0.9, width_of):
            problems.append(f"{notice.id} p1: title broken inside a word: {cut}")
        if len(lines) > 1 and lines[-1].x1 - lines[-1].x0 < widest / 3:
            problems.append(f"{notice.id} p1: title lines not balanced: {[ln.text for ln in lines]}")
        return problems

    # -- text bodies --------------------------------------------------------------------

    def _text(self, notice: Notice, flows: list[list[Op]]) -> list[str]:
        lay = self.lay
        embedded = any(isinstance(b, (TableBlock, Figure)) for b in notice.body.blocks)
        if embedded:  # a document's tables and figure captions are checked as what they are, not as lines
            s = lay.styles
            other = {s.table, s.table_head, s.small, s.muted}
            flows = [[op for op in ops if not (isinstance(op, TextOp) and op.style in other)] for ops in flows]
        lines = [ln for n, ops in enumerate(flows) for ln in rebuild_lines(ops, n, lay)]
        problems: list[str] = []
        pos = 0
        whole: set[int] = set()  # lines that are a whole one-line block (nothing to move)
        page_first = {}
        for ln_index, ln in enumerate(lines):
            page_first.setdefault(ln.page, ln_index)
        for block in notice.body.blocks:
            if isinstance(block, (TableBlock, Figure)):
                continue
            text, marker, size = self._block_text(block)
            want = "".join(text.split())
            got, mine = "", []
            while pos < len(lines) and len(got) < len(want):
                line = lines[pos].text
                if marker and not mine and line.startswith(marker):
                    line = line[len(marker):]
                got += "".join(line.split())
                mine.append((pos, line))
                pos += 1
            if got != want:
                return problems + [f"{notice.id}: lines do not spell the block {want[:20]!r}: got {got[:40]!r}"]
            where = f"{notice.id} p{lines[mine[0][0]].page + 1}"
            if len(mine) == 1:
                whole.add(mine[0][0])
            try:
                starts = locate(text, [line for _, line in mine])
            except ValueError as exc:
                return problems + [f"{where}: {exc}"]
            style_size = lines[mine[0][0]].style_size
            width_of = lambda s, z=style_size: lay.metrics.width(s, type(lay.styles.body)(z))  # noqa: E731
            widest = max(lines[i].x1 - lines[i].x0 for i, _ in mine)
            for run in split_runs(text, starts, widest, width_of):
                problems.append(f"{where}: run split across lines: {run}")
            if isinstance(block, (Paragraph, ListItem)) and len(mine) > 1:
                last, before = mine[-1][1], mine[-2][1].strip("\u3000 ")
                # Exempt: the line before is one run that cannot give a character up, or the
                # break cuts a run wider than the line.
                forced = any(m.start() < starts[-1] < m.end() for m in RUNS.finditer(text))
                if core(last) <= 1 and not RUNS.fullmatch(before) and not forced:
                    problems.append(f"{where}: isolated last character: {last!r}")
                index, _ = mine[-1]
                if page_first.get(lines[index].page) == index and lines[index].x1 - lines[index].x0 < SHORT * widest:
                    problems.append(f"{notice.id} p{lines[index].page + 1}: short last line "
                                    f"alone at the page top: {last!r}")
            if isinstance(block, Heading):
                for cut in word_breaks_inside(text, starts, self.words, lay.frame.page.w, width_of):
                    problems.append(f"{where}: heading broken inside a word: {cut}")
        for page, index in page_first.items():
            if page and core(lines[index].text) <= 1 and index not in whole:
                problems.append(f"{notice.id} p{page + 1}: one character at the page top: {lines[index].text!r}")
        if pos != len(lines):
            problems.append(f"{notice.id}: lines left over: {[ln.text for ln in lines[pos:]][:3]}")
        return problems

    @staticmethod
    def _block_text(block) -> tuple[str, str, int]:
        if isinstance(block, Closing):
            return block.text, "", 0
        text = "".join(span.text for span in block.spans)
        if isinstance(block, Paragraph) and block.indent or isinstance(block, Heading) and block.ladder:
            text = "\u3000\u3000" + text
        return text, block.marker if isinstance(block, ListItem) else "", 0

    # -- tables -------------------------------------------------------------------------

    def _table(self, notice: Notice, flows: list[list[Op]]) -> list[str]:
        drawn = [op for ops in flows for op in ops if isinstance(op, TextOp)]
        texts = {op.text for op in drawn}
        problems = []
        for row in (notice.body.header,) + notice.body.rows:
            for cell in row:
                for match in RUNS.finditer(cell):
                    run = match.group()
                    if any(run in text for text in texts):
                        continue
                    parts = [op for op in drawn if op.text and op.text in cell]
                    widest = max((self.lay.metrics.width(op.text, op.style) for op in parts), default=0.0)
                    style = parts[0].style if parts else self.lay.styles.table
                    if self.lay.metrics.width(run, style) <= widest + 0.5:
                        problems.append(f"{notice.id}: run split in table cell {cell!r}: {run}")
        return problems

    # -- page fill ----------------------------------------------------------------------

    def fill(self, page: Page, extra: set[Op]) -> float:
        """How far down the page area the content reaches (0..1)."""
        bottom = 0.0
        for op in page.ops:
            if op in extra:
                continue
            h = self.lay.metrics.line_height(op.style) if isinstance(op, TextOp) else op.h
            bottom = max(bottom, op.y + h)
        return bottom / self.lay.frame.page.h

    def _fill(self, notice: Notice, pages: tuple[Page, ...], extra: set[Op]) -> list[str]:
        lay = self.lay
        fills = [self.fill(page, extra) for page in pages]
        # Where the flow starts: below the title block on page 1, the running head after.
        tops = [lay.title_block(notice)[1] / lay.frame.page.h]
        tops += [lay.running_head(notice)[1] / lay.frame.page.h] * (len(pages) - 1)
        flows = [max(0.0, fill - top) for fill, top in zip(fills, tops)]
        problems = []
        for n, value in enumerate(fills[:-1]):
            if value < 0.25:
                problems.append(f"{notice.id} p{n + 1}: page only {value:.0%} full before the last page")
        for n in range(1, len(fills)):
            if fills[n] < 0.25 and fills[n - 1] + flows[n] <= 1.0:
                problems.append(f"{notice.id} p{n + 1}: page {fills[n]:.0%} full although page {n} "
                                f"({fills[n - 1]:.0%}) had room for it")
        if len(fills) > 1 and fills[-1] < 0.25 and fills[-2] > 0.75 and flows[-2] > 0.5:
            problems.append(f"{notice.id} p{len(fills)}: last page {fills[-1]:.0%} full "
                            f"after a page {fills[-2]:.0%} full")
        return problems

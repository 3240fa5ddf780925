"""A notice -> its pages, ready to draw.

Every page sits in the page area of :class:`~player.layout.theme.Frame` (coordinates are
relative to it). The first page opens with the title block (category, title in balanced
centred lines, the 公示 period when there is one, a red rule); later pages open with a
small running head ``title（续）`` so a reader arriving mid-notice knows what it is.

Page time follows the amount of text: ``chars / chars_per_minute``, clamped to
``[min_seconds, max_seconds]``; a notice's ``duration`` overrides it; a picture stays
:data:`PICTURE_SECONDS` (clamped the same way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from player.layout.blocks import figure_items, scan_pages, table_items
from player.layout.display import Metrics, Op, Page, PictureOp, RectOp, TextOp
from player.layout.flow import Item, paginate, shift
from player.layout.paragraph import Line, balanced_lines, layout_paragraph
from player.layout.table import table_groups
from player.layout.qrplace import QR_CAPTION, QrColumn, qr_place
from player.layout.theme import MEASURE, Frame, Styles, Theme
from player.layout.urgent import alarm_band, is_urgent, urgent_theme, urgent_title
from player.layout.words import Segmenter, default_segmenter
from player.model.notice import (
    Closing, Figure, Heading, ImageBody, ListItem, Notice, Paragraph, ScanBody, SheetsBody, Span, TableBlock,
    TableBody, TextBody,
)
from player.model.schedule import countdown_text
from player.model.textdoc import format_date

__all__ = ["Layouter", "Pace", "QR_CAPTION", "QrColumn", "footer_texts", "is_urgent", "publicity_period",
           "urgent_title"]

PICTURE_SECONDS = 15.0
#: Line box height as a multiple of the font size (Chinese body text reads best ~1.6-1.8).
LINE_BOX = 1.7
#: A picture is never drawn larger than this multiple of its own size.
MAX_UPSCALE = 2.0


@dataclass(frozen=True)
class Pace:
    """Reading speed for page times."""

    chars_per_minute: int = 200
    min_seconds: float = 8.0
    max_seconds: float = 60.0

    def seconds(self, chars: int, override: float | None = None) -> float:
        """Display time of a page with ``chars`` characters."""
        if override is not None:
            return override
        return self.clamp(chars * 60.0 / self.chars_per_minute)

    def clamp(self, seconds: float) -> float:
        """``seconds`` limited to [min_seconds, max_seconds]."""
        return min(self.max_seconds, max(self.min_seconds, seconds))


@dataclass(frozen=True)
class Layouter:
    """Lays out notices for one screen size.

    ``words`` segments titles and headings so that they break between words (default:
    the process-wide jieba segmenter, loaded on first use; None: between characters).
    """

    frame: Frame
    metrics: Metrics
    theme: Theme = Theme()
    pace: Pace = Pace()
    words: Segmenter | None = field(default_factory=default_segmenter, compare=False)
    #: This layouter sets urgent notices (larger type, the red band); see :meth:`urgent`.
    alarm: bool = False

    @property
    def styles(self) -> Styles:
        """Text styles for this screen's unit."""
        return Styles.for_height(self.frame.unit, self.theme)

    def urgent(self) -> "Layouter":
        """The layouter of urgent notices: the same page, type :data:`URGENT_SCALE` larger."""
        return replace(self, theme=urgent_theme(self.theme), alarm=True)

    def _own(self, notice: Notice) -> "Layouter":
        return self.urgent() if is_urgent(notice) and not self.alarm else self

    def layout(self, notice: Notice) -> tuple[Page, ...]:
        """All pages of a notice (at least one)."""
        if self._own(notice) is not self:
            return self._own(notice).layout(notice)
        body = notice.body
        if self.frame.page.w <= 0 or self.frame.page.h <= 0:  # a strip: no page is shown
            return (Page((), 0, self.pace.seconds(0, notice.meta.duration)),)
        qr = self.qr_column(notice)
        if isinstance(body, ImageBody):
            return (self._picture(notice, body, qr),)
        head_ops, head_h = self.title_block(notice)
        if qr is not None and head_h > qr.top:  # a very long title: narrow it too
            head_ops, head_h = self.title_block(notice, qr.flow_width)
        run_ops, run_h = self.running_head(notice)
        flow_w = qr.flow_width if qr is not None else self.frame.page.w
        page_h = qr.flow_height if qr is not None else self.frame.page.h
        extra = qr.ops if qr is not None else ()
        if isinstance(body, (TableBody, SheetsBody)):
            placed = []
            tables = body.tables if isinstance(body, SheetsBody) else (body,)
            for n, table in enumerate(tables):
                tail = self.closing_items(notice, flow_w) if n == len(tables) - 1 else []
                placed += self._table_pages(table, flow_w, head_h if not placed else run_h, run_h, page_h, tail)
        elif isinstance(body, ScanBody):
            placed = scan_pages(body, flow_w, page_h, head_h, run_h, self.styles.body.size)
        else:
            placed = paginate(self.text_items(body, flow_w), page_h, head_h, run_h)
        pages = []
        for number, (ops, chars) in enumerate(placed):
            lead = head_ops if number == 0 else run_ops
            chars += sum(len(op.text) for op in head_ops if isinstance(op, TextOp)) if number == 0 else 0
            pages.append(Page(tuple(lead) + tuple(ops) + extra, chars,
                              self.pace.seconds(chars, notice.meta.duration)))
        return tuple(pages)

    def _table_pages(self, table: TableBody, flow_w: float, first_top: float, run_h: float,
                     page_h: float, tail: list[Item] = ()) -> list[tuple[list[Op], int]]:
        """A table's pages; each column group (and each sheet) starts on a page of its own.
        ``tail`` (the 落款 and date) follows the last group's last row."""
        groups = table_groups(table, flow_w, page_h, self.metrics, self.styles, self.theme, self.words)
        repeat_h = max(sum(item.height for item in g.repeat) for g in groups)
        tallest = page_h - max(first_top, run_h) - repeat_h
        if any(row.height > tallest for g in groups for row in g.rows):
            groups = table_groups(table, flow_w, tallest, self.metrics, self.styles, self.theme, self.words)
        placed: list[tuple[list[Op], int]] = []
        for n, group in enumerate(groups):
            top = first_top if not placed else run_h
            rows = list(group.rows)
            if n == len(groups) - 1 and tail and rows:
                rows[-1] = replace(rows[-1], keep_with_next=True)
                rows += tail
            placed += paginate(rows, page_h, top, run_h, group.repeat)
        return placed

    # -- blocks ----------------------------------------------------------------------

    def chip(self, notice: Notice, width: float) -> tuple[list[Op], float]:
        """The category chip on a row of its own at the top left (it never covers the
        title); with an urgent notice the red 紧急 chip beside it. Returns (ops, height)."""
        s = self.styles
        ops: list[Op] = []
        x, chip_h = 0.0, s.small.size * 1.6
        labels = [(notice.category, self.theme.accent)] if notice.category else []
        for text, color in labels:
            text = self._cut(text, s.small, width - s.small.size * 1.2)
            chip_w = self.metrics.width(text, s.small) + s.small.size * 1.2
            ops.append(RectOp(x, 0.0, chip_w, chip_h, color, radius=int(chip_h // 4)))
            ops.append(TextOp(x + s.small.size * 0.6, (chip_h - self._line_h(s.small, 1.0)) / 2,
                              text, replace(s.small, color=self.theme.accent_text)))
            x += chip_w + s.small.size * 0.6
        return ops, (chip_h + s.small.size * 0.5 if ops else 0.0)

    def _cut(self, text: str, style, width: float) -> str:
        """``text`` cut with … to fit ``width``."""
        if self.metrics.width(text, style) <= width:
            return text
        while len(text) > 1 and self.metrics.width(text + "…", style) > width:
            text = text[:-1]
        return text + "…"

    def title_block(self, notice: Notice, width: float | None = None) -> tuple[list[Op], float]:
        """Category, centred title, 公示 period, rule. Returns (ops, height).

        An urgent notice opens with a red band holding 紧急 and its title in white, in
        type :data:`URGENT_SCALE` larger (the title's own leading 紧急 is not repeated)."""
        if self._own(notice) is not self:
            return self._own(notice).title_block(notice, width)
        s, width = self.styles, width or self.frame.page.w
        ops, y = self.chip(notice, width)
        if self.alarm:
            band_ops, band_h = self._alarm_band(notice, width, y)
            ops += band_ops
            y += band_h
        for line in ([] if self.alarm else balanced_lines([Span(notice.title)], width * 0.9, self.metrics,
                                                           s.title, words=self.words)):
            ops.extend(shift(op, width * 0.05, y) for op in line.runs)
            y += self._line_h(s.title, 1.35)
        period = publicity_period(notice)
        if period:
            text_w = self.metrics.width(period, s.period)
            ops.append(TextOp((width - text_w) / 2, y + s.period.size * 0.2, period, s.period))
            y += self._line_h(s.period, 1.5)
        y += s.body.size * 0.35
        ops.append(RectOp(0, y, width, max(2, s.body.size // 12), self.theme.rule))
        y += s.body.size * 0.7
        return ops, y

    def _alarm_band(self, notice: Notice, width: float, y: float) -> tuple[list[Op], float]:
        return alarm_band(notice, width, y, self.styles, self.metrics, self.theme, self.words)

    def running_head(self, notice: Notice) -> tuple[list[Op], float]:
        """The small ``title（续）`` line on continuation pages."""
        if self._own(notice) is not self:
            return self._own(notice).running_head(notice)
        s, width = self.styles, self.frame.page.w
        text, title = f"{notice.title}（续）", notice.title
        while len(title) > 1 and self.metrics.width(text, s.muted) > width:
            title = title[:-1]  # a long title is shortened so that （续） stays on the one line
            text = f"{title}…（续）"
        line = layout_paragraph([Span(text)], width, self.metrics, s.muted, justify=False)[:1]
        ops: list[Op] = list(line[0].runs) if line else []
        y = self._line_h(s.muted, 1.4)
        ops.append(RectOp(0, y, width, max(1, s.body.size // 20) if not self.alarm else max(3, s.body.size // 8),
                          self.theme.accent if self.alarm else self.theme.table_line))
        return ops, y + s.body.size * 0.6

    def closing_items(self, notice: Notice, width: float) -> list[Item]:
        """The sidecar's 落款 (``issuer``) and date as right-aligned lines, for bodies that
        have no text of their own to carry them (tables, pictures)."""
        s, meta = self.styles, notice.meta
        texts = [t for t in (meta.issuer, format_date(meta.date) if meta.date else None) if t]
        items: list[Item] = []
        for n, text in enumerate(texts):
            lines = layout_paragraph([Span(text)], width, self.metrics, s.closing, justify=False, align="right")
            items += self._lines(lines, s.closing, s.body.size * 1.2 if n == 0 else 0.0, keep=True)
        if items:
            items[-1] = replace(items[-1], keep_with_next=False)
            items[0] = replace(items[0], keep_with_previous=True)
        return items

    def text_column(self, width: float | None = None) -> tuple[float, float]:
        """(x, width) of text lines in a flow ``width`` wide: at most
        :data:`~player.layout.theme.MEASURE` body characters, centred."""
        full = width or self.frame.page.w
        measure = min(full, MEASURE * self.styles.body.size)
        return (full - measure) / 2, measure

    def text_items(self, body: TextBody, width: float | None = None) -> list[Item]:
        """A text body as flow items (one per line), ``width`` wide (default: the page).

        Text lines are at most :data:`~player.layout.theme.MEASURE` body characters long,
        centred in ``width``; figures and tables take the whole width."""
        s, full = self.styles, width or self.frame.page.w
        dx, width = self.text_column(full)
        items: list[Item] = []
        para_gap = s.body.size * 0.35
        for index, block in enumerate(body.blocks):
            if isinstance(block, Heading):
                style = s.heading1 if block.level == 1 else s.heading2 if block.level == 2 else s.heading
                lines = balanced_lines(block.spans, width, self.metrics, style, "left", bold=style,
                                       indent=block.ladder, words=self.words)
                items += self._lines(lines, style, s.body.size * (0.7 if block.level <= 2 else 0.4),
                                     keep=True, dx=dx)
            elif isinstance(block, Paragraph):
                lines = layout_paragraph(block.spans, width, self.metrics, s.body, s.bold,
                                         indent=block.indent)
                items += self._lines(lines, s.body, para_gap if index else 0.0, dx=dx, measure=width)
            elif isinstance(block, ListItem):
                items += self._list_item(block, width, para_gap * 0.5, dx)
            elif isinstance(block, Figure):
                items += figure_items(block, full, self.frame.page.h, self.metrics, s, para_gap * 2)
            elif isinstance(block, TableBlock):
                items += table_items(block, full, self.frame.page.h, self.metrics, s, self.theme, para_gap * 2)
            elif isinstance(block, Closing):
                first = index == 0 or not isinstance(body.blocks[index - 1], Closing)
                if items:  # the signature never stands alone on a page: the text's last line goes along
                    items[-1] = replace(items[-1], keep_with_next=True)
                lines = layout_paragraph([Span(block.text)], width, self.metrics, s.closing,
                                         justify=False, align="right")
                items += self._lines(lines, s.closing, s.body.size * 1.2 if first else 0.0,
                                     keep=True, dx=dx)  # the 落款 and date stay on one page
        return items

    def _list_item(self, block: ListItem, width: float, gap: float, dx: float = 0.0) -> list[Item]:
        s = self.styles
        marker_w = max(self.metrics.width(block.marker, s.body), s.body.size) + s.body.size * 0.5
        indent = s.body.size * 2.0
        lines = layout_paragraph(block.spans, width - indent, self.metrics, s.body, s.bold, justify=True)
        items = self._lines(lines, s.body, gap, dx=dx + indent, measure=width - indent)
        if items:
            marker = TextOp(dx + indent - marker_w, 0.0, block.marker, s.body)
            first = items[0]
            items[0] = replace(first, ops=(marker, *first.ops))
        return items

    def _lines(self, lines: list[Line], style, space_before: float, keep: bool = False,
               dx: float = 0.0, measure: float = 0.0) -> list[Item]:
        height = self._line_h(style)
        # Justified lines reach the measure: a last line is short against that.
        full = max(max((self._extent(line) for line in lines), default=0.0), measure if len(lines) > 1 else 0.0)
        out = []
        for number, line in enumerate(lines):
            ops = tuple(shift(op, dx, 0.0) for op in line.runs)
            # The last line of a paragraph never starts a page alone (keep with previous).
            widow = number > 0 and number == len(lines) - 1 and self._extent(line) < full / 3
            out.append(Item(ops, height, space_before if number == 0 else 0.0, keep, line.chars,
                            keep_with_previous=widow, block_line=(number, len(lines))))
        return out

    def _extent(self, line: Line) -> float:
        """How wide a line is drawn (its first op's left to its last op's right)."""
        runs = [op for op in line.runs if isinstance(op, TextOp)]
        if not runs:
            return line.width
        return max(op.x + self.metrics.width(op.text, op.style) for op in runs) - min(op.x for op in runs)

    def _line_h(self, style, factor: float = LINE_BOX) -> float:
        return max(self.metrics.line_height(style), style.size * factor)

    def qr_column(self, notice: Notice) -> QrColumn | None:
        """The QR code of the notice's ``url`` and where it goes (None without a url); see
        :func:`player.layout.qrplace.qr_place`."""
        if self._own(notice) is not self:
            return self._own(notice).qr_column(notice)
        return qr_place(notice.meta.url, self.frame, self.styles, self.metrics, self.theme)

    def _picture(self, notice: Notice, body: ImageBody, qr: QrColumn | None = None) -> Page:
        s, area = self.styles, self.frame.page
        ops, y = self.chip(notice, area.w)
        if self.alarm:
            band_ops, band_h = self._alarm_band(notice, area.w, y)
            ops += band_ops
            y += band_h
        else:
            lines = balanced_lines([Span(notice.title)], area.w * 0.9, self.metrics, s.heading1, words=self.words)
            for line in lines[:2]:
                ops.extend(shift(op, area.w * 0.05, y) for op in line.runs)
                y += self._line_h(s.heading1, 1.35)
        y += s.body.size * 0.3
        # The sidecar's 落款 and date, right-aligned at the bottom (above a QR band).
        closing = self.closing_items(notice, qr.flow_width if qr is not None and not qr.band else area.w)
        bottom = qr.flow_height if qr is not None else area.h
        closing_h = sum(item.space_before + item.height for item in closing)
        top = bottom - closing_h
        for item in closing:
            top += item.space_before
            ops.extend(shift(op, 0.0, top) for op in item.ops)
            top += item.height
        room = bottom - closing_h - y
        # Where the picture goes: below the title; with a QR code, beside the code's
        # column (full height) or above it (full width), whichever shows it larger.
        boxes = [(area.w, room)]
        if qr is not None and not qr.band:
            boxes = [(qr.flow_width, room), (area.w, min(room, qr.top - s.body.size * 0.5 - y))]
        avail_w, avail_h = max(boxes, key=lambda b: min(b[0] / body.width, b[1] / body.height))
        scale = max(0.0, min(avail_w / body.width, avail_h / body.height, MAX_UPSCALE))
        w, h = body.width * scale, body.height * scale
        ops.append(PictureOp((avail_w - w) / 2, y + (avail_h - h) / 2, w, h, body.picture))
        if qr is not None:
            ops.extend(qr.ops)
        seconds = notice.meta.duration or self.pace.clamp(PICTURE_SECONDS)
        return Page(tuple(ops), 0, seconds)


def publicity_period(notice: Notice) -> str | None:
    """``公示期：2026年11月26日至12月2日`` for a 公示 with start and end, else None."""
    meta = notice.meta
    if not meta.is_publicity or meta.start is None or meta.end is None:
        return None
    start = meta.start.date() if isinstance(meta.start, dt.datetime) else meta.start
    end = meta.end.date() if isinstance(meta.end, dt.datetime) else meta.end
    end_text = format_date(end)
    if end.year == start.year:
        end_text = end_text[5:]
    return f"公示期：{format_date(start)}至{end_text}"


def footer_texts(notice: Notice, page: int, pages: int, days_left: int | None) -> tuple[str, str]:
    """(left, right) texts of the footer: 公示 days remaining, and 第 n/m 页.

    Args:
        page: 1-based page number.
        days_left: days remaining in the notice's period counting today, if known.
    """
    left = ""
    countdown = countdown_text(days_left) if notice.meta.is_publicity else None
    if countdown is not None:
        left = f"{publicity_period(notice) or '公示期'}，{countdown}"
    right = f"第 {page}/{pages} 页" if pages > 1 else ""
    return left, right

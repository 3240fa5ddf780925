"""Alerts -> display ops: the full-screen red/orange page and the yellow/blue band.

Pure (a :class:`~player.layout.display.Metrics` measures text); ops are relative to the
rectangle they are laid out in, as pages are relative to the page area, and the
compositor draws them at the rectangle's position.

- :func:`alert_pages`: a red or orange alert over a whole rectangle: the level colour,
  a banner (红色预警 Ⅰ级), the title in large type, area, text, the instruction (防御指南)
  on a light panel, issuer and time at the bottom; paginated with 第 n/m 页 when long
  (the banner and a short title repeat on every page). Sizes follow the shorter side of
  the rectangle, so 1920x1080 and 1080x1920 read alike: body text is 5.2 % of it (56 px
  at 1080, readable from 8 m).
- :func:`band_pages`: a yellow or blue alert, or any all-clear, as a band above the
  ticker: a chip with the level, the title and the text — one line on a landscape
  screen, two on a portrait one; a text longer than the band is shown in turn, a part
  every :data:`BAND_SECONDS` (1/3 at the right), never cut off.
- A drill (exercise/test) carries 演练 in the banner or chip and the footer says it is
  not a real alert; it is never laid out without it.

Colours: the warning colours with text of at least 5:1 contrast (WCAG AA for large text
needs 3:1, for body text 4.5:1): white on red and blue, near-black on orange and yellow;
all-clear green with white.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from player.layout.display import RGB, Metrics, Op, Page, RectOp, Style, TextOp
from player.layout.flow import Item, paginate, shift
from player.layout.linebreak import NO_START
from player.layout.paragraph import balanced_lines, layout_paragraph
from player.model.alerts import DRILL_MARK, Alert, Level, MsgType
from player.model.notice import Span

#: Background and text colour per level.
LEVEL_COLORS: dict[Level, tuple[RGB, RGB]] = {
    Level.RED: ((204, 0, 0), (255, 255, 255)),
    Level.ORANGE: ((255, 128, 0), (20, 20, 20)),
    Level.YELLOW: ((255, 214, 0), (20, 20, 20)),
    Level.BLUE: ((0, 85, 170), (255, 255, 255)),
}
ALL_CLEAR_COLORS: tuple[RGB, RGB] = ((0, 122, 61), (255, 255, 255))
PANEL: tuple[RGB, RGB] = ((255, 255, 255), (25, 25, 25))   # the instruction panel
#: A band at least this tall for its width (0.13 on a 1080x1920 portrait screen, 0.04 on
#: 1920x1080) has the alert's text on a second line: one line would show little of it.
TWO_LINES = 0.09
LINE_BOX = 1.45
MIN_SECONDS, MAX_SECONDS, CHARS_PER_MINUTE = 15.0, 60.0, 180
#: Seconds each page of a band shows (a line of 30–50 characters, read from a distance).
BAND_SECONDS = 8.0


def alert_colors(alert: Alert) -> tuple[RGB, RGB]:
    """(background, text) of an alert: its level's, or green for an all-clear."""
    return ALL_CLEAR_COLORS if alert.type is MsgType.ALL_CLEAR else LEVEL_COLORS[alert.level]


def _local(moment: dt.datetime, tz: dt.tzinfo | None) -> str:
    local = moment.astimezone(tz) if tz else moment
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@dataclass(frozen=True)
class _Sizes:
    margin: float
    banner: Style
    title: Style
    body: Style
    small: Style
    panel: Style
    panel_bold: Style

    @classmethod
    def of(cls, width: float, height: float, fg: RGB) -> "_Sizes":
        unit = min(width, height)
        return cls(margin=round(unit * 0.05), banner=Style(round(unit * 0.085), True, fg),
                   title=Style(round(unit * 0.072), True, fg), body=Style(round(unit * 0.052), False, fg),
                   small=Style(round(unit * 0.034), False, fg), panel=Style(round(unit * 0.046), False, PANEL[1]),
                   panel_bold=Style(round(unit * 0.046), True, PANEL[1]))


def alert_pages(alert: Alert, width: int, height: int, metrics: Metrics, tz: dt.tzinfo | None = None,
                ) -> tuple[Page, ...]:
    """The full-screen pages of a (red or orange) alert in a ``width`` x ``height`` rectangle.

    Args:
        alert: the alert (any level lays out; the compositor uses this for red and orange).
        tz: the time zone the issue time is shown in (``config.tz``).

    Returns:
        At least one page; ``seconds`` follows the amount of text (15–60 s per page).
    """
    bg, fg = alert_colors(alert)
    s = _Sizes.of(width, height, fg)
    inner = width - 2 * s.margin
    head, head_h = _banner(alert, width, s, metrics, bg, fg)
    title_ops, title_h = _title(alert.title, inner, s.title, metrics)
    first = list(head) + [shift(op, s.margin, head_h) for op in title_ops]
    first_top = head_h + title_h + s.body.size * 0.3
    cont_title = alert.title if len(alert.title) <= 16 else alert.title[:15] + "…"
    cont_ops, cont_h = _title(f"{cont_title}（续）", inner, s.small, metrics)
    later = list(head) + [shift(op, s.margin, head_h) for op in cont_ops]
    later_top = head_h + cont_h + s.body.size * 0.3
    footer_lines = _footer_lines(alert, width, s, metrics, tz)
    footer_h = metrics.line_height(s.small) * (len(footer_lines) + 0.3) + s.margin * 0.5
    items = _flow(alert, inner, s, metrics)
    flow_h = height - footer_h
    placed = paginate(items, flow_h, first_top, later_top)
    pages = []
    for number, (ops, chars) in enumerate(placed, 1):
        lead = first if number == 1 else later
        body = [shift(op, s.margin, 0) for op in ops]
        footer = _footer(footer_lines, width, height, s, metrics, number, len(placed))
        text_chars = chars + (len(alert.title) if number == 1 else 0)
        seconds = min(MAX_SECONDS, max(MIN_SECONDS, text_chars * 60.0 / CHARS_PER_MINUTE))
        pages.append(Page((RectOp(0, 0, width, height, bg), *lead, *body, *footer), text_chars, seconds))
    return tuple(pages)


def _banner(alert: Alert, width: float, s: _Sizes, metrics: Metrics, bg: RGB, fg: RGB) -> tuple[list[Op], float]:
    """The top line: 红色预警 Ⅰ级 (or 预警解除), a 演练 chip for drills, and a rule."""
    label = "预警解除" if alert.type is MsgType.ALL_CLEAR else f"{alert.level.label}（{alert.level.roman}级）"
    line_h = metrics.line_height(s.banner)
    y = s.margin * 0.6
    ops: list[Op] = []
    style = s.banner
    if alert.drill:
        chip = Style(s.banner.size, True, bg)
        chip_w = metrics.width(DRILL_MARK, chip) + chip.size
        x = width - s.margin - chip_w
        ops.append(RectOp(x, y, chip_w, line_h, fg, radius=round(chip.size * 0.15)))
        ops.append(TextOp(x + chip.size / 2, y, DRILL_MARK, chip))
        room = x - s.margin - chip.size * 0.4  # a narrow (portrait) screen: the label gives way to the chip
        wide = metrics.width(label, style)
        if wide > room:
            style = Style(max(8, int(style.size * room / wide)), True, fg)
    ops.insert(0, TextOp(s.margin, y + (line_h - metrics.line_height(style)) / 2, label, style))
    y += line_h + s.margin * 0.3
    ops.append(RectOp(s.margin, y, width - 2 * s.margin, max(2, round(s.body.size / 10)), fg))
    return ops, y + s.margin * 0.4


def _title(text: str, width: float, style: Style, metrics: Metrics) -> tuple[list[Op], float]:
    ops: list[Op] = []
    y = 0.0
    for line in balanced_lines([Span(text)], width, metrics, style):
        ops.extend(shift(op, 0, y) for op in line.runs)
        y += max(metrics.line_height(style), style.size * 1.3)
    return ops, y


def _lines(lines, style: Style, metrics: Metrics, space: float, dx: float = 0.0) -> list[Item]:
    height = max(metrics.line_height(style), style.size * LINE_BOX)
    return [Item(tuple(shift(op, dx, 0) for op in line.runs), height, space if n == 0 else 0.0, False, line.chars)
            for n, line in enumerate(lines)]


def _flow(alert: Alert, width: float, s: _Sizes, metrics: Metrics) -> list[Item]:
    """Area, text paragraphs, then the instruction panel, as flow items (x from 0)."""
    items: list[Item] = []
    if alert.area:
        lines = layout_paragraph([Span("范围：", True), Span(alert.area)], width, metrics, s.small,
                                 Style(s.small.size, True, s.small.color), justify=False)
        items += _lines(lines, s.small, metrics, 0.0)
    for paragraph in [p for p in alert.text.split("\n") if p.strip()]:
        lines = layout_paragraph([Span(paragraph.strip())], width, metrics, s.body, indent=True)
        items += _lines(lines, s.body, metrics, s.body.size * 0.3)
    if alert.instruction:
        pad = s.panel.size * 0.6
        spans = [Span("防御指南：", True)]
        paragraphs = [p.strip() for p in alert.instruction.split("\n") if p.strip()]
        panel_items: list[Item] = []
        for number, paragraph in enumerate(paragraphs):
            lines = layout_paragraph((spans if number == 0 else []) + [Span(paragraph)], width - 2 * pad, metrics,
                                     s.panel, s.panel_bold)
            panel_items += _lines(lines, s.panel, metrics, 0.0)
        for number, item in enumerate(panel_items):
            # each line carries its own slice of the panel, so a page break splits the panel cleanly
            top = pad if number == 0 else 0.0
            bottom = pad if number == len(panel_items) - 1 else 0.0
            overlap = 0.0 if bottom else 1.0  # slices meet without a hairline of background between them
            panel = RectOp(0, 0, width, item.height + top + bottom + overlap, PANEL[0])
            ops = (panel, *(shift(op, pad, top) for op in item.ops))
            items.append(Item(ops, item.height + top + bottom, s.body.size * 0.6 if number == 0 else 0.0,
                              False, item.chars))
    return items


def _footer_lines(alert: Alert, width: float, s: _Sizes, metrics: Metrics, tz: dt.tzinfo | None) -> list[str]:
    """Issuer, time (and the drill note): one line, or two when the rectangle is narrow."""
    drill = f"【{DRILL_MARK}】非真实预警" if alert.drill else ""
    issuer = "　".join(p for p in (drill, alert.issuer) if p)
    when = f"{_local(alert.sent, tz)} 发布"
    room = width - 2 * s.margin - metrics.width("第 99/99 页", s.small) - s.small.size
    one = f"{issuer}　{when}" if issuer else when
    if metrics.width(one, s.small) <= room:
        return [one]
    return [issuer, when]


def _footer(lines: list[str], width: float, height: float, s: _Sizes, metrics: Metrics, page: int,
            pages: int) -> list[Op]:
    line_h = metrics.line_height(s.small)
    y = height - s.margin * 0.5 - line_h * len(lines)
    right = f"第 {page}/{pages} 页" if pages > 1 else ""
    right_w = metrics.width(right, s.small) if right else 0.0
    room = width - 2 * s.margin - right_w - (s.small.size if right else 0)
    ops: list[Op] = [RectOp(s.margin, y - s.margin * 0.25, width - 2 * s.margin, max(1, round(s.small.size / 16)),
                            s.small.color)]
    for number, text in enumerate(lines):
        ops.append(TextOp(s.margin, y + number * line_h, _fit(text, room, s.small, metrics), s.small))
    if right:
        ops.append(TextOp(width - s.margin - right_w, y + (len(lines) - 1) * line_h, right, s.small))
    return ops


def _fit(text: str, width: float, style: Style, metrics: Metrics) -> str:
    """``text``, or its longest prefix that fits with … after it."""
    if metrics.width(text, style) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if metrics.width(text[:mid] + "…", style) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def alert_band(alert: Alert, width: int, height: int, metrics: Metrics, more: int = 0) -> tuple[Op, ...]:
    """The first page of :func:`band_pages`."""
    return band_pages(alert, width, height, metrics, more)[0]


def band_pages(alert: Alert, width: int, height: int, metrics: Metrics,
               more: int = 0) -> tuple[tuple[Op, ...], ...]:
    """A band for a yellow or blue alert or an all-clear, ``width`` x ``height``, as pages
    shown in turn (:data:`BAND_SECONDS` each), so the whole text is read, never cut off:
    one line (chips, the title, then the text; later pages the chips and the text's
    continuation), or on a tall band (a portrait screen, :data:`TWO_LINES`) the chips and
    title on a first line and the text on a second. With more than one page the right
    end says which (1/3).

    Args:
        more: how many other band alerts wait (shown as 另有N条 at the right).
    """
    bg, fg = alert_colors(alert)
    detail = " ".join(p.strip() for p in alert.text.split("\n") if p.strip())
    two = bool(detail) and height >= TWO_LINES * width
    size = max(8, round(height * (0.32 if two else 0.46)))
    text_style = Style(size if not two else max(8, round(height * 0.27)), False, fg)
    bold = Style(size, True, fg)
    pad = round(height * 0.25) if not two else round(size * 0.6)
    line_h = metrics.line_height(bold)
    text_h = metrics.line_height(text_style)
    top = (height - line_h) / 2 if not two else (height - line_h * 1.1 - text_h * 1.05) / 2
    y = top + (line_h * 0.05 if two else 0.0)
    head: list[Op] = [RectOp(0, 0, width, height, bg)]
    x = float(pad)
    chips = ([DRILL_MARK] if alert.drill else []) + [
        "预警解除" if alert.type is MsgType.ALL_CLEAR else alert.level.label]
    chip_style = Style(size, True, bg)
    for chip in chips:
        chip_w = metrics.width(chip, chip_style) + size
        head.append(RectOp(x, y - line_h * 0.05, chip_w, line_h * 1.1, fg, radius=round(size * 0.2)))
        head.append(TextOp(x + size / 2, y, chip, chip_style))
        x += chip_w + size * 0.6
    waiting = f"另有{more}条" if more > 0 else ""
    # Room for the widest right-hand label the pages can have (9/9 另有N条).
    widest = "　".join(t for t in ("9/9" if detail else "", waiting) if t)
    right_w = metrics.width(widest, text_style) + size if widest else 0.0
    room = width - pad - right_w - x
    title = _fit(alert.title, room, bold, metrics)
    title_ops = [TextOp(x, y, title, bold)]
    after_title = x + metrics.width(title, bold)
    if two:
        chunks = _chunks(detail, width - 2 * pad, width - 2 * pad, text_style, metrics)
        bodies = [title_ops + [TextOp(pad, y + line_h * 1.05 + text_h * 0.05, c, text_style)] for c in chunks]
    elif detail:
        joint = " " if title[-1] in "：:。！？!?" else "："
        first_room = room - metrics.width(title + joint, bold)
        if title.endswith("…") or first_room < size * 3:
            first_room = 0.0  # the text starts on the next page
        chunks = _chunks(detail, first_room, room, text_style, metrics)
        bodies = []
        for number, chunk in enumerate(chunks):
            if number == 0:
                ops = list(title_ops)
                if chunk:
                    ops.append(TextOp(after_title, y, joint + chunk, text_style))
            else:
                ops = [TextOp(x, y, chunk, text_style)]
            bodies.append(ops)
    else:
        bodies = [title_ops]
    pages = []
    for number, body in enumerate(bodies):
        label = "　".join(t for t in (f"{number + 1}/{len(bodies)}" if len(bodies) > 1 else "", waiting) if t)
        ops = head + body
        if label:
            ops.append(TextOp(width - pad - metrics.width(label, text_style), y + (line_h - text_h) / 2, label,
                              text_style))
        pages.append(tuple(ops))
    return tuple(pages)


def _chunks(text: str, first: float, room: float, style: Style, metrics: Metrics) -> list[str]:
    """``text`` cut into lines: the first at most ``first`` wide (it may be empty), the
    others ``room``; a cut never puts closing punctuation at a line start, and falls
    after a punctuation mark near the end when there is one."""
    chunks: list[str] = []
    rest = text
    width = first
    while rest:
        n = _longest(rest, width, style, metrics)
        if n < len(rest):
            while 1 < n and rest[n] in NO_START:  # keep 。，」 with the text before them
                n -= 1
            soft = max((rest.rfind(mark, 0, n) for mark in "，。；：、！？ "), default=-1)
            if soft >= n - 8 and soft > 0:
                n = soft + 1
        if n == 0 and chunks == [] and width < room:
            chunks.append("")  # nothing fits beside the title: the text starts on page 2
        else:
            n = max(n, 1)
            chunks.append(rest[:n].strip())
            rest = rest[n:].lstrip()
        width = room
    return chunks or [""]


def _longest(text: str, width: float, style: Style, metrics: Metrics) -> int:
    """How many leading characters of ``text`` fit in ``width``."""
    if metrics.width(text, style) <= width:
        return len(text)
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if metrics.width(text[:mid], style) <= width:
            low = mid
        else:
            high = mid - 1
    return low

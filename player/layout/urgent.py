"""Urgent notices (``priority: urgent``) look urgent: a red band holding 紧急 once and the
title in white, and type :data:`URGENT_SCALE` larger (the layouter of urgent notices,
:meth:`player.layout.pages.Layouter.urgent`, lays them out with :func:`urgent_theme`).
"""

from __future__ import annotations

from dataclasses import replace

from player.layout.display import Metrics, Op, RectOp, Style, TextOp
from player.layout.flow import shift
from player.layout.paragraph import balanced_lines
from player.layout.theme import Styles, Theme
from player.layout.words import Segmenter
from player.model.notice import Notice, Priority, Span

#: Urgent notices are set this much larger (type only; the page stays the same).
URGENT_SCALE = 1.25
#: The word an urgent notice's band opens with (once: a title's own leading 紧急 goes).
URGENT_WORD = "紧急"
URGENT_MARK_COLOR = (255, 214, 102)


def is_urgent(notice: Notice) -> bool:
    """An urgent notice (``priority: urgent``): set in the alert style."""
    return notice.meta.priority == Priority.URGENT


def urgent_title(title: str) -> str:
    """The title without a leading 【紧急】 or 紧急 (the band says it once)."""
    rest = title.removeprefix("【紧急】").removeprefix(URGENT_WORD).lstrip("：:　 ")
    return rest or title


def urgent_theme(theme: Theme) -> Theme:
    """Type sizes of urgent notices (:data:`URGENT_SCALE` larger)."""
    k = URGENT_SCALE
    return replace(theme, title=theme.title * k, body=theme.body * k, heading1=theme.heading1 * k,
                   small=theme.small * k, table=theme.table * k, table_min=theme.table_min * k)


def alarm_band(notice: Notice, width: float, y: float, s: Styles, metrics: Metrics, theme: Theme,
               words: Segmenter | None) -> tuple[list[Op], float]:
    """The urgent notice's red band: 紧急 once, then the title, white on red."""
    style = Style(s.title.size, True, theme.accent_text)
    pad = s.body.size * 0.5
    mark = URGENT_WORD + "｜"
    mark_w = metrics.width(mark, style)
    lines = balanced_lines([Span(urgent_title(notice.title))], width - 2 * pad - mark_w, metrics, style,
                           words=words)
    line_h = max(metrics.line_height(style), style.size * 1.3)
    band_h = line_h * max(1, len(lines)) + 2 * pad
    ops: list[Op] = [RectOp(0, y, width, band_h, theme.accent, radius=int(pad // 2)),
                     TextOp(pad, y + pad + (line_h - metrics.line_height(style)) / 2, mark,
                            Style(style.size, True, URGENT_MARK_COLOR))]
    for n, line in enumerate(lines):
        dy = y + pad + n * line_h + (line_h - metrics.line_height(style)) / 2
        ops.extend(shift(op, pad + mark_w, dy) for op in line.runs)
    return ops, band_h + s.body.size * 0.3

"""Where a notice's QR code goes (its ``url``): a column beside the text, or a band under it.

The code is ``theme.qr`` of the unit (at most 30 % of the page width), the caption
扫码查看全文 in the body font. In a column at the bottom right of the page area (caption
centred under the code, a gutter of 1.5 body sizes beside the text) when the text beside
it keeps :data:`~player.layout.theme.LINE_MIN` characters a line; otherwise (portrait
screens) in a band across the bottom: code at the right, caption to its left, a rule above.
"""

from __future__ import annotations

from dataclasses import dataclass

from player.layout.display import Metrics, Op, QrCode, RectOp, TextOp
from player.layout.theme import LINE_MIN, Frame, Styles, Theme

#: Under (or beside) the QR code of a notice with a ``url``.
QR_CAPTION = "扫码查看全文"


@dataclass(frozen=True)
class QrColumn:
    """Where a notice's QR code goes: a column at the bottom right of the page area, or —
    when the text beside such a column would hold fewer than
    :data:`~player.layout.theme.LINE_MIN` characters (portrait screens) — a band across
    the bottom, under the text.

    ``ops`` (the code and its caption) go on every page; ``flow_width`` x
    ``flow_height`` is what text, tables and pictures may use; ``top`` is where the
    code's ink starts.
    """

    ops: tuple[Op, ...]
    flow_width: float
    top: float
    flow_height: float = 0.0
    band: bool = False


def qr_place(url: str | None, frame: Frame, s: Styles, metrics: Metrics, theme: Theme) -> QrColumn | None:
    """The code and caption ops and the room left for the flow (None without a url)."""
    if not url:
        return None
    area = frame.page
    body = s.body.size
    size = float(min(theme.px(theme.qr, frame.unit), int(area.w * 0.3)))
    caption_w = metrics.width(QR_CAPTION, s.body)
    caption_h = metrics.line_height(s.body)
    col_w = max(size, caption_w)
    col_x = area.w - col_w
    if (col_x - body * 1.5) / body >= LINE_MIN:
        caption_y = area.h - caption_h - body * 0.25  # clear of the 第 n/m 页 below
        box_y = caption_y - body * 0.3 - size
        ops = (QrCode(col_x + (col_w - size) / 2, box_y, size, url),
               TextOp(col_x + (col_w - caption_w) / 2, caption_y, QR_CAPTION, s.body))
        return QrColumn(ops, col_x - body * 1.5, box_y, float(area.h))
    box_y = area.h - size - body * 0.25
    rule_y = box_y - body * 0.5
    ops = (RectOp(0, rule_y, area.w, max(1, body // 20), theme.table_line),
           QrCode(area.w - size, box_y, size, url),
           TextOp(area.w - size - body * 0.5 - caption_w, box_y + (size - caption_h) / 2, QR_CAPTION, s.body))
    return QrColumn(ops, float(area.w), box_y, rule_y - body * 0.5, band=True)

"""Display lists: what layout hands to the renderer.

Geometry is plain floats in pixels relative to the area being laid out; ``y`` of text
is the top of its line box. Everything is frozen and hashable, so layouts can be cached
and compared in tests without a display.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from player.layout.linebreak import HANGABLE
from player.model.notice import Picture

RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Style:
    """A text style: pixel size, weight, colour."""

    size: int
    bold: bool = False
    color: RGB = (0, 0, 0)


class Metrics(Protocol):
    """Text measurement, provided by the renderer's fonts (or a fake in tests)."""

    def width(self, text: str, style: Style) -> float:
        """Advance width of ``text`` in pixels; additive: width(a + b) = width(a) + width(b)."""

    def line_height(self, style: Style) -> float:
        """Height of one line box in pixels (ascent + descent + leading)."""


@dataclass(frozen=True, slots=True)
class TextOp:
    """Draw ``text`` with its top-left line-box corner at (x, y)."""

    x: float
    y: float
    text: str
    style: Style


@dataclass(frozen=True, slots=True)
class RectOp:
    """Fill a rectangle (``radius`` rounds the corners)."""

    x: float
    y: float
    w: float
    h: float
    color: RGB
    radius: int = 0


@dataclass(frozen=True, slots=True)
class PictureOp:
    """Draw a stored picture (a document's figure, a slice of a scanned page) into this box.

    ``crop`` is the part of the picture drawn, (x, y, w, h) in the picture's pixels;
    None draws all of it. The renderer loads the bytes by ``picture.sha256``.
    """

    x: float
    y: float
    w: float
    h: float
    picture: Picture
    crop: tuple[int, int, int, int] | None = None


@dataclass(frozen=True, slots=True)
class QrCode:
    """Draw a QR code of ``url`` in the square ``size`` x ``size`` at (x, y).

    The box is white; the renderer picks the largest whole-pixel module that leaves a
    quiet zone of at least 4 modules and centres the symbol in it.
    """

    x: float
    y: float
    size: float
    url: str

    @property
    def w(self) -> float:
        """Width of the box."""
        return self.size

    @property
    def h(self) -> float:
        """Height of the box."""
        return self.size


Op = TextOp | RectOp | PictureOp | QrCode


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a notice: its drawing operations and the amount of text on it."""

    ops: tuple[Op, ...]
    chars: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in pixels."""

    x: int
    y: int
    w: int
    h: int

    @property
    def bottom(self) -> int:
        """y + h."""
        return self.y + self.h

    @property
    def right(self) -> int:
        """x + w."""
        return self.x + self.w


def op_bounds(op: Op, metrics: Metrics) -> tuple[float, float, float, float]:
    """(x, y, w, h) an operation may ink, for overflow checks.

    A text ending in a full-width mark whose right half is blank (，。、 …) may hang
    that blank half past the margin, so it is not counted.
    """
    if isinstance(op, TextOp):
        width = metrics.width(op.text, op.style)
        if op.text and op.text[-1] in HANGABLE:
            width -= metrics.width(op.text[-1], op.style) / 2
        return op.x, op.y, width, metrics.line_height(op.style)
    return op.x, op.y, op.w, op.h

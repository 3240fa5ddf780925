"""Drawing display lists onto software surfaces.

Pages are drawn once into their own surface and then only blitted, so nothing here runs
per frame. Pictures arrive normalized (decoded safely in the sandbox, upright, at most
screen-sized: sources/pictures.py); they are loaded from the bytes the runtime's loader
gives and scaled with ``smoothscale``; a missing one is drawn as a neutral box. QR codes are
drawn by :mod:`player.render.qr`, never scaled.
"""

from __future__ import annotations

import logging

from player.layout.display import Op, PictureOp, QrCode, RectOp, TextOp
from player.render.fonts import Fonts
from player.render.picture import PictureSource, draw_picture
from player.render.pg import pygame
from player.render.qr import draw_qr

log = logging.getLogger(__name__)


def draw_ops(surface: "pygame.Surface", ops: tuple[Op, ...], fonts: Fonts,
             pictures: PictureSource | None = None, offset: tuple[float, float] = (0, 0)) -> None:
    """Draw a display list; ``offset`` is added to every op's position; ``pictures``
    loads the stored pictures of :class:`PictureOp` (a missing one is a neutral box)."""
    dx, dy = offset
    for op in ops:
        if isinstance(op, TextOp):
            fonts.draw(surface, op.x + dx, op.y + dy, op.text, op.style)
        elif isinstance(op, RectOp):
            rect = pygame.Rect(round(op.x + dx), round(op.y + dy), max(1, round(op.w)), max(1, round(op.h)))
            pygame.draw.rect(surface, op.color, rect, border_radius=op.radius)
        elif isinstance(op, PictureOp):
            draw_picture(surface, op, pictures, dx, dy)
        elif isinstance(op, QrCode):
            draw_qr(surface, round(op.x + dx), round(op.y + dy), round(op.size), op.url)

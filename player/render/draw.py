"""Drawing display lists onto software surfaces.

Pages are drawn once into their own surface and then only blitted, so nothing here runs
per frame. Pictures arrive normalized (decoded safely in the sandbox, upright, at most
screen-sized: sources/pictures.py); they are loaded from the bytes the runtime's loader
gives and scaled with ``smoothscale``; a missing one is drawn as a neutral box. QR codes are
drawn by :mod:`player.render.qr`, never scaled.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from player.layout.display import ImageOp, Op, QrCode, RectOp, TextOp
from player.model.notice import Picture
from player.render.fonts import Fonts
from player.render.pg import pygame
from player.render.qr import draw_qr

log = logging.getLogger(__name__)


#: Gives the bytes of a normalized picture (by its sha256), or None when it is gone.
PictureBytes = Callable[[str], "bytes | None"]


def load_picture(picture: Picture, pictures: PictureBytes | None) -> "pygame.Surface | None":
    """Decode a normalized picture (made by sources/pictures.py: upright, screen-sized,
    PNG or JPEG) into a 24/32-bit surface; None when it is missing or unreadable.

    Only pictures the sandbox produced come here, so their size is known and bounded.
    Safe in a background thread: it makes a plain surface.
    """
    data = pictures(picture.sha256) if pictures is not None else None
    if data is None:
        return None
    try:
        surface = pygame.image.load(io.BytesIO(data), "x.png" if data.startswith(b"\x89PNG") else "x.jpg")
    except (pygame.error, ValueError, OSError) as exc:
        log.error("stored picture %s cannot be decoded: %s", picture.sha256[:12], exc)
        return None
    if surface.get_bitsize() < 24:  # palette images cannot be smoothscaled
        rgb = pygame.Surface(surface.get_size(), 0, 32)
        rgb.blit(surface, (0, 0))
        surface = rgb
    return surface


def draw_ops(surface: "pygame.Surface", ops: tuple[Op, ...], fonts: Fonts,
             pictures: PictureBytes | None = None, offset: tuple[float, float] = (0, 0)) -> None:
    """Draw a display list; ``offset`` is added to every op's position; pictures are
    loaded through ``pictures`` (a missing one is drawn as a neutral box)."""
    dx, dy = offset
    for op in ops:
        if isinstance(op, TextOp):
            fonts.draw(surface, op.x + dx, op.y + dy, op.text, op.style)
        elif isinstance(op, RectOp):
            rect = pygame.Rect(round(op.x + dx), round(op.y + dy), max(1, round(op.w)), max(1, round(op.h)))
            pygame.draw.rect(surface, op.color, rect, border_radius=op.radius)
        elif isinstance(op, ImageOp) and op.picture is not None:
            _draw_image(surface, op, load_picture(op.picture, pictures), dx, dy)
        elif isinstance(op, QrCode):
            draw_qr(surface, round(op.x + dx), round(op.y + dy), round(op.size), op.url)


def _draw_image(surface: "pygame.Surface", op: ImageOp, picture: "pygame.Surface | None",
                dx: float, dy: float) -> None:
    size = (max(1, round(op.w)), max(1, round(op.h)))
    pos = (round(op.x + dx), round(op.y + dy))
    if picture is None:
        pygame.draw.rect(surface, (220, 220, 220), pygame.Rect(pos, size))
        return
    if picture.get_size() != size:
        picture = pygame.transform.smoothscale(picture, size)
    surface.blit(picture, pos)

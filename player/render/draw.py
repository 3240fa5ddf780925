"""Drawing display lists onto software surfaces.

Pages are drawn once into their own surface and then only blitted, so nothing here runs
per frame. Pictures are decoded from the notice's bytes on first use and scaled with
``smoothscale``; a picture that fails to decode is drawn as a neutral placeholder with
a message (and ``signage check`` reports it before it ever gets here). QR codes are
drawn by :mod:`player.render.qr`, never scaled.
"""

from __future__ import annotations

import io
import logging

from player.layout.display import ImageOp, Op, PictureOp, QrCode, RectOp, TextOp
from player.model.notice import ImageBody
from player.render.fonts import Fonts
from player.render.picture import PictureSource, draw_picture
from player.render.pg import pygame
from player.render.qr import draw_qr

log = logging.getLogger(__name__)


class ImageDecodeError(Exception):
    """A picture whose bytes pygame cannot decode."""


def decode_image(body: ImageBody) -> "pygame.Surface":
    """Decode a picture notice into a surface (no display needed).

    Raises:
        ImageDecodeError: damaged or unsupported data.
    """
    try:
        return pygame.image.load(io.BytesIO(body.data), f"x.{body.format}")
    except (pygame.error, ValueError, OSError) as exc:
        raise ImageDecodeError(str(exc) or "cannot decode picture") from None


def image_problem(body: ImageBody) -> str | None:
    """Why a picture cannot be shown (fully decoded here, no display needed), or None.

    Safe in a background thread: it creates a plain surface and drops it.
    """
    try:
        decode_image(body)
    except ImageDecodeError as exc:
        return str(exc)
    return None


def draw_ops(surface: "pygame.Surface", ops: tuple[Op, ...], fonts: Fonts,
             image: ImageBody | None = None, offset: tuple[float, float] = (0, 0),
             pictures: PictureSource | None = None) -> None:
    """Draw a display list; ``offset`` is added to every op's position; ``pictures``
    loads the stored pictures of :class:`PictureOp` (documents)."""
    dx, dy = offset
    for op in ops:
        if isinstance(op, TextOp):
            fonts.draw(surface, op.x + dx, op.y + dy, op.text, op.style)
        elif isinstance(op, RectOp):
            rect = pygame.Rect(round(op.x + dx), round(op.y + dy), max(1, round(op.w)), max(1, round(op.h)))
            pygame.draw.rect(surface, op.color, rect, border_radius=op.radius)
        elif isinstance(op, ImageOp) and image is not None:
            _draw_image(surface, op, image, dx, dy)
        elif isinstance(op, PictureOp):
            draw_picture(surface, op, pictures, dx, dy)
        elif isinstance(op, QrCode):
            draw_qr(surface, round(op.x + dx), round(op.y + dy), round(op.size), op.url)


def _draw_image(surface: "pygame.Surface", op: ImageOp, body: ImageBody, dx: float, dy: float) -> None:
    size = (max(1, round(op.w)), max(1, round(op.h)))
    pos = (round(op.x + dx), round(op.y + dy))
    try:
        picture = decode_image(body)
    except ImageDecodeError as exc:
        log.error("picture cannot be decoded: %s", exc)
        pygame.draw.rect(surface, (220, 220, 220), pygame.Rect(pos, size))
        return
    if picture.get_bitsize() < 24:  # palette images (GIF, some PNG) cannot be smoothscaled
        rgb = pygame.Surface(picture.get_size(), 0, 32)
        rgb.blit(picture, (0, 0))
        picture = rgb
    if picture.get_size() != size:
        picture = pygame.transform.smoothscale(picture, size)
    surface.blit(picture, pos)

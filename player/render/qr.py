"""QR codes for notices with a ``url``: segno encodes, pygame draws whole-pixel modules.

A QR encoder is a standard but fiddly algorithm (Reed-Solomon codes, masks, version
tables), so it comes from segno (pure Python, no dependencies, maintained). Symbols use
error correction level M exactly (``boost_error=False``) and are drawn black on white
with every module a square of whole pixels: a scaled, blurred bitmap is much harder for
a phone to read than the same size in sharp modules.
"""

from __future__ import annotations

import functools
import threading

import segno

from player.render.pg import pygame

#: Light modules on each side of the symbol (ISO/IEC 18004 asks for 4).
QUIET_ZONE = 4
BLACK = (0, 0, 0)
WHITE = (255, 255, 255)


@functools.lru_cache(maxsize=64)
def qr_matrix(url: str) -> tuple[bytes, ...]:
    """The module matrix of ``url`` (rows of 0/1, no quiet zone), level M, byte mode."""
    code = segno.make(url, error="m", boost_error=False, micro=False)
    return tuple(bytes(row) for row in code.matrix)


def module_size(url: str, box: int) -> int:
    """The largest whole-pixel module for which symbol and quiet zone fit in ``box`` (>= 1)."""
    modules = len(qr_matrix(url))
    return max(1, box // (modules + 2 * QUIET_ZONE))


@functools.lru_cache(maxsize=16)
def qr_surface(url: str, module: int, thread: int | None = None) -> "pygame.Surface":
    """The symbol of ``url`` with modules of ``module`` pixels (quiet zone not included).

    Cached per (url, module, thread): callers only blit it, never draw on it. ``thread``
    is the caller's thread id — SDL keeps per-source state for blits (the blit map it
    rebuilds for each destination format), so the frame loop and the preparer thread
    never share one cached surface.
    """
    matrix = qr_matrix(url)
    side = len(matrix) * module
    surface = pygame.Surface((side, side))
    surface.fill(WHITE)
    for row, bits in enumerate(matrix):
        col = 0
        while col < len(bits):  # one rectangle per run of dark modules
            if not bits[col]:
                col += 1
                continue
            end = col
            while end < len(bits) and bits[end]:
                end += 1
            surface.fill(BLACK, pygame.Rect(col * module, row * module, (end - col) * module, module))
            col = end
    return surface


def draw_qr(surface: "pygame.Surface", x: int, y: int, box: int, url: str) -> "pygame.Rect":
    """A white ``box`` x ``box`` square at (x, y) with the symbol centred in it.

    Returns:
        Where the symbol itself (without quiet zone) was drawn.
    """
    symbol = qr_surface(url, module_size(url, box), threading.get_ident())
    surface.fill(WHITE, pygame.Rect(x, y, box, box))
    offset = (box - symbol.get_width()) // 2
    return surface.blit(symbol, (x + offset, y + offset))

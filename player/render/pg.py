"""Import pygame quietly and initialise only the modules the player uses.

``pygame.init()`` would open the audio device too (ALSA errors on a box without sound);
the player needs only fonts, images and, for ``play``, the display.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
import pygame.freetype  # noqa: E402


def init_fonts() -> None:
    """Initialise pygame's FreeType module (idempotent)."""
    if not pygame.freetype.get_init():
        pygame.freetype.init(cache_size=512)


def sdl2_video():
    """pygame's SDL2 window/renderer/texture API (the accelerated presenter only)."""
    from pygame._sdl2 import video
    return video


__all__ = ["pygame", "init_fonts", "sdl2_video"]

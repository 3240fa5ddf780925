"""Opening the screen: which SDL video driver, what size, and the headless fallback.

Driver choice (an explicit ``SDL_VIDEODRIVER`` always wins):
- a Wayland or X11 session (``WAYLAND_DISPLAY`` / ``DISPLAY``): SDL's default for it;
  under X11 ``SDL_FRAMEBUFFER_ACCELERATION=0`` keeps SDL on the shared-memory path
  instead of uploading every frame through software OpenGL (llvmpipe);
- no session but a DRM device (Raspberry Pi OS Lite): ``kmsdrm``;
- nothing at all: headless, said in one log line; sources, schedule and status keep
  running and frames are drawn into an offscreen surface (dummy driver).
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

from player.render.pg import pygame

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1920, 1080)


@dataclass
class Screen:
    """The opened display surface."""

    surface: "pygame.Surface"
    driver: str
    headless: bool

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.surface.get_size()

    def present(self, rects: list["pygame.Rect"]) -> None:
        """Show the changed regions (everything when ``rects`` is empty)."""
        if rects:
            pygame.display.update(rects)
        else:
            pygame.display.flip()


def pick_driver(env: Mapping[str, str], dri_devices: list[str]) -> str | None:
    """The SDL video driver to try, or None when there is no display at all."""
    if env.get("SDL_VIDEODRIVER"):
        return env["SDL_VIDEODRIVER"]
    if env.get("WAYLAND_DISPLAY"):
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    if dri_devices:
        return "kmsdrm"
    return None


def open_screen(size: tuple[int, int] | None, fullscreen: bool, headless: bool,
                env: MutableMapping[str, str] = os.environ) -> Screen:
    """Open the display, or an offscreen one when there is none (or ``headless``)."""
    driver = None if headless else pick_driver(env, sorted(glob.glob("/dev/dri/card*")))
    if driver == "dummy":
        headless = True
        log.info("running headless (SDL_VIDEODRIVER=dummy)")
    elif driver is not None:
        if driver == "x11":
            env.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")
        env["SDL_VIDEODRIVER"] = driver
        try:
            pygame.display.init()
            flags = pygame.FULLSCREEN if fullscreen else 0
            if fullscreen:
                mode = size or (0, 0)  # (0, 0): the display's own resolution
            else:
                mode = size or DEFAULT_SIZE
            surface = pygame.display.set_mode(mode, flags)
            pygame.display.set_caption("告示屏")
            if fullscreen:
                pygame.mouse.set_visible(False)
            return Screen(surface, pygame.display.get_driver(), False)
        except pygame.error as exc:
            pygame.display.quit()
            log.warning("no display available (%s driver: %s); running headless", driver, exc)
    elif not headless:
        log.warning("no display available (no X11, Wayland or DRM device); running headless")
    env["SDL_VIDEODRIVER"] = "dummy"
    pygame.display.init()
    surface = pygame.display.set_mode(size or DEFAULT_SIZE)
    return Screen(surface, "dummy", True)

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
from player.runtime.present import Presenter, PresenterError, RotatedPresenter, SurfacePresenter, TexturePresenter

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1920, 1080)


@dataclass
class Screen:
    """The opened display: where to draw, how to present, and which driver."""

    presenter: Presenter
    driver: str
    headless: bool

    @classmethod
    def of(cls, surface: "pygame.Surface", driver: str, headless: bool) -> "Screen":
        """A screen presenting through SDL's window surface (``surface``)."""
        return cls(SurfacePresenter(surface), driver, headless)

    @property
    def surface(self) -> "pygame.Surface":
        """The surface frames are drawn on."""
        return self.presenter.surface

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.surface.get_size()

    def present(self, rects: list["pygame.Rect"]) -> None:
        """Show the changed regions (everything when ``rects`` is empty)."""
        self.presenter.present(rects)


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


def wants_accelerated(renderer: str, driver: str) -> bool:
    """``display.renderer`` auto|software|accelerated for an SDL video driver."""
    if renderer in ("software", "accelerated"):
        return renderer == "accelerated"
    return driver == "kmsdrm"


def open_screen(size: tuple[int, int] | None, fullscreen: bool, headless: bool,
                env: MutableMapping[str, str] = os.environ, renderer: str = "auto", rotate: int = 0) -> Screen:
    """Open the display, or an offscreen one when there is none (or ``headless``).

    Args:
        size: the physical output's size (None: the display's own).
        renderer: ``display.renderer`` (auto, software or accelerated, see present.py).
        rotate: ``display.rotate``: frames are composed at the logical size (w and h
            swapped at 90 and 270) and turned onto the output.
    """
    screen = _open_screen(size, fullscreen, headless, env, renderer)
    if rotate:
        screen.presenter = RotatedPresenter(screen.presenter, rotate)
        log.info("display rotated %d° (frames composed at %dx%d)", rotate, *screen.size)
    return screen


def _open_screen(size: tuple[int, int] | None, fullscreen: bool, headless: bool,
                 env: MutableMapping[str, str], renderer: str) -> Screen:
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
            actual = pygame.display.get_driver()
            screen = _open_window(size, fullscreen, actual, renderer)
            if fullscreen:
                pygame.mouse.set_visible(False)
            log.info("display: %s driver, %dx%d, %s presentation", actual, *screen.size,
                     screen.presenter.name)
            return screen
        except pygame.error as exc:
            pygame.display.quit()
            log.warning("no display available (%s driver: %s); running headless", driver, exc)
    elif not headless:
        log.warning("no display available (no X11, Wayland or DRM device); running headless")
    env["SDL_VIDEODRIVER"] = "dummy"
    pygame.display.init()
    if renderer == "accelerated":  # only when asked: measures the texture path offscreen
        try:
            return Screen(TexturePresenter(size or DEFAULT_SIZE, vsync=False), "dummy", True)
        except PresenterError as exc:
            log.warning("accelerated presentation unavailable offscreen (%s)", exc)
    return Screen.of(pygame.display.set_mode(size or DEFAULT_SIZE), "dummy", True)


def _open_window(size: tuple[int, int] | None, fullscreen: bool, driver: str, renderer: str) -> Screen:
    if fullscreen:
        mode = size or pygame.display.get_desktop_sizes()[0]
    else:
        mode = size or DEFAULT_SIZE
    if wants_accelerated(renderer, driver):
        try:
            return Screen(TexturePresenter(mode, vsync=True, fullscreen=fullscreen), driver, False)
        except PresenterError as exc:
            log.warning("accelerated presentation unavailable (%s); using the software path", exc)
    surface = pygame.display.set_mode(mode, pygame.FULLSCREEN if fullscreen else 0)
    pygame.display.set_caption("告示屏")
    return Screen.of(surface, driver, False)

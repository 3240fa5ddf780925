"""Getting a drawn frame onto the screen: two presentation paths behind one interface.

The player draws every frame into a software surface, touching only what changed, and
then hands the changed rectangles to a :class:`Presenter`:

- :class:`SurfacePresenter` (*software*): the surface is SDL's window surface;
  ``display.update(rects)`` sends just those rectangles (X11: MIT-SHM put-image with
  ``SDL_FRAMEBUFFER_ACCELERATION=0``; Wayland: wl_shm; dummy: nothing). The frame loop
  paces itself by sleeping.
- :class:`TexturePresenter` (*accelerated*): the surface is an offscreen canvas;
  changed rectangles are uploaded into one streaming texture, which an SDL renderer
  (OpenGL ES on a Pi) draws and presents with **vsync** — tear-free and paced by the
  display. It pays where a GPU composes the texture; with software OpenGL (llvmpipe,
  as under Xvfb) it costs far more than it saves (docs/performance.md).

A panel mounted sideways (``display.rotate: 90|180|270``) gets a
:class:`RotatedPresenter` around either: the frame is composed on a logical canvas and
only the changed rectangles are turned into the output (KMSDRM on a Pi cannot rotate
for us); touches are mapped back by :class:`Rotation`.

``display.renderer: auto`` picks *accelerated* on KMSDRM (a Pi without a desktop:
there SDL's window surface is itself emulated through a GLES texture, so the explicit
texture path costs no more and adds vsync) and *software* everywhere else.
"""

from __future__ import annotations

from typing import Protocol

from player.render.pg import pygame, sdl2_video


class PresenterError(Exception):
    """A presentation path that cannot be opened here."""


class Presenter(Protocol):
    """Where frames are drawn and how they are shown."""

    name: str
    #: True when presenting waits for the display's refresh (the loop then does not sleep).
    paces: bool

    @property
    def surface(self) -> "pygame.Surface":
        """The surface to draw on."""

    def present(self, rects: list["pygame.Rect"]) -> None:
        """Show the changed rectangles (everything when ``rects`` is empty)."""


class SurfacePresenter:
    """SDL's window surface, updated rectangle by rectangle."""

    name = "software"
    paces = False

    def __init__(self, surface: "pygame.Surface") -> None:
        self._surface = surface

    @property
    def surface(self) -> "pygame.Surface":
        """The window surface."""
        return self._surface

    def present(self, rects: list["pygame.Rect"]) -> None:
        """``display.update`` of the rectangles, or a flip of everything."""
        if rects:
            pygame.display.update(rects)
        else:
            pygame.display.flip()


class TexturePresenter:
    """An offscreen canvas, a streaming texture and an SDL renderer with vsync."""

    name = "accelerated"

    def __init__(self, size: tuple[int, int], vsync: bool = True, fullscreen: bool = False) -> None:
        """Open a window of ``size`` (fullscreen on the desktop) with its renderer.

        Raises:
            PresenterError: SDL cannot create the window, renderer or texture.
        """
        video = sdl2_video()  # only this path needs the SDL2 renderer API

        try:
            self._window = video.Window("告示屏", size=size, fullscreen_desktop=fullscreen)
            self._renderer = video.Renderer(self._window, vsync=vsync)
            self._texture = video.Texture(self._renderer, size, streaming=True)
        except Exception as exc:  # noqa: BLE001 - pygame._sdl2.sdl2.error is not a pygame.error
            raise PresenterError(str(exc)) from None
        self._canvas = pygame.Surface(size, 0, 32)
        self._full = pygame.Rect((0, 0), size)
        self.paces = vsync

    @property
    def surface(self) -> "pygame.Surface":
        """The offscreen canvas."""
        return self._canvas

    def present(self, rects: list["pygame.Rect"]) -> None:
        """Upload the changed rectangles, draw the texture, present (waits for vsync)."""
        for rect in rects or [self._full]:
            rect = rect.clip(self._full)
            if rect.w and rect.h:
                self._texture.update(self._canvas.subsurface(rect), rect)
        self._renderer.blit(self._texture)
        self._renderer.present()


class Rotation:
    """``display.rotate``: the logical picture turned clockwise by ``degrees`` on a
    physical output of ``physical`` (w, h) pixels. Pure geometry: rectangles to the
    output, touches back."""

    def __init__(self, degrees: int, physical: tuple[int, int]) -> None:
        if degrees not in (0, 90, 180, 270):
            raise ValueError(f"rotate: expected 0, 90, 180 or 270, got {degrees}")
        self.degrees = degrees
        self.physical = physical
        pw, ph = physical
        self.logical = (ph, pw) if degrees in (90, 270) else (pw, ph)

    def to_physical(self, rect: "pygame.Rect") -> "pygame.Rect":
        """A rectangle of the logical picture -> where it lands on the output."""
        w, h = self.logical
        x, y, rw, rh = rect.x, rect.y, rect.w, rect.h
        if self.degrees == 90:
            return pygame.Rect(h - y - rh, x, rh, rw)
        if self.degrees == 180:
            return pygame.Rect(w - x - rw, h - y - rh, rw, rh)
        if self.degrees == 270:
            return pygame.Rect(y, w - x - rw, rh, rw)
        return pygame.Rect(rect)

    def to_logical(self, x: float, y: float) -> tuple[float, float]:
        """A touch at (x, y) on the output -> the point of the logical picture."""
        w, h = self.logical
        if self.degrees == 90:
            return y, h - x
        if self.degrees == 180:
            return w - x, h - y
        if self.degrees == 270:
            return w - y, x
        return x, y


class RotatedPresenter:
    """Frames composed on a logical canvas, turned onto a presenter of the physical output.

    Only the changed rectangles are turned (``pygame.transform.rotate`` by a multiple of
    90 degrees is an exact pixel copy) and blitted into the inner presenter's surface,
    which then presents their physical rectangles. Screenshots (``surface``) stay in the
    logical orientation.
    """

    def __init__(self, inner: Presenter, degrees: int) -> None:
        self.inner = inner
        self.rotation = Rotation(degrees, inner.surface.get_size())
        self.name = f"{inner.name}, rotated {degrees}°"
        self.paces = inner.paces
        self._canvas = pygame.Surface(self.rotation.logical, 0, inner.surface)
        self._full = self._canvas.get_rect()

    @property
    def surface(self) -> "pygame.Surface":
        """The logical canvas."""
        return self._canvas

    def present(self, rects: list["pygame.Rect"]) -> None:
        """Turn the changed rectangles onto the output and present them."""
        target = self.inner.surface
        out = []
        for rect in rects or [self._full]:
            rect = rect.clip(self._full)
            if not (rect.w and rect.h):
                continue
            turned = pygame.transform.rotate(self._canvas.subsurface(rect), -self.rotation.degrees)
            physical = self.rotation.to_physical(rect)
            target.blit(turned, physical.topleft)
            out.append(physical)
        self.inner.present(out if rects else [])

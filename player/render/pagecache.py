"""Drawn pages kept for the frame loop, bounded in bytes.

A page surface at 1920x1080 is ~5.7 MiB; a photo gallery of 200 notices must not mean
200 of them in memory. :class:`PageCache` keeps the most recently used surfaces up to a
byte budget (``memory.page_cache_mib``, default 12 MiB: two 1080p pages); the page on
screen and the next one are the most recently used, so they are among them (a budget
smaller than one page still keeps the last one).

Only the frame loop thread touches it (the preparer thread hands surfaces over through a
queue, and never draws on them afterwards).

:class:`PageSource` is what views need from the runtime: a drawn page if it is ready
(else it is requested and None returned: the view keeps what it shows), and page counts.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from player.model.notice import Notice
from player.render.pg import pygame

#: (notice id, sha256, page, variant)
PageKey = tuple[str, str, int, str]
NORMAL, LARGE = "normal", "large"


def surface_bytes(surface: "pygame.Surface") -> int:
    """Memory held by a surface's pixels (rows with their padding)."""
    return surface.get_pitch() * surface.get_height()


class PageCache:
    """An LRU of drawn pages, at most ``budget`` bytes (one page always fits)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._pages: OrderedDict[PageKey, pygame.Surface] = OrderedDict()

    def __contains__(self, key: PageKey) -> bool:
        return key in self._pages

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: PageKey) -> "pygame.Surface | None":
        """The page, marked as just used."""
        surface = self._pages.get(key)
        if surface is not None:
            self._pages.move_to_end(key)
        return surface

    def put(self, key: PageKey, surface: "pygame.Surface") -> None:
        """Keep a page; the least recently used go while over budget."""
        old = self._pages.pop(key, None)
        if old is not None:
            self.used -= surface_bytes(old)
        self._pages[key] = surface
        self.used += surface_bytes(surface)
        while self.used > self.budget and len(self._pages) > 1:
            _key, gone = self._pages.popitem(last=False)
            self.used -= surface_bytes(gone)

    def retain(self, keep: set[tuple[str, str]]) -> None:
        """Drop pages of notices (id, sha256) no longer present."""
        for key in [k for k in self._pages if k[:2] not in keep]:
            self.used -= surface_bytes(self._pages.pop(key))

    def clear(self) -> None:
        """Drop everything."""
        self._pages.clear()
        self.used = 0


class PageSource(Protocol):
    """Pages for the views (implemented by the runtime's preparation service)."""

    def page(self, notice: Notice, index: int, variant: str = NORMAL) -> "pygame.Surface | None":
        """The drawn page if ready; otherwise it is requested and None is returned."""

    def page_count(self, notice: Notice, variant: str = NORMAL) -> int | None:
        """The notice's number of pages if it is laid out (else requested, None)."""

"""Drawing stored pictures (:class:`~player.layout.display.PictureOp`): document figures
and slices of scanned pages.

The display list names a picture by the sha256 of its normalized bytes; a
:class:`PictureSource` loads those bytes through the loader the runtime gives it (the
player's store) and keeps the most recently decoded surfaces up to a byte budget
(``memory.picture_cache_mib``): a scanned document is drawn slice by slice from the same
page picture, while a gallery of 80 photos costs one decode per page drawn, never 80
decoded photos in memory. Plain software surfaces only: safe in the preparer thread. A
picture that cannot be loaded is drawn as a neutral grey box.
"""

from __future__ import annotations

import io
import logging
from collections import OrderedDict
from collections.abc import Callable

from player.layout.display import PictureOp
from player.render.pagecache import surface_bytes
from player.render.pg import pygame

log = logging.getLogger(__name__)

#: Bytes of decoded pictures kept by default: two scanned A4 pages (~2.5 MP, 7.5–10 MB
#: each) or three screen-sized photos.
PICTURE_CACHE_BYTES = 16 * 1024 * 1024


class PictureSource:
    """Decoded pictures by sha256, loaded on demand, at most ``budget`` bytes of them kept
    (the last one decoded always is)."""

    def __init__(self, load: Callable[[str], "bytes | None"], budget: int = PICTURE_CACHE_BYTES) -> None:
        self._load = load
        self.budget = budget
        self.used = 0
        self._surfaces: OrderedDict[str, pygame.Surface] = OrderedDict()

    def __len__(self) -> int:
        return len(self._surfaces)

    def clear(self) -> None:
        """Keep nothing (content left; what is drawn next decodes again)."""
        self._surfaces.clear()
        self.used = 0

    def surface(self, sha256: str) -> "pygame.Surface | None":
        """The decoded picture, or None when its bytes are missing or undecodable."""
        surface = self._surfaces.get(sha256)
        if surface is not None:
            self._surfaces.move_to_end(sha256)
            return surface
        data = self._load(sha256)
        if data is None:
            log.error("picture %s is not in the store", sha256[:12])
            return None
        try:
            surface = pygame.image.load(io.BytesIO(data), "x.png" if data[:4] == b"\x89PNG" else "x.jpg")
        except (pygame.error, ValueError, OSError) as exc:
            log.error("picture %s cannot be decoded: %s", sha256[:12], exc)
            return None
        if surface.get_bitsize() < 24:
            rgb = pygame.Surface(surface.get_size(), 0, 32)
            rgb.blit(surface, (0, 0))
            surface = rgb
        self._surfaces[sha256] = surface
        self.used += surface_bytes(surface)
        while self.used > self.budget and len(self._surfaces) > 1:
            _sha, gone = self._surfaces.popitem(last=False)
            self.used -= surface_bytes(gone)
        return surface


def draw_picture(target: "pygame.Surface", op: PictureOp, source: PictureSource | None,
                 dx: float = 0.0, dy: float = 0.0) -> None:
    """Draw one picture op (its crop scaled into its box)."""
    size = (max(1, round(op.w)), max(1, round(op.h)))
    pos = (round(op.x + dx), round(op.y + dy))
    picture = source.surface(op.picture.sha256) if source is not None else None
    if picture is None:
        pygame.draw.rect(target, (220, 220, 220), pygame.Rect(pos, size))
        return
    if op.crop is not None:
        x, y, w, h = op.crop
        rect = pygame.Rect(x, y, w, h).clip(picture.get_rect())
        if rect.w <= 0 or rect.h <= 0:
            return
        picture = picture.subsurface(rect)
    if picture.get_size() != size:
        picture = pygame.transform.smoothscale(picture, size)
    target.blit(picture, pos)

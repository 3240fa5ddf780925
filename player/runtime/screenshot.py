"""``STATE_DIR/screen.png``: the frame as the screen shows it, for remote checks.

Taken on SIGUSR1 (``systemctl kill -s USR1 signage-player``) and every
``screenshot.every_minutes``. The frame loop only copies the display surface (a plain
surface, a few milliseconds); encoding and the atomic write happen in the housekeeping
thread, so a screenshot never stalls the ticker.
"""

from __future__ import annotations

import logging
from pathlib import Path

from player.fsutil import atomic_write
from player.render.pg import pygame
from player.render.png import png_bytes

log = logging.getLogger(__name__)


def save_png(surface: "pygame.Surface", path: Path) -> None:
    """Encode ``surface`` as PNG and replace ``path`` atomically.

    Raises:
        OSError: the file could not be written (disk full, read-only).
    """
    data = png_bytes(surface)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    log.info("screenshot saved to %s", path)

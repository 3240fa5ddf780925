"""Small file-system helpers shared by sources and runtime.

``atomic_write`` is the only way the player replaces a file: write a temp file in the
same folder, fsync it, rename it over the target, fsync the folder. A power cut leaves
either the old or the new file, never a torn one, and no temp file is left behind on
errors (disk full included).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes, mode: int = 0o644, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically.

    Args:
        path: the file to replace.
        data: its new content.
        mode: its permissions.
        durable: fsync the file and the folder (default). False keeps the rename atomic
            (readers and a crash of the process see the old or the new file) without
            waiting for the disk: for caches rewritten every minute anyway, such as the
            fleet receiver's latest reports.

    Raises:
        OSError: the write failed (the old file, if any, is untouched).
    """
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (ignored where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

"""The player's state folder: made usable before anything runs, and held by one player.

:func:`prepare` creates ``state_dir`` and proves it writable (a test file written and
removed), so a read-only or foreign folder is one config error at start instead of a
player that runs without keeping anything. :class:`StateLock` is an exclusive
``flock`` on ``STATE_DIR/player.lock`` held for the life of ``signage play``: a second
player on the same state folder is refused (both would overwrite each other's
status.json and ``_状态.txt``), and ``signage status`` asks it whether a player runs.
The kernel releases the lock when the process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_NAME = "player.lock"


class StateDirError(Exception):
    """The state folder cannot be used (the message says why and what to do)."""


def prepare(state_dir: Path) -> None:
    """Create the folder if needed and check that files can be written in it.

    Raises:
        StateDirError: not a folder, cannot be created, or not writable.
    """
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateDirError(f"cannot create {state_dir}: {exc.strerror or exc}") from None
    probe = state_dir / f".write-test-{os.getpid()}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"ok")
    except OSError as exc:
        raise StateDirError(f"{state_dir} is not writable ({exc.strerror or exc}); give the player's user "
                            "write access or choose another folder") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


class StateLock:
    """An exclusive lock on the state folder (``flock``; released when the process ends)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock.

        Raises:
            StateDirError: another player holds it (its pid is named when known).
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = holder(self.path)
            os.close(fd)
            raise StateDirError(f"another signage player is already running on {self.path.parent}"
                                + (f" (pid {owner})" if owner else "") + "; stop it first, or give this one "
                                "its own state_dir") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        """Let go (also happens when the process ends)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def holder(lock_path: Path) -> int | None:
    """The pid written by the player holding the lock, or None when no player holds it."""
    try:
        fd = os.open(lock_path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            try:
                text = os.read(fd, 32).decode("ascii", "replace").strip()
                return int(text) if text.isdigit() else 0
            except OSError:
                return 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)

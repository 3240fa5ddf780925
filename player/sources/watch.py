"""Watching the drop folder with watchdog and rebuilding the library on changes.

Threads: watchdog's observer thread only records that something changed (its handler
sets a timestamp and an event); one loader thread waits until the folder has been quiet
for ``quiet`` seconds, rescans it and hands a new :class:`Library` to ``on_library``
when anything differs. A full rescan also runs every ``rescan`` seconds, catching
anything the observer missed. Network shares (cifs, nfs, sshfs, fuse) get watchdog's
``PollingObserver`` because inotify sees nothing there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from player.model.library import STATUS_NAME
from player.model.limits import Limits
from player.model.notice import Library
from player.sources.folder import FolderScanner

log = logging.getLogger(__name__)

NETWORK_FS = ("cifs", "smb3", "smbfs", "nfs", "nfs4", "sshfs", "fuse", "fuse.sshfs", "9p", "davfs")


def mount_fstype(path: Path, mountinfo: str | None = None) -> str | None:
    """File-system type of the mount holding ``path`` (from /proc/self/mountinfo)."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = str(path.resolve())
    best, best_type = "", None
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields = left.split()
        if len(fields) < 5 or not right:
            continue
        mount_point = fields[4].replace("\\040", " ")
        if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) and len(mount_point) > len(best):
            best, best_type = mount_point, right.split()[0]
    return best_type


def wants_polling(poll: str, path: Path, mountinfo: str | None = None) -> bool:
    """Whether to use the polling observer for ``drop.poll`` = auto|true|false."""
    if poll in ("true", "false"):
        return poll == "true"
    fstype = mount_fstype(path, mountinfo) or ""
    return fstype in NETWORK_FS or fstype.startswith("fuse")


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: "FolderWatcher") -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [str(event.src_path), str(getattr(event, "dest_path", "") or "")]
        if all(p.endswith(STATUS_NAME) or not p for p in paths):
            return  # our own report
        self.watcher.touch()


class FolderWatcher:
    """Keeps a :class:`Library` of a folder up to date in background threads."""

    def __init__(self, root: Path, limits: Limits, on_library: Callable[[Library], None],
                 poll: str = "auto", rescan: float = 300.0, quiet: float = 1.0) -> None:
        self.root = root
        self.scanner = FolderScanner(root, limits)
        self.on_library = on_library
        self.polling = wants_polling(poll, root)
        self.rescan = rescan
        self.quiet = quiet
        self._changed = threading.Event()
        self._last_event = 0.0
        self._stop = threading.Event()
        self._observer = None
        self._thread: threading.Thread | None = None
        self._last_key: tuple | None = None

    def touch(self) -> None:
        """Note that something in the folder changed (called from the observer thread)."""
        self._last_event = time.monotonic()
        self._changed.set()

    def scan_now(self) -> Library:
        """Scan synchronously (used once at start, before the first frame)."""
        library = self.scanner.scan()
        self._last_key = _key(library)
        return library

    def start(self) -> None:
        """Start the observer and the loader thread."""
        observer_cls = PollingObserver if self.polling else Observer
        self._observer = observer_cls(timeout=1.0) if self.polling else observer_cls()
        self._observer.schedule(_Handler(self), str(self.root), recursive=True)
        self._observer.daemon = True
        self._observer.start()
        log.info("watching %s with %s", self.root, "polling" if self.polling else "inotify")
        self._thread = threading.Thread(target=self._loop, name="drop-loader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop both threads."""
        self._stop.set()
        self._changed.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._changed.wait(timeout=self.rescan)
            if self._stop.is_set():
                return
            while time.monotonic() - self._last_event < self.quiet and not self._stop.is_set():
                time.sleep(min(0.2, self.quiet))
            self._changed.clear()
            try:
                library = self.scanner.scan()
            except OSError as exc:
                log.error("cannot scan %s: %s; keeping the current content", self.root, exc)
                continue
            key = _key(library)
            if key != self._last_key:
                self._last_key = key
                self.on_library(library)


def _key(library: Library) -> tuple:
    return (tuple((n.id, n.sha256, n.meta) for n in library.notices), library.ticker, library.problems)

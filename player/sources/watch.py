"""Watching the drop folder with watchdog and keeping a :class:`Library` of it current.

Threads: watchdog's observer thread only records what happened (which paths are being
written, which were closed) and wakes the loader; one loader thread rescans the folder
(:class:`~player.sources.folder.FolderScanner` decides which files have finished
arriving) and hands a new :class:`Library` to ``on_library`` when anything differs.

- While files are still arriving the loader rescans every half quiet period, so a
  finished copy appears about ``quiet`` seconds after it was closed.
- A full rescan runs every ``rescan`` seconds anyway, catching anything missed.
- Every ``health_every`` seconds (default :data:`HEALTH_EVERY`) the loader checks the observer: if its threads have
  died, or the folder was deleted and recreated or a share remounted (its device and
  inode changed), the observer is restarted. A missing folder keeps the last content.
- Network shares (cifs, smb3, nfs, sshfs, fuse…) get watchdog's ``PollingObserver``
  because inotify sees nothing there (``drop.poll: auto``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from player.model.library import is_ignored
from player.model.names import display_name
from player.model.limits import Limits
from player.model.notice import Library
from player.sources.folder import FolderScanner
from player.sources.ingest import Ingest
from player.sources.store import Store
from player.worker import Worker

log = logging.getLogger(__name__)

NETWORK_FS = ("cifs", "smb3", "smbfs", "nfs", "nfs4", "sshfs", "fuse", "fuse.sshfs", "9p", "davfs")
HEALTH_EVERY = 5.0
#: Without a working observer (folder missing, too deep for it) the loader rescans this often.
BLIND_RESCAN = 5.0
BATCH = 0.2  # events closer together than this are handled in one scan


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
    """Runs on the observer thread: records, never parses."""

    def __init__(self, watcher: "FolderWatcher") -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        rels = [self.watcher.relative(p) for p in (event.src_path, getattr(event, "dest_path", "") or "")]
        rels = [r for r in rels if r]
        if not rels or all(is_ignored(r) for r in rels):
            return  # our own report, previews and their temp files; hidden and lock files
        if not event.is_directory and self.watcher.tracks_writes:
            if event.event_type == "modified":  # a real write (not watchdog's synthetic "created")
                self.watcher.scanner.note_write(rels[0])
            elif event.event_type == "closed":
                self.watcher.scanner.note_closed(rels[0])
        self.watcher.touch()


class FolderWatcher(Worker):
    """Keeps a :class:`Library` of a folder up to date in background threads.

    The first scan runs in the loader thread too (the screen is up meanwhile); its
    library is always handed over, even when empty, so the runtime knows the drop
    folder has been read.
    """

    name = "drop-loader"

    def __init__(self, root: Path, limits: Limits, on_library: Callable[[Library], None],
                 poll: str = "auto", rescan: float = 300.0, quiet: float = 1.0, grace: float = 3.0,
                 store: Store | None = None, ingest: Ingest | None = None,
                 health_every: float = HEALTH_EVERY, tz=None, wall=None) -> None:
        super().__init__()
        self.root = root
        self.scanner = FolderScanner(root, limits, store=store, ingest=ingest, quiet=quiet, grace=grace, tz=tz,
                                     wall=wall)
        self.on_library = on_library
        self.polling = wants_polling(poll, root)
        #: inotify reports close-write; other observers do not, so only stability counts there.
        self.tracks_writes = not self.polling and Observer.__name__ == "InotifyObserver"
        self.scanner.tracks_closes = self.tracks_writes
        self.rescan = rescan
        self.quiet = quiet
        self.restarts = 0
        self.health_every = health_every
        self._changed = threading.Event()
        self._last_event = 0.0
        self._observer = None
        self._identity: tuple[int, int] | None = None
        self._last_key: tuple | None = None
        self.scans = 0  # completed scans (tests wait on this)
        self._pending = False
        self._missing_logged = False

    def relative(self, path: str | bytes) -> str | None:
        """A path from an event as the content-relative display path the scanner uses
        (names decoded as in :func:`player.model.names.display_name`; None outside the root)."""
        raw = os.fsencode(path)
        if not raw:
            return None
        rel = os.path.relpath(raw, os.fsencode(self.root))
        if rel.startswith(b".."):
            return None
        return "/".join(display_name(part) for part in rel.split(os.fsencode(os.sep)))

    def touch(self) -> None:
        """Note that something in the folder changed (called from the observer thread)."""
        self._last_event = time.monotonic()
        self._changed.set()

    def scan_now(self) -> Library:
        """Scan synchronously (one-off uses and tests; the player scans in the thread)."""
        result = self.scanner.scan_details()
        self._pending = result.pending
        self._last_key = _key(result.library)
        return result.library

    def start(self) -> None:
        """Start the observer and the loader thread."""
        self._start_observer()
        super().start()

    def wake(self) -> None:
        """Interrupt the loader's wait (stopping)."""
        self._changed.set()

    def stop(self) -> None:
        """Stop both threads."""
        super().stop()
        self._stop_observer()
        self.scanner.ingest.close()

    # -- the observer ----------------------------------------------------------------

    def _start_observer(self) -> bool:
        """Start watching; False when that is impossible now (the folder is missing, or so
        deep or large that the observer cannot follow it: then the loader rescans every
        :data:`BLIND_RESCAN` seconds with its own iterative walk)."""
        observer = None
        try:
            st = os.stat(self.root)
            observer = PollingObserver(timeout=1.0) if self.polling else Observer()
            observer.schedule(_Handler(self), str(self.root), recursive=True)
            observer.daemon = True
            observer.start()
        except (OSError, RecursionError, RuntimeError, ValueError) as exc:
            if observer is not None:
                with contextlib.suppress(RuntimeError, OSError):
                    observer.stop()
            if not self._missing_logged:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"
                log.error("cannot watch %s (%s); rescanning it every %g s instead", self.root, reason, BLIND_RESCAN)
                self._missing_logged = True
            self._observer = None
            return False
        self._observer = observer
        self._identity = (st.st_dev, st.st_ino)
        self._missing_logged = False
        log.info("watching %s with %s", self.root, "polling" if self.polling else "inotify")
        return True

    def _stop_observer(self) -> None:
        if self._observer is not None:
            try:
                self._observer.stop()
                self._observer.join(timeout=5)
            except RuntimeError:
                pass  # never started or already gone
            self._observer = None

    def healthy(self) -> bool:
        """Observer threads alive and watching the folder that is there now."""
        observer = self._observer
        if observer is None or not observer.is_alive():
            return False
        if not all(emitter.is_alive() for emitter in observer.emitters):
            return False
        try:
            st = os.stat(self.root)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self._identity

    def _check_health(self) -> None:
        if self.healthy():
            return
        if self._observer is not None:
            log.warning("watching %s stopped (folder replaced or observer died); restarting", self.root)
        self._stop_observer()
        if self._start_observer():
            self.restarts += 1
            self._changed.set()  # rescan: events may have been missed

    # -- the loader ----------------------------------------------------------------

    def run(self) -> None:
        """The loader: the first scan at once (unless :meth:`scan_now` did it), then a scan
        after every change, every half quiet period while files settle, and every
        ``rescan`` seconds — not at the health checks in between."""
        next_health = time.monotonic() + self.health_every
        if self._last_key is None:
            self._scan()
        next_rescan = time.monotonic() + self._rescan_every()
        while not self.stopping.is_set():
            now = time.monotonic()
            wait = min(self.quiet / 2 if self._pending else max(0.0, next_rescan - now), max(0.0, next_health - now))
            self._changed.wait(timeout=wait)
            if self.stopping.is_set():
                return
            if time.monotonic() >= next_health:
                next_health = time.monotonic() + self.health_every
                self._check_health()
                next_rescan = min(next_rescan, time.monotonic() + self._rescan_every())
            if not (self._changed.is_set() or self._pending or time.monotonic() >= next_rescan):
                continue  # only the health check was due
            while time.monotonic() - self._last_event < BATCH and not self.stopping.is_set():
                self.stopping.wait(BATCH / 4)
            self._changed.clear()
            self._scan()
            next_rescan = time.monotonic() + self._rescan_every()

    def _rescan_every(self) -> float:
        """Seconds between rescans without events: ``rescan``, or :data:`BLIND_RESCAN`
        at most while the folder cannot be watched."""
        return self.rescan if self._observer is not None else min(self.rescan, BLIND_RESCAN)

    def _scan(self) -> None:
        if self._last_key is not None and not self.root.is_dir():
            self._pending = False
            return  # keep showing the last content; the health check restarts watching
        result = self.scanner.scan_details()  # missing at start: the last good content from the store
        self.scans += 1
        self._pending = result.pending
        key = _key(result.library)
        if key != self._last_key:
            self._last_key = key
            self.on_library(result.library)


def _key(library: Library) -> tuple:
    """What a new library must differ in to be handed over (staff alert files included)."""
    return (tuple((n.id, n.sha256, n.meta) for n in library.notices), library.ticker, library.problems,
            library.alerts)

"""Reading the drop folder into a :class:`Library`, safely.

Staff copy files onto a share while the player reads it, so a file is only *taken* when
its copy has finished:

1. it is not open for writing (the watcher reports inotify's writes and close-writes; a
   write with no close for :data:`WRITE_TIMEOUT` seconds counts as finished);
2. its size and modification time have not changed for ``quiet`` seconds (first scan
   after start: its modification time is not within ``quiet`` seconds of now);
3. it parses (and a picture decodes) completely.

A file that fails is reported at once when its copy is known to be complete (inotify saw
it closed); otherwise (polling, a network share) it is retried for ``grace`` seconds
before anyone is told — maybe a copy that paused. A file still settling keeps its
previous version on screen. A settled file that fails is reported — and if an earlier
version of the same path was good, that version stays on screen (the staff report says
so). Good versions are kept in the player's :class:`~player.sources.store.Store`, so the
last good content survives a restart even when the share only holds a broken file. A
deleted file leaves the index and the screen at the next scan.

Cost stays flat in the amount of content: the scanner keeps no file bytes, only sizes,
times and sha256 of what it saw; an unchanged file (same size, time and inode) is not
read again, and :class:`~player.sources.ingest.Ingest` caches parsed notices by path and
sha256. Walking, names, special files and depth: :mod:`~player.sources.walk`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from player.model.alerts import Alert
from player.model.staffalerts import parse_staff_alert
from player.model.library import build_library, check_file_size, too_many_files
from player.model.limits import Limits
from player.model.notice import Library
from player.model.problems import ContentError, Problem
from player.sources.ingest import CHANGED, Ingest, LazyFile
from player.sources.store import Store
from player.sources.walk import read_file, walk

#: A write not followed by a close within this many seconds counts as finished (a close
#: event can be missed, e.g. for a file written right after its folder was created).
WRITE_TIMEOUT = 30.0
INDEX = "drop"


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    ino: int
    raw: bytes
    since: float          # monotonic time this (size, mtime) was first observed
    sha256: str | None = None


@dataclass(frozen=True)
class Scan:
    """A scan's result: the library to show, and whether files are still settling."""

    library: Library
    pending: bool


class FolderScanner:
    """Scans one folder; tracks which files have finished arriving."""

    def __init__(self, root: Path, limits: Limits = Limits(), *, store: Store | None = None,
                 ingest: Ingest | None = None, quiet: float = 1.0, grace: float = 3.0,
                 source: str = "drop", clock: Callable[[], float] = time.monotonic,
                 tz: ZoneInfo | None = None, wall: Callable[[], dt.datetime] | None = None) -> None:
        """Args:
            tz, wall: staff alert files at the top of the folder are read with the time
                zone and the moment each version was first seen (None: not read).
        """
        self.root = root
        self.limits = limits
        self.store = store
        self.ingest = ingest or Ingest(source, limits, store=store, keep_originals=store is not None)
        self.quiet = quiet
        self.grace = grace
        self.source = source
        self.clock = clock
        self._seen: dict[str, _Seen] = {}
        self._writing: dict[str, float] = {}
        self._closed: set[str] = set()   # close-write seen since the last change: the copy is complete
        self._lock = threading.Lock()
        self._first = True
        self.index: dict[str, str] = store.load_index(INDEX) if store else {}
        self._stored: dict[str, str] = {}  # path -> sha256 seen in the store by this process
        self._names: dict[tuple[bytes, bytes], tuple[str, bool]] = {}  # walk()'s names of the last scan
        #: The last build's inputs (path, sha256, settled; problems) and its library: a
        #: rescan that finds the same files builds nothing.
        self._built: tuple[tuple, Library] | None = None
        self.tracks_closes = False  # set by the watcher when inotify reports close-write
        self.only: set[str] | None = None  # read just these paths (signage check FILE)
        self.tz = tz
        self.wall = wall or (lambda: dt.datetime.now(dt.timezone.utc))
        self._first_seen: dict[str, dt.datetime] = {}  # sha256 -> when (staff alerts count from it)

    @classmethod
    def once(cls, root: Path, limits: Limits = Limits(), ingest: Ingest | None = None,
             only: set[str] | None = None) -> "FolderScanner":
        """A scanner for a one-off read (``check``, ``render``, ``bundle build``): takes every
        file as it is (``only``: just these paths, e.g. one file and its sidecar)."""
        scanner = cls(root, limits, ingest=ingest, quiet=0.0, grace=0.0)
        scanner.only = only
        return scanner

    def contents(self) -> dict[str, bytes]:
        """Bytes of every file the last scan took (for publishing a bundle), read now.

        Raises:
            OSError: a file became unreadable.
        """
        out = {}
        for rel, seen in self._seen.items():
            if seen.sha256 is None:
                continue
            data = read_file(self.root, seen.raw, self._read_limit)
            if hashlib.sha256(data).hexdigest() == seen.sha256:
                out[rel] = data
        return out

    # -- events from the watcher (observer thread) --------------------------------------

    def note_write(self, rel: str) -> None:
        """A file was created or written to and may still be open."""
        with self._lock:
            self._writing[rel] = self.clock()
            self._closed.discard(rel)

    def note_closed(self, rel: str) -> None:
        """A file opened for writing was closed."""
        with self._lock:
            if self._writing.pop(rel, None) is not None:
                self._closed.add(rel)

    def _open_for_write(self, rel: str, now: float) -> bool:
        with self._lock:
            since = self._writing.get(rel)
            if since is not None and now - since >= WRITE_TIMEOUT:
                del self._writing[rel]
                return False
            return since is not None

    # -- scanning ------------------------------------------------------------------

    def scan(self) -> Library:
        """The library now (files still arriving show their previous version)."""
        return self.scan_details().library

    def scan_details(self) -> Scan:
        """Scan the folder; see the module docstring for the rules.

        Raises:
            OSError: the folder itself cannot be listed.
        """
        now = self.clock()
        wall = time.time()
        try:
            found = walk(self.root, max_files=self.limits.files, names=self._names)
        except OSError as exc:
            return self._offline(exc)
        entries, problems = found.entries, found.problems
        if self.only is not None:
            entries = [e for e in entries if e.rel in self.only]
            problems = [p for p in problems if p.path in self.only]
        if found.total > self.limits.files:
            problems.append(too_many_files(found.total, self.limits.files))
        current: dict[str, _Seen] = {}
        settled: set[str] = set()
        pending = False
        for entry in entries:
            rel = entry.rel
            seen = self._seen.get(rel)
            if seen is None or (seen.size, seen.mtime_ns, seen.ino) != (entry.size, entry.mtime_ns, entry.ino):
                seen = _Seen(entry.size, entry.mtime_ns, entry.ino, entry.raw, now)
            current[rel] = seen
            # At start, files already there are taken unless written in the last moment
            # (compared both ways: with a wrong system clock the difference means nothing).
            # A file taken before and unchanged since (same size, time, inode) stays taken.
            quiet_enough = seen.sha256 is not None or now - seen.since >= self.quiet or (
                self._first and abs(wall - entry.mtime_ns / 1e9) >= self.quiet)
            if not quiet_enough or self._open_for_write(rel, now):
                pending = True
                continue
            try:
                if seen.sha256 is None:  # (a file taken before has had its size checked)
                    check_file_size(self.limits, rel, entry.size)
                    data = read_file(self.root, entry.raw, self._read_limit)
                    check_file_size(self.limits, rel, len(data))
                    seen.sha256 = hashlib.sha256(data).hexdigest()
            except ContentError as exc:
                problems.append(exc.at(rel))
                continue
            except OSError as exc:
                problems.append(_unreadable(rel, exc))
                continue
            settled.add(rel)
        self._seen = current
        self._first = False
        library, retry = self._build(current, settled, problems, now)
        newest = max((s.mtime_ns for s in current.values()), default=None)
        library = replace(library, newest_mtime=None if newest is None else newest / 1e9)
        return Scan(library, pending or retry)

    @property
    def _read_limit(self) -> int:
        return max(self.limits.text_bytes, self.limits.image_bytes, self.limits.document_bytes)

    def _offline(self, exc: OSError) -> Scan:
        """The folder cannot be listed (a share not mounted yet, removed, no permission):
        the last good version of every file it held, and one problem saying so."""
        reason = exc.strerror or str(exc)
        problem = Problem(".", f"drop folder {self.root} cannot be read ({reason}); the last good content "
                          "stays on screen; check the share or drop.dir",
                          f"共享文件夹无法访问（{reason}）：屏幕继续显示此前的内容，请检查共享文件夹")
        files = [old for old in (self._previous(rel) for rel in sorted(self.index)) if old is not None]
        library = self._library(files, [problem])
        self.ingest.finish_scan()
        self._built = None
        return Scan(library, False)

    def _file(self, rel: str, seen: _Seen) -> LazyFile:
        limit = self._read_limit
        return LazyFile(rel, seen.sha256, lambda: read_file(self.root, seen.raw, limit))

    def _previous(self, rel: str) -> LazyFile | None:
        sha = self.index.get(rel)
        if not sha or self.store is None or not self.store.has(sha):
            return None
        store = self.store
        return LazyFile(rel, sha, lambda: store.get(sha) or b"")

    def _complete(self, rel: str, seen: _Seen, now: float) -> bool:
        """Whether a failing file is certainly complete (report now) or maybe paused (retry):
        stable for quiet + grace, or last written that long ago (a file that was there
        before the player started), or closed after writing (inotify)."""
        if now - seen.since >= self.quiet + self.grace:
            return True
        if abs(time.time() - seen.mtime_ns / 1e9) >= self.quiet + self.grace:
            return True
        with self._lock:
            return self.tracks_closes and rel in self._closed

    def _build(self, current: dict[str, _Seen], settled: set[str], problems: list[Problem],
               now: float) -> tuple[Library, bool]:
        previous: dict[str, LazyFile] = {}
        for rel in current.keys() - settled:  # still arriving: the previous version, if any
            old = self._previous(rel)
            if old is not None:
                previous[rel] = old
        key = (tuple(sorted([(rel, current[rel].sha256, True) for rel in settled]
                            + [(rel, f.sha256, False) for rel, f in previous.items()])), tuple(problems))
        if self._built is not None and self._built[0] == key:
            return self._built[1], False  # nothing changed: no library to build, nothing to index
        files = {rel: self._file(rel, current[rel]) for rel in settled}
        files.update(previous)
        previous_used = set(previous)
        library = self._library(files.values(), problems)
        reported: list[Problem] = []
        retry = False
        substitute: dict[str, LazyFile | None] = {}
        for problem in library.problems:
            rel = problem.path
            if rel in settled and (problem.message == CHANGED or not self._complete(rel, current[rel], now)):
                retry = True  # maybe a copy that paused: try again before telling anyone
                substitute[rel] = self._previous(rel)
                continue
            if rel in settled:
                old = self._previous(rel)
                if old is not None and old.sha256 != current[rel].sha256:
                    substitute[rel] = old
                    problem = Problem(problem.path, problem.message + "; the previous version stays on screen",
                                      problem.hint_zh + "（屏幕上仍显示此前正确的版本）", problem.line)
            reported.append(problem)
        if substitute:
            for rel, old in substitute.items():
                if old is None:
                    files.pop(rel, None)
                else:
                    files[rel] = old
                    previous_used.add(rel)
            library = self._library(files.values(), ())
        self.ingest.finish_scan()
        library = replace(library, problems=tuple(sorted(reported, key=lambda p: (p.path, p.line or 0))))
        self._remember(current, settled, {p.path for p in library.problems} | set(substitute) | previous_used)
        self._built = (key, library) if not retry else None
        return library, retry

    def _library(self, files, problems) -> Library:
        files = list(files)
        staff = self._staff_alert if self.tz is not None else None
        if staff is not None:
            shas = {f.sha256 for f in files}
            self._first_seen = {k: v for k, v in self._first_seen.items() if k in shas}
        return build_library(files, self.limits, problems, self.source, self.ingest, staff)

    def _staff_alert(self, file) -> Alert:
        seen = self._first_seen.setdefault(file.sha256, self.wall())
        return parse_staff_alert(file.path, file.data, seen, self.tz)

    def _remember(self, current: dict[str, _Seen], settled: set[str], not_good: set[str]) -> None:
        """Index the good versions (the ingest keeps their bytes); forget paths that are gone."""
        if self.store is None:
            return
        index = {rel: sha for rel, sha in self.index.items() if rel in current}
        for rel in settled - not_good:
            sha = current[rel].sha256
            if sha is not None and self._stored.get(rel) == sha:
                index[rel] = sha  # seen in the store by this process already: no stat per file and scan
                continue
            if sha is not None and not self.store.has(sha):
                # ticker.txt and sidecars (the ingest keeps the notices' bytes itself)
                try:
                    self.store.put(self._file(rel, current[rel]).data)
                except (OSError, ContentError):
                    continue
            if sha is not None and self.store.has(sha):
                index[rel] = sha
                self._stored[rel] = sha
        self._stored = {rel: sha for rel, sha in self._stored.items() if index.get(rel) == sha}
        if index != self.index:
            if self.store.save_index(INDEX, index):
                self.store.collect()
            self.index = index


def _unreadable(rel: str, exc: OSError) -> Problem:
    reason = exc.strerror or str(exc)
    return Problem(rel, f"cannot read file: {reason}; check its permissions on the share",
                   f"文件无法读取（{reason}）：请检查文件权限，或重新复制")

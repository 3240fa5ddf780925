"""Reading the drop folder into a :class:`Library`, safely.

Staff copy files onto a share while the player reads it, so a file is only *taken* when
its copy has finished:

1. it is not open for writing (the watcher reports inotify's writes and close-writes; a
   write with no close for :data:`WRITE_TIMEOUT` seconds counts as finished);
2. its size and modification time have not changed for ``quiet`` seconds (first scan
   after start: its modification time is not within ``quiet`` seconds of now);
3. it parses (and a picture decodes) completely.

A file that fails while it has been quiet for less than ``quiet + grace`` seconds is
retried, not reported (a copy that paused). A file still settling keeps its previous
version on screen. A settled file that fails is reported — and if an earlier version of
the same path was good, that version stays on screen (the staff report says so). Good
versions are kept in the player's :class:`~player.sources.store.Store`, so the last good
content survives a restart even when the share only holds a broken file. A deleted file
leaves the index and the screen at the next scan.

Refused outright (no waiting): links that leave the folder, unreadable files. Junk
names (``~$x.docx``, ``.DS_Store``…) are never read.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from player.model.library import ImageCheck, SourceFile, build_library, is_ignored, is_image
from player.model.limits import Limits
from player.model.notice import Library
from player.model.problems import ContentError, Problem
from player.sources.store import Store

#: A write not followed by a close within this many seconds counts as finished (a close
#: event can be missed, e.g. for a file written right after its folder was created).
WRITE_TIMEOUT = 30.0
INDEX = "drop"


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float          # monotonic time this (size, mtime) was first observed
    data: bytes | None = None


@dataclass(frozen=True)
class Scan:
    """A scan's result: the library to show, and whether files are still settling."""

    library: Library
    pending: bool


class FolderScanner:
    """Scans one folder; tracks which files have finished arriving."""

    def __init__(self, root: Path, limits: Limits = Limits(), *, store: Store | None = None,
                 quiet: float = 1.0, grace: float = 3.0, image_check: ImageCheck | None = None,
                 source: str = "drop", clock: Callable[[], float] = time.monotonic) -> None:
        self.root = root
        self.limits = limits
        self.store = store
        self.quiet = quiet
        self.grace = grace
        self.image_check = image_check
        self.source = source
        self.clock = clock
        self._seen: dict[str, _Seen] = {}
        self._writing: dict[str, float] = {}
        self._lock = threading.Lock()
        self._first = True
        self.index: dict[str, str] = store.load_index(INDEX) if store else {}

    @classmethod
    def once(cls, root: Path, limits: Limits = Limits(), image_check: ImageCheck | None = None) -> "FolderScanner":
        """A scanner for a one-off read (``check``, ``render``): takes every file as it is."""
        return cls(root, limits, quiet=0.0, grace=0.0, image_check=image_check)

    def contents(self) -> dict[str, bytes]:
        """Bytes of every file the last scan took (for publishing a bundle)."""
        return {rel: seen.data for rel, seen in self._seen.items() if seen.data is not None}

    # -- events from the watcher (observer thread) --------------------------------------

    def note_write(self, rel: str) -> None:
        """A file was created or written to and may still be open."""
        with self._lock:
            self._writing[rel] = self.clock()

    def note_closed(self, rel: str) -> None:
        """A file opened for writing was closed."""
        with self._lock:
            self._writing.pop(rel, None)

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
        """Scan the folder; see the module docstring for the rules."""
        now = self.clock()
        wall = time.time()
        problems: list[Problem] = []
        current: dict[str, _Seen] = {}
        settled: set[str] = set()
        pending = False
        root_real = os.path.realpath(self.root)
        for rel, full in self._walk(root_real, problems):
            try:
                st = os.stat(full)
            except OSError as exc:
                problems.append(_unreadable(rel, exc))
                continue
            seen = self._seen.get(rel)
            if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
                seen = _Seen(st.st_size, st.st_mtime_ns, now)
            current[rel] = seen
            # At start, files already there are taken unless written in the last moment
            # (compared both ways: with a wrong system clock the difference means nothing).
            quiet_enough = now - seen.since >= self.quiet or (
                self._first and abs(wall - st.st_mtime_ns / 1e9) >= self.quiet)
            if not quiet_enough or self._open_for_write(rel, now):
                pending = True
                continue
            try:
                self.limits.check_size(st.st_size, is_image(rel))
            except ContentError as exc:
                problems.append(exc.at(rel))
                continue
            if seen.data is None:
                try:
                    with open(full, "rb") as handle:
                        seen.data = handle.read(st.st_size + 1)
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

    def _walk(self, root_real: str, problems: list[Problem]):
        for folder, dirs, names in os.walk(self.root):
            rel_folder = os.path.relpath(folder, self.root)
            rel_folder = "" if rel_folder == "." else rel_folder.replace(os.sep, "/")
            kept = []
            for name in sorted(dirs):
                rel = f"{rel_folder}/{name}" if rel_folder else name
                full = os.path.join(folder, name)
                if is_ignored(rel):
                    continue
                if os.path.islink(full):
                    if not _inside(os.path.realpath(full), root_real):
                        problems.append(_symlink_problem(rel))
                    continue  # links inside the folder would show things twice
                kept.append(name)
            dirs[:] = kept
            for name in sorted(names):
                rel = f"{rel_folder}/{name}" if rel_folder else name
                if is_ignored(rel):
                    continue
                full = os.path.join(folder, name)
                if os.path.islink(full) and not _inside(os.path.realpath(full), root_real):
                    problems.append(_symlink_problem(rel))
                    continue
                yield rel, full

    def _previous(self, rel: str) -> bytes | None:
        sha = self.index.get(rel)
        return self.store.get(sha) if sha and self.store else None

    def _build(self, current: dict[str, _Seen], settled: set[str], problems: list[Problem],
               now: float) -> tuple[Library, bool]:
        files = {rel: SourceFile(rel, current[rel].data) for rel in settled}
        previous_used: set[str] = set()
        for rel in current.keys() - settled:  # still arriving: the previous version, if any
            old = self._previous(rel)
            if old is not None:
                files[rel] = SourceFile(rel, old)
                previous_used.add(rel)
        library = self._library(files.values(), problems)
        reported: list[Problem] = []
        retry = False
        substitute: dict[str, bytes | None] = {}
        for problem in library.problems:
            rel = problem.path
            if rel in settled and now - current[rel].since < self.quiet + self.grace:
                retry = True  # maybe a copy that paused: try again before telling anyone
                substitute[rel] = self._previous(rel)
                continue
            if rel in settled:
                old = self._previous(rel)
                if old is not None and old != current[rel].data:
                    substitute[rel] = old
                    problem = Problem(problem.path, problem.message + "; the previous version stays on screen",
                                      problem.hint_zh + "（屏幕上仍显示此前正确的版本）", problem.line)
            reported.append(problem)
        if substitute:
            for rel, old in substitute.items():
                if old is None:
                    files.pop(rel, None)
                else:
                    files[rel] = SourceFile(rel, old)
                    previous_used.add(rel)
            library = self._library(files.values(), ())
        library = replace(library, problems=tuple(sorted(reported, key=lambda p: (p.path, p.line or 0))))
        self._remember(current, settled, {p.path for p in library.problems} | set(substitute) | previous_used)
        return library, retry

    def _library(self, files, problems) -> Library:
        return build_library(files, self.limits, problems, self.source, self.image_check)

    def _remember(self, current: dict[str, _Seen], settled: set[str], not_good: set[str]) -> None:
        """Keep good versions in the store; forget paths that are gone."""
        if self.store is None:
            return
        index = {rel: sha for rel, sha in self.index.items() if rel in current}
        for rel in settled - not_good:
            sha = self.store.put(current[rel].data)
            if sha is not None:
                index[rel] = sha
        if index != self.index:
            if self.store.save_index(INDEX, index):
                self.store.collect()
            self.index = index


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _unreadable(rel: str, exc: OSError) -> Problem:
    reason = exc.strerror or str(exc)
    return Problem(rel, f"cannot read file: {reason}; check its permissions on the share",
                   f"文件无法读取（{reason}）：请检查文件权限，或重新复制")


def _symlink_problem(rel: str) -> Problem:
    return Problem(rel, "link points outside the content folder and is refused; copy the file in instead",
                   "这是指向文件夹外部的快捷链接，不能使用：请把文件本身复制进来")

"""The player's own copy of accepted content: a content-addressed store.

``STATE_DIR/store/objects/ab/abcdef…`` holds file contents by sha256; small JSON
*indexes* (``STATE_DIR/store/<name>.json``) map content paths to object hashes. Every
write is a temp file, fsynced, renamed (:func:`player.fsutil.atomic_write`), so a power
cut leaves the old or the new version, never a torn one.

Why: a staff member who overwrites a good notice with a broken file, or deletes the
share's copy mid-display, must not take the good version off the screen — the drop
source keeps the last good bytes of every path here, and after a restart takes them
from here. A full disk (ENOSPC) only stops new objects from being kept; it is logged and
reported, the content on screen is unaffected.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from player.fsutil import atomic_write

log = logging.getLogger(__name__)

#: Unreferenced objects younger than this are kept (they may belong to a download that
#: has not been activated yet).
COLLECT_GRACE = 600.0


class Store:
    """Objects by sha256 plus named path->sha indexes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.last_error: str | None = None
        self._collecting = threading.Lock()  # one Store per state dir, shared by the sources

    def _path(self, sha: str) -> Path:
        return self.objects / sha[:2] / sha

    def put(self, data: bytes) -> str | None:
        """Keep ``data``; returns its sha256, or None when it could not be written.

        An object that exists already has its modification time refreshed: collection
        spares unreferenced objects younger than the grace period, so an object that a
        new index or pointer is about to name is never collected in between.
        """
        sha = hashlib.sha256(data).hexdigest()
        path = self._path(sha)
        if path.exists():
            with contextlib.suppress(OSError):
                os.utime(path)
            return sha
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        except OSError as exc:
            self._failed(f"cannot keep a copy in {self.root}: {exc.strerror or exc}")
            return None
        self.last_error = None
        return sha

    def has(self, sha: str) -> bool:
        """Whether the object is present (not verified: cheap, for status and repairs)."""
        return len(sha) == 64 and self._path(sha).is_file()

    def get(self, sha: str) -> bytes | None:
        """The object's bytes if present and intact (its hash is checked)."""
        try:
            data = self._path(sha).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sha:
            log.error("store object %s is damaged; dropping it", sha)
            with contextlib.suppress(OSError):
                self._path(sha).unlink()
            return None
        return data

    # -- named JSON files: indexes and bundle pointers (the seam BundleSync uses;
    #    bench/sim/fleet.py keeps them in memory) --

    def read_pointer(self, name: str) -> str:
        """The text of ``<name>.json`` in the store folder.

        Raises:
            OSError: (FileNotFoundError when there is none).
        """
        return (self.root / f"{name}.json").read_text(encoding="utf-8")

    def write_pointer(self, name: str, data: bytes) -> None:
        """Replace ``<name>.json`` atomically (temp file, fsync, rename).

        Raises:
            OSError: it could not be written.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write(self.root / f"{name}.json", data)

    def load_index(self, name: str) -> dict[str, str]:
        """A path->sha index (empty when missing or unreadable)."""
        try:
            data = json.loads(self.read_pointer(name))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.error("store index %s is unreadable (%s); starting from an empty one", name, exc)
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def load_table(self, name: str) -> dict[str, dict]:
        """A named JSON object of objects (the picture indexes); empty when missing,
        unreadable or of another shape."""
        try:
            data = json.loads(self.read_pointer(name))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.error("store table %s is unreadable (%s); starting from an empty one", name, exc)
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}

    def save_index(self, name: str, index: dict) -> bool:
        """Replace an index atomically; False when it could not be written."""
        try:
            self.write_pointer(name, json.dumps(index, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8"))
        except OSError as exc:
            self._failed(f"cannot save the store index: {exc.strerror or exc}")
            return False
        return True

    def referenced(self) -> set[str]:
        """Every object some index refers to (an index is {path: sha}, or has such a
        map under "files", like the bundle pointers).

        Raises:
            OSError: an index could not be read (then nothing may be collected).
        """
        keep: set[str] = set()
        for index in self.root.glob("*.json"):
            try:
                data = json.loads(index.read_text(encoding="utf-8"))
            except ValueError:  # a damaged index is ignored by its reader too
                continue
            if isinstance(data, dict):
                mapping = data.get("files") if isinstance(data.get("files"), dict) else data
                keep.update(v for v in mapping.values() if isinstance(v, str))
                # picture indexes: {key: {"sha256": …, "width": …, "height": …}}
                keep.update(v["sha256"] for v in mapping.values()
                            if isinstance(v, dict) and isinstance(v.get("sha256"), str))
        return keep

    def collect(self, grace: float = COLLECT_GRACE) -> int:
        """Delete objects no index refers to, and temp files left by an interrupted write,
        once they are ``grace`` seconds old (a bundle being downloaded by another thread
        or process is not referenced yet). Returns how many files were deleted.
        """
        with self._collecting:
            return self._collect(grace)

    def _collect(self, grace: float) -> int:
        removed = 0
        if not self.objects.is_dir():
            return 0
        try:
            keep = self.referenced()
        except OSError as exc:  # an unreadable index might name anything: delete nothing
            log.warning("store: not collecting unused objects (%s)", exc.strerror or exc)
            return 0
        cutoff = time.time() - grace
        candidates = [p for folder in self.objects.iterdir() for p in folder.glob("*")]
        candidates += list(self.root.glob(".*.tmp"))
        for path in candidates:
            if path.name in keep:
                continue
            with contextlib.suppress(OSError):
                if path.stat().st_mtime <= cutoff:
                    path.unlink()
                    removed += 1
        return removed

    def _failed(self, message: str) -> None:
        if message != self.last_error:
            log.error("%s; the screen keeps its content, new versions are not kept across restarts",
                      message)
        self.last_error = message



class MemoryStore(Store):
    """A store in memory, for one-off commands (``signage render``, ``schedule``): pictures
    are normalized into it and drawn from it, and nothing touches the state dir."""

    def __init__(self) -> None:
        super().__init__(Path("<memory>"))
        self._objects: dict[str, bytes] = {}
        self._pointers: dict[str, str] = {}

    def put(self, data: bytes) -> str | None:
        """Keep ``data``; returns its sha256."""
        sha = hashlib.sha256(data).hexdigest()
        self._objects[sha] = data
        return sha

    def has(self, sha: str) -> bool:
        """Whether the object is held."""
        return sha in self._objects

    def get(self, sha: str) -> bytes | None:
        """The object's bytes, if held."""
        return self._objects.get(sha)

    def read_pointer(self, name: str) -> str:
        """A named JSON text (FileNotFoundError when there is none, as on disk)."""
        try:
            return self._pointers[name]
        except KeyError:
            raise FileNotFoundError(name) from None

    def write_pointer(self, name: str, data: bytes) -> None:
        """Replace a named JSON text."""
        self._pointers[name] = data.decode("utf-8")

    def collect(self, grace: float = COLLECT_GRACE) -> int:
        """Nothing is collected in memory (the command ends soon)."""
        return 0

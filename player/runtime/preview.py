"""Staff previews: what the screen will show, as PNG files beside the dropped files.

For every notice from the drop folder (not centrally published ones) the
:class:`PreviewWriter` writes ``DROP/_预览/<栏目>/<文件名>-第N页.png`` (N = 1 …), at
reduced size, so a staff member sees what the player made of a Word file without
walking to the lobby. Rules:

- **off the frame loop**: one thread of its own; it draws only plain surfaces through
  the ``render_page`` function it is given (fonts hold their own lock);
- **throttled**: at most one pass every ``interval`` seconds, whatever the number of
  libraries submitted (only the newest is kept); a pass renders only notices whose
  content changed (by sha256), remembered across restarts in ``_预览/.previews.json``;
  and a pass takes at most :data:`DUTY` of one core: after each notice it rests three
  times the CPU time that notice took (2,000 new notices are previewed over minutes,
  not at the cost of the screen's page preparation);
- **tidy**: previews of notices that left the folder are removed, and folders left
  empty with them; nothing else in the drop folder is touched;
- **no rescan loop**: ``_预览`` is ignored as content (``model/library.py:
  is_ignored``), and an unchanged library writes nothing.

``drop.preview: false`` turns the service off (the caller does not start it).
"""

from __future__ import annotations

import json
import logging
import posixpath
import threading
import time
from collections.abc import Callable
from pathlib import Path

from player.fsutil import atomic_write
from player.model.library import PREVIEW_DIR
from player.model.notice import Library, Notice
from player.render.pg import pygame
from player.render.png import png_bytes

from player.worker import Worker

log = logging.getLogger(__name__)

STATE_NAME = ".previews.json"
#: A notice with more pages gets previews of the first ones only.
MAX_PAGES = 30
#: The share of one core a pass may use (it rests between notices).
DUTY = 0.25

#: Draws page ``index`` of a notice at preview size (a plain surface).
RenderPage = Callable[[Notice, int], "pygame.Surface"]


def preview_name(notice: Notice, page: int) -> str:
    """``<栏目>/<文件名>-第N页.png`` relative to ``_预览`` (N is 1-based)."""
    folder, name = posixpath.split(notice.path)
    stem = posixpath.splitext(name)[0]
    return posixpath.join(folder, f"{stem}-第{page}页.png") if folder else f"{stem}-第{page}页.png"


class PreviewWriter(Worker):
    """Writes and prunes preview PNGs in a background thread."""

    name = "preview-writer"

    def __init__(self, drop_dir: Path, render_page: RenderPage, page_count: Callable[[Notice], int],
                 interval: float = 30.0, clock: Callable[[], float] = time.monotonic,
                 release: Callable[[], None] | None = None) -> None:
        """
        Args:
            drop_dir: the drop folder; previews go to ``drop_dir/_预览``.
            render_page: draws one page of a notice at preview size.
            page_count: how many pages a notice has on the screen.
            interval: the least number of seconds between two passes.
            release: called after each pass that drew anything: the drawing side lets go
                of its layouts and decoded pictures (previews are drawn once).
        """
        super().__init__()
        self.root = drop_dir / PREVIEW_DIR
        self.render_page = render_page
        self.page_count = page_count
        self.interval = interval
        self.clock = clock
        self.release = release
        self.passes = 0
        self.written = 0
        self._library: Library | None = None
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._done: dict[str, tuple[str, int]] = self._load_state()

    def wake(self) -> None:
        """Interrupt the wait (stopping; a pass under way finishes its current file)."""
        self._wake.set()

    def submit(self, library: Library) -> None:
        """A new library: previews follow it at the next pass."""
        self._library = library
        self._idle.clear()
        self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until the newest library submitted has been written (for tests, tools)."""
        return self._idle.wait(timeout)

    # -- the thread ----------------------------------------------------------------------

    def run(self) -> None:
        """A pass after each new library (at most one every ``interval`` seconds)."""
        last = None
        while not self.stopping.is_set():
            self._wake.wait()
            if self.stopping.is_set():
                return
            if last is not None:
                left = self.interval - (self.clock() - last)
                if left > 0 and self.stopping.wait(left):
                    return
            self._wake.clear()
            library = self._library
            if library is None:
                continue
            last = self.clock()
            try:
                self.write(library)
            except Exception:  # noqa: BLE001 - a preview must never take the player down
                log.exception("writing previews failed; will try again at the next change")
            if self._library is library:
                self._idle.set()

    def write(self, library: Library) -> None:
        """One pass: write what changed, remove what is gone (synchronous)."""
        self.passes += 1
        wanted: dict[str, tuple[str, int]] = {}
        keep: set[str] = set()
        drew = False
        for notice in library.notices:
            if notice.source != "drop" or self.stopping.is_set():
                continue
            done = self._done.get(notice.path)
            if done is not None and done[0] == notice.sha256 and all(
                    (self.root / preview_name(notice, n)).exists() for n in range(1, done[1] + 1)):
                wanted[notice.path] = done  # unchanged since its previews were written: no layout
                keep.update(preview_name(notice, n) for n in range(1, done[1] + 1))
                continue
            cpu = time.thread_time()
            pages = min(self.page_count(notice), MAX_PAGES)
            wanted[notice.path] = (notice.sha256, pages)
            keep.update(preview_name(notice, n) for n in range(1, pages + 1))
            for index in range(pages):
                surface = self.render_page(notice, index)
                self._save(surface, self.root / preview_name(notice, index + 1))
            self._done[notice.path] = (notice.sha256, pages)
            drew = True
            self.stopping.wait((time.thread_time() - cpu) * (1 / DUTY - 1))
        if drew and self.release is not None:
            self.release()
        if self.stopping.is_set():
            self._save_state()  # what was written is kept; a pass cut short prunes nothing
            return
        self._done = {k: v for k, v in self._done.items() if k in wanted}
        self._prune(keep)
        self._save_state()

    def _save(self, surface: "pygame.Surface", path: Path) -> None:
        data = png_bytes(surface)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
            self.written += 1
        except OSError as exc:
            log.warning("cannot write preview %s: %s", path, exc.strerror or exc)

    def _prune(self, keep: set[str]) -> None:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*"), reverse=True):
            rel = path.relative_to(self.root).as_posix()
            try:
                if path.is_file() and rel != STATE_NAME and rel not in keep:
                    path.unlink()
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
            except OSError as exc:
                log.warning("cannot remove old preview %s: %s", path, exc.strerror or exc)

    def _load_state(self) -> dict[str, tuple[str, int]]:
        try:
            data = json.loads((self.root / STATE_NAME).read_text(encoding="utf-8"))
            return {str(k): (str(v[0]), int(v[1])) for k, v in data.items()}
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            return {}

    def _save_state(self) -> None:
        if not self._done and not (self.root / STATE_NAME).exists():
            return
        data = json.dumps({k: list(v) for k, v in sorted(self._done.items())}, ensure_ascii=False)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            atomic_write(self.root / STATE_NAME, data.encode("utf-8"))
        except OSError as exc:
            log.warning("cannot write %s: %s", self.root / STATE_NAME, exc.strerror or exc)

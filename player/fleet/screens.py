"""The receiver's memory: the latest report of every screen, in one folder.

Per screen two files, named by :func:`safe_name` (never by the screen name itself):
``<safe>.json`` (the validated report, its arrival time and the screen's name) and
``<safe>.png`` (its latest screenshot, when one was sent). Both are replaced atomically
(:func:`player.fsutil.atomic_write`, without waiting for the disk: every screen sends
its report again within one interval), so a crash leaves the old or the new report; at
start :meth:`ScreenStore.load` reads them back (a file whose name does not match the
screen inside, or that no longer validates, is skipped with a warning). A screen name
like ``../../x`` becomes ``x-<hash>``: nothing is ever written outside the folder.

An accepted report is kept pending; every :data:`FLUSH_EVERY` seconds (and before a
scrape or a screenshot is served, and at stop) the pending reports are written and
rendered in one batch: the request itself only validates (a batch runs with warm
caches, measured at half the CPU of the same work spread over single requests). Each
report's metric families are rendered once, into cached sample lines per family; a
scrape only joins those lines (:meth:`ScreenStore.families`). A report acknowledged
but not yet written is lost in a crash: the screen sends the next one within its interval.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from player.fleet.metrics import exposition, families
from player.fleet.payload import PayloadError, Report, iso_now, parse_report
from player.fsutil import atomic_write

log = logging.getLogger(__name__)

MAX_SCREENS = 20_000
FLUSH_EVERY = 2.0
_UNSAFE = re.compile(r"[^\w-]+")  # \w: letters and digits of any script, and _


def safe_name(screen: str) -> str:
    """A file-name stem for a screen: a readable part and a hash of the whole name."""
    readable = _UNSAFE.sub("_", screen).strip("_")[:40] or "screen"
    return f"{readable}-{hashlib.sha256(screen.encode('utf-8')).hexdigest()[:16]}"


@dataclass(frozen=True)
class Entry:
    """A screen's latest report and its rendered sample lines per family."""

    report: Report
    chunks: dict[bytes, bytes]   # family name -> sample lines
    screenshot: Path | None


class FullError(Exception):
    """The folder already holds :data:`MAX_SCREENS` screens; a new one is refused."""


class ScreenStore:
    """The latest report per screen, on disk and in memory. Thread-safe."""

    def __init__(self, folder: Path, max_screens: int = MAX_SCREENS) -> None:
        self.folder = folder
        self.max_screens = max_screens
        self._entries: dict[str, Entry] = {}
        self._headers: dict[bytes, bytes] = {}   # family name -> its # HELP / # TYPE lines
        self._order: list[bytes] = []            # families in the order first seen
        self._pending: dict[str, Report] = {}   # accepted, not yet written and rendered
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._write_error: str | None = None
        self.write_errors = 0

    def __len__(self) -> int:
        return len(self._entries)

    def load(self) -> int:
        """Read the folder's reports back; returns how many screens were loaded."""
        for path in sorted(self.folder.glob("*.json")):
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
                report = parse_report(stored["report"], float(stored["received_at_unix"]))
            except (OSError, ValueError, KeyError, TypeError, PayloadError) as exc:
                log.warning("skipping %s: %s", path, exc)
                continue
            if safe_name(report.screen) != path.stem:
                log.warning("skipping %s: it holds screen %r, whose file would be another", path, report.screen)
                continue
            shot = path.with_suffix(".png")
            self._remember(report, shot if shot.is_file() else None)
        return len(self._entries)

    def put(self, report: Report) -> None:
        """Accept a report: it is written and rendered by :meth:`flush` (the flusher thread
        every :data:`FLUSH_EVERY` s, a scrape, or :meth:`stop`), in one warm batch.

        Raises:
            FullError: a new screen beyond ``max_screens``.
        """
        with self._lock:
            earlier = self._pending.get(report.screen)
            if earlier is None and report.screen not in self._entries \
                    and len(self._entries) + len(self._pending) >= self.max_screens:
                raise FullError(f"already {self.max_screens} screens")
            if earlier is not None and report.screenshot is None and earlier.screenshot is not None:
                report = dataclasses.replace(report, screenshot=earlier.screenshot)
            self._pending[report.screen] = report

    def flush(self) -> int:
        """Write and render the reports accepted since the last flush; returns how many."""
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, {}
            for report in pending.values():
                self._store(report)
            return len(pending)

    def start(self, every: float = FLUSH_EVERY) -> None:
        """Flush every ``every`` seconds in a background thread."""
        def run() -> None:
            while not self._stop.wait(every):
                self.flush()
        self._thread = threading.Thread(target=run, name="fleet-flush", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and write what is pending."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.flush()

    def _store(self, report: Report) -> None:
        stem = safe_name(report.screen)
        stored = {"screen": report.screen, "received_at": iso_now(report.received_at),
                  "received_at_unix": report.received_at, "report": report.document}
        data = json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        old = self._entries.get(report.screen)
        shot = old.screenshot if old is not None else None
        try:
            if report.screenshot is not None:
                shot = self.folder / f"{stem}.png"
                atomic_write(shot, report.screenshot, durable=False)
            atomic_write(self.folder / f"{stem}.json", data, durable=False)
        except OSError as exc:  # the metrics still show the report; the file is the old one
            message = str(exc.strerror or exc)
            if message != self._write_error:
                log.error("cannot write to %s: %s; reports are kept in memory meanwhile", self.folder, message)
            self._write_error = message
            self.write_errors += 1
        else:
            if self._write_error is not None:
                log.info("writing to %s works again", self.folder)
            self._write_error = None
        self._remember(report, shot)

    def get(self, screen: str) -> Entry | None:
        """The screen's entry, if it ever reported (pending reports flushed first)."""
        self.flush()
        return self._entries.get(screen)

    def entries(self) -> list[tuple[str, Entry]]:
        """All screens, sorted by name (pending reports flushed first)."""
        self.flush()
        with self._lock:
            items = list(self._entries.items())
        items.sort(key=lambda item: item[0])
        return items

    def families(self, entries: list[tuple[str, Entry]]) -> list[bytes]:
        """The per-screen families of these entries as text parts, one header each."""
        out: list[bytes] = []
        with self._lock:
            order = list(self._order)
        for family in order:
            parts = [chunk for _name, entry in entries if (chunk := entry.chunks.get(family)) is not None]
            if parts:
                out.append(self._headers[family])
                out.extend(parts)
        return out

    def _remember(self, report: Report, screenshot: Path | None) -> None:
        text = exposition(families(report.observation, {"screen": report.screen}))
        chunks: dict[bytes, bytes] = {}
        headers: dict[bytes, bytes] = {}
        for block in (b"\n" + text).split(b"\n# HELP ")[1:]:
            name = block[:block.index(b" ")]
            end = block.index(b"\n", block.index(b"\n") + 1) + 1  # after the # TYPE line
            headers[name] = b"# HELP " + block[:end]
            chunks[name] = block[end:] + (b"" if block.endswith(b"\n") else b"\n")
        with self._lock:
            for name, header in headers.items():
                if name not in self._headers:
                    self._headers[name] = header
                    self._order.append(name)
            self._entries[report.screen] = Entry(report, chunks, screenshot)

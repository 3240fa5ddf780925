"""The play log writer and readers: ``STATE_DIR/playlog/YYYY-MM-DD.jsonl`` (docs/playlog.md).

Why it is built this way:

- ``shown()`` and ``gap()`` run on the frame loop's thread, so they only put a line's
  fields into an in-memory buffer under a lock (no hashing there); ``flush()`` (a
  background thread, every ``playlog.flush_minutes``, and at exit) seals them into the
  chain in order, appends them with one ``fsync`` per day file and then rewrites
  ``head.json`` atomically. An SD card sees a few writes an hour; the price is that a
  power cut loses at most ``flush_minutes`` of log, which the report then shows as a gap
  (``player off``).
- A line is sealed once, before its first write, so a failed flush (disk full,
  read-only file system) keeps the sealed lines, in order, and writes them on a later
  flush. The buffer is bounded; dropping lines (sealed first) breaks the chain on
  purpose, so ``--verify`` shows the loss.
- An append that fails half-way is cut back to the file's previous size, and a torn
  last line left by a power cut is cut off on start, so a day file is always whole lines.
- Lines are grouped into day files by their local start date; an interval that crosses
  local midnight is split in two. Every day file describes the notices it mentions
  (``event: notice`` lines), so reports still work after a notice has left the screen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from player.fsutil import atomic_write, fsync_dir
from player.model import playchain, proof
from player.model.alerts import Alert
from player.model.notice import Moment, Notice
from player.runtime.playlogfiles import compress, count_lines, first_line, repair_tail
from player.runtime.playlogread import day_files, read_json

log = logging.getLogger("signage.playlog")

#: Most lines kept in memory while the disk refuses them (~2 weeks of a typical rotation).
MAX_BUFFERED = 10_000
_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$")
_ONE_SECOND = dt.timedelta(seconds=1)


@dataclass
class _Pending:
    seq: int
    file: str
    fields: dict[str, object] | None  # until sealed (then text and hash)
    text: str = ""
    hash: str = ""


class PlayLog:
    """Appends hash-chained display intervals to day files; thread-safe.

    Args:
        folder: ``STATE_DIR/playlog`` (created when missing).
        screen: ``screen.name``, written on every line.
        tz: the configured time zone: day files are local dates.
    """

    def __init__(self, folder: Path, screen: str, tz: ZoneInfo) -> None:
        self.folder = folder
        self.screen = screen
        self.tz = tz
        self._lock = threading.Lock()      # buffer and chain state (frame loop vs writer)
        self._io_lock = threading.Lock()   # one flush or maintain at a time
        self._buffer: list[_Pending] = []
        self._seq = 0
        self._prev = playchain.ZERO
        self._last_day: dt.date | None = None
        self._described: dict[str, set[tuple[str, str]]] = {}
        self._line_counts: dict[str, int] = {}
        self._failure: str | None = None
        self._overflowed = False
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._resume()
        except OSError as exc:  # the player must play on; flush() reports and retries
            log.error("play log: cannot read %s: %s; the log goes on but --verify will show a break "
                      "here; check the state_dir file system", exc.filename or folder, exc.strerror or exc)

    # --- the frame loop's side ---------------------------------------------------------

    def shown(self, notice: Notice, start: dt.datetime, end: dt.datetime) -> None:
        """Record that ``notice`` was on the screen from ``start`` to ``end`` (aware times).

        Cheap (no I/O). Intervals under a second after rounding are ignored; one that
        crosses local midnight becomes two lines. The first time a (notice, sha256)
        appears in a day file, a description line goes before it.
        """
        self._notice_line(notice, start, end, None)

    def viewed(self, notice: Notice, start: dt.datetime, end: dt.datetime) -> None:
        """A resident browsed ``notice`` on a touch kiosk: logged with ``"event":
        "interactive"`` — not evidence of public display, so reports never count it as such."""
        self._notice_line(notice, start, end, proof.INTERACTIVE)

    def _notice_line(self, notice: Notice, start: dt.datetime, end: dt.datetime, event: str | None) -> None:
        description = {"title": notice.title, "kind": notice.meta.kind,
                       "period": self._period(notice.meta.start, notice.meta.end)}
        with self._lock:
            for a, b in self._pieces(start, end):
                name = _file_name(self._target_day(a.date()))
                if name not in self._described:  # a new day file: forget the older days
                    self._described = {k: v for k, v in self._described.items() if k > name}
                seen = self._described.setdefault(name, set())
                if (notice.id, notice.sha256) not in seen:
                    seen.add((notice.id, notice.sha256))
                    self._add(a, {"start": _iso(a), "end": _iso(a), "event": "notice", "notice": notice.id,
                                  "sha256": notice.sha256, **description, "screen": self.screen})
                fields: dict[str, object] = {"start": _iso(a), "end": _iso(b), "notice": notice.id,
                                             "sha256": notice.sha256, "screen": self.screen}
                if event is not None:
                    fields["event"] = event
                self._add(a, fields)

    def gap(self, event: str, start: dt.datetime, end: dt.datetime) -> None:
        """Record a known stretch without a notice: ``screen-off`` (power schedule), ``idle``,
        or ``alert`` (a full-screen emergency alert hid the rotation).

        Raises:
            ValueError: an unknown event.
        """
        if event not in proof.GAP_EVENTS:
            raise ValueError(f"play log gap event must be one of {sorted(proof.GAP_EVENTS)}, got {event!r}")
        with self._lock:
            for a, b in self._pieces(start, end):
                self._add(a, {"start": _iso(a), "end": _iso(b), "notice": None, "sha256": None,
                              "screen": self.screen, "event": event})

    def alert_event(self, kind: str, alert: Alert, wall: dt.datetime, source: str = "district",
                    reason: str | None = None) -> None:
        """Record that an emergency alert started, changed level or ended on this screen.

        One chained line ``{"event": "alert-start|alert-level|alert-end", "start": wall,
        "end": wall, "alert": id, "level", "type", "status", "title", "issuer", "expires",
        "source", "reason", "screen"}`` (``reason`` on ends: expired, cancelled, cleared,
        withdrawn, player stopped). Cheap (no I/O), as :meth:`shown`. The full-screen
        time itself goes in as ``gap("alert", start, end)``. ``signage playlog --alerts``
        reports them (model/alertproof.py).

        Raises:
            ValueError: ``kind`` is not start, level or end.
        """
        if kind not in ("start", "level", "end"):
            raise ValueError(f"alert event kind must be start, level or end, got {kind!r}")
        at = _round(wall.astimezone(self.tz))
        fields: dict[str, object] = {
            "start": _iso(at), "end": _iso(at), "event": proof.ALERT_EVENT_PREFIX + kind, "alert": alert.id,
            "level": alert.level.value, "type": alert.type.value, "status": alert.status.value,
            "title": alert.title, "issuer": alert.issuer, "expires": _iso(alert.expires), "source": source,
            "screen": self.screen}
        if reason is not None:
            fields["reason"] = reason
        with self._lock:
            self._add(at, fields)

    def buffered(self) -> int:
        """Lines waiting for the next flush."""
        with self._lock:
            return len(self._buffer)

    # --- the writer thread's side ------------------------------------------------------

    def flush(self) -> None:
        """Append the buffered lines to their day files (fsync each), then ``head.json``.

        Never raises for an I/O failure: the lines stay buffered (bounded), one error line
        is logged per distinct failure, and the next flush tries again.
        """
        with self._io_lock:
            with self._lock:
                self._seal()
                pending = list(self._buffer)
            if not pending:
                return
            written: _Pending | None = None
            done = 0
            try:
                for name, group in _groups(pending):
                    self._append(name, group)
                    written, done = group[-1], done + len(group)
                    self._line_counts[name] = self._line_counts.get(name, 0) + len(group)
            except OSError as exc:
                self._failed(exc, len(pending) - done)
            if written is None:
                return
            with self._lock:
                self._buffer = [p for p in self._buffer if p.seq > written.seq]
            try:
                head = {"file": written.file, "lines": self._line_counts[written.file], "hash": written.hash}
                atomic_write(self.folder / "head.json", (json.dumps(head) + "\n").encode())
            except OSError as exc:
                self._failed(exc, 0, what="head.json")
                return
            if done == len(pending):
                if self._failure:
                    log.info("play log: writing again after the earlier failure; all buffered lines are written")
                self._failure = None
                self._overflowed = False

    def maintain(self, today: dt.date, retention_days: int) -> None:
        """Delete days older than ``retention_days`` (recording the anchor first), and gzip
        days before yesterday. Days with lines still buffered are left alone. Never raises
        for an I/O failure (logged)."""
        with self._io_lock:
            with self._lock:
                busy = {p.file for p in self._buffer}
            try:
                self._prune(today - dt.timedelta(days=retention_days))
                for path in sorted(self.folder.glob("*.jsonl")):  # also a .jsonl beside its .gz (a crash)
                    match = _DAY_FILE.match(path.name)
                    if (match and match.group(1) < (today - dt.timedelta(days=1)).isoformat()
                            and path.name not in busy):
                        compress(path)
            except OSError as exc:
                log.error("play log: cannot compress or prune %s: %s; old days stay as they are "
                          "until the next daily run; check the state_dir file system",
                          exc.filename or self.folder, exc.strerror or exc)

    # --- internals ---------------------------------------------------------------------

    def _resume(self) -> None:
        """Continue the chain after the newest day file, cutting off a torn last line."""
        files = day_files(self.folder)
        if not files:
            anchor = read_json(self.folder / "anchor.json")
            if anchor and isinstance(anchor.get("prev"), str) and anchor.get("file") is None:
                self._prev = anchor["prev"]
            return
        day, path = files[-1]
        if path.suffix == ".jsonl":
            repair_tail(path)
            raw = path.read_bytes()
        else:
            with gzip.open(path, "rb") as handle:
                raw = handle.read()
        lines = raw.decode("utf-8", errors="replace").splitlines()
        described: set[tuple[str, str]] = set()
        for text in lines:
            with contextlib.suppress(ValueError):
                record = json.loads(text)
                if isinstance(record, dict):
                    self._prev = str(record.get("hash", self._prev))
                    if record.get("event") == "notice":
                        described.add((str(record.get("notice")), str(record.get("sha256"))))
        name = _file_name(day)
        self._described[name] = described
        self._line_counts[name] = len(lines)
        self._last_day = day

    def _pieces(self, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Whole-second local pieces of [start, end), split at local midnights."""
        a, b = _round(start.astimezone(self.tz)), _round(end.astimezone(self.tz))
        while b - a >= _ONE_SECOND:
            midnight = dt.datetime.combine(a.date() + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)
            cut = min(b, midnight)
            if cut - a >= _ONE_SECOND:
                yield a, cut
            a = cut

    def _add(self, at: dt.datetime, fields: dict[str, object]) -> None:
        """Buffer one line, sealed later (caller holds the lock)."""
        day = self._last_day = self._target_day(at.date())
        self._seq += 1
        self._buffer.append(_Pending(self._seq, _file_name(day), fields))
        if len(self._buffer) > MAX_BUFFERED:
            self._seal()  # the dropped lines are in the chain: --verify shows the hole
            dropped = len(self._buffer) - MAX_BUFFERED
            del self._buffer[:dropped]
            if not self._overflowed:
                self._overflowed = True
                log.error("play log: more than %d lines could not be written; dropping the oldest "
                          "(--verify will show the hole); free space in %s", MAX_BUFFERED, self.folder)

    def _seal(self) -> None:
        """Seal the buffered lines not sealed yet into the chain, in order (caller holds
        the lock)."""
        for pending in self._buffer:
            if pending.fields is not None:
                line = playchain.seal(pending.fields, self._prev)
                self._prev = str(line["hash"])
                pending.text, pending.hash, pending.fields = playchain.encode(line), self._prev, None

    def _target_day(self, day: dt.date) -> dt.date:
        """The day file a line of ``day`` goes to: never one before the last line's, so that
        files in date order are the chain in order even when the clock went back."""
        return max(day, self._last_day) if self._last_day else day

    def _period(self, start: Moment | None, end: Moment | None) -> list[str | None] | None:
        if start is None and end is None:
            return None
        return [_iso(_moment(start, self.tz, end_of_day=False)) if start is not None else None,
                _iso(_moment(end, self.tz, end_of_day=True)) if end is not None else None]

    def _append(self, name: str, group: list[_Pending]) -> None:
        """Append whole lines, or nothing: a failed write is cut back to the old size."""
        path = self.folder / name
        data = "".join(p.text for p in group).encode("utf-8")
        fresh = not path.exists()
        with open(path, "ab") as handle:
            size = handle.tell()
            try:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                with contextlib.suppress(OSError):
                    handle.truncate(size)
                exc.filename = exc.filename or str(path)
                raise
        if fresh:
            fsync_dir(self.folder)
        if name not in self._line_counts:
            self._line_counts[name] = count_lines(path) - len(group)

    def _failed(self, exc: OSError, kept: int, what: str = "") -> None:
        key = f"{exc.errno}:{exc.filename}"
        if key == self._failure:
            return
        self._failure = key
        target = what or exc.filename or self.folder
        log.error("play log: cannot write %s: %s; %d line(s) kept in memory and written at the next "
                  "flush; free space on (or remount read-write) the file system of %s",
                  target, exc.strerror or exc, kept, self.folder)

    def _prune(self, oldest_kept: dt.date) -> None:
        files = day_files(self.folder)
        old = [(d, p) for d, p in files if d < oldest_kept]
        if not old:
            return
        kept = [(d, p) for d, p in files if d >= oldest_kept]
        if kept:
            first = first_line(kept[0][1])
            anchor = {"file": _file_name(kept[0][0]), "prev": first.get("prev") if first else None}
        else:
            with self._lock:
                self._seal()
                anchor = {"file": None, "prev": self._prev}
        atomic_write(self.folder / "anchor.json", (json.dumps(anchor) + "\n").encode())
        for _, path in old:  # the anchor first: a crash here leaves extra days, never a hole
            for twin in (path, path.with_name(playchain.day_name(path.name)),
                         path.with_name(playchain.day_name(path.name) + ".gz")):
                with contextlib.suppress(FileNotFoundError):
                    twin.unlink()
        fsync_dir(self.folder)


# --- helpers ---------------------------------------------------------------------------

def _file_name(day: dt.date) -> str:
    return f"{day.isoformat()}.jsonl"


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _round(value: dt.datetime) -> dt.datetime:
    """To the nearest whole second."""
    return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def _moment(value: Moment, tz: ZoneInfo, end_of_day: bool) -> dt.datetime:
    """A notice's start/end as an aware time: a date start is 00:00, a date end 23:59:59."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    return dt.datetime.combine(value, dt.time(23, 59, 59) if end_of_day else dt.time(), tzinfo=tz)


def _groups(pending: list[_Pending]) -> Iterator[tuple[str, list[_Pending]]]:
    group: list[_Pending] = []
    for item in pending:
        if group and item.file != group[-1].file:
            yield group[-1].file, group
            group = []
        group.append(item)
    if group:
        yield group[-1].file, group

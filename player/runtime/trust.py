"""Whether the system clock can be believed, and what time to schedule by.

A Raspberry Pi has no battery-backed clock: after a power cut it may boot at 1970, or at
the last shutdown time, until network time arrives; a bad NTP server or a fat-fingered
``date`` can throw it years ahead. A wrong clock must never blank the screen or show
expired notices as current, so the player keeps a **floor** for the real time: the newest
of this release's date, the latest time it trusted (persisted in
``STATE_DIR/trusted-time.json`` on trust and every 10 minutes while trusted), and the
newest content file's modification time (ignored when it lies more than ``max_jump_days``
after the last trusted time: a staff PC with a wrong clock must not poison the floor).

- A clock **below the floor** is never trusted (a correct clock never is).
- A clock more than ``max_jump_days`` (default 366) **above the last trusted time** (or,
  on a first start, above the floor) is
  not trusted until confirmed: the kernel reports NTP synchronisation (``adjtimex``), or a
  verified bundle sync got an HTTP ``Date`` within five minutes of the local clock —
  switchable with ``clock.confirm_ntp`` and ``clock.confirm_http_date`` (tests switch
  them off). The active bundle's ``created`` time is a floor too.
- While untrusted, the schedule runs on the monotonic clock from the last trusted reading
  of this run (or, if there was none, from ``max(floor, last trusted)``), never below the
  floor; the header shows
  时间同步中 instead of a date; ``status.json`` says ``clock.trusted: false``. Trust
  returns as soon as the clock is plausible again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from player.fsutil import atomic_write
from player.runtime.clock import release_floor

log = logging.getLogger(__name__)

SAVE_EVERY = 600.0
HTTP_DATE_TOLERANCE = 300.0
CONFIRM_EVERY = 10.0
TIME_ERROR = 5  # adjtimex(2): clock not synchronised


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def kernel_ntp_synchronised() -> bool | None:
    """The kernel's view (``adjtimex``): True synchronised, False not, None unknown."""
    libc = _libc()
    if libc is None:
        return None
    try:
        buffer = ctypes.create_string_buffer(512)  # struct timex, modes = 0: read only
        state = libc.adjtimex(buffer)
    except AttributeError:
        return None
    if state < 0:
        return None
    return state != TIME_ERROR


class ClockTrust:
    """Decides, for each reading of the wall clock, what time the schedule should use."""

    def __init__(self, state_dir: Path | None, tz: ZoneInfo, max_jump_days: float = 366,
                 confirm_ntp: bool = True, ntp: Callable[[], bool | None] = kernel_ntp_synchronised,
                 confirm_http_date: bool = True,
                 writer: Callable[[Callable[[], None]], None] | None = None) -> None:
        """Args:
            writer: runs the saving of the trusted time somewhere else (the player hands it
                to its housekeeping thread: :meth:`assess` runs in the frame loop, which
                writes no file); None saves at once, in the caller.
        """
        self.path = state_dir / "trusted-time.json" if state_dir else None
        self.writer = writer
        self.tz = tz
        self.max_jump = dt.timedelta(days=max_jump_days)
        self.confirm_ntp = confirm_ntp
        self.ntp = ntp
        self.last_trusted = self._load()
        self.content_newest: dt.datetime | None = None
        self.bundle_created: dt.datetime | None = None
        self.confirm_http_date = confirm_http_date
        self.server_agrees = False
        self._saved_at: float | None = None
        self._base: tuple[dt.datetime, float] | None = None  # (schedule time, monotonic) while untrusted
        self._anchor: tuple[dt.datetime, float] | None = None  # the last trusted (wall, monotonic)
        self._confirmation: tuple[bool, float] | None = None  # (NTP says synchronised, when asked)
        self.trusted: bool | None = None

    def _load(self) -> dt.datetime | None:
        if self.path is None:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return dt.datetime.fromisoformat(data["trusted_at"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring %s: %s", self.path, exc)
            return None

    def note_content_time(self, newest: dt.datetime | None) -> None:
        """The newest content file's modification time (from the drop-folder scan)."""
        self.content_newest = newest

    def note_bundle_created(self, created: dt.datetime) -> None:
        """The active bundle's ``created`` time: a floor (signed by the publisher)."""
        self.bundle_created = created

    def note_server_date(self, server: dt.datetime, local: dt.datetime) -> None:
        """A verified source's HTTP ``Date`` and the local clock at that moment."""
        self.server_agrees = abs((server - local).total_seconds()) <= HTTP_DATE_TOLERANCE

    def floor(self) -> dt.datetime:
        """The earliest time that can be real."""
        candidates = [release_floor(self.tz)]
        if self.last_trusted is not None:
            candidates.append(self.last_trusted)
        reference = self.last_trusted or release_floor(self.tz)
        for evidence in (self.content_newest, self.bundle_created):
            if evidence is not None and evidence <= reference + self.max_jump:
                candidates.append(evidence)
        return max(candidates)

    def assess(self, now: dt.datetime, mono: float) -> tuple[dt.datetime, bool]:
        """(time to schedule by, trusted?) for a wall-clock reading ``now``."""
        floor = self.floor()
        trusted = now >= floor
        if trusted and now > (self.last_trusted or floor) + self.max_jump:
            trusted = (self.confirm_http_date and self.server_agrees) or (self.confirm_ntp and self._confirmed(mono))
        if trusted != self.trusted:
            if trusted:
                log.info("clock trusted (%s)", now.isoformat(timespec="seconds"))
            else:
                log.warning("clock not trusted: %s is %s; scheduling from %s", now.isoformat(timespec="seconds"),
                            "before the earliest possible time" if now < floor else
                            "more than %d days after the last trusted time" % self.max_jump.days,
                            max(floor, self.last_trusted or floor).isoformat(timespec="seconds"))
            self.trusted = trusted
            self._base = None
        if trusted:
            self._anchor = (now, mono)
            if self._saved_at is None or mono - self._saved_at >= SAVE_EVERY:
                self._save(now, mono)
            return now, True
        if self._base is None:
            # Real time goes on from the last trusted reading of this run, else from the floor.
            self._base = self._anchor or (max(floor, self.last_trusted or floor), mono)
        base, since = self._base
        return max(floor, base + dt.timedelta(seconds=max(0.0, mono - since))), False

    def _confirmed(self, mono: float) -> bool:
        """The NTP confirmation, asked at most every :data:`CONFIRM_EVERY` seconds."""
        if self._confirmation is None or mono - self._confirmation[1] >= CONFIRM_EVERY:
            self._confirmation = (bool(self.ntp()), mono)
        return self._confirmation[0]

    def _save(self, now: dt.datetime, mono: float) -> None:
        self.last_trusted = now
        self._saved_at = mono
        path = self.path
        if path is None:
            return
        data = json.dumps({"trusted_at": now.isoformat()}).encode()

        def write() -> None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(path, data)
            except OSError as exc:
                log.error("cannot save trusted time to %s: %s", path, exc.strerror or exc)
        if self.writer is not None:
            self.writer(write)
        else:
            write()

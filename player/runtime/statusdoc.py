"""Building ``status.json`` and ``_状态.txt`` from snapshots, in the status writer's thread.

Every few seconds (and on every change) the frame loop hands the writer a
:class:`StatusInputs` — the :class:`~player.model.screen.OnScreen` snapshot, what the
compositor shows, frame statistics, page times — all immutable values it already has.
:class:`StatusBuilder` turns them into the two documents in the writer's thread: the
frame loop builds no dictionaries of 2,000 notices and encodes no JSON. The sections of
the services (bundle sync, alerts, power, storage, threads) come from their own status
objects, never from the store or the loop's live state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from player import __version__
from player.config import Config
from player.model.names import REPORT_CHARS, printable
from player.model.notice import Notice
from player.model.problems import Problem
from player.model.screen import OnScreen
from player.render.pagecache import NORMAL
from player.runtime.alerting import alerts_section
from player.runtime.power import power_section
from player.runtime.stats import Summary
from player.runtime.status import Showing, build_status, staff_report
from player.runtime.syncing import bundle_section, sync_section
from player.worker import Health

#: After this many status intervals without a new status.json, ``signage status`` says
#: the player is not running (or hangs).
STALE_INTERVALS = 3


@dataclass(frozen=True)
class StatusInputs:
    """What the frame loop hands the status writer (immutable values only)."""

    snap: OnScreen
    now: dt.datetime                       # the system clock's reading (updated_at)
    showing: Showing
    stats: Summary
    interaction: Mapping
    page_times: Mapping[tuple[str, str, str], tuple[float, ...]] = field(default_factory=dict)
    layout_problems: tuple[Problem, ...] = ()


@dataclass
class StatusBuilder:
    """The services whose status objects go into status.json (read in the writer thread)."""

    config: Config
    sync: object | None = None              # BundleSync
    alerts: object | None = None            # AlertSync
    power: object | None = None             # PowerSwitch
    power_schedule: object = None           # PowerSchedule
    store: object | None = None             # Store
    quarantine: object | None = None        # Quarantine
    playlog: object | None = None           # PlayLog
    health: Callable[[], Sequence[Health]] = tuple
    writer_error: Callable[[], str | None] = lambda: None
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    def storage_faults(self) -> list[tuple[str, str]]:
        """(English, Chinese) lines for the player's own storage: full, read-only, unwritable."""
        faults = []
        for source, text in ((self.store, "保存公告副本"), (self.quarantine, "记录异常文件"),
                             (self.playlog, "写播放记录")):
            error = getattr(source, "last_error", None) if source is not None else None
            if error:
                faults.append((error, f"播放器无法{text}（存储空间已满或不可写）：屏幕照常显示，但重启后可能丢失最新内容，请联系管理员"))
        error = self.writer_error()
        if error:
            faults.append((error, "播放器无法写入状态文件（存储空间已满或不可写）：请联系管理员"))
        return faults

    def build(self, inputs: StatusInputs) -> tuple[dict, str | None]:
        """(status.json document, ``_状态.txt`` text or None while the content is read)."""
        snap, config = inputs.snap, self.config
        tz = config.tz
        problems = tuple(sorted(snap.library.problems + inputs.layout_problems, key=lambda p: (p.path, p.line or 0)))
        library = snap.library
        if inputs.layout_problems:
            library = replace(library, problems=problems)
        status = build_status(inputs.now.astimezone(tz), library, snap.decisions, inputs.showing,
                              inputs.stats.fps, inputs.stats.cpu_ms_p99, snap.trusted)
        status["player"] = {"version": __version__, "started_at": self.started.isoformat(timespec="seconds"),
                            "ready": snap.ready, "status_every": STATUS_EVERY}
        status["bundle"] = bundle_section(self.sync)
        if self.sync is not None:
            status["bundle"]["errors"] = [{"file": p.path, "line": p.line, "error": p.message}
                                          for p in problems if p.path.startswith("bundle:")]
        status["sync"] = sync_section(self.sync, config.sync.interval)
        status["alerts"] = alerts_section(self.alerts, snap.alerts)
        status["power"] = self._power(snap)
        status["interaction"] = dict(inputs.interaction)
        if inputs.showing.kiosk:
            status["showing"] = {"notice": inputs.showing.notice, "page": inputs.showing.page,
                                 "pages": inputs.showing.pages}
        faults = self.storage_faults()
        status["storage"] = {"ok": not faults, "errors": [english for english, _zh in faults]}
        status["quarantine"] = [{"file": printable(v.get("path", ""), REPORT_CHARS), "sha256": k}
                                for k, v in (self.quarantine.entries().items() if self.quarantine else ())]
        status["services"] = [{"name": h.name, "alive": h.alive, "restarts": h.restarts, "last_error": h.last_error}
                              for h in self.health()]
        report = None
        if snap.ready:
            times = inputs.page_times
            report = staff_report(inputs.now, tz, library, snap.decisions, config.screen.name,
                                  page_times=lambda n: _times(times, n), faults=[zh for _e, zh in faults])
        return status, report

    def _power(self, snap: OnScreen) -> dict:
        """``power``: the schedule, the screen as wanted, and ``actual``: what the display
        reported after the power thread's last switch (``PowerSwitch.actual``; null without
        a power schedule, with ``method: command``, or before the first switch)."""
        local = snap.wall.astimezone(self.config.tz)
        section = power_section(self.power_schedule, snap.screen_on, local, getattr(self.power, "last_error", None))
        section["woken_by_alert"] = snap.screen_on and section["scheduled"] == "off"
        section["actual"] = getattr(self.power, "actual", None)
        return section


STATUS_EVERY = 5.0


def _times(times: Mapping[tuple[str, str, str], tuple[float, ...]], notice: Notice) -> tuple[float, ...]:
    return times.get((notice.id, notice.sha256, NORMAL), ())

"""``status.json`` for tools and the Chinese ``_状态.txt`` report for staff.

Both are built here as pure functions of the player's state and written by a
:class:`StatusWriter` thread, so a slow SD card never delays a frame. Writes are atomic
(:func:`player.fsutil.atomic_write`). The report is the only file the player writes
into the drop folder.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from player.fsutil import atomic_write
from player.model.notice import Library, Notice
from player.model.names import REPORT_CHARS, printable
from player.model.schedule import ACTIVE, Decision, countdown_text, days_remaining
from player.model.textdoc import format_date
from player.worker import Worker

log = logging.getLogger(__name__)


def iso(moment: dt.datetime | None) -> str | None:
    """ISO-8601 with offset, seconds precision."""
    return moment.isoformat(timespec="seconds") if moment else None


@dataclass(frozen=True)
class Showing:
    """What is on screen, for the status file (``kiosk``: a resident is browsing)."""

    notice: str | None
    page: int
    pages: int
    kiosk: bool = False


def build_status(now: dt.datetime, library: Library, decisions: Sequence[Decision],
                 showing: Showing, fps: float | None, frame_ms_p99: float | None,
                 trusted: bool) -> dict:
    """The ``status.json`` document (DESIGN.md section 5)."""
    state_names = {"other-screen": "scheduled"}
    notices = []
    for d in decisions:
        notices.append({
            "id": d.notice.id, "title": printable(d.notice.title, REPORT_CHARS), "source": d.notice.source,
            "path": d.notice.path, "sha256": d.notice.sha256,
            "state": state_names.get(d.state, d.state), "reason": d.reason,
            "start": iso(d.start), "end": iso(d.end), "kind": d.notice.meta.kind,
        })
    return {
        "updated_at": iso(now),
        "showing": {"notice": showing.notice, "page": showing.page, "pages": showing.pages},
        "notices": notices,
        "ticker": list(library.ticker),
        "bundle": {"version": None, "verified": False, "activated_at": None},
        "sync": {"last_attempt": None, "last_ok": None, "last_error": None},
        "drop": {"errors": [{"file": p.path, "line": p.line, "error": p.message, "hint": p.hint_zh}
                            for p in library.problems]},
        "render": {"fps": None if fps is None else round(fps, 1),
                   "frame_ms_p99": None if frame_ms_p99 is None else round(frame_ms_p99, 2)},
        "clock": {"trusted": trusted},
    }


def showing_line(decision: Decision, tz: ZoneInfo, page_times: Sequence[float]) -> str:
    """The extra ``_状态.txt`` line of a notice: pages, seconds on screen per cycle and
    from when to when it shows, e.g. ``共 3 页，每轮显示 45 秒，显示时间：2026年11月26日起至2026年12月5日``."""
    pages = len(page_times)
    seconds = round(sum(page_times))
    start = format_date(decision.start.astimezone(tz).date()) if decision.start else None
    last = format_date((decision.end - dt.timedelta(seconds=1)).astimezone(tz).date()) if decision.end else None
    if start and last:
        period = f"{start}起至{last}"
    elif last:
        period = f"即日起至{last}"
    elif start:
        period = f"{start}起，长期显示"
    else:
        period = "长期显示"
    return f"共 {pages} 页，每轮显示 {seconds} 秒，显示时间：{period}"


def staff_report(now: dt.datetime, tz: ZoneInfo, library: Library,
                 decisions: Sequence[Decision], screen_name: str,
                 page_times: Callable[[Notice], Sequence[float]] | None = None,
                 faults: Sequence[str] = ()) -> str:
    """The Chinese report written to ``DROP_DIR/_状态.txt``.

    Titles and paths are data: control characters and bidi overrides are shown escaped
    (a file name cannot add lines to the report) and long titles are cut.

    Args:
        page_times: seconds of each page of a notice on this screen; when given, every
            notice shown or waiting gets a :func:`showing_line` under it.
        faults: Chinese lines about the player's own storage (full, read-only), shown first.
    """
    local = now.astimezone(tz)
    lines = [f"{printable(screen_name, REPORT_CHARS)} 告示屏状态（更新于 {local:%Y-%m-%d %H:%M:%S}）", ""]
    if faults:
        lines.append("【播放器故障】")
        lines += [f"  ！{fault}" for fault in faults]
        lines.append("")
    active = [d for d in decisions if d.state == ACTIVE]
    lines.append(f"【正在显示】共 {len(active)} 条")
    for d in active:
        period = ""
        if d.end is not None:
            last = (d.end - dt.timedelta(seconds=1)).astimezone(tz)
            left = countdown_text(days_remaining(d.notice, now, tz))
            period = f"（显示到 {format_date(last.date())}" + (f"，{left}）" if left else "）")
        lines.append(f"  · {_name(d.notice)}{period}")
        if page_times is not None:
            lines.append(f"      {showing_line(d, tz, page_times(d.notice))}")
    waiting = [d for d in decisions if d.state != ACTIVE]
    if waiting:
        lines += ["", "【未显示】"]
        reasons = {"expired": "已过结束日期", "scheduled": "未到开始时间或不在显示时段",
                   "other-screen": "只在其他显示屏显示"}
        for d in waiting:
            lines.append(f"  · {_name(d.notice)}：{reasons.get(d.state, printable(d.reason, REPORT_CHARS))}")
            if page_times is not None and d.state != "expired":
                lines.append(f"      {showing_line(d, tz, page_times(d.notice))}")
    lines += ["", f"【有问题的文件】共 {len(library.problems)} 个"]
    if library.problems:
        for p in library.problems:
            lines.append(f"  × {printable(p.format_zh(), 4 * REPORT_CHARS)}")
    else:
        lines.append("  无")
    lines += ["", "说明：可以放入 Word（.docx .doc .wps）、PDF、Excel（.xlsx .xls）、文字（.txt）、表格（.csv）和图片（.jpg .png）。",
              "本文件由告示屏自动生成，请勿修改。", ""]
    return "\r\n".join(lines)  # CRLF: Windows Notepad on the share shows it right


def _name(notice: Notice) -> str:
    """A notice in the report: its title and its file, both printable and clipped."""
    return f"{printable(notice.title, REPORT_CHARS)}　[{printable(notice.path, REPORT_CHARS)}]"


class StatusWriter(Worker):
    """Builds and writes the status files in a background thread; only the newest
    request is kept.

    A request is what ``build`` turns into (status document, report text or None); with
    no ``build`` it is that pair already. ``final`` (set by the runtime before stopping)
    is written synchronously at stop, so the last status on disk is the one of the
    moment the player stopped. :attr:`last_status` is the newest document built (the
    heartbeat and the metrics read it: one reference, replaced whole).
    """

    name = "status-writer"

    def __init__(self, status_path: Path, report_path: Path | None,
                 build: Callable[[object], tuple[dict, str | None]] | None = None) -> None:
        super().__init__()
        self.status_path = status_path
        self.report_path = report_path
        self.build = build
        self.last_status: dict = {}
        self.writes = 0
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._last_report: str | None = None
        self._failed: set[str] = set()
        self.final: object | None = None
        self.join_timeout = 5.0
        #: The last failure writing either file (None: both written fine), for status.
        self.last_write_error: str | None = None

    def start(self) -> None:
        """Start the writer thread."""
        try:
            self.status_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._note_failure(self.status_path, exc)
        super().start()

    def submit(self, item: object) -> None:
        """Queue a request, replacing any not yet written."""
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    pass

    def wake(self) -> None:
        """End the wait for the next request (stopping; :attr:`final` is written after)."""
        self.submit(None)

    def stop(self) -> None:
        """Stop the thread and write :attr:`final` (if set) synchronously."""
        super().stop()
        if self.final is not None:
            self._handle(self.final)

    def run(self) -> None:
        """Build and write each request as it comes."""
        while not self.stopping.is_set():
            item = self._queue.get()
            if item is None:
                return
            self._handle(item)

    def _handle(self, item: object) -> None:
        status, report = self.build(item) if self.build is not None else item
        self.last_status = status
        self._write(status, report)
        self.writes += 1

    def _write(self, status: dict, report: str | None) -> None:
        data = json.dumps(status, ensure_ascii=False, indent=1).encode("utf-8", "replace")
        self._attempt(self.status_path, data)
        if report is None or self.report_path is None:
            return
        # Compare without the first (timestamp) line: an unchanged report is not rewritten.
        body = report.split("\n", 1)[-1]
        if body != self._last_report and self._attempt(self.report_path, report.encode("utf-8-sig", "replace")):
            self._last_report = body

    def _attempt(self, path: Path, data: bytes) -> bool:
        try:
            atomic_write(path, data)
        except OSError as exc:
            self._note_failure(path, exc)
            return False
        if str(path) in self._failed:
            log.info("writing %s works again", path)
            self._failed.discard(str(path))
        if not self._failed:
            self.last_write_error = None
        return True

    def _note_failure(self, path: Path, exc: OSError) -> None:
        self.last_write_error = f"cannot write {path}: {exc.strerror or exc}"
        if str(path) not in self._failed:
            log.error("%s; will keep trying", self.last_write_error)
            self._failed.add(str(path))

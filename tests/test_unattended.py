"""Running unattended: systemd notify and watchdog, the screen power schedule, screenshots.

Real subprocesses and sockets where the behaviour crosses a process boundary; the power
schedule runs a real App on a simulated clock with a real command (a script that
records its calls).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import wait_until, CONTENT, ROOT, play_until, run_signage, write_config
from player.config import PowerConfig, load_config
from player.model.power import PowerSchedule
from player.render.fonts import load_fonts
from player.render.pg import pygame
from player.runtime.airtime import Airtime
from player.runtime.app import App
from player.runtime.clock import SimulatedClock, SystemClock, date_files
from player.runtime.display import Screen
from player.runtime.notify import Notifier
from player.runtime.power import PowerSwitch, power_command

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    shutil.copytree(CONTENT, folder, ignore=shutil.ignore_patterns("_状态.txt"))
    return folder


class Listener:
    """A datagram socket read by a thread, like systemd's: messages never pile up."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.messages: list[str] = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while self.running:
            try:
                data = self.sock.recv(65536)
            except (TimeoutError, OSError):
                continue
            with self.lock:
                self.messages.append(data.decode())

    def take(self, until: Callable[[list[str]], bool] | None = None, timeout: float = 5.0) -> list[str]:
        """The messages so far, once ``until`` holds for them; without ``until``, after a
        0.3 s window (for checks that nothing arrives)."""
        if until is None:
            time.sleep(0.3)
        else:
            def arrived() -> bool:
                with self.lock:
                    return until(list(self.messages))
            wait_until(arrived, timeout)
        with self.lock:
            taken, self.messages = self.messages, []
        return taken

    def count(self, message: str) -> int:
        """How many times ``message`` arrived (not taken yet)."""
        with self.lock:
            return sum(m == message for m in self.messages)

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path: Path):
    path = tmp_path / "notify.sock"
    listener = Listener(str(path))
    yield path, listener
    listener.close()


# -- sd_notify -------------------------------------------------------------------------

def test_play_tells_systemd_ready_then_pings_the_watchdog(tmp_path: Path, drop: Path, notify_socket) -> None:
    path, sock = notify_socket
    config = write_config(tmp_path / "cfg", drop)
    result = run_signage("play", "-c", str(config), "--headless", "--for", "8",
                         env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "1000000"})
    assert result.returncode == 0, result.stderr
    messages = sock.take(until=lambda m: "STOPPING=1" in m)
    ready = next(i for i, m in enumerate(messages) if m.startswith("READY=1"))
    pings = [i for i, m in enumerate(messages) if m == "WATCHDOG=1"]
    after = [i for i in pings if i > ready]
    assert len(after) >= 10, messages  # every 0.5 s for ~7 s after the first frame
    statuses = [m for m in messages if m.startswith("STATUS=")]
    assert statuses and any("notices" in m for m in statuses), messages
    assert "STATUS=" in messages[ready]  # the first status rides along with READY
    assert messages[-1] == "STOPPING=1"


def test_without_notify_socket_nothing_is_sent_and_abstract_addresses_work() -> None:
    assert not Notifier({}).enabled
    Notifier({}).ready()  # a no-op, no error
    name = f"signage-test-{os.getpid()}"
    server = Listener("\0" + name)
    try:
        notifier = Notifier({"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "4000000"})
        assert notifier.watchdog_every == 2.0
        notifier.ping(100.0)
        notifier.ping(101.0)  # too soon: not sent
        notifier.ping(102.0)
        notifier.status("a")
        notifier.status("a")  # unchanged: not sent
        assert server.take(until=lambda m: len(m) >= 3) == ["WATCHDOG=1", "WATCHDOG=1", "STATUS=a"]
    finally:
        server.close()
    other_pid = Notifier({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert other_pid.watchdog_every is None  # the watchdog is meant for another process


def test_a_dead_notify_socket_is_logged_once(tmp_path: Path, caplog) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock"), "WATCHDOG_USEC": "2"})
    with caplog.at_level(logging.ERROR):
        for i in range(5):
            notifier.ping(float(i))
    assert len([r for r in caplog.records if "cannot notify systemd" in r.message]) == 1


class HoldingClock(SystemClock):
    """The system clock, except that a test can hold the frame loop in ``sleep``."""

    def __init__(self) -> None:
        self.hold = threading.Event()
        self.held = threading.Event()

    def sleep(self, seconds: float) -> None:
        while self.hold.is_set():
            self.held.set()
            time.sleep(0.01)
        super().sleep(seconds)


def test_a_blocked_frame_loop_stops_the_pings_while_other_threads_go_on(
        tmp_path: Path, drop: Path, notify_socket, monkeypatch) -> None:
    path, sock = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "400000")  # ping every 0.2 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    config = load_config(write_config(tmp_path / "cfg", drop))
    pygame.display.init()
    try:
        clock = HoldingClock()
        app = App(config, Screen.of(pygame.display.set_mode((640, 360)), "dummy", True), load_fonts(), clock)
        runner = threading.Thread(target=app.run, kwargs={"seconds": 30}, daemon=True)
        runner.start()
        assert wait_until(lambda: sock.count("WATCHDOG=1") >= 5, 10)
        assert wait_until(lambda: app.content.ready, 10)  # the first scan is in
        clock.hold.set()
        assert clock.held.wait(5)
        sock.take(until=lambda m: True)  # forget what came before the hold
        (drop / "公示公告" / "新通知.txt").write_text("新通知\n内容。\n", encoding="utf-8")
        # the folder thread takes the new file while the loop is held …
        assert wait_until(lambda: app.content.waiting(), 10)
        during = sock.take()
        assert "WATCHDOG=1" not in during, during  # … and systemd would now restart the player
        clock.hold.clear()
        assert wait_until(lambda: sock.count("WATCHDOG=1") >= 1, 5)  # it recovers when the loop runs again
    finally:
        app.request_stop()
        runner.join(30)
        pygame.display.quit()
    assert not runner.is_alive()


# -- the power schedule -------------------------------------------------------------------

def test_power_schedule_windows_days_and_midnight() -> None:
    office = PowerSchedule(dt.time(7, 30), dt.time(19, 30), frozenset(range(5)))
    friday = dt.datetime(2026, 11, 27, 12, 0)
    assert office.is_on(friday) and not office.is_on(friday.replace(hour=7, minute=29))
    assert office.is_on(friday.replace(hour=7, minute=30)) and not office.is_on(friday.replace(hour=19, minute=30))
    assert not office.is_on(dt.datetime(2026, 11, 28, 12, 0))  # Saturday
    assert office.next_change(friday) == friday.replace(hour=19, minute=30)
    assert office.next_change(friday.replace(hour=20)) == dt.datetime(2026, 11, 30, 7, 30)  # Monday
    night = PowerSchedule(dt.time(20, 0), dt.time(6, 0), frozenset({4}))  # Friday night only
    assert night.is_on(dt.datetime(2026, 11, 27, 23, 0)) and night.is_on(dt.datetime(2026, 11, 28, 5, 59))
    assert not night.is_on(dt.datetime(2026, 11, 28, 6, 0)) and not night.is_on(dt.datetime(2026, 11, 28, 23, 0))
    aware = dt.datetime(2026, 11, 27, 12, 0, tzinfo=TZ)
    assert office.next_change(aware).tzinfo is TZ
    assert PowerSchedule().is_on(friday) and PowerSchedule().next_change(friday) is None


def test_power_commands_for_each_method() -> None:
    assert power_command(PowerConfig(method="vcgencmd"), False) == ("vcgencmd", "display_power", "0")
    assert power_command(PowerConfig(method="wlr-randr", output="HDMI-A-2"), True) == \
        ("wlr-randr", "--output", "HDMI-A-2", "--on")
    assert power_command(PowerConfig(method="cec"), False)[-1] == "--standby"
    assert power_command(PowerConfig(method="command", on_command=("a", "b"), off_command=("c",)), False) == ("c",)


def _recorder(tmp_path: Path, fail: Path | None = None) -> tuple[Path, Path]:
    """A fake display-power command: appends its argument to a file (fails while ``fail`` exists)."""
    calls = tmp_path / "calls.txt"
    script = tmp_path / "screenpower"
    attempts = tmp_path / "attempts.txt"
    check = (f'echo "$1" >> "{attempts}"\n[ -e "{fail}" ] && {{ echo "no display attached" >&2; exit 3; }}\n'
             if fail else "")
    script.write_text(f'#!/bin/sh\n{check}echo "$1" >> "{calls}"\n')
    script.chmod(0o755)
    return script, calls


def test_a_failing_power_command_is_logged_once_per_state_change(tmp_path: Path, caplog) -> None:
    broken = tmp_path / "broken"
    broken.touch()
    script, calls = _recorder(tmp_path, fail=broken)
    switch = PowerSwitch(PowerConfig(method="command", on_command=(str(script), "on"),
                                     off_command=(str(script), "off")), retry_seconds=0.1)
    with caplog.at_level(logging.INFO, logger="player.runtime.power"):
        attempts = tmp_path / "attempts.txt"
        tried = lambda state: attempts.exists() and attempts.read_text().split().count(state)  # noqa: E731
        switch.start()
        switch.want(False)
        assert wait_until(lambda: tried("off") >= 3, 10)  # retried quietly …
        switch.want(True)
        assert wait_until(lambda: tried("on") >= 3, 10)
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 2, [r.message for r in errors]  # one for off, one for on: not one per retry
        assert "cannot switch the screen off" in errors[0].message and "no display attached" in errors[0].message
        assert switch.last_error and switch.state is None
        broken.unlink()  # the screen is plugged in again
        deadline = time.monotonic() + 5
        while switch.state is not True and time.monotonic() < deadline:
            time.sleep(0.05)
        switch.stop()
    assert switch.state is True and switch.last_error is None
    assert calls.read_text().split() == ["on"]
    assert any("after earlier failures" in r.message for r in caplog.records)


class PowerClock(SimulatedClock):
    """Simulated time that waits (in real time) for the power thread to act on a change."""

    app: App | None = None

    def sleep(self, seconds: float) -> None:
        app = self.app
        if app is not None and app.power is not None:
            deadline = time.monotonic() + 5
            while app.power.state is not app.screen_on and time.monotonic() < deadline:
                time.sleep(0.01)
        super().sleep(seconds)


def test_the_screen_goes_dark_by_schedule_and_draws_nothing_meanwhile(tmp_path: Path, drop: Path) -> None:
    script, calls = _recorder(tmp_path)
    extra = (f"power: {{on: '07:30', off: '19:30', method: command, on_command: ['{script}', 'on'], "
             f"off_command: ['{script}', 'off']}}\n")
    config = load_config(write_config(tmp_path / "cfg", drop, extra=extra))
    pygame.display.init()
    try:
        start = dt.datetime(2026, 11, 27, 19, 28, tzinfo=TZ)
        date_files(drop, start)  # copied in before the simulated evening, not today
        clock = PowerClock(start)
        app = App(config, Screen.of(pygame.display.set_mode((640, 360)), "dummy", True), load_fonts(), clock,
                  background=False, stats_keep=None)
        clock.app = app
        app.run(seconds=12 * 3600 + 5 * 60)  # Friday 19:28 .. Saturday 07:33 (no days: every day)
    finally:
        pygame.display.quit()
    assert calls.read_text().split() == ["on", "off", "on"]
    frames = len(app.stats.cpu_ms)
    # 2 minutes before 19:30 and 3 after 07:30 at 10 fps (headless): about 3,000 frames.
    # Twelve dark hours would add 432,000 more; none are drawn.
    assert 2_500 <= frames <= 3_300, frames
    status = json.loads(config.status_path.read_text(encoding="utf-8"))
    assert status["power"]["screen"] == "on" and status["power"]["next_change"].startswith("2026-11-28T19:30")
    entries = [json.loads(line) for day in sorted((config.state_dir / "playlog").glob("*.jsonl"))
               for line in day.read_text(encoding="utf-8").splitlines()]
    dark = [e for e in entries if e.get("event") == "screen-off"]
    # split at midnight into the two day files
    assert [(e["start"][:16], e["end"][:16]) for e in dark] == [
        ("2026-11-27T19:30", "2026-11-28T00:00"), ("2026-11-28T00:00", "2026-11-28T07:30")], dark
    assert any(e.get("sha256") for e in entries if e["start"] >= "2026-11-28T07:30")  # notices again after 07:30


def test_started_in_the_off_hours_it_reports_ready_and_stays_dark(tmp_path: Path, drop: Path, notify_socket) -> None:
    path, sock = notify_socket
    script, calls = _recorder(tmp_path)
    now = dt.datetime.now(TZ)
    on = (now + dt.timedelta(hours=1)).strftime("%H:%M")
    off = (now - dt.timedelta(hours=1)).strftime("%H:%M")  # now is inside the two dark hours
    extra = (f"power: {{on: '{on}', off: '{off}', method: command, on_command: ['{script}', 'on'], "
             f"off_command: ['{script}', 'off']}}\n")
    config = write_config(tmp_path / "cfg", drop, extra=extra)
    result = run_signage("play", "-c", str(config), "--headless", "--for", "3",
                         env={"NOTIFY_SOCKET": str(path)})
    assert result.returncode == 0, result.stderr
    assert "started with the screen off" in result.stderr and "first frame shown" not in result.stderr
    messages = sock.take(until=lambda m: "STOPPING=1" in m)
    ready = [m for m in messages if m.startswith("READY=1")]
    assert len(ready) == 1 and "screen off (power schedule) until" in ready[0], messages
    assert "WATCHDOG=1" not in messages  # no WATCHDOG_USEC given: no pings
    assert calls.read_text().split() == ["off"]
    status = json.loads((tmp_path / "cfg" / "state" / "status.json").read_text(encoding="utf-8"))
    assert status["power"]["screen"] == "off"
    shown = run_signage("status", "-c", str(config))
    assert f"screen:   off (power schedule), next change {status['power']['next_change']}" in shown.stdout


def test_bad_power_config_is_one_line(tmp_path: Path, drop: Path) -> None:
    config = write_config(tmp_path / "cfg", drop, extra="power: {on: '07:30', off: '25:00'}\n")
    result = run_signage("check", "-c", str(config), str(drop))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "power.off" in result.stderr and "07:30" in result.stderr


# -- screenshots ---------------------------------------------------------------------------

def test_sigusr1_saves_the_frame_atomically(tmp_path: Path, drop: Path) -> None:
    config = write_config(tmp_path / "cfg", drop)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    shot = tmp_path / "cfg" / "state" / "screen.png"
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "cfg" / "state" / "status.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not shot.exists()
        proc.send_signal(signal.SIGUSR1)
        while not shot.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert shot.exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    image = pygame.image.load(str(shot))
    assert image.get_size() == (1920, 1080)  # headless draws at the configured or default size
    assert len({image.get_at((x, y))[:3] for x in range(0, 1920, 40) for y in range(0, 1080, 40)}) > 3  # not blank
    assert not [p for p in shot.parent.iterdir() if p.name.endswith(".tmp")]


# -- air time ----------------------------------------------------------------------------------

class Sink:
    def __init__(self) -> None:
        self.lines: list[tuple] = []

    def shown(self, notice, start, end) -> None:
        self.lines.append(("shown", notice.id, start.strftime("%H:%M"), end.strftime("%H:%M")))

    def gap(self, event, start, end) -> None:
        self.lines.append((event, start.strftime("%H:%M"), end.strftime("%H:%M")))


def test_airtime_joins_pages_and_records_gaps(sample_library) -> None:
    a, b = sample_library.notices[:2]
    sink = Sink()
    air = Airtime(sink)
    at = lambda h, m: dt.datetime(2026, 11, 27, h, m, tzinfo=TZ)  # noqa: E731
    air.showing(a, at(9, 0))
    air.showing(a, at(9, 1))  # its next page: the same interval
    air.showing(b, at(9, 2))
    air.showing(None, at(9, 3))
    air.showing(None, at(9, 4))
    air.screen_off(at(9, 5))
    air.screen_off(at(9, 6))
    air.showing(a, at(10, 0))
    air.close(at(10, 1))
    air.close(at(10, 2))
    assert sink.lines == [("shown", a.id, "09:00", "09:02"), ("shown", b.id, "09:02", "09:03"),
                          ("idle", "09:03", "09:05"), ("screen-off", "09:05", "10:00"),
                          ("shown", a.id, "10:00", "10:01")]


# -- the play log of a real run ----------------------------------------------------------------

def test_a_real_runs_play_log_verifies_and_tampering_is_named(tmp_path: Path, drop: Path) -> None:
    config = write_config(tmp_path / "cfg", drop, extra="pages: {min_seconds: 1, max_seconds: 1}\n"
                          "playlog: {flush_minutes: 0.1}\n")  # flushed every 6 s
    folder = tmp_path / "cfg" / "state" / "playlog"

    def entries() -> int:  # notices shown so far, by the log's finished lines
        return sum(1 for day in folder.glob("*.jsonl") for line in day.read_text(encoding="utf-8").splitlines()
                   if '"event"' not in line)
    play_until(config, lambda: entries() >= 3, 60)
    days = sorted(folder.glob("*.jsonl"))
    assert len(days) == 1
    day = days[0]
    lines = day.read_text(encoding="utf-8").splitlines()
    shown = [json.loads(line) for line in lines if '"event"' not in line]
    assert len(shown) >= 3, lines  # one-second pages: several notices
    assert {entry["screen"] for entry in shown} == {"测试街道便民服务中心"}
    assert all(entry["start"] < entry["end"] for entry in shown)
    ok = run_signage("playlog", "--verify", "-c", str(config))
    assert ok.returncode == 0 and ok.stdout.startswith("play log intact"), ok.stdout + ok.stderr
    report = run_signage("playlog", "-c", str(config))
    assert shown[0]["notice"] in report.stdout
    # The sample 任前公示 runs 2026-11-26..12-02: twelve seconds of play cannot cover office
    # hours, so a report that includes its period says so and exits 1.
    assert report.returncode == (1 if "任前公示" in report.stdout and "未覆盖" in report.stdout else 0)

    def verify_after(changed: list[str]) -> str:
        day.write_text("\n".join(changed) + "\n", encoding="utf-8")
        bad = run_signage("playlog", "--verify", "-c", str(config))
        day.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert bad.returncode == 1, bad.stdout
        return bad.stdout

    k = next(i for i, line in enumerate(lines) if '"event"' not in line and 2 <= i < len(lines) - 1)
    edited = lines.copy()
    edited[k] = edited[k].replace(shown[0]["screen"], "别的屏幕") if shown[0]["screen"] in edited[k] else edited[k]
    assert edited[k] != lines[k]
    assert f"{day.name}:{k + 1}:" in verify_after(edited)
    deleted = lines[:k] + lines[k + 1:]
    assert f"{day.name}:{k + 1}:" in verify_after(deleted)  # the line after the hole
    swapped = lines.copy()
    swapped[k], swapped[k + 1] = swapped[k + 1], swapped[k]
    assert f"{day.name}:{k + 1}:" in verify_after(swapped)
    assert run_signage("playlog", "--verify", "-c", str(config)).returncode == 0  # restored: intact again


# -- the heartbeat, from a real player ----------------------------------------------------

def test_a_playing_screen_reports_to_the_intranet_receiver(tmp_path: Path, drop: Path) -> None:
    from test_report import Receiver
    receiver = Receiver()
    try:
        config = write_config(tmp_path / "cfg", drop, extra=(
            f"report: {{url: '{receiver.url}', interval: 10, headers: {{Authorization: Bearer hb-9876543210}}}}\n"))
        _, err = play_until(config, lambda: receiver.received, 40)
    finally:
        receiver.close()
    doc, headers = receiver.received[-1]
    assert doc["screen"] == "测试街道便民服务中心" and headers["Authorization"] == "Bearer hb-9876543210"
    assert doc["clock"] == {"trusted": True} and doc["drop_errors"] == 0
    assert "hb-9876543210" not in err  # masked in the log


def test_a_screenshot_every_n_minutes_without_any_signal(tmp_path: Path, drop: Path) -> None:
    config = load_config(write_config(tmp_path / "cfg", drop, extra="screenshot: {every_minutes: 1}\n"))
    shot = config.state_dir / "screen.png"
    taken = []
    pygame.display.init()
    try:
        clock = SimulatedClock(dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ))
        date_files(drop, clock.now())
        app = App(config, Screen.of(pygame.display.set_mode((640, 360)), "dummy", True), load_fonts(), clock,
                  background=False, report=False)
        original = app.housekeeper.submit
        app.housekeeper.submit = lambda name, job: (taken.append(clock.now()) if name == "screenshot" else None,
                                                    original(name, job))
        app.run(seconds=150)
    finally:
        pygame.display.quit()
    assert [t.strftime("%H:%M") for t in taken] == ["10:01", "10:02"]  # every minute, none at once
    assert pygame.image.load(str(shot)).get_size() == (640, 360)

"""`signage play` end to end: a real subprocess, headless, with real files and status."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import CONTENT, SAMPLE_NOTICES, ROOT, run_signage, wait_until, write_config


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "SIGNAGE_CONFIG", "SDL_VIDEODRIVER"):
        env.pop(key, None)
    return env


def _status(config_dir: Path) -> dict | None:
    try:
        return json.loads((config_dir / "state" / "status.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None



@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    shutil.copytree(CONTENT, folder)
    return folder


def test_headless_run_writes_status_and_staff_report(tmp_path: Path, drop: Path) -> None:
    config = write_config(tmp_path / "cfg", drop)
    result = run_signage("play", "-c", str(config), "--headless", "--for", "3", env=_env())
    assert result.returncode == 0, result.stderr
    assert "running headless" in result.stderr
    assert "first frame shown" in result.stderr
    for noise in ("ALSA", "audio", "Traceback", "Hello from the pygame"):
        assert noise not in result.stderr + result.stdout
    status = _status(tmp_path / "cfg")
    assert status is not None
    assert status["showing"]["notice"].startswith("重要决策/") and status["showing"]["page"] == 1
    states = {n["id"]: n["state"] for n in status["notices"]}
    assert len(states) == SAMPLE_NOTICES
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    expected = "active" if dt.date(2026, 11, 26) <= today <= dt.date(2026, 12, 2) else \
        "expired" if today > dt.date(2026, 12, 2) else "scheduled"
    assert states.pop("公示公告/任前公示") == expected
    assert set(states.values()) == {"active"}  # the other samples have no dates
    assert status["ticker"] and status["drop"]["errors"] == []
    assert set(status) >= {"updated_at", "showing", "notices", "ticker", "bundle", "sync", "drop",
                           "render", "clock"}
    report = (drop / "_状态.txt").read_text(encoding="utf-8-sig")
    assert f"【正在显示】共 {SAMPLE_NOTICES - 1} 条" in report or f"【正在显示】共 {SAMPLE_NOTICES} 条" in report
    assert "马宫街道 2022 年政务公开工作情况报告" in report and "【有问题的文件】共 0 个" in report


def test_without_any_display_it_says_so_once_and_runs_headless(tmp_path: Path, drop: Path) -> None:
    config = write_config(tmp_path / "cfg", drop)
    result = run_signage("play", "-c", str(config), "--for", "2", env=_env())
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("no display available") == 1
    assert _status(tmp_path / "cfg")["showing"]["notice"]


def test_sigterm_quits_cleanly_and_files_dropped_meanwhile_appear(tmp_path: Path, drop: Path) -> None:
    config = write_config(tmp_path / "cfg", drop)
    proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: _status(tmp_path / "cfg"), 15), "no status.json"
        # A new good notice and a bad file, as staff would drop them.
        (drop / "公示公告" / "停水通知.txt").write_text("关于临时停水的通知\n因管网维修，明日停水。\n",
                                                    encoding="gbk")
        (drop / "公示公告" / "会议纪要.pptx").write_bytes(b"PK\x03\x04 not really")

        def updated():
            status = _status(tmp_path / "cfg")
            ids = [n["id"] for n in status["notices"]] if status else []
            errors = [e["file"] for e in status["drop"]["errors"]] if status else []
            return "公示公告/停水通知" in ids and "公示公告/会议纪要.pptx" in errors
        assert wait_until(updated, 10), _status(tmp_path / "cfg")
        report = wait_until(lambda: "会议纪要.pptx" in (drop / "_状态.txt").read_text(encoding="utf-8-sig")
                       and (drop / "_状态.txt").read_text(encoding="utf-8-sig"), 10)
        assert report and "不支持 .pptx" in report and "关于临时停水的通知" in report
        # Removing the bad file clears its error.
        (drop / "公示公告" / "会议纪要.pptx").unlink()
        assert wait_until(lambda: not _status(tmp_path / "cfg")["drop"]["errors"], 10)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err


def test_bad_config_exits_2_before_opening_anything(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "cfg", drop, extra="display: {size: 1920*1080}\n")
    result = run_signage("play", "-c", str(config), "--headless", "--for", "1", env=_env())
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "player.yaml:4: display.size" in result.stderr


def test_a_second_player_on_the_same_state_folder_is_refused(tmp_path: Path, drop: Path) -> None:
    config = write_config(tmp_path / "cfg", drop)
    first = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"],
                             cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: _status(tmp_path / "cfg"), 15), "no status.json"
        second = run_signage("play", "-c", str(config), "--headless", "--for", "5", env=_env())
        assert second.returncode == 2
        assert "another signage player is already running" in second.stderr and f"pid {first.pid}" in second.stderr
        assert second.stderr.strip().count("\n") == 0  # one line
        assert run_signage("status", "-c", str(config)).returncode == 0  # the first one is alive and well
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=15)
    assert run_signage("status", "-c", str(config)).returncode == 1  # and now it is gone


def test_a_state_folder_that_cannot_be_written_is_one_config_line(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "cfg", drop, state=Path("/sys/kernel"))  # read-only even for root
    result = run_signage("play", "-c", str(config), "--headless", "--for", "1", env=_env())
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "player.yaml:3: state_dir:" in result.stderr and "not writable" in result.stderr


def test_the_staff_report_is_right_from_the_first_second_after_a_restart(tmp_path: Path, drop: Path) -> None:
    """The problems known at the last stop stay in _状态.txt until the first scan of the
    new run has ended (never a report saying 共 0 个 for a few seconds)."""
    bad = drop / "公示公告" / "坏设置.txt"
    bad.write_text("---\ntitle: [\n---\n正文\n", encoding="utf-8")
    hour_ago = dt.datetime.now().timestamp() - 3600
    os.utime(bad, (hour_ago, hour_ago))  # dropped a while ago: the first scan takes it
    config = write_config(tmp_path / "cfg", drop)
    first = run_signage("play", "-c", str(config), "--headless", "--for", "3", env=_env())
    assert first.returncode == 0, first.stderr
    report = drop / "_状态.txt"
    assert "坏设置.txt" in report.read_text(encoding="utf-8-sig")
    again = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless",
                              "--for", "4"], cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    seen = []
    try:
        while again.poll() is None:
            seen.append(report.read_text(encoding="utf-8-sig"))
    finally:
        again.communicate(timeout=15)
    assert len(seen) > 10 and all("坏设置.txt" in text and "共 0 个" not in text for text in seen)

"""The signage command: check, schedule, status and --help, through real subprocesses."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT, SAMPLE_NOTICES, ROOT, run_signage, write_config

CONFIG = str(ROOT / "config/player.yaml")


def test_check_sample_content_is_clean() -> None:
    result = run_signage("check", "content")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok: {SAMPLE_NOTICES} notice(s)" in result.stdout


def test_check_reports_one_line_per_problem(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    (drop / "公示公告").mkdir(parents=True)
    (drop / "公示公告" / "好.txt").write_text("标题\n正文。\n", encoding="utf-8")
    (drop / "公示公告" / "坏设置.txt").write_text("---\ntitle: x\nned: 2026-01-01\n---\n正文\n", encoding="utf-8")
    (drop / "报告.docx").write_bytes(b"PK\x03\x04")
    (drop / "乱码.txt").write_text("锟斤拷锟斤拷\n", encoding="utf-8")
    (drop / "坏图.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    (drop / "~$报告.docx").write_bytes(b"lock")  # junk: ignored silently
    result = run_signage("check", str(drop), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4, result.stdout
    assert any(line.startswith(f"{drop}/公示公告/坏设置.txt:3: ") and "'ned'" in line for line in lines)
    assert any(line.startswith(f"{drop}/报告.docx: ") and "damaged" in line for line in lines), lines
    assert any(line.startswith(f"{drop}/乱码.txt:1: ") for line in lines)
    assert any(line.startswith(f"{drop}/坏图.png: ") for line in lines)
    assert "4 problem(s)" in result.stderr


def test_check_single_file_and_truncated_picture(tmp_path: Path) -> None:
    picture = (CONTENT / "民生实事" / "2026年民生实事项目进度.png").read_bytes()
    (tmp_path / "照片.png").write_bytes(picture[: len(picture) // 2])  # header fine, data cut off
    result = run_signage("check", "照片.png", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("照片.png: picture cannot be decoded")
    good = run_signage("check", str(CONTENT / "办事指南" / "城乡居民医保参保登记办事指南.md"), cwd=tmp_path)
    assert good.returncode == 0 and "ok: 1 notice(s)" in good.stdout


def test_check_missing_path() -> None:
    result = run_signage("check", "no/such/folder")
    assert result.returncode == 1 and "no such file or folder" in result.stdout


def test_schedule_lists_rotation_and_reasons(tmp_path: Path) -> None:
    result = run_signage("schedule", "-c", CONFIG, "--at", "2026-12-03T09:00")
    assert result.returncode == 0, result.stderr
    assert "公示公告/任前公示: ended" in result.stdout
    data = json.loads(run_signage("schedule", "-c", CONFIG, "--at", "2026-11-27T09:00", "--json").stdout)
    ids = [row["id"] for row in data["rotation"] if row["state"] == "active"]
    assert ids[0].startswith("重要决策/")  # priority: high comes first
    assert "公示公告/任前公示" in ids and len(ids) == SAMPLE_NOTICES
    assert all(row["pages"] >= 1 and len(row["seconds"]) == row["pages"] for row in data["rotation"])


def test_status_reads_the_status_file(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "cfg", drop)
    missing = run_signage("status", "-c", str(config))
    assert missing.returncode == 1 and "no status file" in missing.stderr
    state = tmp_path / "cfg" / "state"
    state.mkdir()
    (state / "status.json").write_text(json.dumps({
        "updated_at": "2026-11-27T10:00:00+08:00", "showing": {"notice": "a/b", "page": 1, "pages": 2},
        "notices": [{"id": "a/b", "state": "active", "end": None}], "clock": {"trusted": True},
        "drop": {"errors": [{"file": "x.docx", "line": None, "error": "unsupported"}]},
        "render": {"fps": 60.0, "frame_ms_p99": 1.0}}), encoding="utf-8")
    shown = run_signage("status", "-c", str(config))
    assert "a/b page 1/2" in shown.stdout and "x.docx: unsupported" in shown.stdout
    # no player holds the state folder: the status is shown, and said to be a dead one's
    assert shown.returncode == 1 and "the player is not running" in shown.stderr
    raw = run_signage("status", "-c", str(config), "--json")
    assert json.loads(raw.stdout)["showing"]["notice"] == "a/b" and raw.returncode == 1


def test_status_of_a_live_player_then_of_a_hung_one(tmp_path: Path) -> None:
    """A player holds the state folder's lock; a status older than three intervals means
    it hangs (the lock is taken here, as a hung player would hold it)."""
    import fcntl
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "cfg", drop)
    state = tmp_path / "cfg" / "state"
    state.mkdir()
    with open(state / "player.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write("4242\n")
        lock.flush()
        fresh = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        (state / "status.json").write_text(json.dumps({"updated_at": fresh, "showing": {}}), encoding="utf-8")
        assert run_signage("status", "-c", str(config)).returncode == 0
        old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=40)).isoformat(timespec="seconds")
        (state / "status.json").write_text(json.dumps({"updated_at": old, "showing": {}}), encoding="utf-8")
        hung = run_signage("status", "-c", str(config))
        assert hung.returncode == 1 and "not responding" in hung.stderr
        assert "Traceback" not in hung.stderr


def test_status_works_without_the_drop_folder(tmp_path: Path) -> None:
    config = write_config(tmp_path / "cfg", tmp_path / "share-not-mounted")
    state = tmp_path / "cfg" / "state"
    state.mkdir()
    (state / "status.json").write_text(json.dumps({"updated_at": "2026-11-27T10:00:00+08:00"}), encoding="utf-8")
    result = run_signage("status", "-c", str(config))
    assert "config error" not in result.stderr
    assert result.returncode == 1 and "drop folder" in result.stderr and "share-not-mounted" in result.stderr


def test_status_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "cfg", drop)
    state = tmp_path / "cfg" / "state"
    state.mkdir()
    notices = [{"id": f"a/{i}", "state": "active", "end": None} for i in range(3000)]
    (state / "status.json").write_text(json.dumps({"updated_at": "2026-11-27T10:00:00+08:00",
                                                   "notices": notices}), encoding="utf-8")
    result = subprocess.run(f"{sys.executable} -m player status -c {config} --json | head -1", shell=True,
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "{" and "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


@pytest.mark.parametrize("command", ["play", "render", "schedule", "check", "status"])
def test_every_command_has_help(command: str) -> None:
    result = run_signage(command, "--help")
    assert result.returncode == 0 and "usage: signage" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = run_signage("fly")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_config_found_from_current_folder(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "player.yaml").write_text(
        "screen: {name: 某某社区}\ndrop: {dir: ../content}\nstate_dir: ../state\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    result = run_signage("schedule", "--at", "2026-11-27T09:00", cwd=tmp_path / "sub")
    assert result.returncode == 0, result.stderr
    assert "公示公告/任前公示" in result.stdout


@pytest.mark.parametrize("mode", [[], ["--naive"], ["--minimal"]])
def test_bench_prints_the_figures_as_json(mode: list[str]) -> None:
    result = run_signage("bench", "-c", CONFIG, "--seconds", "1.5", "--size", "1280x720",
                         "--page-seconds", "0.5", "--json", *mode)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["mode"] == (mode[0][2:] if mode else "player")
    assert figures["size"] == "1280x720" and figures["driver"] == "dummy"
    for key in ("cpu_ms_mean", "cpu_ms_p50", "cpu_ms_p99", "fps", "interval_ms_p99",
                "cpu_percent_of_one_core", "peak_rss_mb"):
        assert isinstance(figures[key], (int, float)) and figures[key] > 0, key
    assert figures["frames"] >= 10
    assert figures["cpu_ms_p50"] <= figures["cpu_ms_p99"] <= figures["cpu_ms_max"]


def test_schedule_shows_the_cycle_as_played_and_the_next_change() -> None:
    data = json.loads(run_signage("schedule", "-c", CONFIG, "--at", "2026-11-27T10:30", "--json").stdout)
    high = "重要决策/关于实施2026年老旧小区改造项目的决定（示例）"
    assert data["cycle"].count(high) == 2 and data["cycle"][0] == high
    assert data["next_change"] == "2026-12-03T00:00:00+08:00"  # the 任前公示 ends after 2 December
    assert data["urgent_every"] == 60.0 and data["cycle_seconds"] > 600
    text = run_signage("schedule", "-c", CONFIG, "--at", "2026-11-27T10:30").stdout
    assert "next change: 2026-12-03 00:00:00" in text and "one cycle:" in text

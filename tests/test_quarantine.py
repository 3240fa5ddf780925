"""Poison files: a file that took the player down (SIGKILL from the OOM killer, a
segfault in a C library) is quarantined at the next start and not touched again until it
changes; the screen comes up with everything else. Real processes, real signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT, SAMPLE_NOTICES, ROOT, play_until, wait_until, write_config
from player.sources.quarantine import Quarantine

BIG = "巨长公告.txt"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "SIGNAGE_CONFIG", "SDL_VIDEODRIVER"):
        env.pop(key, None)
    return env


def _status_when(state: Path, predicate):
    """status.json, when it satisfies ``predicate``."""
    def status() -> dict | None:
        try:
            doc = json.loads((state / "status.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return doc if predicate(doc) else None
    return status


def _inflight(state: Path) -> str:
    """The paths named by the in-flight journals now."""
    paths = []
    for journal in (state / "quarantine").glob("inflight-*.json"):
        try:
            entry = json.loads(journal.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict):
            paths.append(entry.get("path", ""))
    return "|".join(paths)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_a_file_that_kills_the_player_mid_layout_is_quarantined_at_the_next_start(tmp_path: Path, sig) -> None:
    drop = tmp_path / "drop"
    shutil.copytree(CONTENT, drop)
    # nearly 1 MiB of text: laying it out takes seconds, long enough to be caught in the act
    paragraph = "街道办事处为进一步做好辖区便民服务工作，现将有关事项通知如下，请广大居民相互转告。" * 40
    (drop / "公示公告" / BIG).write_text("一份很长的通知\n" + "\n".join([paragraph] * 200), encoding="utf-8")
    config = write_config(tmp_path / "cfg", drop)
    state = tmp_path / "cfg" / "state"
    proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"], cwd=ROOT,
                            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        caught = wait_until(lambda: BIG in _inflight(state), timeout=60, step=0.005)
        assert caught, "the big file was never seen in flight"
        proc.send_signal(sig)  # dies mid-layout, as under the OOM killer or a segfault
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -sig
    assert BIG in _inflight(state)  # the journal survived the crash
    # The next start quarantines it and shows everything else.
    (state / "status.json").unlink(missing_ok=True)
    status, err = play_until(config, _status_when(state, lambda s: f"公示公告/{BIG}" in {e["file"] for e in s["drop"]["errors"]}
                             and s["showing"]["notice"]))
    assert "quarantined" in err
    errors = {e["file"]: e for e in status["drop"]["errors"]}
    assert "quarantined" in errors[f"公示公告/{BIG}"]["error"] and "已隔离" in errors[f"公示公告/{BIG}"]["hint"]
    assert len(status["notices"]) == SAMPLE_NOTICES, [n["id"] for n in status["notices"]]  # everything else is there
    assert [q["file"] for q in status["quarantine"]] == [f"公示公告/{BIG}"]
    assert "已隔离" in (drop / "_状态.txt").read_text(encoding="utf-8-sig")
    # Staff change the file: it is tried again (and shown, this time without a crash).
    with open(drop / "公示公告" / BIG, "a", encoding="utf-8") as handle:
        handle.write("\n补充说明。\n")
    (state / "status.json").unlink()
    status, _ = play_until(config, _status_when(state, lambda s: "公示公告/巨长公告" in {n["id"] for n in s["notices"]}))
    assert f"公示公告/{BIG}" not in {e["file"] for e in status["drop"]["errors"]}


def test_a_power_cut_is_not_a_crash(tmp_path: Path) -> None:
    """A journal left by an earlier boot (the machine lost power mid-parse) quarantines
    nothing: only a death of the process within this boot does."""
    folder = tmp_path / "quarantine"
    before = Quarantine(folder, boot="boot-1")
    with pytest.raises(SystemExit):
        with before.guard("parse-drop", "公示公告/通知.txt", "a" * 64):
            raise SystemExit  # the process is gone with the journal written
    (folder / "inflight-parse-drop.json").write_text(json.dumps(
        {"path": "公示公告/通知.txt", "sha256": "a" * 64, "role": "parse-drop", "boot": "boot-1"}), encoding="utf-8")
    after_reboot = Quarantine(folder, boot="boot-2")
    assert after_reboot.recover() == [] and not after_reboot.is_quarantined("a" * 64)
    (folder / "inflight-parse-drop.json").write_text(json.dumps(
        {"path": "公示公告/通知.txt", "sha256": "a" * 64, "role": "parse-drop", "boot": "boot-2"}), encoding="utf-8")
    same_boot = Quarantine(folder, boot="boot-2")
    assert [s.path for s in same_boot.recover()] == ["公示公告/通知.txt"]
    assert Quarantine(folder, boot="boot-2").is_quarantined("a" * 64)  # kept across restarts

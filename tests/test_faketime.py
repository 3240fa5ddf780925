"""The real player under a false system clock (libfaketime): 1970 after a power cut
without network time, and 2099 after a bad NTP answer. No blank, nothing expired shown,
clock reported as untrusted."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, write_config

FAKETIME = shutil.which("faketime")
CONTENT_TIME = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _drop(folder: Path) -> Path:
    notices = {
        "测试/有效公告.txt": "---\nstart: 2026-11-20\nend: 2026-12-31\n---\n有效公告\n正在公示期内。\n",
        "测试/过期公告.txt": "---\nend: 2026-11-01\n---\n过期公告\n早已结束。\n",
        "测试/将来公告.txt": "---\nstart: 2027-06-01\n---\n将来公告\n尚未开始。\n",
        "ticker.txt": "测试滚动消息\n",
    }
    for name, text in notices.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (CONTENT_TIME.timestamp(), CONTENT_TIME.timestamp()))  # copied in on 27 November
    return folder


@pytest.mark.skipif(FAKETIME is None, reason="faketime not installed (scripts/setup.sh --test installs it)")
@pytest.mark.parametrize("fake", ["1970-01-01 08:00:00", "2099-06-01 12:00:00"])
def test_a_wrong_system_clock_never_blanks_or_shows_expired_notices(tmp_path: Path, fake: str) -> None:
    drop = _drop(tmp_path / "drop")
    config = write_config(tmp_path / "cfg", drop, extra="clock: {confirm_ntp: false}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    result = subprocess.run([FAKETIME, fake, sys.executable, "-m", "player", "play", "-c", str(config),
                             "--headless", "--for", "3"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "clock not trusted" in result.stderr
    status = json.loads((tmp_path / "cfg" / "state" / "status.json").read_text(encoding="utf-8"))
    assert status["updated_at"].startswith(fake[:4])  # the process really ran under the false clock
    assert status["clock"]["trusted"] is False
    assert status["showing"]["notice"] == "测试/有效公告"  # not blank, and not the expired one
    states = {n["id"]: n["state"] for n in status["notices"]}
    assert states == {"测试/有效公告": "active", "测试/过期公告": "expired", "测试/将来公告": "scheduled"}
    assert status["ticker"] == ["测试滚动消息"]

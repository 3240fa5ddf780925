"""Clock trust: floors, jumps, confirmation, persistence (runtime/trust.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from player.runtime.trust import ClockTrust, kernel_ntp_synchronised

TZ = ZoneInfo("Asia/Shanghai")
RELEASE = dt.datetime(2026, 11, 27, tzinfo=TZ)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_a_correct_clock_is_trusted_and_saved(tmp_path: Path) -> None:
    trust = ClockTrust(tmp_path, TZ, confirm_ntp=False)
    now = at(2026, 12, 1, 9, 30)
    assert trust.assess(now, 100.0) == (now, True)
    saved = json.loads((tmp_path / "trusted-time.json").read_text())
    assert dt.datetime.fromisoformat(saved["trusted_at"]) == now


def test_a_clock_before_the_release_is_never_trusted(tmp_path: Path) -> None:
    trust = ClockTrust(tmp_path, TZ, confirm_ntp=True, ntp=lambda: True)  # even if NTP says so
    when, trusted = trust.assess(dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc), 50.0)
    assert not trusted and when == RELEASE
    # The schedule time moves on with the monotonic clock while untrusted.
    when, trusted = trust.assess(dt.datetime(1970, 1, 1, 0, 0, 30, tzinfo=dt.timezone.utc), 80.0)
    assert not trusted and when == RELEASE + dt.timedelta(seconds=30)
    assert not (tmp_path / "trusted-time.json").exists()


def test_the_persisted_trusted_time_is_a_floor_across_restarts(tmp_path: Path) -> None:
    ClockTrust(tmp_path, TZ, confirm_ntp=False).assess(at(2027, 3, 5, 12, 0), 10.0)
    restarted = ClockTrust(tmp_path, TZ, confirm_ntp=False)
    when, trusted = restarted.assess(at(2027, 3, 1, 8, 0), 5.0)  # fake-hwclock booted a few days back
    assert not trusted and when == at(2027, 3, 5, 12, 0)
    assert restarted.assess(at(2027, 3, 5, 12, 1), 65.0) == (at(2027, 3, 5, 12, 1), True)


def test_a_jump_of_more_than_a_year_needs_confirmation(tmp_path: Path) -> None:
    ntp = {"synchronised": False}
    trust = ClockTrust(tmp_path, TZ, max_jump_days=366, confirm_ntp=True, ntp=lambda: ntp["synchronised"])
    trust.assess(at(2026, 12, 1, 9, 0), 0.0)
    when, trusted = trust.assess(at(2099, 1, 1, 0, 0), 1.0)
    assert not trusted and when == at(2026, 12, 1, 9, 0) + dt.timedelta(seconds=1)
    ntp["synchronised"] = True  # the kernel now says NTP is synchronised …
    assert trust.assess(at(2099, 1, 1, 0, 0, 1), 2.0)[1] is False  # (asked at most every 10 s)
    assert trust.assess(at(2099, 1, 1, 0, 0, 12), 12.0) == (at(2099, 1, 1, 0, 0, 12), True)  # … believe it


def test_confirmation_can_be_switched_off(tmp_path: Path) -> None:
    trust = ClockTrust(tmp_path, TZ, confirm_ntp=False, ntp=lambda: True)
    assert trust.assess(at(2099, 1, 1), 0.0)[1] is False  # first start, far beyond the release


def test_content_times_raise_the_floor_but_cannot_poison_it(tmp_path: Path) -> None:
    trust = ClockTrust(tmp_path, TZ, confirm_ntp=False)
    trust.note_content_time(at(2027, 6, 1, 10, 0))  # a notice copied in while the player was off
    assert trust.floor() == at(2027, 6, 1, 10, 0)
    assert trust.assess(at(2027, 5, 31), 0.0)[1] is False
    trust.note_content_time(at(2031, 1, 1))  # a staff PC whose clock is years ahead
    assert trust.floor() == RELEASE
    assert trust.assess(at(2026, 12, 2), 1.0) == (at(2026, 12, 2), True)


def test_a_damaged_trust_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "trusted-time.json").write_text("{not json")
    trust = ClockTrust(tmp_path, TZ, confirm_ntp=False)
    assert trust.last_trusted is None and trust.floor() == RELEASE


def test_kernel_ntp_status_is_readable() -> None:
    """On Linux with glibc the kernel's NTP state is readable (read-only adjtimex): a bool,
    never None (None is for systems where it cannot be asked)."""
    assert isinstance(kernel_ntp_synchronised(), bool)


def test_system_clock_sleep_survives_a_refused_nanosleep(monkeypatch) -> None:
    import time as time_module

    from player.runtime.clock import SystemClock

    def refuse(_seconds: float) -> None:
        raise OSError(22, "Invalid argument")  # what glibc's clock_nanosleep gave under libfaketime
    monkeypatch.setattr(time_module, "sleep", refuse)
    started = time_module.monotonic()
    SystemClock().sleep(0.05)
    assert time_module.monotonic() - started >= 0.04

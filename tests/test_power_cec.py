"""Screen power over HDMI-CEC with read-back, against a scripted ``cec-ctl`` on PATH.

The fake is a real executable run by the real PowerSwitch thread: it records every call
and plays a TV whose power state lives in a file (``standby``, ``to-on``, ``on``), prints
what cec-ctl prints (``Physical Address``, ``pwr-state: …``), and can be told to ignore
the first wake-up, never wake, or not answer at all."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from conftest import wait_until
from player.config import PowerConfig
from player.runtime.power import PowerSwitch, parse_state, power_command, readback_command

FAKE = r"""#!/bin/sh
dir="$(dirname "$0")"
echo "$*" >> "$dir/calls"
state=$(cat "$dir/state" 2>/dev/null || echo standby)
case "$*" in *--playback*) printf 'Driver Info:\n\tDriver Name                : vc4_hdmi\n\tPhysical Address           : 1.0.0.0\n' ;; esac
case "$*" in
  *--image-view-on*)
    if [ -e "$dir/ignore-once" ]; then rm "$dir/ignore-once"
    elif [ ! -e "$dir/never" ]; then echo to-on > "$dir/state"; fi ;;
  *--standby*) echo standby > "$dir/state" ;;
  *--give-device-power-status*)
    if [ -e "$dir/silent" ]; then echo "Transmit: Timed out" >&2; exit 1; fi
    printf 'Transmit from Playback Device 1 to TV (4 to 0):\nCEC_MSG_GIVE_DEVICE_POWER_STATUS (0x8f)\n'
    printf '    Received from TV (0 to 4):\n\tCEC_MSG_REPORT_POWER_STATUS (0x90):\n\t\tpwr-state: %s (0x00)\n' "$state"
    if [ "$state" = to-on ]; then echo on > "$dir/state"; fi ;;
esac
exit 0
"""


@pytest.fixture
def tv(tmp_path: Path, monkeypatch) -> Path:
    """A folder with the fake ``cec-ctl``, first on PATH; the TV starts in standby."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "cec-ctl"
    script.write_text(FAKE)
    script.chmod(0o755)
    (folder / "state").write_text("standby\n")
    monkeypatch.setenv("PATH", f"{folder}:{__import__('os').environ['PATH']}")
    return folder


def calls(tv: Path) -> list[str]:
    path = tv / "calls"
    return path.read_text().splitlines() if path.exists() else []


def switch_to(switch: PowerSwitch, on: bool) -> None:
    switch.want(on)
    assert wait_until(lambda: switch.state is on, timeout=10), switch.last_error


def test_cec_is_the_default_and_wakes_reads_back_and_sends_to_standby(tv: Path) -> None:
    config = PowerConfig()
    assert config.method == "cec" and config.cec_device == "/dev/cec0"
    switch = PowerSwitch(config, confirm_delay=0.01)
    switch.start()
    try:
        switch_to(switch, True)
        assert switch.actual in ("on", "to-on") and switch.last_error is None
        assert calls(tv) == [
            "-d /dev/cec0 --playback --to 0 --image-view-on",
            "-d /dev/cec0 --to 0 --active-source phys-addr=1.0.0.0",
            "-d /dev/cec0 --to 0 --give-device-power-status",
        ]
        switch_to(switch, False)
        assert switch.actual == "standby" and (tv / "state").read_text().strip() == "standby"
        assert calls(tv)[-2:] == ["-d /dev/cec0 --playback --to 0 --standby",
                                  "-d /dev/cec0 --to 0 --give-device-power-status"]
    finally:
        switch.stop()


def test_a_tv_that_ignores_the_first_wake_up_gets_it_again(tv: Path) -> None:
    (tv / "ignore-once").touch()
    switch = PowerSwitch(PowerConfig(), confirm_delay=0.01)
    switch.start()
    try:
        switch_to(switch, True)
    finally:
        switch.stop()
    sent = [c for c in calls(tv) if c.endswith("--image-view-on")]
    asked = [c for c in calls(tv) if c.endswith("--give-device-power-status")]
    assert len(sent) == 2 and len(asked) == 4 + 1  # four read-backs saw standby, then on
    assert switch.actual in ("on", "to-on") and switch.last_error is None


def test_a_tv_that_never_wakes_is_an_error_logged_once(tv: Path, caplog) -> None:
    (tv / "never").touch()
    switch = PowerSwitch(PowerConfig(), retry_seconds=0.2, confirm_delay=0.01)
    with caplog.at_level(logging.INFO, logger="player.runtime.power"):
        switch.start()
        try:
            switch.want(True)
            assert wait_until(lambda: len([c for c in calls(tv) if c.endswith("--image-view-on")]) >= 4, timeout=10)
            assert switch.state is None and switch.actual == "standby"
            assert switch.last_error == "the display reports standby after --image-view-on (2 tries)"
            (tv / "never").unlink()  # someone fixed the CEC cable
            assert wait_until(lambda: switch.state is True, timeout=10)
        finally:
            switch.stop()
    errors = [r.message for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "cannot switch the screen on: the display reports standby" in errors[0]
    assert any("after earlier failures" in r.message for r in caplog.records)


def test_a_tv_that_does_not_answer_power_status_is_unknown_not_failed(tv: Path) -> None:
    (tv / "silent").touch()
    switch = PowerSwitch(PowerConfig(), confirm_delay=0.01)
    switch.start()
    try:
        switch_to(switch, True)
    finally:
        switch.stop()
    assert switch.actual == "unknown" and switch.last_error is None


def test_an_alert_wakes_a_dark_screen_and_it_goes_back_off(tv: Path) -> None:
    from player.model.alertstate import screen_wanted
    switch = PowerSwitch(PowerConfig(on=None, off=None, cec_device="/dev/cec1"), confirm_delay=0.01)
    switch.start()
    try:
        switch_to(switch, screen_wanted(False, ()))          # night: off by the schedule
        switch_to(switch, True)                              # a red alert arrives: screen_wanted(False, active)
        assert switch.actual in ("on", "to-on")
        switch_to(switch, False)                             # it ended: back to the schedule
    finally:
        switch.stop()
    assert [c.split()[-1] for c in calls(tv) if "--playback" in c] == ["--standby", "--image-view-on", "--standby"]
    assert all(c.startswith("-d /dev/cec1 ") for c in calls(tv))


def test_read_back_parsers_for_each_method() -> None:
    cec = PowerConfig(method="cec")
    assert parse_state(cec, "\t\tpwr-state: to-standby (0x03)\n") == "to-standby"
    assert parse_state(cec, "Transmit: Timed out") is None
    wlr = PowerConfig(method="wlr-randr", output="HDMI-A-2")
    listing = ('HDMI-A-1 "Dell Inc. U2419H"\n  Enabled: yes\n  Modes:\n    1920x1080 px\n'
               'HDMI-A-2 "Samsung TV"\n  Physical size: 930x520 mm\n  Enabled: no\n')
    assert parse_state(wlr, listing) == "off"
    assert parse_state(PowerConfig(method="wlr-randr"), listing) == "on"
    vc = PowerConfig(method="vcgencmd")
    assert parse_state(vc, "display_power=1\n") == "on" and parse_state(vc, "display_power=-1") is None
    assert readback_command(PowerConfig(method="command")) is None
    assert readback_command(vc) == ("vcgencmd", "display_power")
    assert power_command(PowerConfig(), True) == ("cec-ctl", "-d", "/dev/cec0", "--playback", "--to", "0",
                                                  "--image-view-on")

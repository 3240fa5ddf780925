"""Switching the screen on and off with a command, in a background thread, and reading
back what the display really did.

The frame loop decides *when* (``model/power.py``, and ``model/alertstate.screen_wanted``
for alerts that wake a dark screen); this module runs the commands for the configured
``power.method`` without ever blocking a frame. After a switch it asks the display for
its state where the method can (:attr:`PowerSwitch.actual`), re-sends the command when
the display did not follow, and reports failure when it still does not. A failure is
logged once per state change — not every minute — and retried quietly every
``RETRY_SECONDS`` until it works or the desired state changes.

Methods (``power.method``):

- ``cec`` (default): HDMI-CEC with ``cec-ctl`` (v4l-utils) on ``power.cec_device``: on =
  ``--image-view-on`` then ``--active-source`` (the TV switches to our input), off =
  ``--standby``; read back with ``--give-device-power-status`` (``pwr-state: on``,
  ``standby``, ``to-on``, ``to-standby``). Works under the KMS driver of Raspberry Pi
  OS Bookworm, and puts the TV itself in standby (the most power saved).
- ``wlr-randr``: ``wlr-randr --output HDMI-A-1 --on|--off`` (a Wayland desktop;
  monitors without CEC); read back from ``wlr-randr``'s ``Enabled: yes|no``.
- ``vcgencmd``: ``vcgencmd display_power 1|0`` — the legacy firmware display stack
  only (it does nothing under KMS, raspberrypi/bookworm-feedback#63); read back from
  ``display_power=1|0``.
- ``command``: ``power.on_command`` / ``power.off_command`` as given (no read-back).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import re
import subprocess
import time
from collections.abc import Sequence

from player.config import PowerConfig
from player.worker import Worker
from player.model.power import PowerSchedule

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0
COMMAND_TIMEOUT = 20.0
#: Read-backs after a command (a TV takes a few seconds to come out of standby) …
CONFIRM_TRIES = 4
CONFIRM_DELAY = 2.0
#: … and how often the command is sent in all before the switch counts as failed.
SEND_TRIES = 2

ON_STATES = frozenset({"on", "to-on"})
OFF_STATES = frozenset({"standby", "to-standby", "off"})
_PWR_STATE = re.compile(r"pwr-state:\s*([a-z-]+)", re.I)
_PHYS_ADDR = re.compile(r"Physical Address\s*:\s*([0-9a-f]\.[0-9a-f]\.[0-9a-f]\.[0-9a-f])", re.I)


def power_section(schedule: PowerSchedule, screen_on: bool, local: dt.datetime,
                  last_error: str | None) -> dict:
    """``status.json`` → ``power`` at the local time ``local`` (schedule time).

    ``scheduled`` is what the schedule says now (``on`` without a schedule) and ``next_on``
    the next switch-on (null without a schedule): with them the fleet metrics tell a
    screen that is off by its schedule from one that is dead (docs/fleet.md).
    """
    change, next_on = schedule.next_change(local), schedule.next_on(local)
    return {"screen": "on" if screen_on else "off",
            "scheduled": "on" if schedule.is_on(local) else "off",
            "next_change": change.isoformat(timespec="minutes") if change else None,
            "next_on": next_on.isoformat(timespec="minutes") if next_on else None,
            "last_error": last_error}


def power_command(config: PowerConfig, on: bool) -> tuple[str, ...]:
    """The argv that switches the screen ``on`` (True) or off."""
    if config.method == "vcgencmd":
        return ("vcgencmd", "display_power", "1" if on else "0")
    if config.method == "wlr-randr":
        return ("wlr-randr", "--output", config.output, "--on" if on else "--off")
    if config.method == "cec":
        # Register as a playback device, then address the TV (logical address 0).
        return ("cec-ctl", "-d", config.cec_device, "--playback", "--to", "0",
                "--image-view-on" if on else "--standby")
    return config.on_command if on else config.off_command


def readback_command(config: PowerConfig) -> tuple[str, ...] | None:
    """The argv that asks the display for its power state (None: the method cannot)."""
    if config.method == "cec":
        return ("cec-ctl", "-d", config.cec_device, "--to", "0", "--give-device-power-status")
    if config.method == "wlr-randr":
        return ("wlr-randr",)
    if config.method == "vcgencmd":
        return ("vcgencmd", "display_power")
    return None


def parse_state(config: PowerConfig, output: str) -> str | None:
    """The display's state from a read-back's output: ``on``, ``off``, ``standby``,
    ``to-on``, ``to-standby`` (CEC), or None when the output does not say."""
    if config.method == "cec":
        match = _PWR_STATE.search(output)
        return match.group(1).lower() if match else None
    if config.method == "vcgencmd":
        match = re.search(r"display_power=(-?\d)", output)
        return {"1": "on", "0": "off"}.get(match.group(1)) if match else None
    if config.method == "wlr-randr":
        block = re.search(rf"^{re.escape(config.output)}\b.*?(?=^\S|\Z)", output, re.M | re.S)
        enabled = re.search(r"^\s+Enabled:\s*(yes|no)", block.group(0), re.M) if block else None
        return {"yes": "on", "no": "off"}[enabled.group(1)] if enabled else None
    return None


class PowerSwitch(Worker):
    """Runs on/off commands in its own thread; ``want()`` is cheap and never blocks.

    Attributes:
        state: the last state a switch achieved (True on, False off; None: not yet).
        actual: what the display itself last reported (``on``, ``standby``, ``off``,
            ``to-on``, ``to-standby``), ``unknown`` when it did not answer, None when
            the method cannot read back (``command``) or nothing was switched yet. For
            status.json ``power.actual``.
        last_error: the last failure, None after a success.
    """

    def __init__(self, config: PowerConfig, retry_seconds: float = RETRY_SECONDS,
                 confirm_delay: float = CONFIRM_DELAY) -> None:
        super().__init__("screen-power")
        self.config = config
        self.retry_seconds = retry_seconds
        self.confirm_delay = confirm_delay
        self._wanted: queue.Queue[bool] = queue.Queue()
        self.join_timeout = COMMAND_TIMEOUT * 2 + 5
        self.state: bool | None = None
        self.actual: str | None = None
        self.last_error: str | None = None

    def want(self, on: bool) -> None:
        """Ask for a state (called by the frame loop on a change, and once at start)."""
        self._wanted.put(on)

    def wake(self) -> None:
        """Wake the thread (stopping; it checks :attr:`stopping` first)."""
        self._wanted.put(True)

    def run(self) -> None:
        """Switch to the newest wanted state; retry quietly while it fails."""
        wanted: bool | None = None
        logged_for: bool | None = None  # the state whose failure was logged
        retry_at: float | None = None
        while not self.stopping.is_set():
            timeout = None if retry_at is None else max(0.0, retry_at - time.monotonic())
            try:
                wanted = self._latest(self._wanted.get(timeout=timeout))
            except queue.Empty:
                pass  # time to retry
            if self.stopping.is_set() or wanted is None:
                break
            if wanted == self.state and retry_at is None:
                continue
            error = self._switch(wanted)
            if error is None:
                if logged_for is not None:
                    log.info("screen %s (after earlier failures)", "on" if wanted else "off")
                else:
                    log.info("screen %s%s", "on" if wanted else "off",
                             f" (display reports {self.actual})" if self.actual else "")
                self.state, self.last_error, logged_for, retry_at = wanted, None, None, None
            else:
                self.last_error = error
                if logged_for != wanted:
                    log.error("cannot switch the screen %s: %s; retrying every %.0f s (check power.method)",
                              "on" if wanted else "off", error, self.retry_seconds)
                    logged_for = wanted
                retry_at = time.monotonic() + self.retry_seconds

    def _latest(self, value: bool) -> bool:
        """Only the newest request matters."""
        while True:
            try:
                value = self._wanted.get_nowait()
            except queue.Empty:
                return value

    def _switch(self, on: bool) -> str | None:
        """Send the command, read the display's state back, send again if it did not follow."""
        expected = ON_STATES if on else OFF_STATES
        reported: str | None = None
        for _attempt in range(SEND_TRIES):
            output, error = _run(power_command(self.config, on))
            if error is not None:
                return error
            if on and self.config.method == "cec":
                self._active_source(output)
            reported = self._confirm(expected)
            if reported is None or reported in expected:
                return None
            if self.stopping.is_set():
                break
        command = " ".join(power_command(self.config, on)[-1:])
        return f"the display reports {reported} after {command} ({SEND_TRIES} tries)"

    def _active_source(self, output: str) -> None:
        """Make the TV show our input (it may be on another one); a TV that ignores it is fine."""
        match = _PHYS_ADDR.search(output)
        if match is None or match.group(1).lower() == "f.f.f.f":
            return
        _out, error = _run(("cec-ctl", "-d", self.config.cec_device, "--to", "0", "--active-source",
                            f"phys-addr={match.group(1)}"))
        if error is not None:
            log.debug("cec active-source: %s", error)

    def _confirm(self, expected: frozenset[str]) -> str | None:
        """Read the state back until it is ``expected`` (or tries run out); None: no read-back."""
        argv = readback_command(self.config)
        if argv is None:
            self.actual = None
            return None
        reported: str | None = None
        for attempt in range(CONFIRM_TRIES):
            if attempt and self.stopping.wait(self.confirm_delay):
                break
            output, error = _run(argv)
            reported = parse_state(self.config, output) if error is None else None
            self.actual = reported or "unknown"
            if reported is None:  # a TV that does not answer: nothing to confirm with
                return None
            if reported in expected:
                return reported
        return reported


def _run(argv: Sequence[str]) -> tuple[str, str | None]:
    """(stdout, error line or None)."""
    try:
        result = subprocess.run(list(argv), capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    except FileNotFoundError:
        return "", f"{argv[0]} is not installed"
    except subprocess.TimeoutExpired:
        return "", f"{argv[0]} did not finish within {COMMAND_TIMEOUT:.0f} s"
    except OSError as exc:
        return "", f"{argv[0]}: {exc.strerror or exc}"
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        return result.stdout, f"{' '.join(argv)} exited with {result.returncode}" + (f": {detail[-1]}" if detail else "")
    return result.stdout, None

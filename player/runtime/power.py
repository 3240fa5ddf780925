"""Switching the screen on and off with a command, in a background thread.

The frame loop decides *when* (``model/power.py``); this module runs the command for the
configured ``power.method`` without ever blocking a frame. A command that fails is
logged once per state change — not every minute — and retried quietly every
``RETRY_SECONDS`` until it works or the desired state changes.

Methods (``power.method``):

- ``vcgencmd``: ``vcgencmd display_power 1|0`` (Raspberry Pi firmware; legacy display
  stack and Pi 4 HDMI).
- ``wlr-randr``: ``wlr-randr --output HDMI-A-1 --on|--off`` (a Wayland desktop:
  Raspberry Pi OS Bookworm's wayfire/labwc).
- ``cec``: ``cec-ctl`` over HDMI-CEC — the TV itself goes to standby, which is what
  saves the most power on a lobby television.
- ``command``: ``power.on_command`` / ``power.off_command`` as given.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import subprocess
import threading
import time
from collections.abc import Sequence

from player.config import PowerConfig
from player.model.power import PowerSchedule

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0
COMMAND_TIMEOUT = 20.0


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
        return ("cec-ctl", "-d", "/dev/cec0", "--playback", "--to", "0",
                "--image-view-on" if on else "--standby")
    return config.on_command if on else config.off_command


class PowerSwitch:
    """Runs on/off commands in its own thread; ``want()`` is cheap and never blocks."""

    def __init__(self, config: PowerConfig, retry_seconds: float = RETRY_SECONDS) -> None:
        self.config = config
        self.retry_seconds = retry_seconds
        self._wanted: queue.Queue[bool] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="screen-power", daemon=True)
        #: Last state a command achieved (None: not yet), for status.json.
        self.state: bool | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def want(self, on: bool) -> None:
        """Ask for a state (called by the frame loop on a change, and once at start)."""
        self._wanted.put(on)

    def stop(self) -> None:
        """Stop after the running command (if any)."""
        self._stop.set()
        self._wanted.put(True)  # wake the thread; it checks _stop first
        self._thread.join(timeout=COMMAND_TIMEOUT + 5)

    def _run(self) -> None:
        wanted: bool | None = None
        logged_for: bool | None = None  # the state whose failure was logged
        retry_at: float | None = None
        while not self._stop.is_set():
            timeout = None if retry_at is None else max(0.0, retry_at - time.monotonic())
            try:
                wanted = self._latest(self._wanted.get(timeout=timeout))
            except queue.Empty:
                pass  # time to retry
            if self._stop.is_set() or wanted is None:
                break
            if wanted == self.state and retry_at is None:
                continue
            error = self._switch(wanted)
            if error is None:
                if logged_for is not None:
                    log.info("screen %s (after earlier failures)", "on" if wanted else "off")
                else:
                    log.info("screen %s", "on" if wanted else "off")
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
        argv: Sequence[str] = power_command(self.config, on)
        try:
            result = subprocess.run(list(argv), capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
                                    check=False)
        except FileNotFoundError:
            return f"{argv[0]} is not installed"
        except subprocess.TimeoutExpired:
            return f"{argv[0]} did not finish within {COMMAND_TIMEOUT:.0f} s"
        except OSError as exc:
            return f"{argv[0]}: {exc.strerror or exc}"
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            return f"{' '.join(argv)} exited with {result.returncode}" + (f": {detail[-1]}" if detail else "")
        return None

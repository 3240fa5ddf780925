"""Facts about the box for the fleet metrics: start time, restarts, disk, temperature,
throttling (:class:`~player.fleet.observation.HostFacts`).

Read on the metrics and heartbeat threads, never in the frame loop. Each fact that this
machine cannot tell is None, not zero: a PC has no firmware throttling flags, a container
may have no thermal zone. Sources:

- restarts: ``STATE_DIR/starts``, a counter :func:`count_start` raises once per player
  start (one small atomic write per start);
- free and total bytes: ``os.statvfs`` of the state dir (``f_bavail``: what the player,
  not root, may still use);
- CPU temperature: ``/sys/class/thermal/thermal_zone0/temp`` (millidegrees);
- throttling: the Raspberry Pi firmware's ``get_throttled`` bits from sysfs
  (``/sys/devices/platform/soc/soc:firmware/get_throttled``, hex), else from
  ``vcgencmd get_throttled`` (``throttled=0x50005``), asked at most every
  :data:`THROTTLE_EVERY` seconds with a short timeout.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

from player.fleet.observation import HostFacts, decode_throttled
from player.fsutil import atomic_write

log = logging.getLogger(__name__)

STARTS_NAME = "starts"
THERMAL = Path("/sys/class/thermal/thermal_zone0/temp")
THROTTLED_SYSFS = Path("/sys/devices/platform/soc/soc:firmware/get_throttled")
THROTTLE_EVERY = 30.0
VCGENCMD_TIMEOUT = 2.0


def count_start(state_dir: Path) -> int:
    """Record one player start in ``STATE_DIR/starts``; returns the starts so far (>= 1).

    Call once when the player starts. A missing or unreadable counter starts again at 1;
    a failed write is logged and the count still returned.
    """
    path = state_dir / STARTS_NAME
    try:
        before = int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        before = 0
    starts = max(before, 0) + 1
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(path, f"{starts}\n".encode("ascii"))
    except OSError as exc:
        log.warning("cannot record the player start in %s: %s", path, exc.strerror or exc)
    return starts


def parse_throttled(text: str) -> int | None:
    """``throttled=0x50005`` (vcgencmd) or ``50005`` (sysfs, hex) -> the bits."""
    match = re.search(r"(?:0x)?([0-9a-fA-F]+)\s*$", text.strip())
    return int(match.group(1), 16) if match else None


class HostProbe:
    """Collects :class:`HostFacts`; thread-safe, cheap to call every few seconds."""

    def __init__(self, state_dir: Path, starts: int | None = None, started: float | None = None,
                 thermal: Path = THERMAL, throttled_sysfs: Path = THROTTLED_SYSFS,
                 vcgencmd: str | None = "vcgencmd") -> None:
        """Args:
            state_dir: whose file system's free space counts.
            starts: what :func:`count_start` returned (None: restarts unknown).
            started: the process start (Unix seconds; default: now).
            thermal, throttled_sysfs, vcgencmd: where to look (tests point elsewhere;
                ``vcgencmd`` None: never run it).
        """
        self.state_dir = state_dir
        self.restarts = None if starts is None else max(starts - 1, 0)
        self.started = time.time() if started is None else started
        self.thermal = thermal
        self.throttled_sysfs = throttled_sysfs
        self.vcgencmd = shutil.which(vcgencmd) if vcgencmd else None
        self._lock = threading.Lock()
        self._throttle: tuple[float, int | None] | None = None  # (when read, bits)

    def facts(self) -> HostFacts:
        """The facts now."""
        free = size = None
        try:
            vfs = os.statvfs(self.state_dir)
            free, size = vfs.f_bavail * vfs.f_frsize, vfs.f_blocks * vfs.f_frsize
        except OSError:
            pass
        bits = self._throttle_bits()
        now, since = decode_throttled(bits) if bits is not None else (None, None)
        return HostFacts(start_time=self.started, restarts=self.restarts, state_free_bytes=free,
                         state_size_bytes=size, cpu_temperature_celsius=self._temperature(),
                         throttled=now, throttled_since_boot=since)

    def _temperature(self) -> float | None:
        try:
            return int(self.thermal.read_text(encoding="ascii").strip()) / 1000.0
        except (OSError, ValueError):
            return None

    def _throttle_bits(self) -> int | None:
        with self._lock:
            if self._throttle is not None and time.monotonic() - self._throttle[0] < THROTTLE_EVERY:
                return self._throttle[1]
            bits = self._read_throttle()
            self._throttle = (time.monotonic(), bits)
            return bits

    def _read_throttle(self) -> int | None:
        try:
            return parse_throttled(self.throttled_sysfs.read_text(encoding="ascii"))
        except (OSError, ValueError):
            pass
        if self.vcgencmd is None:
            return None
        try:
            done = subprocess.run([self.vcgencmd, "get_throttled"], capture_output=True, text=True,
                                  timeout=VCGENCMD_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return parse_throttled(done.stdout) if done.returncode == 0 and "throttled=" in done.stdout else None

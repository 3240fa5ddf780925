"""The optional heartbeat: a small JSON POSTed to an intranet endpoint (``report.url``).

Off unless ``report.url`` is set; then, and only then, the player sends — to that URL
and nowhere else — a subset of its ``status.json`` every ``report.interval`` seconds
±20 % (so a fleet's reports do not arrive in lockstep): screen name, player version,
bundle version, last sync, drop errors, frame rate, clock trust and screen power, plus
the latest screenshot as base64 when ``report.screenshot`` is true, and a flat ``health``
object (player/fleet/payload.py: what ``signage fleet receive`` turns into Prometheus
metrics, host facts included when a probe is given; no notice text). No telemetry goes
anywhere else. TLS certificates are always verified (``sync.ca_bundle``'s CA can be given
as ``ca_bundle``); ``report.headers`` (e.g. a bearer token) are sent and never logged. A
failure is logged once per distinct error, and a recovery once. docs/fleet.md has the
payload and a minimal receiver.

Wiring (App): ``Heartbeat(config.report, status, screenshot_path, screen=config.screen.name,
host=host_probe.facts)`` where ``status`` returns the current status.json dict; ``start()`` with the other
threads, ``stop()`` on the way out. With ``report.url`` null both do nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import random
import re
from collections.abc import Callable
from pathlib import Path

import requests

from player import __version__
from player.config import ReportConfig
from player.fleet.observation import HostFacts, from_status
from player.fleet.payload import health_section
from player.jitter import jittered
from player.logmask import mask_url
from player.sources.deadline import DeadlineSession, deadline
from player.sources.fetch import clipped
from player.worker import Worker

log = logging.getLogger(__name__)

TIMEOUT = 10.0
DEADLINE = 30.0  # the whole POST, answer included: a trickling receiver cannot hold the thread
MAX_SCREENSHOT = 8 * 1024 * 1024  # a bigger file is left out of the report


def payload(status: dict, screen: str, screenshot: bytes | None = None,
            now: dt.datetime | None = None, interval: float | None = None,
            host: HostFacts | None = None) -> dict:
    """The heartbeat document: a subset of status.json and its ``health`` (docs/fleet.md).

    Args:
        status: the status.json document.
        screen: ``screen.name``.
        screenshot: PNG bytes to include, if any.
        now: the sending time (default: the system clock).
        interval: ``report.interval`` (the receiver's "silent" is three of them).
        host: facts of the box (runtime/host.py), if collected.
    """
    bundle = status.get("bundle") or {}
    sync = status.get("sync") or {}
    drop = status.get("drop") or {}
    render = status.get("render") or {}
    clock = status.get("clock") or {}
    power = status.get("power") or {}
    doc = {
        "screen": screen,
        "player_version": __version__,
        "sent_at": (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
        "status_updated_at": status.get("updated_at"),
        "showing": (status.get("showing") or {}).get("notice"),
        "bundle": {"version": bundle.get("version"), "verified": bundle.get("verified"),
                   "stale": bundle.get("stale"), "refused": bundle.get("refused")},
        "sync": {"last_ok": sync.get("last_ok"), "last_error": sync.get("last_error")},
        "drop_errors": len(drop.get("errors") or []),
        "render": {"fps": render.get("fps")},
        "clock": {"trusted": clock.get("trusted")},
        "power": {"screen": power.get("screen")},
        "health": health_section(from_status(status, host or HostFacts(), interval)),
    }
    if screenshot is not None:
        doc["screenshot_png_base64"] = base64.b64encode(screenshot).decode("ascii")
    return doc


class Heartbeat(Worker):
    """POSTs :func:`payload` to ``report.url`` from a background thread."""

    name = "heartbeat"

    def __init__(self, config: ReportConfig, status: Callable[[], dict], screenshot: Path | None,
                 screen: str = "", ca_bundle: Path | None = None, rng: random.Random | None = None,
                 host: Callable[[], HostFacts] | None = None) -> None:
        super().__init__()
        self.config = config
        self.host = host
        self.status = status
        self.screenshot = screenshot
        self.screen = screen
        self.rng = rng or random.Random()
        self.sent = 0
        self.last_error: str | None = None
        self._session: requests.Session | None = None
        self._ca_bundle = ca_bundle
        self.join_timeout = DEADLINE + 5

    @property
    def enabled(self) -> bool:
        """True when ``report.url`` is set."""
        return bool(self.config.url)

    def start(self) -> None:
        """Start the thread (nothing happens when ``report.url`` is null)."""
        if not self.enabled:
            return
        super().start()
        log.info("heartbeat to %s every %g s", mask_url(self.config.url), self.config.interval)

    def stop(self) -> None:
        """Stop after the request in flight (at most the deadline)."""
        super().stop()
        if self._session is not None:
            self._session.close()
            self._session = None

    def next_wait(self) -> float:
        """The interval ±20 %."""
        return jittered(self.config.interval, self.rng)

    def send_once(self) -> bool:
        """Build and POST one report; True when the receiver answered 2xx."""
        if not self.enabled:
            return False
        try:
            doc = payload(self.status(), self.screen, self._read_screenshot(), interval=self.config.interval,
                          host=self.host() if self.host is not None else None)
            with deadline(DEADLINE) as guard:
                try:
                    reply = self._get_session().post(self.config.url, json=doc, timeout=TIMEOUT)
                except requests.RequestException:
                    if guard.fired:
                        raise _Failed(f"no answer within {DEADLINE:g} s, cut off") from None
                    raise
            if not 200 <= reply.status_code < 300:
                raise _Failed(f"HTTP {reply.status_code}")
        except (requests.RequestException, _Failed) as exc:
            self._failed(str(exc) if isinstance(exc, _Failed) else _short(exc, self.config.url))
            return False
        if self.last_error is not None:
            log.info("heartbeat: %s reached again", mask_url(self.config.url))
        self.last_error = None
        self.sent += 1
        return True

    def _get_session(self) -> requests.Session:
        """One keep-alive session (headers, User-Agent, TLS verification), closed by stop()."""
        if self._session is None:
            self._session = DeadlineSession()
            self._session.headers.update({"User-Agent": f"signage-player/{__version__}",
                                          **dict(self.config.headers)})
            self._session.verify = str(self._ca_bundle) if self._ca_bundle else True
        return self._session

    def run(self) -> None:
        """A report every interval ±20 %."""
        wait = self.rng.uniform(0, min(self.config.interval, 30.0))  # a fleet does not start in lockstep
        while not self.stopping.wait(wait):
            self.send_once()
            wait = self.next_wait()

    def _read_screenshot(self) -> bytes | None:
        if not self.config.screenshot or self.screenshot is None:
            return None
        try:
            if self.screenshot.stat().st_size > MAX_SCREENSHOT:
                return None
            return self.screenshot.read_bytes()
        except OSError:
            return None  # none taken yet

    def _failed(self, message: str) -> None:
        if message != self.last_error:
            log.warning("heartbeat to %s failed: %s (logged once until it changes)",
                        mask_url(self.config.url), message)
        self.last_error = message


class _Failed(Exception):
    """The receiver answered, but not with 2xx."""


def _short(exc: Exception, url: str) -> str:
    """One line, the same for the same error (object addresses dropped), no URL password."""
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", str(exc)).replace(url, mask_url(url) or "")
    return f"{type(exc).__name__}: {clipped(text)}"

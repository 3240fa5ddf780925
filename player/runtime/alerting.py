"""Wiring the alert channel into the player: construction and the status section.

The runtime owns one :class:`~player.sources.alerts.AlertSync` when the config has an
alert URL (``alerts.url``, else ``sync.url``), started and stopped with the other
services. Its ``on_alerts`` callback runs on the sync thread: it must only hand the
snapshot to the frame loop (a queue), which then asks
:func:`player.model.alertstate.active_alerts` at each change. docs/alerts.md.

The frame loop's part, in order (``snapshots`` = [district snapshot, local snapshot]):

1. ``active = active_alerts(snapshots, config.screen.tags, AlertClock(schedule_wall,
   trusted, time.monotonic()))`` when a snapshot arrives, the staff files change, or
   ``next_change(active)`` seconds have passed;
2. ``for e in alert_events(previous_active, active, snapshots): playlog.alert_event(
   e.kind.value, e.alert, wall, e.source, e.reason)``; at stop ``stop_events(active)``;
   full-screen time as ``playlog.gap("alert", start, end)``;
3. ``power.want(screen_wanted(schedule_on, active))`` when that value changes;
4. draw ``full_screen(active)[0]`` with ``layout.alert.alert_pages`` over the screen,
   else ``bands(active)[0]`` with ``alert_band`` above the ticker;
5. ``status["alerts"] = alerts_section(alert_sync, active)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from player import __version__
from player.config import Config
from player.model.alertstate import ActiveAlert, AlertSnapshot
from player.sources.alerts import AlertSync
from player.sources.bundle import load_public_key
from player.sources.fetch import Fetcher

#: The alert channel's requests end within this many seconds whatever the server does
#: (at most the interval: a stuck request must not delay the next alert).
MAX_DEADLINE = 10.0


def make_alert_sync(config: Config, now: Callable[[], dt.datetime],
                    on_alerts: Callable[[AlertSnapshot], None] | None = None) -> AlertSync | None:
    """The alert channel for this config, or None when no URL is configured.

    Raises:
        OSError, KeyFileError: the public key file cannot be read.
    """
    url = config.alerts_url
    if not url:
        return None
    interval = config.alerts.interval
    deadline = min(MAX_DEADLINE, interval, config.sync.deadline)
    fetcher = Fetcher(dict(config.sync.headers), config.sync.ca_bundle, min(config.sync.timeout, deadline),
                      deadline, f"signage-player/{__version__}")
    key = load_public_key(config.alerts_key) if config.alerts_key else None
    return AlertSync(url, fetcher, key, config.state_dir / "alerts", now, interval, on_alerts,
                     allow_unsigned=config.sync.allow_unsigned and key is None)


def alerts_section(sync: AlertSync | None, active: Sequence[ActiveAlert]) -> dict:
    """``status.json`` → ``alerts`` (DESIGN.md section 8).

    Args:
        sync: the channel (None: not configured; local staff alerts may still be active).
        active: what :func:`~player.model.alertstate.active_alerts` returned for this screen now.
    """
    section: dict = {
        "active": [{"id": a.alert.id, "level": a.alert.level.value, "type": a.alert.type.value,
                    "status": a.alert.status.value, "drill": a.alert.drill, "title": a.alert.title,
                    "source": a.source, "full_screen": a.full_screen,
                    "until": a.until.isoformat(timespec="seconds")} for a in active],
        "url": None, "sequence": None, "last_attempt": None, "last_ok": None, "last_error": None, "refused": None,
    }
    if sync is not None:
        status = sync.status
        section.update(url=status.url, sequence=status.sequence, accepted_at=status.accepted_at,
                       last_attempt=status.last_attempt, last_ok=status.last_ok, last_error=status.last_error,
                       refused=status.refused)
    return section

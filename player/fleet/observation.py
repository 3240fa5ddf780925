"""What the fleet metrics are made of: a status document read into typed facts.

:func:`from_status` reads a ``status.json`` document (the dict the player builds every
5 s) plus the :class:`HostFacts` of the box into an :class:`Observation`. Every field may
be None: a section the document lacks (an older player, ``signage sync --once``'s
partial status, a box that is not a Raspberry Pi) leaves its metric out — absent, never
zero. Timestamps are Unix seconds (floats); durations are seconds.

Which status field feeds which fact (docs/fleet.md has the same table for operators):

==========================  =====================================================
fact                        status.json
==========================  =====================================================
updated_at                  ``updated_at``
bundle_version              ``bundle.version``
bundle_source_version       ``bundle.source_version`` (newest version the source served)
bundle_behind_since         ``bundle.behind_since`` (since when the source is ahead)
bundle_stale / _refused     ``bundle.stale`` / ``bundle.refused`` is not null
sync_last_success           ``sync.last_ok``
sync_interval               ``sync.interval``
sync_error                  ``sync.last_error`` is not null (only when ``sync.url`` is set)
drop_problems               ``drop.errors`` without the ``bundle:`` ones
clock_trusted               ``clock.trusted``
fps / frame_cpu_p99         ``render.fps`` / ``render.frame_ms_p99`` / 1000
screen_on                   ``power.screen == "on"``
power_scheduled_on          ``power.scheduled`` (else ``power.screen``: the player follows
                            its schedule)
power_next_change           ``power.next_change``
power_next_on               ``power.next_on`` (else ``next_change`` while scheduled off)
notices_showing             ``notices[]`` with ``state == "active"``
gongshi_showing             those with ``kind == "公示"`` (None when no entry has ``kind``)
==========================  =====================================================

Nothing here reads a clock or a file; notice titles and ids are never copied.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from player import __version__
from player.model.notice import is_publicity_kind

#: ``drop.errors`` entries of centrally published files carry this prefix (model/library.py).
BUNDLE_PREFIX = "bundle:"
#: Raspberry Pi firmware throttling bits (``vcgencmd get_throttled``): bit -> flag name;
#: the same flags 16 bits higher mean "has occurred since boot".
THROTTLE_FLAGS: dict[int, str] = {0: "under_voltage", 1: "arm_frequency_capped", 2: "throttled",
                                  3: "soft_temperature_limit"}


@dataclass(frozen=True)
class HostFacts:
    """Facts about the box and the player process, collected by ``runtime/host.py``.

    Attributes:
        start_time: when the player process started (Unix seconds).
        restarts: player starts recorded in the state dir, minus the first.
        state_free_bytes / state_size_bytes: of the file system holding the state dir.
        cpu_temperature_celsius: the SoC's temperature (thermal zone 0).
        throttled / throttled_since_boot: the active firmware throttling flags (names of
            :data:`THROTTLE_FLAGS`); None where the firmware does not say (not a Pi).
    """

    start_time: float | None = None
    restarts: int | None = None
    state_free_bytes: int | None = None
    state_size_bytes: int | None = None
    cpu_temperature_celsius: float | None = None
    throttled: frozenset[str] | None = None
    throttled_since_boot: frozenset[str] | None = None


@dataclass(frozen=True)
class Observation:
    """One screen's health at one moment, the input of every metric."""

    version: str | None = None
    updated_at: float | None = None
    report_interval: float | None = None
    bundle_version: int | None = None
    bundle_source_version: int | None = None
    bundle_behind_since: float | None = None
    bundle_stale: bool | None = None
    bundle_refused: bool | None = None
    sync_last_success: float | None = None
    sync_interval: float | None = None
    sync_error: bool | None = None
    drop_problems: int | None = None
    clock_trusted: bool | None = None
    fps: float | None = None
    frame_cpu_p99_seconds: float | None = None
    screen_on: bool | None = None
    power_scheduled_on: bool | None = None
    power_next_change: float | None = None
    power_next_on: float | None = None
    notices_showing: int | None = None
    gongshi_showing: int | None = None
    host: HostFacts = field(default_factory=HostFacts)


def timestamp(value: object) -> float | None:
    """An ISO-8601 time with an offset -> Unix seconds (None for anything else)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _section(status: Mapping, key: str) -> Mapping:
    value = status.get(key)
    return value if isinstance(value, Mapping) else {}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _on_off(value: object) -> bool | None:
    return {"on": True, "off": False}.get(value) if isinstance(value, str) else None


def from_status(status: Mapping, host: HostFacts = HostFacts(), report_interval: float | None = None,
                version: str | None = __version__) -> Observation:
    """Read a status.json document (see the module table).

    Args:
        status: the document; missing or malformed parts leave their facts None.
        host: facts of the box (``runtime/host.py``).
        report_interval: the longest normal gap between two updates of what is observed.
        version: the player's version (this one's, by default).

    Returns:
        The observation; never raises on odd input.
    """
    bundle, sync = _section(status, "bundle"), _section(status, "sync")
    render, power = _section(status, "render"), _section(status, "power")
    drop_errors = _section(status, "drop").get("errors")
    problems = None
    if isinstance(drop_errors, list):
        problems = sum(1 for e in drop_errors
                       if not (isinstance(e, Mapping) and str(e.get("file", "")).startswith(BUNDLE_PREFIX)))
    p99_ms = _number(render.get("frame_ms_p99"))
    scheduled = _on_off(power.get("scheduled"))
    if scheduled is None:
        scheduled = _on_off(power.get("screen"))
    next_change = timestamp(power.get("next_change"))
    next_on = timestamp(power.get("next_on"))
    if next_on is None and "next_on" not in power and scheduled is False:
        next_on = next_change  # while off, the next change is the next switch-on
    syncing = bool(sync.get("url")) or sync.get("last_attempt") is not None
    showing, gongshi = _notice_counts(status.get("notices"))
    return Observation(
        version=version,
        updated_at=timestamp(status.get("updated_at")),
        report_interval=report_interval,
        bundle_version=_int(bundle.get("version")),
        bundle_source_version=_int(bundle.get("source_version")),
        bundle_behind_since=timestamp(bundle.get("behind_since")),
        bundle_stale=_flag(bundle.get("stale")),
        bundle_refused=(bundle.get("refused") is not None) if "refused" in bundle else None,
        sync_last_success=timestamp(sync.get("last_ok")),
        sync_interval=_number(sync.get("interval")),
        sync_error=(sync.get("last_error") is not None) if syncing else None,
        drop_problems=problems,
        clock_trusted=_flag(_section(status, "clock").get("trusted")),
        fps=_number(render.get("fps")),
        frame_cpu_p99_seconds=None if p99_ms is None else p99_ms / 1000.0,
        screen_on=_on_off(power.get("screen")),
        power_scheduled_on=scheduled,
        power_next_change=next_change,
        power_next_on=next_on,
        notices_showing=showing,
        gongshi_showing=gongshi,
        host=host,
    )


def _notice_counts(notices: object) -> tuple[int | None, int | None]:
    """(active notices, active 公示); the second is None when no entry says its ``kind``."""
    if not isinstance(notices, list):
        return None, None
    active = [n for n in notices if isinstance(n, Mapping) and n.get("state") == "active"]
    if not any(isinstance(n, Mapping) and "kind" in n for n in notices):
        return len(active), None
    return len(active), sum(1 for n in active if is_publicity_kind(n.get("kind")))


def decode_throttled(value: int) -> tuple[frozenset[str], frozenset[str]]:
    """The firmware's ``get_throttled`` bits -> (flags now, flags since boot)."""
    now = frozenset(name for bit, name in THROTTLE_FLAGS.items() if value >> bit & 1)
    since = frozenset(name for bit, name in THROTTLE_FLAGS.items() if value >> (bit + 16) & 1)
    return now, since

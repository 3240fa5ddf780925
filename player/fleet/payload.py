"""The heartbeat's ``health`` section, and the receiver's validation of a heartbeat.

The player adds to its heartbeat (runtime/report.py, docs/fleet.md) one flat object,
``health``: the :class:`~player.fleet.observation.Observation` it would expose itself,
as plain JSON numbers, booleans and flag lists (times are Unix seconds), keys with a
None value left out. :data:`HEALTH` is its schema, used both ways.

:func:`parse_report` is everything the receiver believes about a document from the
network: every field it keeps is checked for type, range and length; anything else is
dropped; the first bad field raises :class:`PayloadError` naming it. The screen name is
data (any 1-200 characters without control characters), never a path. A document
without ``health`` (an older player) still gives the facts its other fields carry.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from player.fleet.observation import THROTTLE_FLAGS, HostFacts, Observation, timestamp

MAX_SCREEN = 200
MAX_TEXT = 1000
MAX_SCREENSHOT = 12 * 1024 * 1024  # base64 characters (~9 MB of PNG)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIME_MAX = 4_102_444_800.0  # 2100-01-01: a larger "Unix time" is garbage
BIG = 2 ** 62

#: key -> (kind, low, high, where: "obs" or "host"). Keys are the attribute names.
HEALTH: dict[str, tuple[str, float, float, str]] = {
    "report_interval": ("number", 1, 7 * 86400, "obs"),
    "bundle_version": ("int", 0, BIG, "obs"),
    "bundle_source_version": ("int", 0, BIG, "obs"),
    "bundle_behind_since": ("time", 0, TIME_MAX, "obs"),
    "bundle_stale": ("bool", 0, 1, "obs"),
    "bundle_refused": ("bool", 0, 1, "obs"),
    "sync_last_success": ("time", 0, TIME_MAX, "obs"),
    "sync_interval": ("number", 1, 7 * 86400, "obs"),
    "sync_error": ("bool", 0, 1, "obs"),
    "drop_problems": ("int", 0, 10 ** 7, "obs"),
    "clock_trusted": ("bool", 0, 1, "obs"),
    "fps": ("number", 0, 1000, "obs"),
    "frame_cpu_p99_seconds": ("number", 0, 3600, "obs"),
    "screen_on": ("bool", 0, 1, "obs"),
    "power_scheduled_on": ("bool", 0, 1, "obs"),
    "power_next_change": ("time", 0, TIME_MAX, "obs"),
    "power_next_on": ("time", 0, TIME_MAX, "obs"),
    "notices_showing": ("int", 0, 10 ** 7, "obs"),
    "gongshi_showing": ("int", 0, 10 ** 7, "obs"),
    "start_time": ("time", 0, TIME_MAX, "host"),
    "restarts": ("int", 0, 10 ** 9, "host"),
    "state_free_bytes": ("int", 0, BIG, "host"),
    "state_size_bytes": ("int", 0, BIG, "host"),
    "cpu_temperature_celsius": ("number", -100, 200, "host"),
    "throttled": ("flags", 0, 0, "host"),
    "throttled_since_boot": ("flags", 0, 0, "host"),
}


class PayloadError(ValueError):
    """A heartbeat the receiver refuses; ``str()`` names the field."""


def health_section(obs: Observation) -> dict:
    """The ``health`` object of a heartbeat (None values left out)."""
    out: dict = {}
    for key, (kind, _low, _high, where) in HEALTH.items():
        value = getattr(obs.host if where == "host" else obs, key)
        if value is None:
            continue
        out[key] = sorted(value) if kind == "flags" else value
    return out


@dataclass(frozen=True)
class Report:
    """One accepted heartbeat."""

    screen: str
    received_at: float
    sent_at: float | None
    observation: Observation
    document: dict            # the validated fields, as stored (no screenshot)
    screenshot: bytes | None = None


def parse_report(doc: object, received_at: float) -> Report:
    """Validate a heartbeat document (parsed JSON).

    Args:
        doc: what the request body decoded to.
        received_at: the receiver's clock (Unix seconds): the report's time.

    Returns:
        The report; ``observation.updated_at`` is ``received_at``.

    Raises:
        PayloadError: the first field that is missing, of the wrong type, out of range or too long.
    """
    if not isinstance(doc, Mapping):
        raise PayloadError("expected a JSON object")
    screen = _screen(doc.get("screen"))
    kept: dict = {"screen": screen}
    version = kept["player_version"] = _text(doc, "player_version", 40, required=True)
    sent = _text(doc, "sent_at", 40)
    sent_at = timestamp(sent)
    if sent is not None and sent_at is None:
        raise PayloadError("sent_at: expected an ISO-8601 time with an offset")
    kept["sent_at"] = sent
    kept["status_updated_at"] = _text(doc, "status_updated_at", 40)
    kept["showing"] = _text(doc, "showing", MAX_TEXT)  # stored for the operator, never a metric
    bundle, sync = _object(doc, "bundle"), _object(doc, "sync")
    kept["bundle"] = {"version": _int(bundle, "bundle.version", "version", BIG),
                      "verified": _bool(bundle, "bundle.verified", "verified"),
                      "stale": _bool(bundle, "bundle.stale", "stale"),
                      "refused": _text(bundle, "refused", MAX_TEXT, where="bundle.refused")}
    kept["sync"] = {"last_ok": _text(sync, "last_ok", 40, where="sync.last_ok"),
                    "last_error": _text(sync, "last_error", MAX_TEXT, where="sync.last_error")}
    kept["drop_errors"] = _int(doc, "drop_errors", "drop_errors", 10 ** 7)
    render, clock, power = _object(doc, "render"), _object(doc, "clock"), _object(doc, "power")
    kept["render"] = {"fps": _num(render, "render.fps", "fps", 0, 1000)}
    kept["clock"] = {"trusted": _bool(clock, "clock.trusted", "trusted")}
    screen_state = power.get("screen")
    if screen_state not in (None, "on", "off"):
        raise PayloadError("power.screen: expected on, off or null")
    kept["power"] = {"screen": screen_state}
    health = _health(doc.get("health"))
    if health is not None:
        kept["health"] = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in health.items()}
    obs = _observation(kept, health, version, received_at)
    return Report(screen, received_at, sent_at, obs, kept, _screenshot(doc.get("screenshot_png_base64")))


def _observation(kept: dict, health: dict | None, version: str, received_at: float) -> Observation:
    if health is None:  # an older player: what its plain fields say
        bundle, sync, power = kept["bundle"], kept["sync"], kept["power"]
        return Observation(
            version=version, updated_at=received_at, bundle_version=bundle["version"],
            bundle_stale=bundle["stale"], bundle_refused=bundle["refused"] is not None,
            sync_last_success=timestamp(sync["last_ok"]), drop_problems=kept["drop_errors"],
            clock_trusted=kept["clock"]["trusted"], fps=kept["render"]["fps"],
            screen_on=None if power["screen"] is None else power["screen"] == "on")
    obs_fields = {k: v for k, v in health.items() if HEALTH[k][3] == "obs"}
    host_fields = {k: v for k, v in health.items() if HEALTH[k][3] == "host"}
    return Observation(version=version, updated_at=received_at, host=HostFacts(**host_fields), **obs_fields)


def _screen(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PayloadError("screen: expected the screen's name (text)")
    if len(value) > MAX_SCREEN:
        raise PayloadError(f"screen: longer than {MAX_SCREEN} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise PayloadError("screen: control characters are not allowed")
    return value


def _object(doc: Mapping, key: str) -> Mapping:
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadError(f"{key}: expected an object")
    return value


def _text(doc: Mapping, key: str, limit: int, required: bool = False, where: str | None = None) -> str | None:
    value = doc.get(key)
    where = where or key
    if value is None:
        if required:
            raise PayloadError(f"{where}: missing")
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{where}: expected text")
    if len(value) > limit:
        raise PayloadError(f"{where}: longer than {limit} characters")
    return value


def _int(doc: Mapping, where: str, key: str, high: int) -> int | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise PayloadError(f"{where}: expected a whole number from 0 to {high}")
    return value


def _num(doc: Mapping, where: str, key: str, low: float, high: float) -> float | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise PayloadError(f"{where}: expected a number from {low:g} to {high:g}")
    return float(value)


def _bool(doc: Mapping, where: str, key: str) -> bool | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, bool):
        raise PayloadError(f"{where}: expected true, false or null")
    return value


def _health(value: object) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise PayloadError("health: expected an object")
    out: dict = {}
    for key, (kind, low, high, _where) in HEALTH.items():
        where = f"health.{key}"
        if key not in value or value[key] is None:
            continue
        if kind == "bool":
            out[key] = _bool(value, where, key)
        elif kind == "int":
            out[key] = _int(value, where, key, int(high))
        elif kind == "flags":
            flags = value[key]
            if not isinstance(flags, list) or not all(f in THROTTLE_FLAGS.values() for f in flags):
                raise PayloadError(f"{where}: expected a list of {', '.join(THROTTLE_FLAGS.values())}")
            out[key] = frozenset(flags)
        else:
            out[key] = _num(value, where, key, low, high)
    return out


def _screenshot(value: object) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_SCREENSHOT:
        raise PayloadError(f"screenshot_png_base64: expected base64 text of at most {MAX_SCREENSHOT} characters")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise PayloadError("screenshot_png_base64: not valid base64") from None
    if not data.startswith(PNG_MAGIC):
        raise PayloadError("screenshot_png_base64: not a PNG image")
    return data


def iso_now(now: float) -> str:
    """Unix seconds -> ISO-8601 in UTC (the receiver's stored ``received_at``)."""
    return dt.datetime.fromtimestamp(now, dt.timezone.utc).isoformat(timespec="seconds")

"""An :class:`~player.fleet.observation.Observation` as Prometheus metric families.

One table (:data:`GAUGES`) says, for every metric, its name (Prometheus conventions: a
``signage_`` prefix, base units in the name), its help text and the fact it shows. The
same :func:`families` serves the player (one screen, no ``screen`` label: the scrape's
``instance`` says which box) and the receiver (``labels={"screen": name}`` on every
series). A fact that is None leaves its series out: absent, never a made-up zero.

The text is made by prometheus-client's own exposition code (``generate_latest``), so
escaping and number formatting are the library's, and ``prometheus_client.parser``
reads it back (tests/test_fleet_metrics.py). Invariant: no notice text — no title, id
or path — ever appears in a metric; the only free-text label values are the player
version and, on the receiver, the screen name. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Sample

from player.fleet.observation import THROTTLE_FLAGS, HostFacts, Observation, from_status

Getter = Callable[[Observation], "float | int | bool | None"]

#: name -> (help, the fact). All gauges; counters and labelled families follow below.
GAUGES: dict[str, tuple[str, Getter]] = {
    "signage_last_report_timestamp_seconds": (
        "When the screen last reported: its status update (player) or the heartbeat's arrival (receiver).",
        lambda o: o.updated_at),
    "signage_report_interval_seconds": (
        "The longest normal gap between two reports; silent = 3 of these without one.",
        lambda o: o.report_interval),
    "signage_bundle_version": ("Version of the central bundle on screen.", lambda o: o.bundle_version),
    "signage_bundle_source_version": (
        "Newest bundle version the source served (even when it was refused).",
        lambda o: o.bundle_source_version),
    "signage_bundle_behind_since_timestamp_seconds": (
        "Since when the source has had a newer bundle than the one on screen (absent when not behind).",
        lambda o: o.bundle_behind_since),
    "signage_bundle_stale": ("1 when the bundle on screen (or the source's newest) has expired.",
                             lambda o: o.bundle_stale),
    "signage_bundle_refused": ("1 when the source's newest bundle was refused (signature, version, files).",
                               lambda o: o.bundle_refused),
    "signage_sync_last_success_timestamp_seconds": ("Last successful check of the bundle source.",
                                                    lambda o: o.sync_last_success),
    "signage_sync_interval_seconds": ("The configured sync.interval.", lambda o: o.sync_interval),
    "signage_sync_error": ("1 while the last sync cycle failed or was refused.", lambda o: o.sync_error),
    "signage_drop_problems": ("Files in the drop folder the player cannot use (listed in _状态.txt).",
                              lambda o: o.drop_problems),
    "signage_clock_trusted": ("1 when the system clock is believed; 0 shows 时间同步中.",
                              lambda o: o.clock_trusted),
    "signage_fps": ("Frames per second over the last seconds (absent while the screen is off).",
                    lambda o: o.fps),
    "signage_frame_cpu_p99_seconds": ("99th percentile of the CPU time of one frame.",
                                      lambda o: o.frame_cpu_p99_seconds),
    "signage_screen_on": ("1 when the screen is switched on.", lambda o: o.screen_on),
    "signage_power_scheduled_on": ("1 when the power schedule says on now.", lambda o: o.power_scheduled_on),
    "signage_power_next_change_timestamp_seconds": ("The next on/off change of the power schedule.",
                                                    lambda o: o.power_next_change),
    "signage_power_next_on_timestamp_seconds": ("The next moment the power schedule switches the screen on.",
                                                lambda o: o.power_next_on),
    "signage_notices_showing": ("Notices in the rotation now.", lambda o: o.notices_showing),
    "signage_gongshi_showing": ("公示 notices in the rotation now.", lambda o: o.gongshi_showing),
    "signage_start_time_seconds": ("When the player process started.", lambda o: o.host.start_time),
    "signage_state_free_bytes": ("Free bytes (for the player) on the file system of the state dir.",
                                 lambda o: o.host.state_free_bytes),
    "signage_state_size_bytes": ("Size of the file system of the state dir.", lambda o: o.host.state_size_bytes),
    "signage_cpu_temperature_celsius": ("SoC temperature (thermal zone 0).",
                                        lambda o: o.host.cpu_temperature_celsius),
}
INFO = "signage_info"
RESTARTS = "signage_restarts"  # a counter: the sample is signage_restarts_total
THROTTLED = "signage_throttled"
THROTTLED_SINCE_BOOT = "signage_throttled_since_boot"
#: Every sample name :func:`families` can produce (docs and tests check against it).
NAMES = (INFO, *GAUGES, RESTARTS + "_total", THROTTLED, THROTTLED_SINCE_BOOT)


def _value(fact: float | int | bool | None) -> float | None:
    return None if fact is None else float(fact)


def families(obs: Observation, labels: Mapping[str, str] | None = None) -> list[Metric]:
    """The metric families of one screen.

    Args:
        obs: what to show.
        labels: put on every series (the receiver's ``{"screen": name}``); none for a player.

    Returns:
        prometheus-client families, in :data:`NAMES` order, with only the known facts.
    """
    base = dict(labels or {})
    out: list[Metric] = []
    if obs.version is not None:
        out.append(_family(INFO, "Player software version (label version); always 1.", "gauge",
                           [({**base, "version": obs.version}, 1.0)]))
    for name, (text, getter) in GAUGES.items():
        value = _value(getter(obs))
        if value is not None:
            out.append(_family(name, text, "gauge", [(base, value)]))
    host: HostFacts = obs.host
    if host.restarts is not None:
        out.append(_family(RESTARTS, "Player starts recorded in the state dir, minus the first.", "counter",
                           [(base, float(host.restarts))], suffix="_total"))
    for name, flags, text in ((THROTTLED, host.throttled, "1 while the firmware reports this throttling flag."),
                              (THROTTLED_SINCE_BOOT, host.throttled_since_boot,
                               "1 when the firmware flag has been set since boot.")):
        if flags is not None:
            out.append(_family(name, text, "gauge",
                               [({**base, "flag": flag}, float(flag in flags)) for flag in THROTTLE_FLAGS.values()]))
    return out


def _family(name: str, text: str, kind: str, samples: list[tuple[Mapping[str, str], float]],
            suffix: str = "") -> Metric:
    metric = Metric(name, text, kind)
    metric.samples = [Sample(name + suffix, dict(labels), value, None, None) for labels, value in samples]
    return metric


class _Families:
    """The smallest thing ``generate_latest`` accepts: an object with ``collect()``."""

    def __init__(self, metrics: Iterable[Metric]) -> None:
        self._metrics = list(metrics)

    def collect(self) -> list[Metric]:
        return self._metrics


def exposition(metrics: Iterable[Metric]) -> bytes:
    """Families -> the Prometheus text format (version 0.0.4), UTF-8."""
    return generate_latest(_Families(metrics))


def header_and_samples(metric: Metric) -> tuple[bytes, bytes]:
    """A family's ``# HELP``/``# TYPE`` lines and its sample lines, apart (the receiver
    caches each screen's sample lines and joins them under one header per family)."""
    text = exposition([metric])
    help_end = text.index(b"\n") + 1
    type_end = text.index(b"\n", help_end) + 1
    return text[:type_end], text[type_end:]


def render(status: Mapping, host: HostFacts = HostFacts(), report_interval: float | None = None,
           labels: Mapping[str, str] | None = None) -> bytes:
    """A status.json document (and host facts) straight to the text format."""
    return exposition(families(from_status(status, host, report_interval), labels))

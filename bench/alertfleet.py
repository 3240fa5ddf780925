"""The alert scenario of bench/fleet.py: 1,000 players polling ``alerts.json``.

Each simulated player is the real alert client (player/sources/alerts.py: ``AlertSync``
with its conditional GET, Ed25519 signature check, document validation and sequence
rule, paced by ``AlertSync.next_wait``: the interval ±10 %) over ``LightFetcher``, with
no state dir. A player *shows* an alert from the moment its ``on_alerts`` callback got a
snapshot in which ``active_alerts`` (player/model/alertstate.py) lists it for the
player's screen tags; that moment is recorded per player. The documents are written by
the real ``signage alert send`` and ``signage alert cancel`` into the site folder nginx
serves; "published" is the modification time of the new ``alerts.json``.

Figures: steady state (2 intervals: req/s, statuses, bytes per request), then one red
alert (time until 99.9 % of the players show it, against ``interval + 2 s``), then its
cancel (time until 99.9 % no longer show it), with nginx's CPU for each window.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from player.model.alertstate import AlertClock, AlertSnapshot, active_alerts
from player.sources.alerts import AlertOutcome, AlertSync
from player.sources.bundle import load_public_key
from bench.sim.fleet import Fleet
from bench.sim.lightfetch import LightFetcher

TAGS = ("lobby", "public")
ALERT_ID = "bench-typhoon"


class AlertPlayer:
    """One simulated screen's alert channel (``Fleet`` runs its ``cycle``)."""

    def __init__(self, name: str, url: str, key, interval: float, seed: int) -> None:
        fetcher = LightFetcher(timeout=5.0, deadline=min(10.0, interval), user_agent=f"signage-fleet/{name}")
        self.sync = AlertSync(url, fetcher, key, None, lambda: dt.datetime.now(dt.timezone.utc), interval,
                              on_alerts=self._arrived, rng=random.Random(seed))
        self.sequence = 0
        self.shown: dict[str, float] = {}    # alert id -> wall time it started showing
        self.gone: dict[str, float] = {}     # alert id -> wall time it stopped showing

    def _arrived(self, snapshot: AlertSnapshot) -> None:
        now = time.time()
        clock = AlertClock(dt.datetime.now(dt.timezone.utc), True, time.monotonic())
        active = {a.alert.id for a in active_alerts([snapshot], TAGS, clock)}
        for alert_id in active - set(self.shown):
            self.shown[alert_id] = now
        for alert_id in set(self.shown) - active - set(self.gone):
            self.gone[alert_id] = now
        self.sequence = snapshot.document.sequence

    def cycle(self) -> tuple[AlertOutcome, float]:
        """One poll and the wait before the next."""
        outcome = self.sync.run_once()
        return outcome, self.sync.next_wait(outcome)


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def run_alert_scenario(n: int, interval: float, threads: int, url: str, site: Path, key_file: str, public: Path,
                       signage: Callable[..., str], read_log: Callable, window: Callable, per_second: Callable,
                       nginx_cpu: Callable[[], float]) -> dict:
    """Publish, measure and cancel one alert on ``n`` players; returns the figures."""
    signage("alert", "send", "--level", "蓝", "--title", "基线：大风蓝色预警", "--all-screens", "--until", "+1d",
            "--id", "bench-baseline", "--key", key_file, str(site))
    key = load_public_key(public)
    players = [AlertPlayer(f"a{i:04d}", url, key, interval, seed=i) for i in range(n)]
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def count(_player, outcome: AlertOutcome) -> None:
        with lock:
            outcomes[outcome.result.value] += 1
    fleet = Fleet(players, threads, on_outcome=count)
    rng = random.Random(7)
    fleet.start(lambda _p: rng.uniform(0, interval))
    figures: dict = {"players": n, "interval_s": interval, "threads": threads}
    try:
        deadline = time.monotonic() + 3 * interval
        while time.monotonic() < deadline and sum(p.sequence >= 1 for p in players) < n:
            time.sleep(0.2)
        time.sleep(interval)  # every player has polled at least once since its document arrived
        start = time.time()
        cpu = nginx_cpu()
        time.sleep(2 * interval)
        end = time.time()
        hits = [h for h in window(read_log(start), start, end) if "/alerts.json" in h.path]
        figures["steady"] = {
            "window_s": round(end - start, 1), "requests": len(hits),
            "statuses": dict(Counter(h.status for h in hits)),
            "rps_mean": round(len(hits) / (end - start), 1), "rps_peak": max(per_second(hits, start, end)),
            "requests_per_player_per_interval": round(len(hits) / n / ((end - start) / interval), 3),
            "bytes_per_request": round(sum(h.sent for h in hits) / max(1, len(hits)), 1),
            "body_bytes": sum(h.body for h in hits), "nginx_cpu_s": round(nginx_cpu() - cpu, 2)}
        print("alerts steady:", figures["steady"], flush=True)
        figures["alert"] = _publish(
            "alert", players, interval, site, nginx_cpu, read_log, window,
            lambda: signage("alert", "send", "--level", "红", "--title", "台风红色预警", "--text",
                            "台风将于今晚在我区沿海登陆。", "--instruction", "关好门窗，非必要不外出。",
                            "--screens", "lobby", "--until", "+6h", "--id", ALERT_ID, "--key", key_file, str(site)),
            lambda p: p.shown.get(ALERT_ID))
        print("alerts publish:", figures["alert"], flush=True)
        figures["cancel"] = _publish(
            "cancel", players, interval, site, nginx_cpu, read_log, window,
            lambda: signage("alert", "cancel", ALERT_ID, "--key", key_file, str(site)),
            lambda p: p.gone.get(ALERT_ID))
        print("alerts cancel:", figures["cancel"], flush=True)
    finally:
        fleet.stop()
    late = list(fleet.late)
    figures["simulator"] = {"outcomes": dict(outcomes), "cycle_start_late_p99_s": quantile(late, 0.99),
                            "cycle_start_late_max_s": round(max(late), 3) if late else None}
    return figures


def _publish(name: str, players: list[AlertPlayer], interval: float, site: Path, nginx_cpu, read_log, window,
             command: Callable[[], str], seen: Callable[[AlertPlayer], float | None]) -> dict:
    n = len(players)
    cpu = nginx_cpu()
    print(command(), flush=True)
    published = (site / "alerts.json").stat().st_mtime
    bound = interval + 2.0
    deadline = time.monotonic() + 4 * interval
    while time.monotonic() < deadline and sum(seen(p) is not None for p in players) < n:
        time.sleep(0.2)
    time.sleep(1.0)
    end = time.time()
    delays = [t - published for t in (seen(p) for p in players) if t is not None]
    hits = [h for h in window(read_log(published), published, end) if "/alerts.json" in h.path]
    t999 = quantile(delays, 0.999) if len(delays) >= 0.999 * n else None
    return {"scenario": name, "players_reached": len(delays), "t50_s": _r(quantile(delays, 0.5)),
            "t99_s": _r(quantile(delays, 0.99)), "t99_9_s": _r(t999), "t100_s": _r(max(delays)) if len(delays) == n
            else None, "bound_s": bound, "within_bound": sum(d <= bound for d in delays),
            "met": t999 is not None and t999 <= bound,
            "requests": dict(Counter(("sig " if h.path.endswith(".sig") else "") + str(h.status) for h in hits)),
            "bytes_per_player": round(sum(h.sent for h in hits) / n),
            "nginx_cpu_s": round(nginx_cpu() - cpu, 2)}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def report(figures: dict) -> None:
    """The alert part of the benchmark's summary."""
    s, a, c = figures["steady"], figures["alert"], figures["cancel"]
    n = figures["players"]
    print(f"alert channel, {n} players polling alerts.json every {figures['interval_s']:g} s ±10 %:")
    print(f"  steady: {s['rps_mean']} req/s (expected {n / figures['interval_s']:.0f}), peak second {s['rps_peak']}; "
          f"statuses {s['statuses']}; {s['bytes_per_request']} bytes per request, {s['body_bytes']} body bytes; "
          f"nginx CPU {s['nginx_cpu_s']} s over {s['window_s']} s")
    for f in (a, c):
        print(f"  {f['scenario']}: {f['players_reached']}/{n} reached; t50 {f['t50_s']} s, t99 {f['t99_s']} s, "
              f"t99.9 {f['t99_9_s']} s, all {f['t100_s']} s (bound {f['bound_s']:g} s: "
              f"{'met' if f['met'] else 'NOT MET'}); {f['bytes_per_player']} bytes per player; "
              f"requests {f['requests']}; nginx CPU {f['nginx_cpu_s']} s")
    sim = figures["simulator"]
    print(f"  simulator: outcomes {sim['outcomes']}; cycles started late p99 {sim['cycle_start_late_p99_s']} s, "
          f"max {sim['cycle_start_late_max_s']} s")

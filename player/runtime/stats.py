"""Frame statistics: CPU per frame, achieved rate, frame intervals.

The loop records, per frame, the CPU time of the loop thread spent on that frame
(``time.thread_time``; sleeping costs nothing) and the moment the frame was presented.
``keep`` bounds memory: status.json needs only the last few seconds, a benchmark keeps
everything it ran.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass


def percentile(values: list[float], fraction: float) -> float | None:
    """The value below which ``fraction`` of the values lie (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass(frozen=True)
class Summary:
    """Figures over a run of frames."""

    frames: int
    cpu_ms_mean: float | None
    cpu_ms_p50: float | None
    cpu_ms_p99: float | None
    cpu_ms_max: float | None
    fps: float | None
    interval_ms_p99: float | None


class FrameStats:
    """Collects per-frame figures."""

    def __init__(self, keep: int | None = 600) -> None:
        self.cpu_ms: deque[float] = deque(maxlen=keep)
        self.presented: deque[float] = deque(maxlen=keep)

    def record(self, cpu_ms: float, presented_at: float) -> None:
        """One frame: its CPU milliseconds and when it was shown (seconds)."""
        self.cpu_ms.append(cpu_ms)
        self.presented.append(presented_at)

    def summary(self) -> Summary:
        """Mean/p50/p99 CPU, achieved fps and the p99 interval between frames."""
        cpu = list(self.cpu_ms)
        times = list(self.presented)
        intervals = [(b - a) * 1000 for a, b in zip(times, times[1:])]
        fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else None
        return Summary(len(cpu), statistics.fmean(cpu) if cpu else None, percentile(cpu, 0.5),
                       percentile(cpu, 0.99), max(cpu) if cpu else None, fps, percentile(intervals, 0.99))

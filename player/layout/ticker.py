"""The ticker's text and motion, as pure geometry (no pygame).

**Text.** Messages are joined with a separator into one *cycle* that repeats endlessly
along an infinite horizontal *strip*. The cycle is cut into segments no wider than
:data:`MAX_SEGMENT` pixels (the Pi's GPU texture limit); the renderer draws segments
lazily and keeps only a few, so a ticker of 1,000 messages costs bounded memory.

**Motion.** Strip position ``p`` sits at the right edge of the ticker area; the text
moves right to left as ``p`` grows. ``p`` is a function of time on the frame grid:
``p(t) = step * round(t * fps)`` with ``step = max(1, round(speed / fps))`` whole pixels.
Every frame therefore moves the text by exactly ``step`` pixels — never a mix of 1- and
2-pixel steps, which the eye sees as judder — and a late or dropped frame does not slow
the text down: the next frame is simply where time says it must be. The effective
speed is ``step * fps`` (120 px/s at 60 fps = 2 px per frame; 100 px/s rounds to 120).

**Changes.** New messages never replace what is on screen: they start at the first cycle
boundary at or beyond the right edge, so the current text finishes scrolling through
and the new text follows it without a jump or restart.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from player.layout.display import Metrics, Style

MAX_SEGMENT = 2048
SEPARATOR = "　　◆　　"


@dataclass(frozen=True)
class Cycle:
    """One pass of the ticker text, cut into segments: (strip offset, text, width)."""

    messages: tuple[str, ...]
    segments: tuple[tuple[int, str, int], ...]
    width: int

    @property
    def offsets(self) -> tuple[int, ...]:
        """Strip offset of each segment (for bisection)."""
        cached = self.__dict__.get("_offsets")
        if cached is None:
            cached = tuple(x for x, _text, _w in self.segments)
            object.__setattr__(self, "_offsets", cached)
        return cached

    @classmethod
    def build(cls, messages: Sequence[str], metrics: Metrics, style: Style) -> "Cycle":
        """Join and cut ``messages`` (an empty list gives an empty cycle)."""
        messages = tuple(m for m in messages if m.strip())
        if not messages:
            return cls((), (), 0)
        text = SEPARATOR.join(messages) + SEPARATOR
        segments = []
        start, x, width = 0, 0, 0.0
        for index, ch in enumerate(text):
            w = metrics.width(ch, style)
            if width + w > MAX_SEGMENT and index > start:
                segments.append((x, text[start:index], round(width)))
                x += round(width)
                start, width = index, 0.0
            width += w
        segments.append((x, text[start:], round(width)))
        return cls(messages, tuple(segments), x + round(width))


@dataclass
class Track:
    """Strip content over time: runs of cycles, each starting at a strip position."""

    speed: float
    fps: float
    starts: list[int] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)

    @property
    def step(self) -> int:
        """Whole pixels moved per frame."""
        return max(1, round(self.speed / self.fps))

    def position(self, t: float) -> int:
        """Strip position at the right edge at time ``t`` (seconds)."""
        return self.step * int(round(t * self.fps))

    @property
    def messages(self) -> tuple[str, ...]:
        """The newest messages (those that play once the current cycle has finished)."""
        return self.cycles[-1].messages if self.cycles else ()

    def change(self, cycle: Cycle, t: float) -> int:
        """Queue new text; returns the strip position where it starts."""
        here = self.position(t)
        if not self.cycles:
            start = here
        else:
            last_start, last = self.starts[-1], self.cycles[-1]
            if last.width == 0:
                start = max(here, last_start)
            else:
                passed = max(0, here - last_start)
                start = last_start + -(-passed // last.width) * last.width  # next boundary >= here
        if self.starts and start == self.starts[-1]:
            self.starts.pop()
            self.cycles.pop()
        self.starts.append(start)
        self.cycles.append(cycle)
        return start

    def forget_before(self, position: int) -> None:
        """Drop runs that ended before strip ``position`` (scrolled out on the left)."""
        while len(self.starts) > 1 and self.starts[1] <= position:
            del self.starts[0]
            del self.cycles[0]

    def visible(self, right: int, width: int) -> list[tuple[int, int, int]]:
        """Segments visible in strip window ``[right - width, right)``.

        Returns:
            (strip x of the segment's left edge, run index, segment index) for each.
        """
        left = right - width
        out = []
        first_run = max(0, bisect.bisect_right(self.starts, left) - 1)
        for run in range(first_run, len(self.starts)):
            start, cycle = self.starts[run], self.cycles[run]
            end = self.starts[run + 1] if run + 1 < len(self.starts) else None
            if start >= right or cycle.width == 0:
                continue
            lo = max(left, start)
            hi = right if end is None else min(right, end)
            if lo >= hi:
                continue
            repeat = (lo - start) // cycle.width
            base = start + repeat * cycle.width
            offsets, segments = cycle.offsets, cycle.segments
            while base < hi:
                index = max(0, bisect.bisect_right(offsets, lo - base) - 1)
                while index < len(segments) and base + offsets[index] < hi:
                    seg_left = base + offsets[index]
                    if seg_left + segments[index][2] > lo and (end is None or seg_left < end):
                        out.append((seg_left, run, index))
                    index += 1
                base += cycle.width
        return out

"""Spreading a fleet's requests over time: each periodic request of a player (bundle
polls, heartbeats) waits its interval ±20 %, so screens switched on together drift apart
instead of asking the server in the same second."""

from __future__ import annotations

import random

JITTER = 0.2


def jittered(interval: float, rng: random.Random) -> float:
    """``interval`` times a uniform factor in [0.8, 1.2]."""
    return interval * rng.uniform(1 - JITTER, 1 + JITTER)

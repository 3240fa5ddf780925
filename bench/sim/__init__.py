"""Simulated players for the fleet benchmarks (bench/fleet.py, bench/alertfleet.py).

:mod:`bench.sim.fleet` runs thousands of lightweight bundle-sync clients in one process;
:mod:`bench.sim.lightfetch` is their cheap plain-HTTP transport. They use the player's
real sync code (``player.sources``) but are no part of the player: ``signage`` never
imports them, and tests/test_fleet.py and tests/test_lightfetch.py check that they
behave like the player's own client.
"""

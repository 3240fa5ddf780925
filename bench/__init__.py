"""Benchmarks (scripts run as ``.venv/bin/python bench/NAME.py``) and their helpers.

A package only so that tests can import the simulation helpers in :mod:`bench.sim`;
the player never imports anything from here.
"""

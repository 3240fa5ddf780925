"""Fleet health: Prometheus exposition and the central heartbeat receiver.

- ``observation``  pure: a status.json document (or a heartbeat) -> :class:`Observation`,
  the typed facts the metrics are made of; :class:`HostFacts` of the box.
- ``metrics``      pure: an Observation -> Prometheus metric families and their text.
- ``payload``      pure: the heartbeat's ``health`` section, and the receiver's strict
  validation of a whole heartbeat document.
- ``screens``      the receiver's folder: the latest report per screen (atomic writes,
  safe file names derived from screen names).
- ``receive``      ``signage fleet receive``: the HTTP server (heartbeats in, /metrics and
  screenshots out).

The pure modules import nothing of the player above ``player/__init__`` (and
prometheus-client); ``runtime/`` uses them, ``cli`` starts the receiver. Invariant: no
notice text (titles, ids, paths) ever appears in a metric.
"""

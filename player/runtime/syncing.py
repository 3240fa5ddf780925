"""Wiring bundle sync into the player and the CLI: construction and status sections."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from player import __version__
from player.config import Config
from player.fsutil import atomic_write
from player.logmask import mask_url
from player.sources.fetch import Fetcher
from player.sources.ingest import Ingest
from player.sources.store import Store
from player.sources.sync import BundleSync


def make_sync(config: Config, now: Callable[[], dt.datetime], store: Store | None = None,
              ingest: Ingest | None = None) -> BundleSync:
    """A :class:`BundleSync` for ``sync.*`` of the config (``sync.url`` must be set).

    Args:
        store: the state dir's one Store (made here for ``signage sync --once``).
        ingest: how bundle files become notices (pictures decoded in the sandbox, at the
            screen's size; made here, validating only, for ``sync --once``).
    """
    fetcher = Fetcher(dict(config.sync.headers), config.sync.ca_bundle, config.sync.timeout,
                      config.sync.deadline, f"signage-player/{__version__}")
    store = store or Store(config.state_dir / "store")
    return BundleSync(config.sync.url, store, fetcher, config.sync.public_key,
                      config.sync.allow_unsigned, now, config.limits, ingest)


def bundle_section(sync: BundleSync | None) -> dict:
    """``status.json`` → ``bundle``."""
    if sync is None or sync.active is None:
        return {"version": None, "verified": False, "activated_at": None}
    active = sync.active
    return {"version": active.version, "verified": active.signed, "activated_at": active.activated_at,
            "created": active.created, "expires": active.expires, "stale": sync.status.stale,
            "refused": sync.status.refused, "missing_objects": sync.status.missing_objects,
            "source_version": sync.status.source_version, "behind_since": sync.status.behind_since}


def sync_section(sync: BundleSync | None, interval: float | None = None) -> dict:
    """``status.json`` → ``sync``; ``interval`` (``sync.interval``) is added when given."""
    if sync is None:
        return {"last_attempt": None, "last_ok": None, "last_error": None}
    status = sync.status
    section = {"url": mask_url(sync.url), "last_attempt": status.last_attempt, "last_ok": status.last_ok,
               "last_error": status.last_error}
    if interval is not None:
        section["interval"] = interval
    return section


def update_status_file(config: Config, sync: BundleSync) -> None:
    """Write the ``bundle`` and ``sync`` sections into status.json (``signage sync --once``)."""
    path = config.status_path
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        status = {}
    status["bundle"] = bundle_section(sync)
    status["sync"] = sync_section(sync, config.sync.interval)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(status, ensure_ascii=False, indent=1).encode("utf-8"))

"""Pulling signed bundles from the central source, and activating them atomically.

One cycle (:meth:`BundleSync.run_once`), in python-tuf's order "local first, then remote,
verify, save atomically":

1. GET ``manifest.json`` conditionally (``If-None-Match`` / ``If-Modified-Since``); a
   304 means nothing new (missing objects of the active bundle are still repaired).
2. GET ``manifest.json.sig`` and verify (:func:`~player.sources.bundle.verify_manifest`):
   signature, version never below the active one (across restarts: it is stored), not
   expired, safe paths. The same version with different bytes is refused too.
3. GET every object not yet in the store from ``objects/ab/<sha256>``: at most its
   declared size, its sha256 checked, written to the store atomically.
4. Activate: the active pointer becomes the previous one, then the new pointer is written
   (temp file, fsync, rename, fsync of the folder). A power cut at any moment leaves the
   complete old bundle or the complete new one active.

Outcomes (:class:`SyncResult`): ``unchanged``, ``updated``, ``refused`` (:class:`RepositoryError`: the bundle
stays refused and reported, the screen keeps the current bundle) and ``failed``
(:class:`DownloadError`: back off and try again). :class:`SyncWorker` runs cycles in a
background thread every ``interval`` seconds ±20 % (jitter spreads a fleet's requests),
backing off exponentially with full jitter after failures and honouring ``Retry-After``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
import functools
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from player.jitter import jittered
from player.model.library import build_library
from player.model.limits import Limits
from player.model.problems import ContentError
from player.model.notice import Library
from player.sources.bundle import (MAX_MANIFEST, ExpiredError, Manifest, RepositoryError, SignatureError,
                                   load_public_key, verify_manifest)
from player.sources.fetch import DownloadError, Getter
from player.sources.ingest import Ingest, LazyFile
from player.sources.store import Store
from player.worker import Worker

log = logging.getLogger(__name__)

ACTIVE = "bundle"
PREVIOUS = "bundle-previous"
BACKOFF_MAX = 3600.0
#: Backoff never exceeds this many intervals: after a long outage the fleet returns
#: within a few intervals (at half the steady request rate on average, so a recovering
#: server is not flooded; an overloaded one says Retry-After, which is honoured).
BACKOFF_INTERVALS = 4
SIGNATURE_RETRY = 2.0  # seconds before fetching a manifest whose signature failed once more


@dataclass
class Snapshot:
    """An activated bundle: what the pointer file holds."""

    version: int
    created: str
    expires: str | None
    signed: bool
    activated_at: str
    files: dict[str, str]
    manifest_sha256: str
    etag: str | None = None
    last_modified: str | None = None

    def to_json(self) -> dict:
        """The pointer file's content."""
        return dict(vars(self))

    @classmethod
    def from_json(cls, data: dict) -> "Snapshot":
        """Read a pointer file's content (raises on a malformed one)."""
        return cls(**{k: data[k] for k in ("version", "created", "expires", "signed", "activated_at", "files",
                                           "manifest_sha256")},
                   etag=data.get("etag"), last_modified=data.get("last_modified"))


class SyncResult(enum.StrEnum):
    """How a sync cycle ended."""

    UNCHANGED = "unchanged"   # the active bundle is the source's current one
    UPDATED = "updated"       # a new bundle was verified and activated
    REFUSED = "refused"       # the source's bundle must not be shown (RepositoryError)
    FAILED = "failed"         # the source could not be reached or misbehaved (DownloadError)


@dataclass
class Outcome:
    """What a sync cycle did."""

    result: SyncResult
    message: str = ""
    version: int | None = None
    retry_after: float | None = None
    server_date: dt.datetime | None = None
    repaired: bool = False  # objects of the active bundle were fetched again


@dataclass
class SyncStatus:
    """For status.json's ``bundle`` and ``sync`` sections."""

    last_attempt: str | None = None
    last_ok: str | None = None
    last_error: str | None = None
    refused: str | None = None
    stale: bool = False
    missing_objects: int = 0
    #: The version of the newest manifest the source served, verified or not (a refused
    #: one counts: the screen is then behind what the source publishes); None: none yet.
    source_version: int | None = None
    #: Since when (ISO time) the source has had a newer version than the active one; None
    #: while the screen is up to date.
    behind_since: str | None = None


class BundleSync:
    """Bundle state in the store, and the cycle that updates it."""

    def __init__(self, url: str, store: Store, fetcher: Getter, public_key: Path | None,
                 allow_unsigned: bool, now: Callable[[], dt.datetime], limits: Limits = Limits(),
                 ingest: Ingest | None = None,
                 pause: Callable[[float], None] = time.sleep) -> None:
        self._pause = pause
        self.url = url if url.endswith("/") else url + "/"
        self.store = store
        self.fetcher = fetcher
        self.key = load_public_key(public_key) if public_key else None
        self.allow_unsigned = allow_unsigned
        self.now = now
        self.limits = limits
        self.ingest = ingest or Ingest("bundle", limits, store=store)
        self.status = SyncStatus()
        self._source_expired = False  # the newest manifest the source served had expired
        self.active = self._load(ACTIVE)
        self.previous = self._load(PREVIOUS)

    def _load(self, name: str) -> Snapshot | None:
        try:
            data = json.loads(self.store.read_pointer(name))
            return Snapshot.from_json(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("bundle pointer %s is unreadable (%s); ignoring it", name, exc)
            return None

    # -- the active content ----------------------------------------------------------

    def missing(self, snapshot: Snapshot | None = None) -> list[str]:
        """Objects of a snapshot that are missing in the store (a cheap existence check;
        damaged objects are found, dropped and fetched again when the library is built).

        Also updates :attr:`SyncStatus.missing_objects` for the active bundle (status
        reads that number; it never looks into the store itself)."""
        target = snapshot or self.active
        if target is None:
            return []
        missing = sorted({sha for sha in target.files.values() if not self.store.has(sha)})
        if target is self.active:
            self.status.missing_objects = len(missing)
        return missing

    def library(self) -> Library:
        """The active bundle's notices (the previous bundle while the active one is incomplete)."""
        for snapshot in (self.active, self.previous):
            if snapshot is not None and not self.missing(snapshot):
                return self._build(snapshot)
        if self.active is not None:  # neither is complete: show what there is
            return self._build(self.active)
        return Library()

    def _build(self, snapshot: Snapshot) -> Library:
        store = self.store
        files = [LazyFile(path, sha, functools.partial(_stored, store, sha))
                 for path, sha in snapshot.files.items() if store.has(sha)]
        library = build_library(files, self.limits, source="bundle", parse=self.ingest)
        self.ingest.finish_scan()
        return library

    # -- one cycle -----------------------------------------------------------------------

    def run_once(self) -> Outcome:
        """Fetch, verify and activate if there is something new."""
        self.status.last_attempt = self.now().isoformat(timespec="seconds")
        try:
            outcome = self._cycle()
        except RepositoryError as exc:
            outcome = Outcome(SyncResult.REFUSED, str(exc))
            self._source_expired = isinstance(exc, ExpiredError)
        except DownloadError as exc:
            outcome = Outcome(SyncResult.FAILED, str(exc), retry_after=exc.retry_after)
        except OSError as exc:  # the store: disk full, read-only …
            outcome = Outcome(SyncResult.FAILED, f"cannot store the bundle: {exc.strerror or exc}")
        if outcome.result in (SyncResult.UNCHANGED, SyncResult.UPDATED):
            self._source_expired = False
            self.status.last_ok = self.status.last_attempt
            self.status.last_error = None
            self.status.refused = None
        else:
            self.status.last_error = outcome.message
            if outcome.result == SyncResult.REFUSED:
                self.status.refused = outcome.message
        # Stale: the bundle on screen has expired, or the source serves only an expired
        # manifest (a failed download changes neither: it says nothing about freshness).
        active_expired = self.active is not None and self.active.expires is not None \
            and dt.datetime.fromisoformat(self.active.expires) <= self.now()
        self.status.stale = active_expired or self._source_expired
        self._note_source_version()
        level = logging.ERROR if outcome.result == SyncResult.REFUSED else (
            logging.WARNING if outcome.result == SyncResult.FAILED else logging.INFO)
        if outcome.result != SyncResult.UNCHANGED:
            log.log(level, "sync %s: %s", outcome.result, outcome.message or f"version {outcome.version}")
        return outcome

    def _cycle(self) -> Outcome:
        conditional = {}
        if self.active is not None and not self.missing():
            if self.active.etag:
                conditional["If-None-Match"] = self.active.etag
            if self.active.last_modified:
                conditional["If-Modified-Since"] = self.active.last_modified
        reply = self.fetcher.get(self.url + "manifest.json", MAX_MANIFEST, conditional, accept=(200, 304))
        server_date = _http_date(reply.headers.get("Date"))
        self.status.source_version = (self.active.version if reply.status == 304 and self.active
                                      else _claimed_version(reply.body))
        if reply.status == 304:
            return Outcome(SyncResult.UNCHANGED, version=self.active.version if self.active else None,
                           server_date=server_date)
        current = self.active.version if self.active else 0
        try:
            manifest = verify_manifest(reply.body, self._signature(), self.key, current, self.now(),
                                       self.allow_unsigned)
        except SignatureError:
            # The publisher writes manifest.json, then manifest.json.sig: a fetch between the
            # two sees a new manifest with the old signature. Ask once more before refusing.
            self._pause(SIGNATURE_RETRY)
            reply = self.fetcher.get(self.url + "manifest.json", MAX_MANIFEST)
            manifest = verify_manifest(reply.body, self._signature(), self.key, current, self.now(),
                                       self.allow_unsigned)
        manifest_sha = hashlib.sha256(reply.body).hexdigest()
        if self.active is not None and manifest.version == current and manifest_sha != self.active.manifest_sha256:
            raise RepositoryError(f"manifest changed but kept version {current}; a new publish needs a new version")
        fetched = self._download(manifest)
        if self.active is not None and manifest_sha == self.active.manifest_sha256:
            self._remember_validators(reply.headers)
            return Outcome(SyncResult.UNCHANGED, version=manifest.version, server_date=server_date, repaired=fetched > 0)
        self._activate(manifest, manifest_sha, reply.headers)
        return Outcome(SyncResult.UPDATED, f"version {manifest.version} active ({len(manifest.files)} files)",
                       version=manifest.version, server_date=server_date)

    def _note_source_version(self) -> None:
        """Keep ``status.behind_since`` (fleet metrics: "behind the source for how long")."""
        source, active = self.status.source_version, self.active.version if self.active else 0
        if source is None or source <= active:
            self.status.behind_since = None
        elif self.status.behind_since is None:
            self.status.behind_since = self.status.last_attempt

    def _signature(self) -> bytes | None:
        if self.key is None and self.allow_unsigned:
            return None
        try:
            return self.fetcher.get(self.url + "manifest.json.sig", 4096).body
        except DownloadError as exc:
            if exc.status != 404:
                raise
            return None

    def _download(self, manifest: Manifest) -> int:
        fetched = 0
        for entry in manifest.files:
            if self.store.has(entry.sha256):
                continue
            url = f"{self.url}objects/{entry.sha256[:2]}/{entry.sha256}"
            data = self.fetcher.get(url, entry.size).body
            if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
                raise RepositoryError(f"object for {entry.path} does not match its size and sha256 in the manifest")
            if self.store.put(data) is None:
                raise OSError(self.store.last_error or "cannot write to the store")
            fetched += 1
        return fetched

    def _activate(self, manifest: Manifest, manifest_sha: str, headers: Mapping[str, str]) -> None:
        snapshot = Snapshot(
            version=manifest.version, created=manifest.created.isoformat(),
            expires=manifest.expires.isoformat() if manifest.expires else None, signed=manifest.signed,
            activated_at=self.now().isoformat(timespec="seconds"),
            files={f.path: f.sha256 for f in manifest.files}, manifest_sha256=manifest_sha,
            etag=headers.get("ETag"), last_modified=headers.get("Last-Modified"))
        if self.active is not None:
            self._write(PREVIOUS, self.active)
        self._write(ACTIVE, snapshot)  # the switch: one atomic rename
        self.previous, self.active = self.active, snapshot
        self.store.collect()

    def _remember_validators(self, headers: Mapping[str, str]) -> None:
        if self.active is None:
            return
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        if (etag, modified) != (self.active.etag, self.active.last_modified):
            self.active.etag, self.active.last_modified = etag, modified
            self._write(ACTIVE, self.active)

    def _write(self, name: str, snapshot: Snapshot) -> None:
        self.store.write_pointer(name, json.dumps(snapshot.to_json(), ensure_ascii=False, indent=0).encode("utf-8"))


def _stored(store: Store, sha: str) -> bytes:
    """An object's bytes (its hash checked by the store: a damaged one is dropped, refused
    here and fetched again by the next cycle)."""
    data = store.get(sha)
    if data is None:
        raise ContentError("the player's stored copy of this file is damaged; it is downloaded again "
                           "at the next sync", "播放器保存的副本已损坏，下次同步时会重新下载")
    return data
def _claimed_version(body: bytes) -> int | None:
    """The version a manifest claims, before (or without) verification; None if unreadable."""
    try:
        version = json.loads(body).get("version")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, int) and not isinstance(version, bool) and version >= 0 else None


def _http_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


class SyncWorker(Worker):
    """Runs sync cycles in a background thread; hands each new library to ``on_library``.

    Its first act is to build the active bundle's library (pictures decoded in the
    sandbox on a first start) and hand it over — in this thread, so the screen is up
    meanwhile."""

    name = "bundle-sync"

    def __init__(self, sync: BundleSync, interval: float, on_library: Callable[[Library], None],
                 on_outcome: Callable[[Outcome], None] | None = None, rng: random.Random | None = None) -> None:
        super().__init__()
        self.sync = sync
        self.interval = interval
        self.on_library = on_library
        self.on_outcome = on_outcome
        self.rng = rng or random.Random()
        self.failures = 0
        self.join_timeout = 15.0
        self.handed = False  # the active bundle's library was given to on_library

    def stop(self) -> None:
        """Stop after the current request."""
        super().stop()
        self.sync.ingest.close()

    def next_wait(self, outcome: Outcome) -> float:
        """Seconds until the next cycle: the interval ±20 %, or after failures a backoff
        with full jitter, uniform in [0, min(interval x 2^failures, 4 intervals, 1 h)]."""
        if outcome.result in (SyncResult.UNCHANGED, SyncResult.UPDATED, SyncResult.REFUSED):
            self.failures = 0
            return jittered(self.interval, self.rng)
        self.failures += 1
        cap = min(BACKOFF_MAX, BACKOFF_INTERVALS * self.interval)
        wait = self.rng.uniform(0, min(cap, self.interval * 2 ** min(self.failures, 12)))
        if outcome.retry_after is not None:
            wait = max(wait, outcome.retry_after)
        return wait

    def run(self) -> None:
        """Hand over the active bundle (unless :attr:`handed` says it was), then poll."""
        if not self.handed:
            self.on_library(self.sync.library())
            self.handed = True
        missing = self.sync.missing()
        if missing:
            log.warning("active bundle has %d missing or damaged objects; fetching them again", len(missing))
        wait = self.rng.uniform(0, min(self.interval, 5.0))  # do not start a fleet in lockstep
        while not self.stopping.wait(wait):
            outcome = self.sync.run_once()
            if self.on_outcome is not None:
                self.on_outcome(outcome)
            if outcome.result == SyncResult.UPDATED or outcome.repaired:
                self.on_library(self.sync.library())
            wait = self.next_wait(outcome)

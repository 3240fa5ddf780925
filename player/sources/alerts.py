"""The alert channel: polling ``alerts.json`` + ``alerts.json.sig`` beside the bundle.

One cycle (:meth:`AlertSync.run_once`), python-tuf's order as for bundles:

1. GET ``alerts.json`` conditionally (``If-None-Match`` / ``If-Modified-Since`` of the
   accepted document); a 304 means nothing new. The body is at most
   :data:`~player.model.alerts.MAX_DOCUMENT` bytes and the request ends at the fetcher's
   deadline (a trickling or endless answer is cut off). A 200 with HTML (a captive portal,
   a wrong URL) is refused before anything else.
2. GET ``alerts.json.sig`` and verify the Ed25519 signature over the exact bytes (a
   failure is retried once after :data:`SIGNATURE_RETRY` s: the publisher writes the
   document first and its signature second).
3. Parse and validate (:func:`~player.model.alerts.parse_document`); the ``sequence``
   must be above the accepted one (equal with the same bytes: unchanged). The accepted
   sequence is persisted in ``STATE_DIR/alerts/``, so replays and rollbacks are refused
   across restarts too.
4. Accept: persist document, signature and state atomically, then hand the frame loop
   an immutable :class:`~player.model.alertstate.AlertSnapshot` (document + arrival on
   the monotonic clock) through ``on_alerts``.

Outcomes: unchanged, updated, refused (the document must not be shown: the previous
snapshot stays, the reason is kept in :attr:`AlertSync.status`), failed (network or
server trouble: back off, keep the current snapshot). Every refusal and failure is one
line, logged once per distinct message.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from player.fsutil import atomic_write
from player.logmask import mask_url
from player.model.alerts import MAX_DOCUMENT, AlertDocument, AlertError, parse_document
from player.model.alertstate import AlertSnapshot
from player.sources.fetch import DownloadError, Getter

from player.worker import Worker

log = logging.getLogger(__name__)

DOCUMENT = "alerts.json"
SIGNATURE = "alerts.json.sig"
STATE = "alerts-state.json"
MAX_SIGNATURE = 4096
SIGNATURE_RETRY = 1.0
#: Polls are ``interval`` x a uniform factor in [0.9, 1.1]: spread enough for a fleet,
#: tight enough that an alert reaches every screen within interval + 2 s.
JITTER = 0.1
#: After failures the wait grows (full jitter) up to this many intervals.
BACKOFF_INTERVALS = 6
RETRY_AFTER_MAX = 600.0


class Result(enum.Enum):
    """What a cycle did."""

    UNCHANGED = "unchanged"
    UPDATED = "updated"
    REFUSED = "refused"
    FAILED = "failed"


class AlertRefused(Exception):
    """The source served an alerts.json that must not be shown (one line)."""


@dataclass(frozen=True)
class AlertOutcome:
    """The result of one cycle."""

    result: Result
    message: str = ""
    sequence: int | None = None
    retry_after: float | None = None


@dataclass
class AlertStatus:
    """For status.json's ``alerts`` section (see ``runtime/alerting.py``)."""

    url: str = ""
    sequence: int | None = None
    accepted_at: str | None = None
    last_attempt: str | None = None
    last_ok: str | None = None
    last_error: str | None = None   # the last failure or refusal; None after a good cycle
    refused: str | None = None      # why the newest document (or one of its alerts) was not shown


def verify_signature(data: bytes, signature: bytes | None, key: Ed25519PublicKey) -> None:
    """Check ``alerts.json.sig`` over the exact bytes of ``alerts.json``.

    Raises:
        AlertRefused: unsigned, malformed, or signed with another key / tampered.
    """
    if signature is None:
        raise AlertRefused("alerts.json is not signed (no alerts.json.sig) but a public key is configured")
    try:
        key.verify(base64.b64decode(signature.strip(), validate=True), data)
    except (binascii.Error, ValueError, InvalidSignature):
        raise AlertRefused("alerts.json signature does not verify with the alert public key "
                           "(tampered, or signed with another key)") from None


def looks_like_html(body: bytes, headers: Mapping[str, str]) -> bool:
    """A 200 that is a web page, not our JSON (captive portals, error pages, a wrong URL)."""
    kind = (headers.get("Content-Type", "") or "").lower()
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start == b"<" or ("html" in kind and start != b"{")


class AlertSync(Worker):
    """The alert channel's state and cycle, and the worker thread that polls it.

    Args:
        url: the base URL holding alerts.json (``alerts.url``, else ``sync.url``).
        fetcher: a :class:`~player.sources.fetch.Getter` (its own, not the bundle sync's:
            each is used by one thread).
        public_key: the verification key; None only with ``allow_unsigned``.
        state_dir: where the accepted document and sequence are kept (``STATE_DIR/alerts``);
            None keeps them in memory (fleet simulations).
        now: the wall clock for status times (the runtime's schedule time).
        interval: seconds between polls (``alerts.interval``).
        on_alerts: called with each newly accepted snapshot, on the worker thread (and in
            :meth:`start` with the snapshot restored from ``state_dir``).
    """

    def __init__(self, url: str, fetcher: Getter, public_key: Ed25519PublicKey | None, state_dir: Path | None,
                 now: Callable[[], dt.datetime], interval: float = 10.0,
                 on_alerts: Callable[[AlertSnapshot], None] | None = None, allow_unsigned: bool = False,
                 monotonic: Callable[[], float] = time.monotonic, rng: random.Random | None = None,
                 pause: Callable[[float], None] = time.sleep) -> None:
        super().__init__("alert-sync")
        if public_key is None and not allow_unsigned:
            raise ValueError("AlertSync needs a public key (or allow_unsigned for tests)")
        self.url = url if url.endswith("/") else url + "/"
        self.fetcher = fetcher
        self.key = public_key
        self.state_dir = state_dir
        self.now = now
        self.interval = interval
        self.on_alerts = on_alerts
        self.monotonic = monotonic
        self.rng = rng or random.Random()
        self._pause = pause
        self.status = AlertStatus(url=mask_url(self.url))
        self.snapshot: AlertSnapshot | None = None
        self.failures = 0
        self._sha: str | None = None
        self._etag: str | None = None
        self._modified: str | None = None
        self._logged: str | None = None
        self.join_timeout = 30.0
        self._restore()

    # -- persistence --------------------------------------------------------------------

    def _restore(self) -> None:
        """Load the accepted sequence (always) and document (when it still verifies)."""
        if self.state_dir is None:
            return
        try:
            state = json.loads((self.state_dir / STATE).read_text(encoding="utf-8"))
            sequence = int(state["sequence"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("alerts: %s is unreadable (%s); starting without a stored sequence",
                      self.state_dir / STATE, exc)
            return
        self.status.sequence = sequence
        self.status.accepted_at = state.get("accepted_at")
        try:
            data = (self.state_dir / DOCUMENT).read_bytes()
            signature = (self.state_dir / SIGNATURE).read_bytes() if self.key is not None else None
            if self.key is not None:
                verify_signature(data, signature, self.key)
            document = parse_document(data)
            if document.sequence != sequence:
                raise AlertRefused(f"stored document has sequence {document.sequence}, state says {sequence}")
        except (OSError, AlertRefused, AlertError) as exc:
            log.warning("alerts: stored document not restored (%s); sequence %d is kept", exc, sequence)
            return
        self._sha = hashlib.sha256(data).hexdigest()
        self._etag, self._modified = state.get("etag"), state.get("last_modified")
        self.snapshot = AlertSnapshot(document, self.monotonic(), restored=True)

    def _persist(self, data: bytes, signature: bytes | None) -> None:
        if self.state_dir is None:
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.state_dir / DOCUMENT, data)
        if signature is not None:
            atomic_write(self.state_dir / SIGNATURE, signature)
        state = {"sequence": self.status.sequence, "sha256": self._sha, "etag": self._etag,
                 "last_modified": self._modified, "accepted_at": self.status.accepted_at}
        atomic_write(self.state_dir / STATE, json.dumps(state).encode("utf-8"))  # last: the commit

    # -- one cycle ------------------------------------------------------------------------

    def run_once(self) -> AlertOutcome:
        """Fetch, verify and accept if there is something new."""
        self.status.last_attempt = self.now().isoformat(timespec="seconds")
        try:
            outcome = self._cycle()
        except AlertRefused as exc:
            outcome = AlertOutcome(Result.REFUSED, str(exc), self.status.sequence)
        except AlertError as exc:
            outcome = AlertOutcome(Result.REFUSED, str(exc), self.status.sequence)
        except DownloadError as exc:
            outcome = AlertOutcome(Result.FAILED, str(exc), self.status.sequence, exc.retry_after)
        except OSError as exc:
            outcome = AlertOutcome(Result.FAILED, f"cannot store alerts.json: {exc.strerror or exc}",
                                   self.status.sequence)
        if outcome.result in (Result.UNCHANGED, Result.UPDATED):
            self.status.last_ok = self.status.last_attempt
            self.status.last_error = None
            if self._logged is not None and outcome.result is Result.UNCHANGED:
                log.info("alerts: %s works again", self.status.url)
            self._logged = None
        else:
            self.status.last_error = outcome.message
            if outcome.result is Result.REFUSED:
                self.status.refused = outcome.message
            if outcome.message != self._logged:
                log.log(logging.ERROR if outcome.result is Result.REFUSED else logging.WARNING,
                        "alerts %s: %s", outcome.result.value, outcome.message)
                self._logged = outcome.message
        return outcome

    def _cycle(self) -> AlertOutcome:
        conditional = {}
        if self._etag:
            conditional["If-None-Match"] = self._etag
        if self._modified:
            conditional["If-Modified-Since"] = self._modified
        reply = self.fetcher.get(self.url + DOCUMENT, MAX_DOCUMENT, conditional, accept=(200, 304, 404))
        if reply.status == 304:
            return AlertOutcome(Result.UNCHANGED, sequence=self.status.sequence)
        if reply.status == 404:  # nothing published yet: normal, and nothing changes on screen
            return AlertOutcome(Result.UNCHANGED, "no alerts.json at the source (nothing published)",
                                self.status.sequence)
        if looks_like_html(reply.body, reply.headers):
            raise DownloadError(f"{self.status.url}{DOCUMENT}: the server answered with an HTML page, not "
                                "alerts.json (a captive portal or a wrong alerts.url?)")
        data, headers = reply.body, reply.headers
        sha = hashlib.sha256(data).hexdigest()
        if sha == self._sha:  # the same bytes again (the validators changed)
            self._etag, self._modified = headers.get("ETag"), headers.get("Last-Modified")
            return AlertOutcome(Result.UNCHANGED, sequence=self.status.sequence)
        signature = self._signature()
        if self.key is not None:
            try:
                verify_signature(data, signature, self.key)
            except AlertRefused:
                self._pause(SIGNATURE_RETRY)  # between the publisher's two writes? Ask once more.
                reply = self.fetcher.get(self.url + DOCUMENT, MAX_DOCUMENT)
                data, headers = reply.body, reply.headers
                sha = hashlib.sha256(data).hexdigest()
                signature = self._signature()
                verify_signature(data, signature, self.key)
        document = parse_document(data)
        current = self.status.sequence or 0
        if document.sequence < current:
            raise AlertRefused(f"alerts.json sequence {document.sequence} is older than the accepted sequence "
                               f"{current} (replay or rollback refused)")
        if document.sequence == current:
            if sha == self._sha:
                return AlertOutcome(Result.UNCHANGED, sequence=current)
            raise AlertRefused(f"alerts.json changed but kept sequence {current}; a new publish needs a new "
                               "sequence (signage alert does that)")
        self._accept(document, data, signature, sha, headers)
        return AlertOutcome(Result.UPDATED, f"sequence {document.sequence}: {len(document.alerts)} message(s)",
                            document.sequence)

    def _signature(self) -> bytes | None:
        if self.key is None:
            return None
        try:
            return self.fetcher.get(self.url + SIGNATURE, MAX_SIGNATURE).body
        except DownloadError as exc:
            if exc.status != 404:
                raise
            return None

    def _accept(self, document: AlertDocument, data: bytes, signature: bytes | None, sha: str,
                headers: Mapping[str, str]) -> None:
        previous = (self.status.sequence, self._sha, self._etag, self._modified, self.status.accepted_at)
        self.status.sequence, self._sha = document.sequence, sha
        self._etag, self._modified = headers.get("ETag"), headers.get("Last-Modified")
        self.status.accepted_at = self.now().isoformat(timespec="seconds")
        try:
            self._persist(data, signature)
        except OSError:
            (self.status.sequence, self._sha, self._etag, self._modified, self.status.accepted_at) = previous
            raise
        expired = [a for a in document.alerts if a.expires <= self.now()]
        self.status.refused = None if not expired else "; ".join(
            f"alert {a.id!r} expired at {a.expires.isoformat(timespec='seconds')}, not shown" for a in expired[:3])
        self.snapshot = AlertSnapshot(document, self.monotonic())
        log.info("alerts: sequence %d accepted (%d message(s))", document.sequence, len(document.alerts))
        if self.on_alerts is not None:
            self.on_alerts(self.snapshot)

    # -- the worker thread ----------------------------------------------------------------

    def next_wait(self, outcome: AlertOutcome) -> float:
        """Seconds to the next poll: the interval ±10 %, or after failures a backoff with
        full jitter up to :data:`BACKOFF_INTERVALS` intervals (``Retry-After`` honoured,
        up to 10 minutes)."""
        if outcome.result is not Result.FAILED:
            self.failures = 0
            return self.interval * self.rng.uniform(1 - JITTER, 1 + JITTER)
        self.failures += 1
        cap = min(BACKOFF_INTERVALS * self.interval, self.interval * 2 ** min(self.failures, 10))
        wait = self.rng.uniform(self.interval / 2, max(self.interval / 2, cap))
        if outcome.retry_after is not None:
            wait = max(wait, min(outcome.retry_after, RETRY_AFTER_MAX))
        return wait

    def start(self) -> None:
        """Hand over the restored snapshot (if any), then poll in a background thread."""
        if self.snapshot is not None and self.on_alerts is not None:
            self.on_alerts(self.snapshot)
        super().start()

    def stop(self) -> None:
        """Stop after the current request (at most the fetcher's deadline)."""
        super().stop()
        self.fetcher.close()

    def run(self) -> None:
        """Poll every interval (backing off after failures)."""
        wait = self.rng.uniform(0, min(1.0, self.interval))
        while not self.stopping.wait(wait):
            wait = self.next_wait(self.run_once())

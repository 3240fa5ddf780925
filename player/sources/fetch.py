"""HTTP downloads with hard limits (the network side of bundle sync).

Like python-tuf's fetcher: one small class, every foreign error wrapped in
:class:`DownloadError`, sizes capped. Limits that hold whatever the server does:

- ``max_bytes``: a body longer than that is cut off (a 100 MiB "manifest", an endless
  object);
- ``timeout``: connect and per-read timeouts (a server that stops sending);
- ``deadline``: the whole request — connect, status line, headers and body together
  (a server that sends one byte every few seconds would never trip a read timeout);
  enforced by :mod:`player.sources.deadline`, which shuts the socket down wherever the
  request is blocked.

TLS verification is always on (``ca_bundle`` may name the CA file of a private
intranet CA); proxies come from the environment (``HTTPS_PROXY`` …), as requests does;
extra ``headers`` (e.g. an ``Authorization`` bearer token) are sent with every request and
never logged.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from player.logmask import mask_url
from player.sources.deadline import DeadlineSession, deadline

CHUNK = 64 * 1024


class DownloadError(Exception):
    """The source could not be reached or misbehaved; try again later. ``status`` is the
    HTTP status when the server answered with one that was not accepted (a 404 is
    recognised by it, never by the message's text)."""

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


@dataclass
class Response:
    """What a fetch returned."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)  # names in any case


class Getter(Protocol):
    """What the sync cycle needs of a fetcher (:class:`Fetcher`; fleet simulations also
    use ``bench/sim/lightfetch.py``)."""

    bytes_received: int
    requests_made: int

    def get(self, url: str, max_bytes: int, headers: dict[str, str] | None = None,
            accept: tuple[int, ...] = (200,)) -> Response:
        """GET ``url`` with a body of at most ``max_bytes``; DownloadError on any failure."""

    def close(self) -> None:
        """Close kept-alive connections."""


class Fetcher:
    """GETs with limits, over one keep-alive session."""

    def __init__(self, headers: dict[str, str] | None = None, ca_bundle: Path | None = None,
                 timeout: float = 10.0, deadline: float = 60.0, user_agent: str = "signage-player") -> None:
        self.session = DeadlineSession()
        # identity: the body is read raw (read1), so it must not be compressed
        self.session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "identity", **(headers or {})})
        self.session.verify = str(ca_bundle) if ca_bundle else True
        self.timeout = timeout
        self.deadline = deadline
        self.bytes_received = 0
        self.requests_made = 0

    def get(self, url: str, max_bytes: int, headers: dict[str, str] | None = None,
            accept: tuple[int, ...] = (200,)) -> Response:
        """GET ``url``; the body is at most ``max_bytes`` or the request fails.

        Raises:
            DownloadError: network errors, timeouts, limits, a status not in ``accept``.
        """
        shown = mask_url(url)  # never a password in a message
        self.requests_made += 1
        with deadline(self.deadline) as guard:
            try:
                reply = self._get(url, shown, max_bytes, headers, accept)
            except DownloadError:
                if guard.fired:
                    raise DownloadError(f"{shown}: not complete after {self.deadline:g} s, cut off") from None
                raise
            if guard.fired:  # cut mid-headers, a reply can look complete: never use it
                raise DownloadError(f"{shown}: not complete after {self.deadline:g} s, cut off")
            return reply

    def _get(self, url: str, shown: str, max_bytes: int, headers: dict[str, str] | None,
             accept: tuple[int, ...]) -> Response:
        started = time.monotonic()
        try:
            with self.session.get(url, headers=headers, stream=True, timeout=self.timeout) as reply:
                if reply.status_code not in accept:
                    retry = retry_after_seconds(reply.headers.get("Retry-After"))
                    raise DownloadError(f"{shown}: HTTP {reply.status_code}", retry, reply.status_code)
                declared = reply.headers.get("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                    raise DownloadError(f"{shown}: {declared} bytes announced, over the {max_bytes} byte limit")
                body = bytearray()
                # read1 returns whatever one socket read brings, so the deadline is checked
                # between trickling bytes too (iter_content would block for a whole chunk).
                read1 = getattr(reply.raw, "read1", None)
                chunks = iter(lambda: read1(CHUNK), b"") if read1 else reply.iter_content(CHUNK)
                for chunk in chunks:
                    body += chunk
                    self.bytes_received += len(chunk)
                    if len(body) > max_bytes:
                        raise DownloadError(f"{shown}: more than {max_bytes} bytes, cut off")
                    if time.monotonic() - started > self.deadline:
                        raise DownloadError(f"{shown}: not complete after {self.deadline:g} s, cut off")
                if declared is not None and declared.isdigit() and int(declared) != len(body):
                    raise DownloadError(f"{shown}: body ended after {len(body)} of {declared} bytes")
                # header names are case-insensitive (a Go server sends "Etag", not "ETag")
                return Response(reply.status_code, bytes(body), CaseInsensitiveDict(reply.headers))
        except requests.exceptions.SSLError as exc:
            raise DownloadError(f"{shown}: TLS verification failed ({clipped(str(exc))}); check sync.ca_bundle") from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            # read1 bypasses requests' wrapping, so urllib3's own errors arrive here too
            raise DownloadError(f"{shown}: {clipped(str(exc))}") from None

    def close(self) -> None:
        """Close the keep-alive connections."""
        self.session.close()


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) in seconds from now."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def clipped(text: str) -> str:
    """At most 200 characters (an exception's text can be a page long)."""
    return text if len(text) < 200 else text[:197] + "..."

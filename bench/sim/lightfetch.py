"""A lean plain-HTTP fetcher for simulated fleets: :class:`~player.sources.fetch.Fetcher`'s
contract on one raw keep-alive socket.

Why it exists: a simulated fleet runs a thousand sync clients on two cores. Through
requests a GET costs about 1 ms of Python here, so a full republish (200 objects to
each of 1,000 players) took the *simulator* 222 s of CPU and the benchmark measured
its own saturation, not the publishing design (nginx spent 53 µs per request). This
fetcher costs about 30 µs per request, so a benchmark's figures are the server's and
the protocol's again. Everything above the transport is unchanged: the same
:class:`~player.sources.sync.BundleSync` cycle, conditional requests, signature,
version, path, size and sha256 checks, activation and collection.

What it keeps from the real fetcher: the body limit (``max_bytes``, announced or
actual), the per-read timeout, the whole-request ``deadline``, a body shorter than its
``Content-Length`` is an error, ``Retry-After`` on a refused status, the same
:class:`~player.sources.fetch.DownloadError` messages for the same faults.
What it leaves out, on purpose: TLS, proxies and chunked bodies — a benchmark talks
plain HTTP to a static server on 127.0.0.1. The player itself always uses
:class:`~player.sources.fetch.Fetcher` (requests).
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from requests.structures import CaseInsensitiveDict

from player.logmask import mask_url
from player.sources.fetch import CHUNK, DownloadError, Response, clipped, retry_after_seconds

MAX_HEAD = 64 * 1024
NO_BODY = (204, 304)


class LightFetcher:
    """GETs with limits over one keep-alive connection (plain HTTP only)."""

    def __init__(self, headers: dict[str, str] | None = None, timeout: float = 10.0, deadline: float = 60.0,
                 user_agent: str = "signage-fleet") -> None:
        self.timeout = timeout
        self.deadline = deadline
        self.fixed = "".join(f"{k}: {v}\r\n" for k, v in
                             {"User-Agent": user_agent, "Accept-Encoding": "identity", **(headers or {})}.items())
        self.bytes_received = 0
        self.requests_made = 0
        self._sock: socket.socket | None = None
        self._where = ""
        self._buffer = b""

    def get(self, url: str, max_bytes: int, headers: dict[str, str] | None = None,
            accept: tuple[int, ...] = (200,)) -> Response:
        """GET ``url``; the body is at most ``max_bytes`` or the request fails.

        Raises:
            DownloadError: network errors, timeouts, limits, a status not in ``accept``.
        """
        shown = mask_url(url)
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise DownloadError(f"{shown}: the lightweight fetcher speaks plain http:// only")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        request = f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{self.fixed}{extra}\r\n".encode("latin-1")
        self.requests_made += 1
        started = time.monotonic()
        try:
            status, fields = self._exchange(parts.hostname, parts.port or 80, parts.netloc, request, started)
            return self._body(shown, status, fields, max_bytes, accept, started)
        except DownloadError:
            self.close()
            raise
        except (OSError, EOFError, ValueError) as exc:  # refused, reset, closed, timeouts, deadline, not HTTP
            self.close()
            raise DownloadError(f"{shown}: {clipped(str(exc)) or type(exc).__name__}") from None

    def close(self) -> None:
        """Close the keep-alive connection."""
        if self._sock is not None:
            self._sock.close()
        self._sock, self._buffer = None, b""

    # --- the exchange -------------------------------------------------------------------

    def _exchange(self, host: str, port: int, where: str, request: bytes,
                  started: float) -> tuple[int, CaseInsensitiveDict]:
        """Send the request and read the head; a stale kept-alive connection is retried once."""
        if self._sock is not None and self._where == where:
            try:
                return self._send(request, started)
            except (ConnectionError, EOFError):
                pass  # the server closed it between two requests
        self._connect(host, port, where)
        return self._send(request, started)

    def _send(self, request: bytes, started: float) -> tuple[int, CaseInsensitiveDict]:
        self._sock.sendall(request)
        return _parse_head(self._head(started))

    def _connect(self, host: str, port: int, where: str) -> None:
        self.close()
        self._sock = socket.create_connection((host, port), timeout=self.timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._where = where

    def _recv(self, started: float) -> bytes:
        """One socket read (blocks up to ``timeout``), after checking the whole-request deadline."""
        if time.monotonic() - started > self.deadline:
            raise TimeoutError(f"not complete after {self.deadline:g} s, cut off")
        return self._sock.recv(CHUNK)

    def _head(self, started: float) -> bytes:
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                head, self._buffer = self._buffer[:end], self._buffer[end + 4:]
                return head
            if len(self._buffer) > MAX_HEAD:
                raise ValueError("response head over 64 KiB")
            data = self._recv(started)
            if not data:
                if self._buffer:
                    raise ConnectionResetError("connection closed inside the response head")
                raise EOFError("connection closed before a response")
            self._buffer += data

    def _body(self, shown: str, status: int, fields: CaseInsensitiveDict, max_bytes: int,
              accept: tuple[int, ...], started: float) -> Response:
        if status not in accept:
            raise DownloadError(f"{shown}: HTTP {status}", retry_after_seconds(fields.get("Retry-After")), status)
        if "chunked" in fields.get("Transfer-Encoding", "").lower():
            raise DownloadError(f"{shown}: chunked bodies are not supported by the lightweight fetcher")
        declared = fields.get("Content-Length")
        length = int(declared) if declared is not None and declared.isdigit() else None
        if status in NO_BODY:
            length = 0
        elif length is not None and length > max_bytes:
            raise DownloadError(f"{shown}: {declared} bytes announced, over the {max_bytes} byte limit")
        body = bytearray(self._buffer[:length] if length is not None else self._buffer)
        self._buffer = self._buffer[len(body):]
        self.bytes_received += len(body)
        while length is None or len(body) < length:
            if len(body) > max_bytes:
                raise DownloadError(f"{shown}: more than {max_bytes} bytes, cut off")
            data = self._recv(started)
            if not data:
                break
            if length is not None and len(body) + len(data) > length:  # the next response's start
                data, self._buffer = data[:length - len(body)], data[length - len(body):]
            self.bytes_received += len(data)
            body += data
        if len(body) > max_bytes:
            raise DownloadError(f"{shown}: more than {max_bytes} bytes, cut off")
        if length is not None and len(body) != length:
            raise DownloadError(f"{shown}: body ended after {len(body)} of {declared} bytes")
        if length is None or "close" in fields.get("Connection", "").lower():
            self.close()
        return Response(status, bytes(body), fields)


def _parse_head(head: bytes) -> tuple[int, CaseInsensitiveDict]:
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/") or not status_line[1].isdigit():
        raise ValueError(f"not an HTTP response: {lines[0][:60]!r}")
    fields: CaseInsensitiveDict = CaseInsensitiveDict()
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return int(status_line[1]), fields

"""``signage fleet receive``: heartbeats in; Prometheus metrics and screenshots out.

Routes (HTTP/1.0, one request per connection; the stdlib ``HTTPServer`` with a fixed pool
of :data:`WORKERS` threads):

- ``POST /`` or ``POST /heartbeat``: a player's heartbeat (runtime/report.py). Checked in
  this order, each failure answered before the body is read where possible: the bearer
  token (``Authorization: Bearer <token>``, compared in constant time; 401), a
  ``Content-Length`` (411) within ``max_body`` (413), JSON (400), every field
  (player/fleet/payload.py; 400 with the field named). Accepted: 204, and the report
  replaces the screen's previous one, in memory at once and in the folder within 2 s
  (player/fleet/screens.py).
- ``GET /metrics``: every screen's families with a ``screen`` label, plus
  ``signage_up`` (reported within 3 report intervals), ``signage_clock_offset_seconds``
  (the screen's ``sent_at`` minus the arrival), ``signage_fleet_screens`` and
  ``signage_fleet_reports_total{result}``. No token: it holds no notice text; keep the
  port on the intranet or behind nginx (docs/fleet.md).
- ``GET /screens/<url-encoded name>/screen.png``: the screen's latest screenshot (token
  required; 404 for an unknown screen or none sent).

Every socket read has a timeout (:data:`READ_TIMEOUT`), so a slow client cannot hold a
thread for long. The counters and families are rendered by prometheus-client.
"""

from __future__ import annotations

import hmac
import json
import logging
import queue
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Sample

from player.fleet.metrics import exposition
from player.fleet.payload import PayloadError, parse_report
from player.fleet.screens import FullError, ScreenStore

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024 * 1024
READ_TIMEOUT = 10.0
WORKERS = 16
LINGER_SECONDS = 2.0
LINGER_BYTES = 64 * 1024 * 1024
DEFAULT_INTERVAL = 300.0  # report.interval's default, for players that do not say theirs
SILENT_INTERVALS = 3
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RESULTS = ("accepted", "unauthorized", "too_large", "invalid", "full")


class Receiver:
    """The server: a store, a token, counters. ``start()`` serves in a thread."""

    def __init__(self, listen: tuple[str, int], store: ScreenStore, token: str, max_body: int = MAX_BODY,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.max_body = max_body
        self.clock = clock
        self._expected = f"Bearer {token}".encode("utf-8")
        self._counts = dict.fromkeys(RESULTS, 0)
        self._count_lock = threading.Lock()
        handler = _handler(self)

        class Server(_PooledHTTPServer):
            address_family = socket.AF_INET6 if ":" in listen[0] else socket.AF_INET

        self.server = Server(listen, handler)
        self.address: tuple[str, int] = self.server.server_address[:2]
        self._thread: threading.Thread | None = None

    def start(self) -> "Receiver":
        """Serve in a background thread (and flush reports in another)."""
        self.store.start()
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="fleet-receive", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.close_pool()
        self.server.server_close()
        self.store.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def authorized(self, header: str | None) -> bool:
        """Is this ``Authorization`` header the bearer token (constant-time compare)?"""
        return header is not None and hmac.compare_digest(header.strip().encode("utf-8"), self._expected)

    def count(self, result: str) -> None:
        """One more request with this outcome (for ``signage_fleet_reports_total``)."""
        with self._count_lock:
            self._counts[result] += 1

    def accept(self, body: bytes) -> tuple[int, str]:
        """Validate and store a heartbeat body; (HTTP status, message)."""
        try:
            report = parse_report(json.loads(body), self.clock())
        except ValueError as exc:  # JSON errors and PayloadError
            self.count("invalid")
            message = str(exc) if isinstance(exc, PayloadError) else "body is not JSON"
            return 400, message
        try:
            self.store.put(report)
        except FullError as exc:
            self.count("full")
            return 507, str(exc)
        self.count("accepted")
        return 204, ""

    def metrics(self) -> bytes:
        """The text for ``GET /metrics``."""
        now = self.clock()
        entries = self.store.entries()
        up, offset = [], []
        for name, entry in entries:
            report = entry.report
            interval = report.observation.report_interval or DEFAULT_INTERVAL
            labels = {"screen": name}
            up.append(Sample("signage_up", labels, float(now - report.received_at <= SILENT_INTERVALS * interval),
                             None, None))
            if report.sent_at is not None:
                offset.append(Sample("signage_clock_offset_seconds", labels,
                                     round(report.sent_at - report.received_at, 3), None, None))
        with self._count_lock:
            counts = dict(self._counts)
        fleet = [
            _metric("signage_up", "1 when the screen reported within 3 of its report intervals.", "gauge", up),
            _metric("signage_clock_offset_seconds",
                    "The screen's clock minus the receiver's, at its last report (sent_at - arrival).",
                    "gauge", offset),
            _metric("signage_fleet_screens", "Screens that have reported to this receiver.", "gauge",
                    [Sample("signage_fleet_screens", {}, float(len(entries)), None, None)]),
            _metric("signage_fleet_reports", "Heartbeat requests by outcome.", "counter",
                    [Sample("signage_fleet_reports_total", {"result": r}, float(n), None, None)
                     for r, n in counts.items()]),
        ]
        return exposition(m for m in fleet if m.samples) + b"".join(self.store.families(entries))

    def screenshot(self, name: str) -> Path | None:
        """The latest screenshot file of a screen, if any."""
        entry = self.store.get(name)
        return entry.screenshot if entry is not None else None


class _PooledHTTPServer(HTTPServer):
    """An HTTP server whose connections are handled by a fixed pool of threads.

    A thread per connection (``ThreadingHTTPServer``) costs more CPU to start than a
    heartbeat costs to handle; a pool of :data:`WORKERS` also caps the threads that slow
    clients can hold (each read times out after :data:`READ_TIMEOUT`).
    """

    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._workers = [threading.Thread(target=self._serve_queue, name=f"fleet-worker-{k}", daemon=True)
                         for k in range(WORKERS)]
        for worker in self._workers:
            worker.start()

    def process_request(self, request, client_address) -> None:  # noqa: ANN001 - socketserver's signature
        self._work.put((request, client_address))

    def _serve_queue(self) -> None:
        while (item := self._work.get()) is not None:
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 - as socketserver does: log it, keep serving
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    def close_pool(self) -> None:
        """End the worker threads after the connections they are serving."""
        for _ in self._workers:
            self._work.put(None)
        for worker in self._workers:
            worker.join(timeout=READ_TIMEOUT + 5)


def _metric(name: str, text: str, kind: str, samples: list[Sample]) -> Metric:
    metric = Metric(name, text, kind)
    metric.samples = samples
    return metric


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = READ_TIMEOUT
        server_version = "signage-fleet"
        sys_version = ""

        def log_message(self, *_args: object) -> None:
            pass  # thousands of reports a minute: the counters say how many

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            if self.path.split("?", 1)[0] not in ("/", "/heartbeat"):
                self._reply(404, "POST heartbeats to / or /heartbeat")
                return
            if not receiver.authorized(self.headers.get("Authorization")):
                receiver.count("unauthorized")
                self._reply(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
                return
            length = self.headers.get("Content-Length")
            if length is None or not length.strip().isdigit():
                receiver.count("invalid")
                self._reply(411, "Content-Length required")
                return
            if int(length) > receiver.max_body:
                receiver.count("too_large")
                self._reply(413, f"body larger than {receiver.max_body} bytes")
                self._linger(int(length))
                return
            try:
                body = self.rfile.read(int(length))
            except OSError:
                return  # the client went away or was too slow: nothing to answer
            if len(body) != int(length):
                receiver.count("invalid")
                self._reply(400, "body shorter than Content-Length")
                return
            self._reply(*receiver.accept(body))

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, receiver.metrics(), CONTENT_TYPE)
                return
            parts = path.split("/")
            if len(parts) == 4 and parts[1] == "screens" and parts[3] == "screen.png":
                if not receiver.authorized(self.headers.get("Authorization")):
                    self._reply(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
                    return
                shot = receiver.screenshot(urllib.parse.unquote(parts[2]))
                try:
                    data = shot.read_bytes() if shot is not None else None
                except OSError:
                    data = None
                if data is None:
                    self._reply(404, "no screenshot of that screen")
                    return
                self._send(200, data, "image/png")
                return
            self._reply(404, "GET /metrics or /screens/<name>/screen.png")

        def _linger(self, length: int) -> None:
            """Read (and drop) a refused body for a moment, so that a client still sending
            it reads the 413 instead of a connection reset; bounded in bytes and time."""
            end, left = time.monotonic() + LINGER_SECONDS, min(length, LINGER_BYTES)
            try:
                self.connection.settimeout(LINGER_SECONDS)
                while left > 0 and time.monotonic() < end:
                    chunk = self.rfile.read1(min(left, 65536))
                    if not chunk:
                        break
                    left -= len(chunk)
            except OSError:
                pass

        def _reply(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
            body = (message + "\n").encode("utf-8") if message else b""
            self._send(status, body, "text/plain; charset=utf-8", headers)

        def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if status != 204:
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if status != 204:
                    self.wfile.write(body)
            except OSError:
                pass  # the client hung up

    return Handler


def read_token(path: Path) -> str:
    """The bearer token: the file's content without surrounding whitespace.

    Raises:
        ValueError: unreadable, empty, or with characters a header cannot carry.
    """
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if not token:
        raise ValueError(f"{path} is empty; put a long random token in it (e.g. openssl rand -hex 32 > {path})")
    if any(ord(c) < 33 or ord(c) > 126 for c in token):
        raise ValueError(f"{path}: the token must be one word of printable ASCII (e.g. openssl rand -hex 32)")
    if len(token) < 16:
        raise ValueError(f"{path}: the token is shorter than 16 characters; use e.g. openssl rand -hex 32")
    return token

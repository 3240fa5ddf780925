"""A static HTTP server on 127.0.0.1 for bundle tests, with fault injection.

It serves a folder like nginx would (ETag / If-None-Match, Last-Modified, Content-Length)
and can be told, per path prefix, to misbehave: answer with a status (and Retry-After),
truncate or reset a body mid-way, trickle bytes, send an endless or a huge body, or
replace the bytes. Every request is logged (path, status, bytes sent).
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Fault:
    kind: str                  # status | truncate | reset | slow | slow-status | slow-headers | endless | huge | replace | delay
    status: int = 500
    retry_after: str | None = None
    keep: int = 10             # bytes sent before truncate/reset
    interval: float = 1.0      # seconds between bytes (slow) / before answering (delay)
    size: int = 0              # huge
    data: bytes = b""          # replace


@dataclass
class Log:
    path: str
    status: int
    sent: int


@dataclass
class BundleServer:
    root: Path
    faults: dict[str, Fault] = field(default_factory=dict)
    log: list[Log] = field(default_factory=list)
    port: int = 0
    connections: set = field(default_factory=set)
    lower_headers: bool = False  # send header names in lower case (they are case-insensitive)

    def start(self) -> "BundleServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def setup(self) -> None:
                super().setup()
                server.connections.add(self.connection)

            def handle(self) -> None:
                try:
                    super().handle()
                except (ConnectionResetError, BrokenPipeError):
                    pass  # a client that hung up on a cut-off body: the next request never comes

            def finish(self) -> None:
                server.connections.discard(self.connection)
                super().finish()

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                fault = next((f for prefix, f in server.faults.items() if path.startswith(prefix)), None)
                try:
                    sent = self._answer(path, fault)
                except (BrokenPipeError, ConnectionResetError):
                    sent = -1
                server.log.append(Log(path, getattr(self, "_status", 0), sent))

            def _status_line(self, code: int, headers: dict[str, str]) -> None:
                self._status = code
                self.send_response(code)
                for key, value in headers.items():
                    self.send_header(key.lower() if server.lower_headers else key, value)
                self.end_headers()

            def _answer(self, path: str, fault: Fault | None) -> int:
                if fault is not None and fault.kind == "delay":
                    time.sleep(fault.interval)
                    fault = None
                if fault is not None and fault.kind in ("slow-status", "slow-headers"):
                    # The status line (or the headers after it) one byte at a time.
                    self._status = 200
                    head = b"HTTP/1.1 200 OK\r\n"
                    rest = b"Content-Length: 2\r\nX-Padding: " + b"x" * 200 + b"\r\n\r\nok"
                    if fault.kind == "slow-headers":
                        self.wfile.write(head)
                        head = b""
                    for byte in head + rest:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(fault.interval)
                    return 2
                if fault is not None and fault.kind == "status":
                    headers = {"Content-Length": "0"}
                    if fault.retry_after:
                        headers["Retry-After"] = fault.retry_after
                    self._status_line(fault.status, headers)
                    return 0
                if fault is not None and fault.kind in ("endless", "huge"):
                    self._status_line(200, {"Connection": "close"} if fault.kind == "endless"
                                      else {"Content-Length": str(fault.size)})
                    sent = 0
                    block = b"x" * 65536
                    while fault.kind == "endless" or sent < fault.size:
                        chunk = block if fault.kind == "endless" else block[: fault.size - sent]
                        self.wfile.write(chunk)
                        sent += len(chunk)
                    return sent
                file = (server.root / path.lstrip("/")).resolve()
                if not str(file).startswith(str(server.root.resolve())) or not file.is_file():
                    self._status_line(404, {"Content-Length": "0"})
                    return 0
                data = file.read_bytes()
                if fault is not None and fault.kind == "replace":
                    data = fault.data
                etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._status_line(304, {"ETag": etag, "Content-Length": "0"})
                    return 0
                headers = {"Content-Length": str(len(data)), "ETag": etag,
                           "Last-Modified": formatdate(file.stat().st_mtime, usegmt=True),
                           "Cache-Control": "no-cache"}
                self._status_line(200, headers)
                if fault is None or fault.kind == "replace":
                    self.wfile.write(data)
                    return len(data)
                if fault.kind == "truncate":
                    self.wfile.write(data[: fault.keep])
                    self.close_connection = True
                    return fault.keep
                if fault.kind == "reset":
                    self.wfile.write(data[: fault.keep])
                    self.wfile.flush()
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    self.close_connection = True
                    return fault.keep
                if fault.kind == "slow":
                    for index in range(len(data)):
                        self.wfile.write(data[index:index + 1])
                        self.wfile.flush()
                        time.sleep(fault.interval)
                    return len(data)
                raise AssertionError(fault.kind)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        """Stop, and cut open keep-alive connections (as a restarting server does)."""
        self.httpd.shutdown()
        self.httpd.server_close()
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def requests_for(self, prefix: str) -> list[Log]:
        self.settle()
        return [entry for entry in self.log if entry.path.startswith(prefix)]

    def settle(self) -> list[Log]:
        """The log once the handler threads have finished writing it (they log after replying)."""
        time.sleep(0.05)
        count = -1
        while count != len(self.log):
            count = len(self.log)
            time.sleep(0.05)
        return self.log

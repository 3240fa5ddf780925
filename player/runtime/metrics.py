"""This screen's Prometheus metrics, from a background thread (``metrics:`` in the config).

Every :data:`EVERY` seconds the thread takes the last status document the frame loop
handed over (one dict reference; the loop does nothing more for metrics), adds the
:class:`~player.runtime.host.HostProbe`'s facts and renders the text format
(:mod:`player.fleet.metrics`). Then, as configured:

- ``metrics.textfile``: the text is written atomically to that ``.prom`` file for
  node_exporter's textfile collector — only when it changed, and without fsync (a
  snapshot replaced every 15 s; the rename keeps it whole, the kernel's write-back
  coalesces the SD-card writes);
- ``metrics.listen``: ``GET /metrics`` on that address answers with the last rendered
  text (a scraper never makes the player render: its cost is constant however often it
  asks). A small stdlib ``ThreadingHTTPServer``; any other path is 404.

Both are off by default; with neither set :meth:`MetricsService.start` starts nothing.
The metrics hold no notice text (titles, ids). ``signage_report_interval_seconds`` is
:data:`REPORT_INTERVAL`: the status is refreshed every 5 s while the screen is on and
every 60 s while it is off, so three of those without news means the player is stuck
or dead.

Wiring (App): one of the services, given the status writer's newest document::

    add(MetricsService(config.metrics, lambda: self.writer.last_status, config.state_dir, host))
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from player.config import MetricsConfig
from player.fleet.metrics import exposition, families
from player.fleet.observation import from_status
from player.fsutil import atomic_write
from player.runtime.host import HostProbe

from player.worker import Worker

log = logging.getLogger(__name__)

EVERY = 15.0
REPORT_INTERVAL = 60.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class MetricsService(Worker):
    """Renders the metrics every :data:`EVERY` s; writes the textfile and/or serves them."""

    name = "metrics"

    def __init__(self, config: MetricsConfig, status: Callable[[], dict], state_dir: Path,
                 host: HostProbe | None = None, every: float = EVERY) -> None:
        """Args:
            config: ``config.metrics``.
            status: returns the last status.json document (never mutated afterwards).
            state_dir: for the host facts' free space (when ``host`` is not given).
            host: the probe shared with the heartbeat (its restart count).
            every: seconds between renderings.
        """
        super().__init__()
        self.config = config
        self.status = status
        self.host = host or HostProbe(state_dir)
        self.every = every
        self.body = b""
        self.renders = 0
        self.address: tuple[str, int] | None = None  # where /metrics is served (port 0 resolved)
        self._written: bytes | None = None
        self._write_error: str | None = None
        self._server: ThreadingHTTPServer | None = None

    @property
    def enabled(self) -> bool:
        """True when ``metrics.textfile`` or ``metrics.listen`` is set."""
        return self.config.textfile is not None or self.config.listen is not None

    def start(self) -> None:
        """Render once, open the listening socket (if configured) and start the thread."""
        if not self.enabled or self.alive:
            return
        self.refresh()
        if self.config.listen is not None:
            self._serve(self.config.listen)
        super().start()

    def stop(self) -> None:
        """Stop the thread and the server (the textfile stays: node_exporter's age shows)."""
        super().stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def refresh(self) -> bytes:
        """Render now (and write the textfile if it changed); returns the text."""
        obs = from_status(self.status(), self.host.facts(), REPORT_INTERVAL)
        body = exposition(families(obs))
        self.body = body
        self.renders += 1
        if self.config.textfile is not None and body != self._written:
            self._write(self.config.textfile, body)
        return body

    def run(self) -> None:
        """Render every :attr:`every` seconds."""
        while not self.stopping.wait(self.every):
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a bug here must not end the metrics for good
                log.exception("metrics: rendering failed; trying again in %g s", self.every)

    def _write(self, path: Path, body: bytes) -> None:
        try:
            atomic_write(path, body, durable=False)  # rewritten every 15 s: no fsync, no SD wear
        except OSError as exc:
            message = str(exc.strerror or exc)
            if message != self._write_error:
                log.error("metrics: cannot write %s: %s; will keep trying", path, message)
            self._write_error = message
            return
        if self._write_error is not None:
            log.info("metrics: writing %s works again", path)
        self._write_error = None
        self._written = body

    def _serve(self, listen: tuple[str, int]) -> None:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path.split("?", 1)[0] != "/metrics":
                    self.send_error(404, "only /metrics here")
                    return
                body = service.body
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass  # a scrape every 15 s is not worth a journal line

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            address_family = socket.AF_INET6 if ":" in listen[0] else socket.AF_INET

        try:
            self._server = Server(listen, Handler)
        except OSError as exc:
            log.error("metrics: cannot listen on %s:%d: %s; /metrics is off (metrics.listen)",
                      listen[0], listen[1], exc.strerror or exc)
            return
        self.address = self._server.server_address[:2]
        threading.Thread(target=self._server.serve_forever, name="metrics-http", daemon=True).start()
        log.info("metrics: serving http://%s:%d/metrics", *self.address)

"""A hard end for every HTTP request made with requests: connect, status line, headers
and body together.

requests' ``timeout`` bounds each socket operation, not the request: a server that sends
its status line, headers or body one byte every few seconds never trips it and keeps a
sync thread waiting forever. :class:`DeadlineSession` is a ``requests.Session`` whose
connections register their sockets with the request in progress; :func:`deadline` arms a
timer that shuts those sockets down when the time is up, wherever the request is
blocked (TLS handshake, status line, headers, body). The request then fails, and
:attr:`Deadline.fired` says why.

Usage::

    with deadline(60.0) as guard:
        reply = session.get(url, timeout=10, stream=True)
        ...read the body...
    # guard.fired: the deadline ended it
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class Deadline:
    """The sockets of one request and the timer that ends them."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def attach(self, sock: socket.socket | None) -> None:
        """A socket the request uses (shut down at once if the deadline already passed)."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Arm a deadline for the requests made in this thread inside the block."""
    guard = Deadline(seconds)
    previous = getattr(_current, "guard", None)
    _current.guard = guard
    guard._timer.start()
    try:
        yield guard
    finally:
        guard._timer.cancel()
        _current.guard = previous


def _attach(sock: socket.socket | None) -> None:
    guard = getattr(_current, "guard", None)
    if guard is not None:
        guard.attach(sock)


class _Connection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _attach(sock)  # before the TLS handshake: a trickling handshake is cut off too
        return sock

    def request(self, *args, **kwargs) -> None:  # a kept-alive connection: its socket again
        _attach(self.sock)
        super().request(*args, **kwargs)


class _SecureConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _attach(sock)
        return sock

    def request(self, *args, **kwargs) -> None:
        _attach(self.sock)
        super().request(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _SecurePool(HTTPSConnectionPool):
    ConnectionCls = _SecureConnection


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _SecurePool}

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = {"http": _Pool, "https": _SecurePool}
        return manager


class DeadlineSession(requests.Session):
    """A requests session whose requests :func:`deadline` can end at any point."""

    def __init__(self) -> None:
        super().__init__()
        self.mount("http://", _Adapter())
        self.mount("https://", _Adapter())

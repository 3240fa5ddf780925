"""systemd's notify protocol (sd_notify) with the standard library's socket module.

Under ``Type=notify`` systemd passes ``NOTIFY_SOCKET`` (a datagram socket; a leading
``@`` means the abstract namespace) and, with ``WatchdogSec=``, ``WATCHDOG_USEC``. The
player sends ``READY=1`` after its first frame, ``WATCHDOG=1`` from the frame loop at
half the watchdog interval — so a frozen loop is restarted while a busy background
thread is not — and ``STATUS=`` lines that ``systemctl status`` shows. Without
``NOTIFY_SOCKET`` every call does nothing: the same code runs from a terminal.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Messages to the service manager; a no-op when not started by systemd."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        address = env.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):
            address = "\0" + address[1:]
        self.address = address or None
        self.watchdog_every: float | None = None
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            self.watchdog_every = int(usec) / 1e6 / 2
        self._socket: socket.socket | None = None
        self._last_ping: float | None = None
        self._last_status: str | None = None
        self._failed = False

    @property
    def enabled(self) -> bool:
        """Started by systemd with a notify socket."""
        return self.address is not None

    def send(self, message: str) -> bool:
        """One datagram (``KEY=value`` lines). Returns False if it could not be sent."""
        if self.address is None:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            # Never wait: the frame loop sends. A full queue drops this message (the next
            # ping follows within half a watchdog interval).
            self._socket.sendto(message.encode("utf-8"), socket.MSG_DONTWAIT, self.address)
        except BlockingIOError:
            return False
        except OSError as exc:
            if not self._failed:  # once: a broken socket must not flood the journal
                log.error("cannot notify systemd at %s (%s); the service may be restarted by its watchdog",
                          self.address.replace("\0", "@"), exc.strerror or exc)
            self._failed = True
            return False
        self._failed = False
        return True

    def ready(self, status: str = "") -> None:
        """The first frame is on screen."""
        self.send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, text: str) -> None:
        """A one-line state for ``systemctl status`` (sent only when it changes)."""
        if text != self._last_status:
            self._last_status = text
            self.send(f"STATUS={text}")

    def ping(self, mono: float) -> None:
        """Called every frame: ``WATCHDOG=1`` once per half watchdog interval."""
        if self.watchdog_every is None:
            return
        if self._last_ping is None or mono - self._last_ping >= self.watchdog_every:
            self._last_ping = mono
            self.send("WATCHDOG=1")

    def stopping(self) -> None:
        """The player is shutting down cleanly."""
        self.send("STOPPING=1")

    def close(self) -> None:
        """Release the socket."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

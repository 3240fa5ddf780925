"""The publisher's side of the alert channel: ``signage alert send|cancel|clear|import``.

Each command reads the site's current ``alerts.json`` (if any), drops messages whose
``expires`` has passed, applies its change, and writes the new document with
``sequence`` = previous + 1: ``alerts.json`` first, then ``alerts.json.sig``, each
atomically (temp file, fsync, rename). A player that fetches between the two writes
sees a signature that does not match yet and asks again a second later.

The document always holds every current message, so a player that missed one poll
still ends up in the same state. A cancel or all-clear *replaces* the alert with the
same id (a cancel keeps the alert's expiry so that players see it for as long as the
alert could have been shown).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from player.fsutil import atomic_write
from player.model.alerts import (ALL_CLEAR_SECONDS, Alert, AlertDocument, AlertError, MsgType, parse_alert,
                                 parse_document)
from player.model.cap import CapMessage
from player.sources.alerts import DOCUMENT, SIGNATURE
from player.sources.bundle import sign


class AlertPublishError(Exception):
    """Nothing was written; ``usage`` is True for a mistake in the command, False for a
    problem with the content (exit 2 and exit 1)."""

    def __init__(self, message: str, usage: bool = True) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Published:
    """What a command wrote."""

    sequence: int
    alerts: tuple[Alert, ...]   # every message in the new document
    dropped: int                # expired messages left out


def current(site: Path) -> AlertDocument | None:
    """The site's alerts.json (None when there is none).

    Raises:
        AlertPublishError: unreadable or invalid (fix or remove it).
    """
    path = site / DOCUMENT
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AlertPublishError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return parse_document(data)
    except AlertError as exc:
        # keep going from its sequence if at least that is readable: players must see a higher one
        raise AlertPublishError(f"{path} is invalid ({exc}); fix or remove it (players refuse a lower "
                                f"sequence than they have seen: keep 'sequence' above {_sequence_hint(data)})") \
            from None


def _sequence_hint(data: bytes) -> str:
    try:
        return str(int(json.loads(data)["sequence"]))
    except (ValueError, KeyError, TypeError):
        return "the old one"


def publish(site: Path, key: Ed25519PrivateKey, change: Callable[[list[Alert]], list[Alert]],
            now: dt.datetime) -> Published:
    """Apply ``change`` to the site's live messages and write the next signed document.

    Raises:
        AlertPublishError: the site folder is missing, the old document is unreadable,
            or ``change`` refused.
        OSError: the files could not be written.
    """
    if not site.is_dir():
        raise AlertPublishError(f"{site}: no such folder (the site folder that holds manifest.json)")
    previous = current(site)
    live = [a for a in (previous.alerts if previous else ()) if a.expires > now]
    dropped = len(previous.alerts) - len(live) if previous else 0
    alerts = change(live)
    document = AlertDocument((previous.sequence if previous else 0) + 1, now.replace(microsecond=0), tuple(alerts))
    data = document.to_bytes()
    parse_document(data)  # what players will run: never publish what they refuse
    atomic_write(site / DOCUMENT, data)
    atomic_write(site / SIGNATURE, sign(data, key))
    return Published(document.sequence, document.alerts, dropped)


def _find(live: list[Alert], alert_id: str) -> Alert:
    for alert in live:
        if alert.id == alert_id:
            return alert
    known = ", ".join(a.id for a in live if a.type in (MsgType.ALERT, MsgType.UPDATE)) or "none"
    raise AlertPublishError(f"no live alert {alert_id!r} in alerts.json; live alerts: {known}", usage=False)


def send(site: Path, key: Ed25519PrivateKey, alert: Alert, now: dt.datetime) -> Published:
    """Publish ``alert``; an alert with the id of a live one replaces it as an update."""
    def change(live: list[Alert]) -> list[Alert]:
        new = alert
        if any(a.id == alert.id for a in live):
            new = dataclasses.replace(alert, type=MsgType.UPDATE)
        return [a for a in live if a.id != alert.id] + [new]
    return publish(site, key, change, now)


def cancel(site: Path, key: Ed25519PrivateKey, alert_id: str, now: dt.datetime) -> Published:
    """Replace the live alert ``alert_id`` by a cancel: it leaves every screen at the next poll."""
    def change(live: list[Alert]) -> list[Alert]:
        old = _find(live, alert_id)
        return [a for a in live if a.id != alert_id] + [
            dataclasses.replace(old, type=MsgType.CANCEL, sent=now.replace(microsecond=0))]
    return publish(site, key, change, now)


def clear(site: Path, key: Ed25519PrivateKey, alert_id: str, now: dt.datetime, text: str | None = None,
          issuer: str | None = None) -> Published:
    """Replace the live alert ``alert_id`` by its all-clear (解除), shown for 10 minutes."""
    def change(live: list[Alert]) -> list[Alert]:
        old = _find(live, alert_id)
        sent = now.replace(microsecond=0)
        title = old.title if old.title.endswith("解除") else f"{old.title}解除"
        cleared = dataclasses.replace(
            old, type=MsgType.ALL_CLEAR, sent=sent, expires=sent + dt.timedelta(seconds=ALL_CLEAR_SECONDS),
            title=title[:80], text=text if text is not None else f"{old.level.label}已于{_local(sent, old)}解除。",
            instruction="", issuer=issuer if issuer is not None else old.issuer)
        parse_alert(cleared.to_json())
        return [a for a in live if a.id != alert_id] + [cleared]
    return publish(site, key, change, now)


def _local(moment: dt.datetime, alert: Alert) -> str:
    local = moment.astimezone(alert.sent.tzinfo)
    return f"{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def import_cap(site: Path, key: Ed25519PrivateKey, message: CapMessage, now: dt.datetime) -> Published:
    """Publish a parsed CAP message: an alert/update/all-clear, or cancels of the ids it references."""
    if message.alert is not None:
        alert = message.alert
        if alert.expires <= now:
            raise AlertPublishError(f"CAP message {message.identifier!r} expired at "
                                    f"{alert.expires.isoformat()}; nothing was published", usage=False)

        def change(live: list[Alert]) -> list[Alert]:
            return [a for a in live if a.id != alert.id] + [alert]
        return publish(site, key, change, now)

    def cancels(live: list[Alert]) -> list[Alert]:
        out = list(live)
        for alert_id in message.cancels:
            old = _find(out, alert_id)
            out = [a for a in out if a.id != alert_id] + [
                dataclasses.replace(old, type=MsgType.CANCEL, sent=now.replace(microsecond=0))]
        return out
    return publish(site, key, cancels, now)

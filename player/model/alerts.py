"""Emergency alerts: the values, the signed ``alerts.json`` document, staff alert files.

Pure: no I/O, no clock reads (every "now" is passed in). docs/alerts.md describes the
format for publishers; this module is its reference.

Levels are the four warning levels of GB/T 35965.1 (突发事件预警信息): 红 (I, 特别严重),
橙 (II, 严重), 黄 (III, 较重), 蓝 (IV, 一般). A message is an ``alert``, an ``update``
(same id, new content or level), a ``cancel`` (the alert leaves the screens at once) or
an ``all-clear`` (解除: shown for :data:`ALL_CLEAR_SECONDS`). ``status`` ``exercise`` and
``test`` are drills: shown only on screens tagged :data:`DRILL_TAG`, always marked 演练.

Invariants of a parsed :class:`AlertDocument` (``parse_document`` refuses anything else,
with one line saying what and where): ``format`` is :data:`FORMAT`; ``sequence`` is a
whole number >= 1; every time has a UTC offset; every alert has a unique id, a known
level, type and status, a title, and an ``expires`` after its ``sent`` and at most
:data:`MAX_LIFETIME` later; texts are within their length limits.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo


FORMAT = 1
#: Largest alerts.json accepted (the player refuses a longer body before parsing it).
MAX_DOCUMENT = 256 * 1024
MAX_ALERTS = 50
MAX_ID = 120
MAX_TITLE = 80
MAX_TEXT = 2000
MAX_INSTRUCTION = 1000
MAX_SHORT = 120          # issuer, area description
MAX_TAGS = 20
#: An alert may be published for at most this long (a longer one is a typing mistake).
MAX_LIFETIME = dt.timedelta(days=30)
#: How long an all-clear (解除) stays on screen.
ALL_CLEAR_SECONDS = 600.0
#: Screens with this tag in ``screen.tags`` show drills (status exercise/test); no other does.
DRILL_TAG = "drill"
#: The mark every drill carries on screen.
DRILL_MARK = "演练"


class AlertError(ValueError):
    """An alert, document or CAP message that must not be shown (one line: what and where)."""


class Level(enum.Enum):
    """Warning levels of GB/T 35965.1, most severe first."""

    RED = "红"
    ORANGE = "橙"
    YELLOW = "黄"
    BLUE = "蓝"

    @property
    def rank(self) -> int:
        """1 (红, most severe) to 4 (蓝)."""
        return list(Level).index(self) + 1

    @property
    def roman(self) -> str:
        """Ⅰ to Ⅳ."""
        return "ⅠⅡⅢⅣ"[self.rank - 1]

    @property
    def label(self) -> str:
        """``红色预警``."""
        return f"{self.value}色预警"

    @property
    def full_screen(self) -> bool:
        """Red and orange take the whole screen; yellow and blue are a band."""
        return self in (Level.RED, Level.ORANGE)

    @classmethod
    def parse(cls, text: object) -> "Level | None":
        """红 / 红色 / 红色预警 / Red / I / Ⅰ / Ⅰ级 / 1 / 一级 … -> a level (None: not a level)."""
        if not isinstance(text, str):
            return None
        key = re.sub(r"\s+", "", text).lower().removesuffix("预警").removesuffix("级").removesuffix("色")
        return _LEVEL_NAMES.get(key)


_LEVEL_NAMES = {}
for _level, _names in zip(Level, (("红", "red", "i", "ⅰ", "1", "一"), ("橙", "orange", "ii", "ⅱ", "2", "二"),
                                  ("黄", "yellow", "iii", "ⅲ", "3", "三"), ("蓝", "blue", "iv", "ⅳ", "4", "四"))):
    for _name in _names:
        _LEVEL_NAMES[_name] = _level


class MsgType(enum.Enum):
    """What a message does to the alert with its id."""

    ALERT = "alert"
    UPDATE = "update"
    CANCEL = "cancel"
    ALL_CLEAR = "all-clear"


class Status(enum.Enum):
    """Real, or a drill."""

    ACTUAL = "actual"
    EXERCISE = "exercise"
    TEST = "test"

    @property
    def drill(self) -> bool:
        """Exercise and Test are drills: drill-tagged screens only, marked 演练."""
        return self is not Status.ACTUAL


@dataclass(frozen=True)
class Alert:
    """One message about one alert (``id``), as published or raised by staff."""

    id: str
    level: Level
    title: str
    sent: dt.datetime
    expires: dt.datetime
    type: MsgType = MsgType.ALERT
    status: Status = Status.ACTUAL
    text: str = ""
    instruction: str = ""
    issuer: str = ""
    area: str = ""
    screens: tuple[str, ...] = ()
    source: str = "district"  # district (alerts.json) | local (a staff file)

    @property
    def drill(self) -> bool:
        """Exercise or Test."""
        return self.status.drill

    def shown_on(self, tags: tuple[str, ...] | frozenset[str] | list[str]) -> bool:
        """Whether a screen with ``tags`` shows this alert: a drill only with
        :data:`DRILL_TAG`; an alert with ``screens`` only on a screen sharing one (as notices)."""
        tags = set(tags)
        if self.drill and DRILL_TAG not in tags:
            return False
        return not self.screens or bool(set(self.screens) & tags)

    def to_json(self) -> dict:
        """The alert as it is written into alerts.json."""
        return {"id": self.id, "type": self.type.value, "level": self.level.value, "status": self.status.value,
                "title": self.title, "text": self.text, "instruction": self.instruction, "issuer": self.issuer,
                "area": self.area, "sent": _iso(self.sent), "expires": _iso(self.expires),
                "screens": list(self.screens)}


@dataclass(frozen=True)
class AlertDocument:
    """A whole ``alerts.json``: every message currently published, under one sequence number."""

    sequence: int
    issued: dt.datetime
    alerts: tuple[Alert, ...] = ()

    def get(self, alert_id: str) -> Alert | None:
        """The message with this id, if any."""
        return next((a for a in self.alerts if a.id == alert_id), None)

    def to_bytes(self) -> bytes:
        """The canonical bytes (sorted keys, no spaces, UTF-8): what is signed."""
        data = {"format": FORMAT, "sequence": self.sequence, "issued": _iso(self.issued),
                "alerts": [a.to_json() for a in self.alerts]}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


# --- parsing and validation ------------------------------------------------------------------

def parse_document(data: bytes) -> AlertDocument:
    """Validate the bytes of an alerts.json (after its signature was checked).

    Raises:
        AlertError: one line naming the alert and field that is wrong.
    """
    if len(data) > MAX_DOCUMENT:
        raise AlertError(f"alerts.json is {len(data)} bytes, over the {MAX_DOCUMENT} byte limit")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AlertError(f"alerts.json is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AlertError(f"alerts.json format is not {FORMAT}")
    sequence = doc.get("sequence")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise AlertError("alerts.json sequence is not a whole number >= 1")
    issued = parse_time(doc.get("issued"), "alerts.json issued")
    items = doc.get("alerts")
    if not isinstance(items, list) or len(items) > MAX_ALERTS:
        raise AlertError(f"alerts.json alerts is not a list of at most {MAX_ALERTS} entries")
    alerts = tuple(parse_alert(item, index) for index, item in enumerate(items))
    seen: set[str] = set()
    for alert in alerts:
        if alert.id in seen:
            raise AlertError(f"alerts.json lists alert {alert.id!r} twice")
        seen.add(alert.id)
    return AlertDocument(sequence, issued, alerts)


def parse_alert(item: object, index: int = 0) -> Alert:
    """One entry of ``alerts`` (see :func:`parse_document`).

    Raises:
        AlertError: what is wrong, naming the entry.
    """
    if not isinstance(item, dict):
        raise AlertError(f"alerts.json alert #{index + 1} is not an object")
    alert_id = item.get("id")
    if not isinstance(alert_id, str) or not alert_id.strip() or len(alert_id) > MAX_ID or _CONTROL.search(alert_id):
        raise AlertError(f"alerts.json alert #{index + 1} has no usable id (text of 1-{MAX_ID} characters)")
    where = f"alerts.json alert {alert_id!r}"
    if item.get("expires") is None:
        raise AlertError(f"{where} has no expires; every alert must say until when it is shown")
    level = Level.parse(item.get("level"))
    if level is None:
        raise AlertError(f"{where} has unknown level {item.get('level')!r}; expected 红, 橙, 黄 or 蓝")
    kind = _enum(MsgType, item.get("type"), f"{where} type")
    status = _enum(Status, item.get("status"), f"{where} status")
    sent = parse_time(item.get("sent"), f"{where} sent")
    expires = parse_time(item.get("expires"), f"{where} expires")
    if expires <= sent:
        raise AlertError(f"{where} expires ({_iso(expires)}) is not after sent ({_iso(sent)})")
    if expires - sent > MAX_LIFETIME:
        raise AlertError(f"{where} expires more than {MAX_LIFETIME.days} days after sent")
    screens = item.get("screens", [])
    if not isinstance(screens, list) or len(screens) > MAX_TAGS or not all(
            isinstance(t, str) and t.strip() and len(t) <= MAX_SHORT for t in screens):
        raise AlertError(f"{where} screens is not a list of tags")
    return Alert(
        id=alert_id, level=level, type=kind, status=status, sent=sent, expires=expires,
        title=_text(item, "title", MAX_TITLE, where, required=True), text=_text(item, "text", MAX_TEXT, where),
        instruction=_text(item, "instruction", MAX_INSTRUCTION, where),
        issuer=_text(item, "issuer", MAX_SHORT, where), area=_text(item, "area", MAX_SHORT, where),
        screens=tuple(t.strip() for t in screens))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _enum(cls: type[enum.Enum], value: object, where: str):
    for member in cls:
        if member.value == value:
            return member
    raise AlertError(f"{where} is {value!r}; expected one of {', '.join(m.value for m in cls)}")


def _text(item: dict, key: str, limit: int, where: str, required: bool = False) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise AlertError(f"{where} {key} is not text")
    value = value.strip()
    if required and not value:
        raise AlertError(f"{where} has no {key}")
    if len(value) > limit:
        raise AlertError(f"{where} {key} is {len(value)} characters, over the limit of {limit}")
    if _CONTROL.search(value.replace("\n", "")):
        raise AlertError(f"{where} {key} contains control characters")
    return value


def parse_time(value: object, where: str) -> dt.datetime:
    """An ISO-8601 time with a UTC offset.

    Raises:
        AlertError: missing, malformed or without an offset.
    """
    if not isinstance(value, str):
        raise AlertError(f"{where} is missing or not an ISO-8601 time")
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise AlertError(f"{where} is not an ISO-8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise AlertError(f"{where} has no UTC offset: {value!r} (write e.g. 2026-07-01T18:00:00+08:00)")
    return moment


# --- times for publishers ----------------------------------------------------------------------

_DURATION = re.compile(r"^\+?\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$", re.I)
_CLOCK = re.compile(r"^(\d{1,2})[:：时点](\d{2})?分?$")


def parse_until(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """``--until``: ``2026-07-01T18:00`` (``+08:00`` optional), ``2026-07-01 18:00``,
    ``18:00`` (today), or a duration ``+2h``, ``90m``, ``1d``, ``1h30m``.

    Raises:
        AlertError: unreadable, or not in the future.
    """
    raw = text.strip()
    duration = _DURATION.match(raw) if raw and raw[0] in "+0123456789" else None
    if duration and any(duration.groups()):
        days, hours, minutes = (int(g or 0) for g in duration.groups())
        result = now + dt.timedelta(days=days, hours=hours, minutes=minutes)
    else:
        clock = _CLOCK.match(raw)
        try:
            if clock:
                local = now.astimezone(tz)
                result = local.replace(hour=int(clock.group(1)), minute=int(clock.group(2) or 0), second=0,
                                       microsecond=0)
            else:
                result = dt.datetime.fromisoformat(raw.replace(" ", "T", 1))
                result = result if result.tzinfo else result.replace(tzinfo=tz)
        except ValueError:
            result = None
        if result is None:
            raise AlertError(f"--until: expected a time like 2026-07-01T18:00, 18:00 or +2h, got {text!r}")
    if result <= now:
        raise AlertError(f"--until {text!r} is not in the future ({_iso(result)}); give a later time")
    if result - now > MAX_LIFETIME:
        raise AlertError(f"--until {text!r} is more than {MAX_LIFETIME.days} days away")
    return result

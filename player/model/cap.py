"""OASIS CAP 1.2 (Common Alerting Protocol) -> our :class:`~player.model.alerts.Alert`.

Pure: bytes in, an alert (or a cancel) out. The mapping table is in docs/alerts.md; in
short:

- ``msgType`` Alert/Update -> an alert (type ``alert`` or ``update``); Update and Cancel
  keep the id of the message they refer to (``references``, ``sender,identifier,sent``),
  so an update replaces the alert on the screens and a cancel removes it; an info with
  ``responseType`` AllClear makes an all-clear (解除). Ack and Error are refused.
- ``status`` Actual -> actual, Exercise -> exercise, Test -> test (drills); System and
  Draft are refused. ``scope`` must be Public (lobby screens are public).
- The level: a ``parameter`` named ``预警级别`` (or ``预警等级``, ``level``) with 红/橙/黄/蓝,
  红色…, Red…, I–IV; else ``severity`` Red/Orange/Yellow/Blue (the GB/T 35965.1
  profile); else Extreme/Severe/Moderate/Minor -> 红/橙/黄/蓝. ``Unknown`` is refused.
- ``headline`` (else ``event``) -> title, ``description`` -> text, ``instruction`` ->
  instruction, ``senderName`` (else ``sender``) -> issuer, the ``areaDesc`` of the
  areas -> area, ``sent`` -> sent, ``expires`` -> expires (required). The info in
  Chinese (``language`` zh…) is preferred, else the first.
- Refused: larger than :data:`MAX_CAP` (checked before parsing), any DOCTYPE or entity
  declaration (no DTDs, no external entities, no entity expansion), not CAP 1.2, no
  ``info`` (except Cancel), no ``area``, no ``expires``, an unknown msgType, status,
  level, or times without an offset.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.parsers.expat
from dataclasses import dataclass, field

from player.model.alerts import (MAX_INSTRUCTION, MAX_SHORT, MAX_TEXT, MAX_TITLE, Alert, AlertError, Level, MsgType,
                                 Status)

MAX_CAP = 256 * 1024
NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
_LEVEL_PARAMETERS = ("预警级别", "预警等级", "level")
_SEVERITY = {"extreme": Level.RED, "severe": Level.ORANGE, "moderate": Level.YELLOW, "minor": Level.BLUE}
_STATUS = {"Actual": Status.ACTUAL, "Exercise": Status.EXERCISE, "Test": Status.TEST}
_TYPES = {"Alert": MsgType.ALERT, "Update": MsgType.UPDATE, "Cancel": MsgType.CANCEL}


@dataclass
class _Element:
    tag: str
    children: list["_Element"] = field(default_factory=list)
    text: str = ""

    def all(self, tag: str) -> list["_Element"]:
        return [c for c in self.children if c.tag == tag]

    def first(self, tag: str) -> "_Element | None":
        return next((c for c in self.children if c.tag == tag), None)

    def value(self, tag: str) -> str:
        child = self.first(tag)
        return child.text.strip() if child is not None else ""


def _refuse(*_args: object) -> None:
    raise AlertError("CAP file contains a DOCTYPE or entity declaration; refused (no DTDs or entities in CAP)")


def parse_xml(data: bytes) -> _Element:
    """The element tree of a CAP file, parsed with expat and no DTD processing.

    Raises:
        AlertError: too big, a DOCTYPE/entity declaration, or not well-formed XML.
    """
    if len(data) > MAX_CAP:
        raise AlertError(f"CAP file is {len(data)} bytes, over the {MAX_CAP} byte limit")
    parser = xml.parsers.expat.ParserCreate(namespace_separator="|")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    stack: list[_Element] = [_Element("")]

    def start(name: str, _attrs: dict) -> None:
        element = _Element(name)
        stack[-1].children.append(element)
        stack.append(element)

    def end(_name: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        stack[-1].text += text

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise AlertError(f"CAP file is not well-formed XML: {xml.parsers.expat.errors.messages[exc.code]} "
                         f"(line {exc.lineno})") from None
    roots = stack[0].children
    if len(roots) != 1:
        raise AlertError("CAP file has no root element")
    return roots[0]


def _strip(element: _Element) -> _Element:
    """Drop the CAP namespace from tags (``urn:…:1.2|info`` -> ``info``)."""
    tag = element.tag.split("|", 1)[1] if element.tag.startswith(NAMESPACE + "|") else element.tag
    return _Element(tag, [_strip(c) for c in element.children], element.text)


@dataclass(frozen=True)
class CapMessage:
    """An imported CAP message: the alert to publish, or the ids to cancel."""

    identifier: str
    alert: Alert | None            # Alert/Update (None for a Cancel)
    cancels: tuple[str, ...] = ()  # Cancel: ids of the referenced messages


def parse_cap(data: bytes, screens: tuple[str, ...] = ()) -> CapMessage:
    """Map a CAP 1.2 message (see the module docstring).

    Args:
        screens: the tags of the screens to show it on (CAP areas are not screen tags).

    Raises:
        AlertError: one line: why the message is refused.
    """
    root = parse_xml(data)
    if not root.tag.startswith(NAMESPACE + "|"):
        raise AlertError(f"not a CAP 1.2 message: the root element must be <alert xmlns=\"{NAMESPACE}\">")
    alert = _strip(root)
    if alert.tag != "alert":
        raise AlertError("not a CAP 1.2 message: the root element must be <alert>")
    identifier = alert.value("identifier")
    if not identifier:
        raise AlertError("CAP <identifier> is missing")
    raw_type = alert.value("msgType")
    if raw_type not in _TYPES:
        raise AlertError(f"CAP msgType {raw_type!r} is not one we show; expected Alert, Update or Cancel")
    kind = _TYPES[raw_type]
    raw_status = alert.value("status")
    if raw_status not in _STATUS:
        raise AlertError(f"CAP status {raw_status!r} is not shown; expected Actual, Exercise or Test")
    scope = alert.value("scope")
    if scope != "Public":
        raise AlertError(f"CAP scope {scope!r}: only Public alerts go on public screens")
    references = [part.split(",") for part in alert.value("references").split()]
    referenced = tuple(ref[1] for ref in references if len(ref) == 3 and ref[1])
    if kind is MsgType.CANCEL:
        if not referenced:
            raise AlertError("CAP Cancel names no earlier message in <references> (sender,identifier,sent)")
        return CapMessage(identifier, None, referenced)
    sent = _time(alert.value("sent"), "sent")
    infos = alert.all("info")
    if not infos:
        raise AlertError(f"CAP {raw_type} has no <info>")
    info = next((i for i in infos if i.value("language").lower().startswith("zh")), infos[0])
    areas = [a.value("areaDesc") for a in info.all("area")]
    if not areas:
        raise AlertError("CAP <info> has no <area>; a message must say where it applies")
    if not info.value("expires"):
        raise AlertError("CAP <info> has no <expires>; every alert must say until when it is shown")
    expires = _time(info.value("expires"), "expires")
    level = _level(info)
    if "AllClear" in [r.text.strip() for r in info.all("responseType")]:
        kind = MsgType.ALL_CLEAR
    title = info.value("headline") or info.value("event")
    if not title:
        raise AlertError("CAP <info> has neither <headline> nor <event>")
    result = Alert(
        id=referenced[0] if kind is not MsgType.ALERT and referenced else identifier,
        level=level, title=_clip(title, MAX_TITLE, "headline"), sent=sent, expires=expires, type=kind,
        status=_STATUS[raw_status], text=_clip(info.value("description"), MAX_TEXT, "description"),
        instruction=_clip(info.value("instruction"), MAX_INSTRUCTION, "instruction"),
        issuer=_clip(info.value("senderName") or alert.value("sender"), MAX_SHORT, "senderName"),
        area=_clip("、".join(a for a in areas if a), MAX_SHORT, "areaDesc"), screens=screens)
    if expires <= sent:
        raise AlertError(f"CAP expires {expires.isoformat()} is not after sent {sent.isoformat()}")
    return CapMessage(identifier, result, ())


def _level(info: _Element) -> Level:
    for parameter in info.all("parameter"):
        if parameter.value("valueName").strip().lower() in _LEVEL_PARAMETERS:
            level = Level.parse(parameter.value("value"))
            if level is None:
                raise AlertError(f"CAP parameter {parameter.value('valueName')} has unknown level "
                                 f"{parameter.value('value')!r}; expected 红/橙/黄/蓝")
            return level
    severity = info.value("severity")
    level = Level.parse(severity) or _SEVERITY.get(severity.lower())
    if level is None:
        raise AlertError(f"CAP severity {severity!r} gives no warning level; add a parameter 预警级别 "
                         "(红/橙/黄/蓝) or use Extreme/Severe/Moderate/Minor")
    return level


def _time(text: str, what: str) -> dt.datetime:
    if not text:
        raise AlertError(f"CAP <{what}> is missing")
    try:
        moment = dt.datetime.fromisoformat(re.sub(r"Z$", "+00:00", text))
    except ValueError:
        raise AlertError(f"CAP <{what}> is not a CAP time like 2026-07-01T18:00:00+08:00: {text!r}") from None
    if moment.tzinfo is None:
        raise AlertError(f"CAP <{what}> has no UTC offset: {text!r}")
    return moment


def _clip(text: str, limit: int, what: str) -> str:
    text = re.sub(r"[ \t]+", " ", text.replace("\r", "")).strip()
    if len(text) > limit:
        raise AlertError(f"CAP <{what}> is {len(text)} characters, over our limit of {limit}; shorten it")
    return text

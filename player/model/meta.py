"""Notice settings from front matter, sidecars and file names -> :class:`Meta`.

Staff write dates the way they know them, so ``2026-12-05``, ``2026/12/5``,
``2026.12.05`` and ``2026年12月5日`` all work, with an optional time ``08:30``.
A date alone means the whole day: ``start`` at 00:00, ``end`` through 23:59:59.

File-name rule (for staff who know no YAML): a stem containing a bracketed 至 and a
date, e.g. ``任前公示（至2026-12-05）``, sets ``end`` to that day. Full-width or ASCII
brackets, the same date forms as above, and also ``20261205``. The marker is not part of
the notice's id or title.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from player.model.notice import Meta, Moment, Priority
from player.model.problems import ContentError
from player.model.yamldoc import Located

KEYS_ZH = {
    "title": "标题", "issuer": "落款单位", "date": "成文日期", "start": "开始日期",
    "end": "结束日期", "kind": "类型", "priority": "优先级", "duration": "每页秒数",
    "screens": "显示屏标签", "order": "排序", "hours": "每天显示时段", "days": "显示星期",
    "url": "链接",
}
KEYS = tuple(KEYS_ZH)

_DATE = r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"
_DATE_RE = re.compile(rf"^{_DATE}(?:[\sT]+(\d{{1,2}})[:：](\d{{2}})(?:[:：](\d{{2}}))?)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_END_MARKER_RE = re.compile(rf"\s*[（(]\s*至\s*(?:{_DATE}|(\d{{8}}))\s*[）)]")
_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_RANGE_SPLIT_RE = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")

_PRIORITIES = {
    "normal": Priority.NORMAL, "普通": Priority.NORMAL, "一般": Priority.NORMAL,
    "high": Priority.HIGH, "重要": Priority.HIGH,
    "urgent": Priority.URGENT, "紧急": Priority.URGENT,
}
_DAY_NAMES = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}
_ZH_DAYS = "一二三四五六日"
_DAY_GROUPS = {
    "工作日": frozenset(range(5)), "weekdays": frozenset(range(5)),
    "周末": frozenset({5, 6}), "weekend": frozenset({5, 6}),
    "每天": frozenset(), "daily": frozenset(),
}


def split_end_marker(stem: str) -> tuple[str, dt.date | None]:
    """Remove a ``（至2026-12-05）`` marker from a file stem.

    Returns:
        The stem without the marker and the end date it names (None without a marker).

    Raises:
        ContentError: the marker names a date that does not exist.
    """
    match = _END_MARKER_RE.search(stem)
    if not match:
        return stem, None
    if match.group(4):
        y, m, d = match.group(4)[:4], match.group(4)[4:6], match.group(4)[6:]
    else:
        y, m, d = match.group(1), match.group(2), match.group(3)
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        raise ContentError(
            f"file name end date '{match.group().strip()}' is not a real date; "
            "write it like （至2026-12-05）",
            f"文件名里的截止日期“{match.group().strip()}”不是有效日期，请写成（至2026-12-05）") from None
    cleaned = (stem[: match.start()] + stem[match.end():]).strip()
    return cleaned or stem, day


def parse_moment(value: Any) -> Moment:
    """A date or a naive local date-time from YAML or a string.

    Raises:
        ValueError: not one of the accepted forms.
    """
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = _DATE_RE.match(text)
    if match:
        y, mo, d, h, mi, s = match.groups()
        day = dt.date(int(y), int(mo), int(d))
        if h is None:
            return day
        return dt.datetime.combine(day, dt.time(int(h), int(mi), int(s or 0)))
    match = _COMPACT_RE.match(text)
    if match:
        return dt.date(*(int(g) for g in match.groups()))
    raise ValueError(text)


def parse_meta(root: Located | None, source: str = "front matter") -> Meta:
    """Validate a front-matter or sidecar mapping and build :class:`Meta`.

    Args:
        root: the parsed YAML (None for an empty document).
        source: "front matter" or "sidecar", used in messages.

    Raises:
        ContentError: naming the key and line and what is expected.
    """
    if root is None:
        return Meta()
    if not isinstance(root.value, Mapping):
        raise ContentError(
            f"{source} must be 'key: value' lines, e.g. 'title: 关于…的公告'",
            "文件开头的设置部分应为“键: 值”的形式，例如 title: 关于…的公告", root.line)
    values: dict[str, Any] = {}
    for key, item in root.value.items():
        if key not in KEYS_ZH:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ContentError(
                f"{source}: unknown key '{key}'{hint} (allowed: {', '.join(KEYS)})",
                f"设置项“{key}”无法识别。可用的设置项：" +
                "、".join(f"{k}（{v}）" for k, v in KEYS_ZH.items()), item.line)
        values[key] = _field(key, item, source)
    return Meta(**values)


def _bad(key: str, item: Located, source: str, expected: str, expected_zh: str) -> ContentError:
    shown = item.plain()
    return ContentError(
        f"{source}: {key}: expected {expected}, got {shown!r}",
        f"设置项 {key}（{KEYS_ZH.get(key, key)}）的值“{shown}”不正确，应为{expected_zh}", item.line)


def _field(key: str, item: Located, source: str) -> Any:
    value = item.value
    if key in ("title", "issuer", "kind"):
        if isinstance(value, (dict, list)) or value is None or str(value).strip() == "":
            raise _bad(key, item, source, "a line of text", "一行文字")
        return str(value).strip()
    if key == "date":
        moment = _moment(key, item, source)
        return moment.date() if isinstance(moment, dt.datetime) else moment
    if key in ("start", "end"):
        return _moment(key, item, source)
    if key == "priority":
        found = _PRIORITIES.get(str(value).strip().lower()) if isinstance(value, str) else None
        if found is None:
            raise _bad(key, item, source, "normal, high or urgent", "normal（普通）、high（重要）或 urgent（紧急）")
        return found
    if key == "duration":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 3600:
            raise _bad(key, item, source, "seconds per page between 1 and 3600", "1 到 3600 之间的秒数")
        return float(value)
    if key == "order":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(key, item, source, "a whole number", "整数")
        return value
    if key == "screens":
        entries = value if isinstance(value, list) else [Located(value, item.line)]
        tags = []
        for entry in entries:
            if not isinstance(entry.value, (str, int)) or str(entry.value).strip() == "":
                raise _bad(key, item, source, "a tag or a list of tags like [lobby, public]",
                           "标签或标签列表，例如 [lobby, public]")
            tags.append(str(entry.value).strip())
        return tuple(tags)
    if key == "hours":
        return _hours(key, item, source)
    if key == "days":
        return _days(key, item, source)
    if key == "url":
        return _url(key, item, source)
    raise AssertionError(key)  # pragma: no cover - KEYS and this function agree


#: Longest ``url`` (UTF-8 bytes): up to QR version 7 at level M (45 modules), which
#: keeps modules large enough to scan from half a metre on a 768-line screen.
URL_MAX_BYTES = 120


def _url(key: str, item: Located, source: str) -> str:
    value = item.value
    text = value.strip() if isinstance(value, str) else ""
    try:
        parts = urllib.parse.urlsplit(text)
        scheme, host = parts.scheme.lower(), parts.hostname or ""
    except ValueError:  # e.g. an unclosed [ in the host
        scheme, host = "", ""
    # A phone in the lobby must reach it: a dotted host name or address, no spaces.
    if scheme not in ("http", "https") or "." not in host.strip(".") or any(ch.isspace() for ch in text):
        raise _bad(key, item, source, "a web address starting with http:// or https://, "
                   "e.g. https://www.example.gov.cn/bszn/1.html",
                   "以 http:// 或 https:// 开头的完整网址，例如 https://www.example.gov.cn/bszn/1.html")
    if len(text.encode("utf-8")) > URL_MAX_BYTES:
        raise _bad(key, item, source, f"a web address of at most {URL_MAX_BYTES} characters "
                   "(a longer one makes a QR code too dense to scan from a distance)",
                   f"不超过 {URL_MAX_BYTES} 个字符的网址（网址太长，二维码过密，手机不易扫出），请换用较短的网址")
    return text


def parse_hours(item: Located, key: str, source: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """``"08:30-12:00, 14:00-17:30"`` (or a list of such) -> time windows (for the config too).

    Raises:
        ContentError: naming ``source`` and ``key``.
    """
    return _hours(key, item, source)


def parse_days(item: Located, key: str, source: str) -> frozenset[int]:
    """``工作日`` / ``[周一, 周三]`` / ``[mon, wed]`` -> weekdays, 0 = Monday (empty: every day).

    Raises:
        ContentError: naming ``source`` and ``key``.
    """
    return _days(key, item, source)


def parse_clock_time(text: str) -> dt.time:
    """``"07:30"`` -> a time of day (``24:00`` is the end of the day).

    Raises:
        ValueError: not HH:MM.
    """
    value = _time(text.strip())
    if value != dt.time.max and (value.hour > 23 or value.minute > 59):
        raise ValueError(text)
    return value


def _moment(key: str, item: Located, source: str) -> Moment:
    try:
        return parse_moment(item.value)
    except ValueError:
        raise _bad(key, item, source, "a date like 2026-12-05 or 2026-12-05 08:30",
                   "日期，例如 2026-12-05 或 2026-12-05 08:30") from None


def _hours(key: str, item: Located, source: str) -> tuple[tuple[dt.time, dt.time], ...]:
    value = item.value
    parts = value if isinstance(value, list) else [Located(value, item.line)]
    windows = []
    for part in parts:
        if not isinstance(part.value, str):
            raise _bad(key, item, source, 'times like "08:30-17:30"', "时段，例如 \"08:30-17:30\"")
        for chunk in re.split(r"[,，、;；]", part.value):
            ends = _RANGE_SPLIT_RE.split(chunk.strip())
            try:
                if len(ends) != 2:
                    raise ValueError(chunk)
                start, end = (_time(e) for e in ends)
            except ValueError:
                raise _bad(key, item, source, 'times like "08:30-12:00, 14:00-17:30"',
                           "时段，例如 \"08:30-12:00, 14:00-17:30\"") from None
            if end <= start:
                raise _bad(key, item, source, "each range to end after it starts",
                           "结束时间晚于开始时间的时段")
            windows.append((start, end))
    return tuple(windows)


def _time(text: str) -> dt.time:
    match = _TIME_RE.match(text)
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24 and minute == 0:
        return dt.time.max
    return dt.time(hour, minute)


def _days(key: str, item: Located, source: str) -> frozenset[int]:
    value = item.value
    entries = value if isinstance(value, list) else [Located(value, item.line)]
    days: set[int] = set()
    for entry in entries:
        word = str(entry.value).strip().lower() if isinstance(entry.value, str) else ""
        if word in _DAY_GROUPS:
            group = _DAY_GROUPS[word]
            if not group:
                return frozenset()
            days |= group
        elif word in _DAY_NAMES:
            days.add(_DAY_NAMES[word])
        elif len(word) == 2 and word[0] in "周星" or (len(word) == 3 and word.startswith("星期")):
            ch = word[-1].replace("天", "日")
            if ch not in _ZH_DAYS:
                raise _bad(key, item, source, "weekdays like [mon, tue] or 工作日 / 周末",
                           "星期，例如 [周一, 周二] 或 工作日 / 周末")
            days.add(_ZH_DAYS.index(ch))
        else:
            raise _bad(key, item, source, "weekdays like [mon, tue] or 工作日 / 周末",
                       "星期，例如 [周一, 周二] 或 工作日 / 周末")
    return frozenset(days)

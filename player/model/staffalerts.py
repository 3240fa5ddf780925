"""Staff alert files: an alert for this screen only, raised by dropping a file named
like ``红色预警（至2026-07-01 18时）.txt`` at the top of the drop folder (docs/alerts.md).
Pure: the caller passes the moment the file was first seen and the time zone."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from player.model.alerts import (ALL_CLEAR_SECONDS, MAX_INSTRUCTION, MAX_LIFETIME, MAX_TEXT, MAX_TITLE, Alert, Level,
                                 MsgType, Status)
from player.model.encoding import decode_text
from player.model.problems import ContentError


# --- staff alert files (the drop folder) -------------------------------------------------------

#: ``[演练]红色预警…`` / ``预警解除…`` at the top of the drop folder, ``.txt``.
STAFF_NAME = re.compile(r"^(演练)?[-_ 　]*(?:([红橙黄蓝])色预警|(预警解除))")
_STAFF_END = re.compile(r"[（(]\s*至\s*(?:(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?)?\s*"
                        r"(?:(\d{1,2})\s*[:：时点]\s*(?:(\d{2})\s*分?)?)?\s*[）)]")
_INSTRUCTION = re.compile(r"^(?:防御指南|应对措施|提示|请注意)[:：]\s*")
_ISSUER = re.compile(r"^(?:发布单位|发布)[:：]\s*")


def is_staff_alert(path: str) -> bool:
    """Whether a drop-folder path is a staff alert file (top level, ``.txt``, named as
    :data:`STAFF_NAME`): the folder scanner must not take it as a notice."""
    return "/" not in path and path.lower().endswith(".txt") and bool(STAFF_NAME.match(path))


def parse_staff_alert(path: str, data: bytes, seen: dt.datetime, tz: ZoneInfo) -> Alert:
    """A staff alert file -> an :class:`Alert` for this screen only (``source`` local).

    The name gives the level (``红色预警``, ``橙色预警``, ``黄色预警``, ``蓝色预警``; a leading
    ``演练`` makes it a drill) and the end, required: ``（至2026-07-01 18时）``,
    ``（至2026-07-01）`` (end of that day) or ``（至18时30分）`` (today). ``预警解除….txt``
    is an all-clear, shown for 10 minutes from ``seen`` (no end needed). The first line is
    the title (default: the level's name), the other lines the text; a line starting with
    ``防御指南：`` (or ``应对措施：``, ``提示：``) begins the instruction, ``发布单位：`` names the issuer.

    Args:
        path: the file's path in the drop folder (its name).
        seen: when the player first saw this version of the file (its ``sent``).

    Raises:
        ContentError: with a Chinese hint for ``_状态.txt``.
    """
    name = path.rsplit("/", 1)[-1]
    match = STAFF_NAME.match(name)
    if match is None:
        raise ContentError(f"{name} is not a staff alert file name",
                           "预警文件名应以“红色预警”“橙色预警”“黄色预警”“蓝色预警”或“预警解除”开头")
    status = Status.EXERCISE if match.group(1) else Status.ACTUAL
    clear = bool(match.group(3))
    level = Level(match.group(2)) if match.group(2) else None
    lines = [line.strip() for line in decode_text(data).split("\n")]
    lines = [line for line in lines if line]
    issuer = ""
    instruction: list[str] = []
    text: list[str] = []
    for line in lines[1:]:
        if _ISSUER.match(line):
            issuer = _ISSUER.sub("", line)
        elif _INSTRUCTION.match(line) or instruction:
            instruction.append(_INSTRUCTION.sub("", line))
        else:
            text.append(line)
    first = lines[0] if lines else ""
    if clear:
        expires = seen + dt.timedelta(seconds=ALL_CLEAR_SECONDS)
        level = Level.parse(first[:1]) or Level.BLUE  # 红色预警已解除 … : the level it clears
        title = first or "预警解除"
    else:
        expires = _staff_end(name, seen, tz)
        title = first or level.label
    stem = _STAFF_END.sub("", name[:-4]).strip()
    alert = Alert(id=f"local:{stem}", level=level, title=title, sent=seen, expires=expires,
                  type=MsgType.ALL_CLEAR if clear else MsgType.ALERT, status=status, text="\n".join(text),
                  instruction="\n".join(instruction), issuer=issuer, source="local")
    for key, limit, zh in (("title", MAX_TITLE, "标题（第一行）"), ("text", MAX_TEXT, "正文"),
                           ("instruction", MAX_INSTRUCTION, "防御指南")):
        if len(getattr(alert, key)) > limit:
            raise ContentError(f"the alert's {key} is longer than {limit} characters",
                               f"预警{zh}超过{limit}字，请精简")
    return alert


def _staff_end(name: str, seen: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    match = _STAFF_END.search(name)
    example = "红色预警（至2026-07-01 18时）.txt"
    if match is None:
        raise ContentError("a staff alert needs its end in the file name, e.g. " + example,
                           f"预警必须写明结束时间：请把文件改名为例如“{example}”")
    year, month, day, hour, minute = match.groups()
    local = seen.astimezone(tz)
    try:
        date = dt.date(int(year), int(month), int(day)) if year else local.date()
        if hour is None:
            if not year:
                raise ValueError("no date and no time")
            end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        else:
            end = dt.datetime.combine(date, dt.time(int(hour), int(minute or 0)), tzinfo=tz)
    except ValueError:
        raise ContentError(f"the end {match.group().strip()} in the file name is not a valid time",
                           f"文件名里的结束时间“{match.group().strip()}”无效，请写成（至2026-07-01 18时）") from None
    if end <= seen:
        raise ContentError(f"the end {match.group().strip()} has already passed",
                           f"文件名里的结束时间“{match.group().strip()}”已过，预警不会显示：请改成以后的时间或删除文件")
    if end - seen > MAX_LIFETIME:
        raise ContentError(f"the end {match.group().strip()} is more than {MAX_LIFETIME.days} days away",
                           f"预警最长显示{MAX_LIFETIME.days}天，请改短结束时间")
    return end

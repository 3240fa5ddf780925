"""Parsers of single config values: each takes a :class:`~player.model.yamldoc.Located`
value and the context, and returns the value or raises ``_Bad`` (what was expected)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from player.layout.theme import Theme
from player.model.keyfile import KeyFormatError, KeyKind, parse_key_text
from player.model.limits import MIB
from player.model.meta import parse_clock_time, parse_days, parse_hours
from player.model.problems import ContentError
from player.model.yamldoc import Located



# --- value parsers -------------------------------------------------------------------
# Each takes (Located, context) and returns the value or raises _Bad(expected, line).

class _Bad(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class _Ctx:
    base: Path  # folder of the config file
    need_drop: bool = True  # False: a missing drop folder is not an error (signage status)


Parser = Callable[[Located, _Ctx], Any]


def _got(item: Located) -> str:
    shown = repr(item.plain())
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _text(item: Located, _ctx: _Ctx) -> str:
    if not isinstance(item.value, str) or not item.value.strip():
        raise _Bad(f"expected text, got {_got(item)}")
    return item.value.strip()


def _opt_text(item: Located, ctx: _Ctx) -> str | None:
    return None if item.value is None else _text(item, ctx)


def _tags(item: Located, _ctx: _Ctx) -> tuple[str, ...]:
    values = item.value if isinstance(item.value, list) else [item]
    if not all(isinstance(v.value, str) and v.value.strip() for v in values):
        raise _Bad(f"expected a list of tags like [lobby, public], got {_got(item)}")
    return tuple(v.value.strip() for v in values)


def _bool(item: Located, _ctx: _Ctx) -> bool:
    if not isinstance(item.value, bool):
        raise _Bad(f"expected true or false, got {_got(item)}")
    return item.value


def _number(low: float, high: float, integer: bool = False) -> Parser:
    def parse(item: Located, _ctx: _Ctx) -> Any:
        value = item.value
        ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok_type or not low <= value <= high:
            kind = "a whole number" if integer else "a number"
            raise _Bad(f"expected {kind} from {low:g} to {high:g}, got {_got(item)}")
        return value if integer else float(value)
    return parse


def _opt(parser: Parser) -> Parser:
    def parse(item: Located, ctx: _Ctx) -> Any:
        return None if item.value is None else parser(item, ctx)
    return parse


_SIZE_RE = re.compile(r"^\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*$")


def parse_size(text: str) -> tuple[int, int]:
    """``1920x1080`` -> (1920, 1080).

    Raises:
        ValueError: anything else (``1920*1080`` included).
    """
    match = _SIZE_RE.match(text)
    if not match:
        raise ValueError(text)
    width, height = int(match.group(1)), int(match.group(2))
    if not (64 <= width <= 16384 and 64 <= height <= 16384):
        raise ValueError(text)
    return width, height


def _size(item: Located, _ctx: _Ctx) -> tuple[int, int] | None:
    if item.value == "auto" or item.value is None:
        return None
    try:
        return parse_size(str(item.value))
    except ValueError:
        raise _Bad(f"expected WIDTHxHEIGHT like 1920x1080, or auto; got {_got(item)}") from None


def _path(item: Located, ctx: _Ctx) -> Path:
    if not isinstance(item.value, str) or not item.value.strip():
        raise _Bad(f"expected a path, got {_got(item)}")
    path = Path(os.path.expanduser(item.value.strip()))
    return path if path.is_absolute() else (ctx.base / path)


def _existing_dir(item: Located, ctx: _Ctx) -> Path:
    path = _path(item, ctx)
    if not ctx.need_drop and not path.exists():
        return Path(os.path.normpath(path))
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise _Bad(f"folder {os.path.normpath(path)} {what}; create it or correct the path")
    return Path(os.path.normpath(path))


def _existing_file(item: Located, ctx: _Ctx) -> Path:
    path = Path(os.path.normpath(_path(item, ctx)))
    if not path.is_file():
        raise _Bad(f"file {path} does not exist; correct the path or remove the key")
    return path


def _public_key(item: Located, ctx: _Ctx) -> Path:
    """A public key file as written by ``signage keygen`` (never the private key)."""
    path = _existing_file(item, ctx)
    try:
        with open(path, "rb") as handle:
            kind, _raw = parse_key_text(handle.read(4096))
    except OSError as exc:
        raise _Bad(f"cannot read {path}: {exc.strerror or exc}") from None
    except KeyFormatError as exc:
        raise _Bad(f"{path} {exc}") from None
    if kind == KeyKind.PRIVATE or (kind == KeyKind.UNKNOWN and path.suffix == ".key"):
        raise _Bad(f"{path} is the PRIVATE signing key; give the public key (PREFIX.pub) here, "
                   "and keep the private key off the players")
    return path


def _state_dir(item: Located, ctx: _Ctx) -> Path:
    path = Path(os.path.normpath(_path(item, ctx)))
    if path.exists() and not path.is_dir():
        raise _Bad(f"{path} is a file, not a folder; give a folder for the player's state")
    return path


def _status_file(item: Located, ctx: _Ctx) -> Path | None:
    if item.value is None:
        return None
    path = Path(os.path.normpath(_path(item, ctx)))
    if path.is_dir():
        raise _Bad(f"{path} is a folder; give a file name such as /run/signage/status.json")
    return path


def _choice(*choices: str) -> Parser:
    def parse(item: Located, _ctx: _Ctx) -> str:
        if not isinstance(item.value, str) or item.value not in choices:
            raise _Bad(f"expected one of {', '.join(choices)}, got {_got(item)}")
        return item.value
    return parse


def _clock_time(item: Located, _ctx: _Ctx) -> dt.time | None:
    if item.value is None:
        return None
    value = item.value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1440:
        value = f"{value // 60}:{value % 60:02d}"  # YAML 1.1 reads an unquoted 19:30 as 1170 (base 60)
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return parse_clock_time(value)
    except ValueError:
        raise _Bad(f'expected a time like "07:30" (in quotes), got {_got(item)}') from None


def _hours_of_day(item: Located, _ctx: _Ctx) -> tuple[tuple[dt.time, dt.time], ...]:
    try:
        return parse_hours(item, "hours", "config")
    except ContentError:
        raise _Bad(f'expected times like "08:30-12:00, 14:00-17:30", got {_got(item)}') from None


def _weekdays(item: Located, _ctx: _Ctx) -> frozenset[int]:
    try:
        return parse_days(item, "days", "config")
    except ContentError:
        raise _Bad(f"expected weekdays like [mon, tue] or 工作日 / 周末 / 每天, got {_got(item)}") from None


def _argv(item: Located, _ctx: _Ctx) -> tuple[str, ...]:
    if item.value is None:
        return ()
    if isinstance(item.value, str) and item.value.strip():
        try:
            return tuple(shlex.split(item.value))
        except ValueError as exc:
            raise _Bad(f"cannot split the command: {exc}") from None
    if isinstance(item.value, list) and item.value and all(isinstance(v.value, str) for v in item.value):
        return tuple(v.value for v in item.value)
    raise _Bad(f"expected a command like \"xset dpms force off\" or a list of words, got {_got(item)}")


def _headers(item: Located, _ctx: _Ctx) -> tuple[tuple[str, str], ...]:
    if item.value is None:
        return ()
    if not isinstance(item.value, Mapping) or not all(
            isinstance(v.value, (str, int)) and not isinstance(v.value, bool) and re.match(r"^[A-Za-z0-9-]+$", k)
            for k, v in item.value.items()):
        raise _Bad("expected 'Header-Name: value' pairs, e.g. {Authorization: Bearer TOKEN}")
    for key, value in item.value.items():
        text = str(value.value)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in text) or len(text) > 8192:
            raise _Bad(f"the value of header {key} contains a line break or control character "
                       "(or is over 8 KiB); write it on one line", value.line)
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            raise _Bad(f"the value of header {key} has characters HTTP headers cannot carry "
                       "(only ASCII/Latin-1)", value.line) from None
    return tuple((k, str(v.value)) for k, v in item.value.items())


def _poll(item: Located, _ctx: _Ctx) -> str:
    if item.value is True or item.value is False or item.value == "auto":
        return str(item.value).lower()
    raise _Bad(f"expected auto, true or false, got {_got(item)}")


def _url(item: Located, _ctx: _Ctx) -> str | None:
    if item.value is None:
        return None
    if not isinstance(item.value, str) or not re.match(r"^https?://[^\s/]+", item.value):
        raise _Bad(f"expected an http:// or https:// URL, or null; got {_got(item)}")
    return item.value if item.value.endswith("/") else item.value + "/"


def _url_exact(item: Located, _ctx: _Ctx) -> str | None:
    """An endpoint URL, kept as written (no slash added)."""
    if item.value is None:
        return None
    if not isinstance(item.value, str) or not re.match(r"^https?://[^\s/]+\S*$", item.value):
        raise _Bad(f"expected an http:// or https:// URL, or null; got {_got(item)}")
    return item.value


TEXTFILE_NAME = "signage.prom"
_LISTEN_RE = re.compile(r"^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$")


def parse_listen(text: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """``HOST:PORT``, ``[::1]:PORT`` or just ``PORT`` (on ``default_host``) -> (host, port).

    Raises:
        ValueError: anything else, or a port outside 1-65535.
    """
    match = _LISTEN_RE.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 65535:
        raise ValueError(text)
    host = (match.group(1) or default_host).strip("[]")
    return host, int(match.group(2))


def _listen(item: Located, _ctx: _Ctx) -> tuple[str, int] | None:
    if item.value is None:
        return None
    value = item.value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return parse_listen(value)
    except ValueError:
        raise _Bad(f'expected HOST:PORT like "127.0.0.1:9105", or a port number, or null; '
                   f"got {_got(item)}") from None


def _textfile(item: Located, ctx: _Ctx) -> Path | None:
    if item.value is None:
        return None
    path = Path(os.path.normpath(_path(item, ctx)))
    if path.is_dir():
        return path / TEXTFILE_NAME
    if path.suffix != ".prom":
        raise _Bad(f"expected node_exporter's textfile folder or a file ending in .prom, got {_got(item)}")
    if not path.parent.is_dir():
        raise _Bad(f"folder {path.parent} does not exist; create it (node_exporter's "
                   "--collector.textfile.directory) or correct the path")
    return path


def _timezone(item: Located, _ctx: _Ctx) -> str:
    if not isinstance(item.value, str):
        raise _Bad(f"expected a time zone name like Asia/Shanghai, got {_got(item)}")
    try:
        ZoneInfo(item.value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Bad(f"unknown time zone {item.value!r}; use a name like Asia/Shanghai "
                   "(install the tzdata package if even that fails)") from None
    return item.value


def _log_level(item: Located, _ctx: _Ctx) -> str:
    levels = ("debug", "info", "warning", "error")
    if not isinstance(item.value, str) or item.value.lower() not in levels:
        raise _Bad(f"expected one of {', '.join(levels)}, got {_got(item)}")
    return item.value.lower()


def _rotate(item: Located, _ctx: _Ctx) -> int:
    if isinstance(item.value, bool) or item.value not in (0, 90, 180, 270):
        raise _Bad(f"expected 0, 90, 180 or 270 (degrees clockwise), got {_got(item)}")
    return int(item.value)


def _mib(low: float, high: float) -> Parser:
    number = _number(low, high)

    def parse(item: Located, ctx: _Ctx) -> int:
        return int(number(item, ctx) * MIB)
    return parse


def _megapixels(item: Located, ctx: _Ctx) -> int:
    return int(_number(1, 1000)(item, ctx) * 1_000_000)


_COLOR_RE = re.compile(r"^#([0-9a-fA-F]{6})$")


def _color(item: Located, _ctx: _Ctx) -> tuple[int, int, int]:
    match = _COLOR_RE.match(str(item.value).strip()) if isinstance(item.value, str) else None
    if not match:
        raise _Bad(f'expected a colour like "#C8102E" (in quotes), got {_got(item)}')
    value = int(match.group(1), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _theme_schema() -> dict[str, tuple[str, Parser]]:
    """Every size (a fraction of the unit, see layout/theme.py) and colour of the Theme."""
    schema: dict[str, tuple[str, Parser]] = {}
    for f in fields(Theme):
        if f.name == "nav":  # set by interaction.touch, not by hand
            continue
        if f.name == "qr":  # smaller codes stop scanning from 50 cm
            schema[f.name] = (f.name, _number(0.18, 0.4))
        elif isinstance(f.default, float):
            schema[f.name] = (f.name, _number(0.002, 0.5))
        else:
            schema[f.name] = (f.name, _color)
    return schema



"""``player.yaml`` -> frozen dataclasses, with errors that name the key and the line.

Every mistake becomes one :class:`ConfigError` line such as::

    config/player.yaml:7: display.size: expected WIDTHxHEIGHT like 1920x1080, or auto; got '1920*1080'

Relative paths are relative to the config file. Only ``yaml.safe_load`` semantics are
used (through :mod:`player.model.yamldoc`). The reference of every key, its default and
meaning is docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from player.layout.theme import Theme
from player.model.keyfile import KeyFormatError, KeyKind, parse_key_text
from player.model.limits import MIB, Limits
from player.model.meta import parse_clock_time, parse_days, parse_hours
from player.model.problems import ContentError
from player.model.yamldoc import Located, YamlError, parse_yaml


class ConfigError(Exception):
    """A configuration that cannot be used; ``str()`` is the one-line message."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ScreenConfig:
    """Who this screen is."""

    name: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisplayConfig:
    """The output: ``size`` None means the display's own size."""

    size: tuple[int, int] | None = None
    fullscreen: bool = True
    fps: int = 60
    renderer: str = "auto"  # auto | software | accelerated


@dataclass(frozen=True)
class DropConfig:
    """The folder staff drop files into."""

    dir: Path
    poll: str = "auto"  # auto | true | false
    rescan: float = 300.0
    quiet: float = 1.0
    preview: bool = True  # write _预览/<栏目>/<文件名>-第N页.png for staff


@dataclass(frozen=True)
class SyncConfig:
    """The central bundle source (used by the sync issue; validated now)."""

    url: str | None = None
    interval: float = 60.0
    public_key: Path | None = None
    allow_unsigned: bool = False
    ca_bundle: Path | None = None
    headers: tuple[tuple[str, str], ...] = ()
    timeout: float = 10.0
    deadline: float = 120.0


@dataclass(frozen=True)
class AlertsConfig:
    """The emergency alert channel (docs/alerts.md): ``alerts.json`` beside the bundle.

    On whenever ``alerts.url`` or ``sync.url`` is set; ``url`` and ``public_key`` default
    to the bundle's (see :attr:`Config.alerts_url`, :attr:`Config.alerts_key`).
    """

    interval: float = 10.0
    url: str | None = None
    public_key: Path | None = None


@dataclass(frozen=True)
class TickerConfig:
    """The scrolling line along the bottom."""

    speed: float = 120.0


@dataclass(frozen=True)
class FontConfig:
    """Override the automatic choice of a Chinese font."""

    file: Path | None = None
    index: int | None = None
    bold_file: Path | None = None
    bold_index: int | None = None


@dataclass(frozen=True)
class PagesConfig:
    """How long a page stays: its text at ``chars_per_minute``, clamped to the bounds."""

    chars_per_minute: int = 200
    min_seconds: float = 8.0
    max_seconds: float = 60.0


@dataclass(frozen=True)
class ScheduleConfig:
    """Rotation rules."""

    urgent_every: float = 60.0


@dataclass(frozen=True)
class ClockConfig:
    """When the system clock is believed (see runtime/trust.py)."""

    max_jump_days: float = 366.0
    confirm_ntp: bool = True
    confirm_http_date: bool = True


@dataclass(frozen=True)
class PowerConfig:
    """When the screen is switched on and off (docs/operations.md). ``on`` None: always on."""

    on: dt.time | None = None
    off: dt.time | None = None
    days: frozenset[int] = frozenset()  # weekdays the screen comes on at all (0 = Monday); empty: every day
    method: str = "cec"                 # cec | wlr-randr | vcgencmd | command
    output: str = "HDMI-A-1"            # wlr-randr output name
    cec_device: str = "/dev/cec0"       # cec-ctl device
    on_command: tuple[str, ...] = ()    # method: command
    off_command: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaylogConfig:
    """The proof-of-play log (docs/playlog.md)."""

    retention_days: int = 400
    flush_minutes: float = 5.0
    office_hours: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(8, 30), dt.time(17, 30)),)
    office_days: frozenset[int] = frozenset(range(5))
    max_gap_minutes: float = 15.0


@dataclass(frozen=True)
class ScreenshotConfig:
    """``STATE_DIR/screen.png``: on SIGUSR1, and every ``every_minutes`` (0: never)."""

    every_minutes: float = 0.0


@dataclass(frozen=True)
class InteractionConfig:
    """Touch kiosks (docs/kiosk.md): off on lobby screens, where touches are ignored."""

    touch: bool = False
    idle_return: float = 60.0   # seconds without a touch before the rotation resumes


@dataclass(frozen=True)
class ReportConfig:
    """The optional heartbeat to an intranet endpoint (docs/fleet.md); ``url`` None: off."""

    url: str | None = None
    interval: float = 300.0
    headers: tuple[tuple[str, str], ...] = ()
    screenshot: bool = False


@dataclass(frozen=True)
class MemoryConfig:
    """Byte budgets of the player's two big caches (docs/performance.md, Memory).

    ``page_cache_bytes``: drawn pages kept for the frame loop (a 1920x1080 page is ~5.7
    MiB; the page on screen and the next are always among them); ``picture_cache_bytes``:
    decoded pictures kept by each page preparer (slices of a scanned page are drawn from
    one decoded picture).
    """

    page_cache_bytes: int = 12 * MIB
    picture_cache_bytes: int = 16 * MIB


@dataclass(frozen=True)
class MetricsConfig:
    """Prometheus metrics of this screen (docs/fleet.md); both off by default.

    ``textfile``: the ``.prom`` file written for node_exporter's textfile collector;
    ``listen``: (host, port) where ``/metrics`` is served.
    """

    textfile: Path | None = None
    listen: tuple[str, int] | None = None


@dataclass(frozen=True)
class Config:
    """The whole configuration."""

    path: Path
    screen: ScreenConfig
    drop: DropConfig
    display: DisplayConfig = DisplayConfig()
    sync: SyncConfig = SyncConfig()
    alerts: AlertsConfig = AlertsConfig()
    ticker: TickerConfig = TickerConfig()
    fonts: FontConfig = FontConfig()
    pages: PagesConfig = PagesConfig()
    limits: Limits = Limits()
    theme: Theme = Theme()
    schedule: ScheduleConfig = ScheduleConfig()
    clock: ClockConfig = ClockConfig()
    power: PowerConfig = PowerConfig()
    playlog: PlaylogConfig = PlaylogConfig()
    screenshot: ScreenshotConfig = ScreenshotConfig()
    report: ReportConfig = ReportConfig()
    interaction: InteractionConfig = InteractionConfig()
    metrics: MetricsConfig = MetricsConfig()
    memory: MemoryConfig = MemoryConfig()
    timezone: str = "Asia/Shanghai"
    state_dir: Path = Path("/var/lib/signage")
    status_file: Path | None = None
    log_level: str = "info"
    #: The line of every key given ("state_dir", "sync.url" …), for errors found later.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def error(self, key: str, message: str) -> "ConfigError":
        """A ConfigError about ``key`` (found after loading, e.g. an unwritable state_dir)."""
        return ConfigError(self.path, self.lines.get(key), f"{key}: {message}")

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def alerts_url(self) -> str | None:
        """Base URL of ``alerts.json``: ``alerts.url``, else ``sync.url`` (None: no alert channel)."""
        return self.alerts.url or self.sync.url

    @property
    def alerts_key(self) -> Path | None:
        """The alert public key: ``alerts.public_key``, else ``sync.public_key``."""
        return self.alerts.public_key or self.sync.public_key

    @property
    def status_path(self) -> Path:
        """Where status.json is written."""
        return self.status_file or self.state_dir / "status.json"


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


_SIZE_RE = re.compile(r"^\s*(\d{3,5})\s*[xX×]\s*(\d{3,5})\s*$")


def parse_size(text: str) -> tuple[int, int]:
    """``1920x1080`` -> (1920, 1080).

    Raises:
        ValueError: anything else (``1920*1080`` included).
    """
    match = _SIZE_RE.match(text)
    if not match:
        raise ValueError(text)
    width, height = int(match.group(1)), int(match.group(2))
    if not (160 <= width <= 16384 and 120 <= height <= 16384):
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
    """Every size (a fraction of the screen height) and colour of the Theme."""
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


# --- schema ----------------------------------------------------------------------------
# section key -> (dataclass, {yaml key: (field name, parser)})

_SECTIONS: dict[str, tuple[type, dict[str, tuple[str, Parser]]]] = {
    "screen": (ScreenConfig, {"name": ("name", _text), "tags": ("tags", _tags)}),
    "display": (DisplayConfig, {
        "size": ("size", _size), "fullscreen": ("fullscreen", _bool),
        "fps": ("fps", _number(1, 240, integer=True)),
        "renderer": ("renderer", _choice("auto", "software", "accelerated"))}),
    "drop": (DropConfig, {"dir": ("dir", _existing_dir), "poll": ("poll", _poll),
                          "rescan": ("rescan", _number(10, 86400)),
                          "quiet": ("quiet", _number(0.1, 60)),
                          "preview": ("preview", _bool)}),
    "sync": (SyncConfig, {"url": ("url", _url), "interval": ("interval", _number(5, 86400)),
                          "public_key": ("public_key", _opt(_public_key)),
                          "allow_unsigned": ("allow_unsigned", _bool),
                          "ca_bundle": ("ca_bundle", _opt(_existing_file)),
                          "headers": ("headers", _headers),
                          "timeout": ("timeout", _number(1, 300)),
                          "deadline": ("deadline", _number(1, 3600))}),
    "alerts": (AlertsConfig, {"interval": ("interval", _number(2, 3600)), "url": ("url", _url),
                              "public_key": ("public_key", _opt(_existing_file))}),
    "ticker": (TickerConfig, {"speed": ("speed", _number(10, 2000))}),
    "fonts": (FontConfig, {
        "file": ("file", _opt(_existing_file)), "index": ("index", _opt(_number(0, 255, True))),
        "bold_file": ("bold_file", _opt(_existing_file)),
        "bold_index": ("bold_index", _opt(_number(0, 255, True)))}),
    "pages": (PagesConfig, {
        "chars_per_minute": ("chars_per_minute", _number(20, 5000, integer=True)),
        "min_seconds": ("min_seconds", _number(1, 3600)),
        "max_seconds": ("max_seconds", _number(1, 3600))}),
    "limits": (Limits, {
        "text_mib": ("text_bytes", _mib(0.01, 100)), "image_mib": ("image_bytes", _mib(0.1, 500)),
        "image_megapixels": ("image_pixels", _megapixels),
        "files": ("files", _number(1, 1_000_000, integer=True)),
        "document_mib": ("document_bytes", _mib(0.1, 1000)),
        "pdf_pages": ("pdf_pages", _number(1, 5000, integer=True))}),
    "theme": (Theme, _theme_schema()),
    "schedule": (ScheduleConfig, {"urgent_every": ("urgent_every", _number(10, 3600))}),
    "clock": (ClockConfig, {"max_jump_days": ("max_jump_days", _number(1, 3650)),
                            "confirm_ntp": ("confirm_ntp", _bool),
                            "confirm_http_date": ("confirm_http_date", _bool)}),
    "power": (PowerConfig, {"on": ("on", _clock_time), "off": ("off", _clock_time), "days": ("days", _weekdays),
                            "method": ("method", _choice("cec", "wlr-randr", "vcgencmd", "command")),
                            "output": ("output", _text), "cec_device": ("cec_device", _text),
                            "on_command": ("on_command", _argv), "off_command": ("off_command", _argv)}),
    "playlog": (PlaylogConfig, {"retention_days": ("retention_days", _number(7, 3650, integer=True)),
                                "flush_minutes": ("flush_minutes", _number(0.1, 60)),
                                "office_hours": ("office_hours", _hours_of_day),
                                "office_days": ("office_days", _weekdays),
                                "max_gap_minutes": ("max_gap_minutes", _number(1, 1440))}),
    "screenshot": (ScreenshotConfig, {"every_minutes": ("every_minutes", _number(0, 1440))}),
    "report": (ReportConfig, {"url": ("url", _url_exact), "interval": ("interval", _number(10, 86400)),
                              "headers": ("headers", _headers), "screenshot": ("screenshot", _bool)}),
    "interaction": (InteractionConfig, {"touch": ("touch", _bool),
                                        "idle_return": ("idle_return", _number(5, 3600))}),
    "metrics": (MetricsConfig, {"textfile": ("textfile", _textfile), "listen": ("listen", _listen)}),
    "memory": (MemoryConfig, {"page_cache_mib": ("page_cache_bytes", _mib(1, 4096)),
                              "picture_cache_mib": ("picture_cache_bytes", _mib(1, 4096))}),
}
_TOP: dict[str, tuple[str, Parser]] = {
    "timezone": ("timezone", _timezone),
    "state_dir": ("state_dir", _state_dir),
    "status_file": ("status_file", _status_file),
    "log_level": ("log_level", _log_level),
}
_REQUIRED = {"screen": ("name",), "drop": ("dir",)}


def load_config(path: Path | str, need_drop: bool = True) -> Config:
    """Read and validate a config file.

    Args:
        need_drop: False accepts a drop folder that does not exist (``signage status``
            reports it instead).

    Raises:
        ConfigError: unreadable file, YAML errors, unknown keys, wrong values.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(path, None, "config file not found; pass -c PATH or set SIGNAGE_CONFIG") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(path, None, f"cannot read config file: {reason}") from None
    return parse_config(text, path, need_drop)


def parse_config(text: str, path: Path, need_drop: bool = True) -> Config:
    """Validate config text that was read from ``path``.

    Raises:
        ConfigError: see :func:`load_config`.
    """
    try:
        root = parse_yaml(text)
    except YamlError as exc:
        raise ConfigError(path, exc.line, exc.message) from None
    if root is None or not isinstance(root.value, Mapping):
        raise ConfigError(path, root.line if root else None,
                          "expected 'key: value' settings (see config/player.yaml)")
    ctx = _Ctx(base=path.resolve().parent, need_drop=need_drop)
    known = list(_SECTIONS) + list(_TOP)
    values: dict[str, Any] = {"path": path.resolve()}
    lines: dict[str, int] = {}
    for key, item in root.value.items():
        lines[key] = item.line
        if isinstance(item.value, Mapping):
            lines.update({f"{key}.{sub}": sub_item.line for sub, sub_item in item.value.items()})
        if key in _SECTIONS:
            values[key] = _section(path, key, item, ctx)
        elif key in _TOP:
            name, parser = _TOP[key]
            values[name] = _apply(path, key, item, parser, ctx)
        else:
            raise _unknown(path, "", key, item.line, known)
    for section, keys in _REQUIRED.items():
        if section not in values:
            raise ConfigError(path, None, f"{section}: missing; add a '{section}:' section with "
                              + ", ".join(keys))
    if "state_dir" not in values:
        raise ConfigError(path, None, "state_dir: missing; add 'state_dir: PATH', the folder "
                          "for status.json, the play log and the content store")
    config = Config(**values, lines=lines)
    if config.sync.url and config.sync.public_key is None and not config.sync.allow_unsigned:
        line = root.value["sync"].line
        raise ConfigError(path, line, "sync.public_key: missing; a sync.url needs the publisher's public key "
                          "(or sync.allow_unsigned: true, for tests only)")
    if config.alerts.url and config.alerts_key is None and not config.sync.allow_unsigned:
        raise ConfigError(path, root.value["alerts"].line, "alerts.public_key: missing; an alerts.url needs the "
                          "publisher's public key (alerts.public_key or sync.public_key)")
    power = config.power
    if (power.on is None) != (power.off is None):
        raise ConfigError(path, root.value["power"].line, "power: give both on and off (or neither: always on)")
    if power.on is not None and power.on == power.off:
        raise ConfigError(path, root.value["power"].line, "power: on and off are the same time")
    if power.method == "command" and power.on is not None and not (power.on_command and power.off_command):
        raise ConfigError(path, root.value["power"].line,
                          "power: method command needs on_command and off_command")
    if config.theme.table_min > config.theme.table:
        raise ConfigError(path, root.value["theme"].line, "theme: table_min is larger than table")
    if config.pages.min_seconds > config.pages.max_seconds:
        line = root.value["pages"].line
        raise ConfigError(path, line, "pages: min_seconds is larger than max_seconds")
    return config


def _section(path: Path, key: str, item: Located, ctx: _Ctx) -> Any:
    cls, schema = _SECTIONS[key]
    if not isinstance(item.value, Mapping):
        raise ConfigError(path, item.line, f"{key}: expected a section of 'key: value' lines, "
                          f"got {_got(item)}")
    kwargs: dict[str, Any] = {}
    for sub, sub_item in item.value.items():
        if sub not in schema:
            raise _unknown(path, f"{key}.", sub, sub_item.line, list(schema))
        name, parser = schema[sub]
        kwargs[name] = _apply(path, f"{key}.{sub}", sub_item, parser, ctx)
    missing = [k for k in _REQUIRED.get(key, ()) if k not in kwargs]
    if missing:
        raise ConfigError(path, item.line, f"{key}.{missing[0]}: missing; this key is required")
    names = {f.name for f in fields(cls)}
    assert set(kwargs) <= names
    return cls(**kwargs)


def _apply(path: Path, key: str, item: Located, parser: Parser, ctx: _Ctx) -> Any:
    try:
        return parser(item, ctx)
    except _Bad as bad:
        raise ConfigError(path, bad.line or item.line, f"{key}: {bad.message}") from None


def _unknown(path: Path, prefix: str, key: str, line: int, known: list[str]) -> ConfigError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean '{prefix}{close[0]}'? " if close else ""
    return ConfigError(path, line, f"{prefix}{key}: unknown key; {hint}"
                       f"expected one of: {', '.join(known)}")


def find_config(explicit: str | None, env: Mapping[str, str], cwd: Path) -> Path:
    """The config path: ``-c``, else ``$SIGNAGE_CONFIG``, else ``config/player.yaml`` in
    the current folder or a parent, else ``/etc/signage/player.yaml``."""
    if explicit:
        return Path(explicit)
    if env.get("SIGNAGE_CONFIG"):
        return Path(env["SIGNAGE_CONFIG"])
    for folder in (cwd, *cwd.parents):
        candidate = folder / "config" / "player.yaml"
        if candidate.is_file():
            return candidate
    return Path("/etc/signage/player.yaml")

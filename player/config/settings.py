"""The configuration as frozen dataclasses, and :class:`ConfigError`, the one-line
message of every mistake (docs/configuration.md is the reference of every key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from player.layout.templates import AUTO
from player.layout.theme import Panel, Theme
from player.model.limits import MIB, Limits


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
    rotate: int = 0  # 0 | 90 | 180 | 270: the panel is mounted turned clockwise by this
    diagonal_inches: float = 43.0
    viewing_distance_m: float = 3.0

    @property
    def panel(self) -> Panel:
        """The physical panel, for sizes (theme.py)."""
        return Panel(self.diagonal_inches, self.viewing_distance_m)

    def logical(self, size: tuple[int, int]) -> tuple[int, int]:
        """The size frames are composed at for a physical output ``size`` (w and h swap
        at 90 and 270 degrees)."""
        return (size[1], size[0]) if self.rotate in (90, 270) else size


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
    layout: str = AUTO  # auto | standard | portrait | split | page-only | ticker-only
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



"""What every ``signage`` subcommand shares: exit codes, the environment a command may
touch, one-line failures, the config, logging, fonts, sizes and moments, and how
one-off commands read the drop folder."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from player.config import Config, find_config, load_config, parse_size
from player.model.limits import Limits
from player.runtime.clock import Clock, SystemClock
from player.sources.folder import FolderScanner

log = logging.getLogger("signage")


class ExitStatus(enum.IntEnum):
    """Exit codes (DESIGN.md section 1)."""

    OK = 0
    PROBLEMS = 1
    ERROR = 2


@dataclass
class Environment:
    """What a command may touch besides its arguments."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    cwd: Path = field(default_factory=Path.cwd)
    clock: Clock = field(default_factory=SystemClock)


class Fail(Exception):
    """Stop a command with a one-line message and an exit status."""

    def __init__(self, message: str, status: ExitStatus = ExitStatus.ERROR) -> None:
        super().__init__(message)
        self.status = status


def command_config(args, env: Environment) -> Config:
    """The config named by ``-c``, ``$SIGNAGE_CONFIG`` or found from the current folder."""
    return load_config(find_config(args.config, env.env, env.cwd))


class ZoneFormatter(logging.Formatter):
    """Log times in the configured time zone, with its offset (2026-11-29T20:05:11+0800)."""

    def __init__(self, fmt: str, tz) -> None:
        super().__init__(fmt)
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = dt.datetime.fromtimestamp(record.created, self.tz)
        return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def setup_logging(config: Config | None, env: Environment) -> None:
    level = getattr(logging, (config.log_level if config else "info").upper())
    if env.env.get("JOURNAL_STREAM"):  # journald adds its own timestamps
        fmt = "%(levelname)s %(name)s: %(message)s"
    else:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=env.stderr, force=True)
    tz = config.tz if config is not None else None
    for handler in logging.getLogger().handlers:
        handler.setFormatter(ZoneFormatter(fmt, tz))
    if config is not None:
        from player.logmask import MaskSecrets, secrets_of
        mask = MaskSecrets(secrets_of(config.sync.headers, config.sync.url)
                           + secrets_of(config.report.headers, config.report.url))
        for handler in logging.getLogger().handlers:
            handler.addFilter(mask)


def command_fonts(config: Config):
    from player.render.fonts import FontError, load_fonts
    try:
        return load_fonts(config.fonts.file, config.fonts.index, config.fonts.bold_file,
                          config.fonts.bold_index)
    except FontError as exc:
        raise Fail(str(exc)) from None


def screen_size(text: str | None, config: Config) -> tuple[int, int]:
    if text:
        try:
            return parse_size(text)
        except ValueError:
            raise Fail(f"--size: expected WIDTHxHEIGHT like 1920x1080, got {text!r}") from None
    return config.display.size or (1920, 1080)


def moment(text: str | None, config: Config, env: Environment) -> dt.datetime:
    if not text:
        return env.clock.now()
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise Fail(f"--at: expected a date and time like 2026-11-27T10:30, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=config.tz)


def drop_library(config: Config, box: tuple[int, int] | None = None):
    """The drop folder as the screen would show it, with its pictures normalized into a
    store in memory: (library, store)."""
    from player.sources.ingest import Ingest
    from player.sources.store import MemoryStore
    store = MemoryStore()
    ingest = Ingest("drop", config.limits, store=store, box=box or (1920, 1080))
    try:
        return FolderScanner.once(config.drop.dir, config.limits, ingest).scan(), store
    finally:
        ingest.close()


def one_off_ingest(limits: Limits, source: str = "drop"):
    """How a one-off command reads files: pictures and documents checked in the sandbox,
    old Word/WPS files converted with LibreOffice when it is installed (cached per user)."""
    import tempfile

    from player.sources.convert import Converter
    from player.sources.ingest import Ingest
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "signage" / "convert"
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = Path(tempfile.gettempdir()) / f"signage-convert-{os.getuid()}"
    return Ingest(source, limits, converter=Converter(cache))

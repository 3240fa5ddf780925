"""The schema of ``player.yaml`` (section -> dataclass and key parsers) and loading it:
unknown keys, wrong types and cross-key rules become one :class:`ConfigError` line."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from player.layout.templates import AUTO, LAYOUTS
from player.layout.theme import Theme
from player.model.limits import Limits
from player.model.yamldoc import Located, YamlError, parse_yaml
from player.config.settings import (  # noqa: F401
    AlertsConfig, ClockConfig, Config, ConfigError, DisplayConfig, DropConfig, FontConfig, InteractionConfig, MemoryConfig, MetricsConfig, PagesConfig, PlaylogConfig, PowerConfig, ReportConfig, ScheduleConfig, ScreenConfig, ScreenshotConfig, SyncConfig, TickerConfig)
from player.config.values import (  # noqa: F401
    Parser, _Bad, _Ctx, _argv, _bool, _choice, _clock_time, _existing_dir, _existing_file, _got, _headers, _hours_of_day, _listen, _log_level, _megapixels, _mib, _number, _opt, _poll, _public_key, _rotate, _size, _state_dir, _status_file, _tags, _text, _textfile, _theme_schema, _timezone, _url, _url_exact, _weekdays)



# --- schema ----------------------------------------------------------------------------
# section key -> (dataclass, {yaml key: (field name, parser)})

_SECTIONS: dict[str, tuple[type, dict[str, tuple[str, Parser]]]] = {
    "screen": (ScreenConfig, {"name": ("name", _text), "tags": ("tags", _tags)}),
    "display": (DisplayConfig, {
        "size": ("size", _size), "fullscreen": ("fullscreen", _bool),
        "fps": ("fps", _number(1, 240, integer=True)),
        "renderer": ("renderer", _choice("auto", "software", "accelerated")),
        "rotate": ("rotate", _rotate),
        "diagonal_inches": ("diagonal_inches", _number(5, 400)),
        "viewing_distance_m": ("viewing_distance_m", _number(0.3, 50))}),
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
        "worker_mib": ("worker_bytes", _mib(128, 8192)),
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
    "layout": ("layout", _choice(AUTO, *LAYOUTS)),
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

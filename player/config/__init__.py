"""``player.yaml`` -> frozen dataclasses, with errors that name the key and the line.

Every mistake becomes one :class:`ConfigError` line such as::

    config/player.yaml:7: display.size: expected WIDTHxHEIGHT like 1920x1080, or auto; got '1920*1080'

Relative paths are relative to the config file. Only ``yaml.safe_load`` semantics are
used (through :mod:`player.model.yamldoc`). The reference of every key, its default and
meaning is docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

from player.config.schema import find_config, load_config, parse_config
from player.config.settings import (AlertsConfig, ClockConfig, Config, ConfigError, DisplayConfig, DropConfig,
                                    FontConfig, InteractionConfig, MemoryConfig, MetricsConfig, PagesConfig, PlaylogConfig,
                                    PowerConfig, ReportConfig, ScheduleConfig, ScreenConfig, ScreenshotConfig,
                                    SyncConfig, TickerConfig)
from player.config.values import parse_listen, parse_size

__all__ = ["AlertsConfig", "ClockConfig", "Config", "ConfigError", "DisplayConfig", "DropConfig", "FontConfig",
           "InteractionConfig", "MemoryConfig", "MetricsConfig", "PagesConfig", "PlaylogConfig", "PowerConfig", "ReportConfig",
           "ScheduleConfig", "ScreenConfig", "ScreenshotConfig", "SyncConfig", "TickerConfig", "find_config",
           "load_config", "parse_config", "parse_listen", "parse_size"]

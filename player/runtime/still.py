"""``signage render``: one frame, composed exactly as the screen composes it.

The same parts as ``signage play``: the configured layout template (``layout``, ``auto``
by the shape of ``--size``), the real :class:`~player.render.compositor.Compositor`, an
:class:`~player.model.screen.OnScreen` snapshot for the moment, and pages laid out and
drawn by a :class:`~player.runtime.prepare.Preparer` inline (``Pages`` with
``background=False``). What the page area shows is decided by :func:`choose_page`:

- ``--notice`` (and ``--page``): that page;
- else, when a player runs on this config (its status.json was written less than
  :data:`LIVE_SECONDS` ago) and no ``--at`` is given: the notice and page it shows now;
- else the rotation's position at the moment (``--at``, default now): the day's cycle
  from midnight, as :func:`~player.model.rotation.slot_at` finds it.

Not drawn: emergency alerts (they come from the alert channel of a running player) and
the power schedule's dark hours.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from player.config import Config
from player.model.notice import Library, Notice
from player.model.rotation import build_cycle, slot_at
from player.model.schedule import ACTIVE, evaluate, days_remaining
from player.model.screen import OnScreen, Page
from player.render.compositor import Compositor
from player.render.factory import make_renderer, screen_frame, screen_theme
from player.render.fonts import Fonts
from player.render.pagecache import NORMAL, PageCache
from player.render.pg import pygame
from player.render.templates import make_template
from player.runtime.content import ticker_messages
from player.runtime.prepare import Pages, Preparer
from player.runtime.statusdoc import STATUS_EVERY

#: A status.json younger than this says a player is running on the config (3 writes).
LIVE_SECONDS = 3 * STATUS_EVERY


class StillError(Exception):
    """A --notice or --page that does not exist (usage)."""


@dataclass(frozen=True)
class Choice:
    """What the page area shows, and why (for the command's one line)."""

    notice: Notice | None
    page: int
    source: str


def live_showing(status_path: Path, now: dt.datetime) -> tuple[str | None, int] | None:
    """(notice id or None, 0-based page) a running player shows now, or None when no
    player wrote ``status_path`` in the last :data:`LIVE_SECONDS`."""
    try:
        doc = json.loads(status_path.read_text(encoding="utf-8"))
        updated = dt.datetime.fromisoformat(doc["updated_at"])
        showing = doc.get("showing") or {}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if updated.tzinfo is None or not 0 <= (now - updated).total_seconds() < LIVE_SECONDS:
        return None
    return showing.get("notice"), max(0, int(showing.get("page") or 1) - 1)


def choose_page(library: Library, renderer, config: Config, wall: dt.datetime, notice_id: str | None,
                page: int | None, live: tuple[str | None, int] | None) -> Choice:
    """See the module docstring. Raises StillError for an unknown notice or page."""
    if notice_id:
        notice = library.get(notice_id)
        if notice is None:
            known = ", ".join(n.id for n in library.notices) or "none"
            raise StillError(f"--notice: no notice {notice_id!r}; known ids: {known}")
        count = len(renderer.page_times(notice))
        index = (page or 1) - 1
        if not 0 <= index < count:
            raise StillError(f"--page: notice {notice_id!r} has {count} page(s), got {page}")
        return Choice(notice, index, "--notice")
    if page:
        raise StillError("--page needs --notice")
    if live is not None:
        notice = library.get(live[0]) if live[0] else None
        count = len(renderer.page_times(notice)) if notice else 1
        return Choice(notice, min(live[1], count - 1), "what the running player shows now (status.json)")
    decisions = evaluate(library, wall, config.tz, config.screen.tags)
    slots = build_cycle([d.notice for d in decisions if d.state == ACTIVE], renderer.page_times)
    local = wall.astimezone(config.tz)
    since_midnight = (local - local.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds()
    slot, _ = slot_at(slots, since_midnight)
    notice = library.get(slot.notice_id) if slot else None
    return Choice(notice, slot.page if slot else 0, f"the rotation at {local:%Y-%m-%d %H:%M:%S}")


def render_still(config: Config, size: tuple[int, int], fonts: Fonts, library: Library, pictures, wall: dt.datetime,
                 trusted: bool, notice_id: str | None = None, page: int | None = None,
                 live: tuple[str | None, int] | None = None,
                 ticker_since: float | None = None) -> tuple["pygame.Surface", Choice, str]:
    """One frame of the logical ``size``: (surface, what it shows, the template's name).

    ``ticker_since``: the ticker's text arrived this many seconds before the moment (its
    first message then shows near the left); None: long ago (where time puts it)."""
    renderer = make_renderer(config, size, fonts, pictures=pictures)
    choice = choose_page(library, renderer, config, wall, notice_id, page, live)
    preparer = Preparer(lambda: renderer, NORMAL)
    pages = Pages({NORMAL: preparer}, PageCache(256 * 1024 * 1024), background=False)
    theme = screen_theme(config)
    template = make_template(screen_frame(config, size), fonts, theme, config.screen.name, config.tz)
    compositor = Compositor(template, fonts, theme, pages, pages, screen_name=config.screen.name,
                            ticker_speed=config.ticker.speed, fps=config.display.fps, tz=config.tz,
                            touch=config.interaction.touch, idle_return=config.interaction.idle_return)
    decisions = tuple(evaluate(library, wall, config.tz, config.screen.tags))
    notice = choice.notice
    shown = None
    if notice is not None:
        count = len(renderer.page_times(notice))
        shown = Page(notice, choice.page, count, days_remaining(notice, wall, config.tz))
    snap = OnScreen(wall.timestamp(), wall, wall.astimezone(config.tz) if trusted else None, trusted, library,
                    decisions, shown, ticker_messages(library, decisions))
    surface = pygame.Surface(size)
    # The ticker's text runs since the start of time, as on a screen that has been on:
    # set at t = 0, drawn at the moment's t.
    start = 0.0 if ticker_since is None else max(0.0, snap.t - ticker_since)
    compositor.compose(surface, replace(snap, t=start), full=True)
    compositor.compose(surface, snap, full=True)
    return surface, choice, template.name

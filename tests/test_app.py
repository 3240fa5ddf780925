"""The frame loop in-process, on SDL's dummy driver: keys, rotation, content changes."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import CONTENT, write_config
from player.config import load_config
from player.render.fonts import load_fonts
from player.render.pg import pygame
from player.runtime.app import App
from player.runtime.clock import SystemClock
from player.runtime.display import Screen


@pytest.fixture
def app_factory(tmp_path: Path):
    apps = []

    def make(fullscreen: bool, headless: bool = False, extra: str = "") -> App:
        drop = tmp_path / "drop"
        if not drop.exists():
            shutil.copytree(CONTENT, drop, ignore=shutil.ignore_patterns("_状态.txt"))
        config = load_config(write_config(tmp_path / "cfg", drop,
                                          extra=f"display: {{fullscreen: {str(fullscreen).lower()}}}\n" + extra))
        pygame.display.init()
        surface = pygame.display.set_mode((1280, 720))
        app = App(config, Screen.of(surface, "dummy", headless), load_fonts(), SystemClock())
        apps.append(app)
        return app
    yield make
    pygame.display.quit()


@pytest.mark.parametrize("key", [pygame.K_ESCAPE, pygame.K_q])
def test_escape_or_q_quits_a_window(app_factory, key: int) -> None:
    app = app_factory(fullscreen=False)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
    started = time.monotonic()
    assert app.run(seconds=10) == 0
    assert time.monotonic() - started < 5


def test_keys_do_not_quit_a_fullscreen_lobby_screen(app_factory) -> None:
    app = app_factory(fullscreen=True)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="", scancode=0))
    started = time.monotonic()
    assert app.run(seconds=1.5) == 0
    assert time.monotonic() - started >= 1.4


def test_rotation_advances_through_pages(app_factory) -> None:
    app = app_factory(fullscreen=False, extra="pages: {min_seconds: 1, max_seconds: 1}\n")
    seen = []
    original = app.content.advance

    def spy(t):
        snap = original(t)
        if snap.page is not None and (not seen or seen[-1] != (snap.page.notice.id, snap.page.index)):
            seen.append((snap.page.notice.id, snap.page.index))
        return snap
    app.content.advance = spy
    assert app.run(seconds=4.5) == 0
    assert len(seen) >= 3
    first = seen[0][0]
    assert first.startswith("重要决策/") and seen[:3] == [(first, 0), (first, 1), (first, 2)]
    summary = app.loop.stats.summary()
    assert summary.fps is not None and summary.frames > 10

"""The frame loop never touches the store or the file system: spies on a real player.

A real App — preparer threads, the drop-folder watcher, the bundle sync against a real
HTTP server on 127.0.0.1, the status writer, housekeeping — runs with pictures in the drop
folder and a signed bundle of pictures until pictures of both were drawn, the rotation
moved on and status.json was written. Spies record, with the thread that made them,
every call of the Store's methods, every ``open``/``os.listdir``/``os.scandir``/rename
(Python's audit hooks), every ``os.stat``, every sha256 and every picture decode. The
loop's thread must have made none of them; the other threads must have made each kind
(else the spies would prove nothing). Not a timing: what was called, and where.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import wait_until, write_config
from player.config import load_config
from player.render.fonts import load_fonts
from player.render.pg import pygame
from player.runtime.app import App
from player.runtime.clock import SystemClock
from player.runtime.display import Screen
from player.sources.publish import build_bundle
from player.sources.store import Store

STORE_METHODS = ("get", "has", "put", "read_pointer", "write_pointer", "load_index", "save_index", "collect",
                 "referenced")
AUDITED = ("open", "os.listdir", "os.scandir", "os.rename", "os.replace", "os.remove", "os.mkdir", "shutil.")


class Calls:
    """(what, thread ident) of every spied call while :attr:`on`."""

    installed: "Calls | None" = None  # the audit hook cannot be removed: it asks the current one

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []
        self.on = False

    def add(self, what: str) -> None:
        if self.on:
            self.seen.append((what, threading.get_ident()))

    def wrap(self, what: str, original: Callable) -> Callable:
        def spy(*args, **kwargs):
            self.add(what)
            return original(*args, **kwargs)
        return spy


def _audit(event: str, _args: tuple) -> None:
    calls = Calls.installed
    if calls is not None and calls.on and event.startswith(AUDITED):
        calls.add(event)


@pytest.fixture
def calls(monkeypatch):
    spies = Calls()
    if not getattr(_audit, "added", False):
        sys.addaudithook(_audit)
        _audit.added = True
    Calls.installed = spies
    for name in STORE_METHODS:
        monkeypatch.setattr(Store, name, spies.wrap(f"Store.{name}", getattr(Store, name)))
    monkeypatch.setattr(hashlib, "sha256", spies.wrap("sha256", hashlib.sha256))
    monkeypatch.setattr(os, "stat", spies.wrap("os.stat", os.stat))
    monkeypatch.setattr(pygame.image, "load", spies.wrap("decode", pygame.image.load))
    yield spies
    Calls.installed = None


def photo(seed: int, size: tuple[int, int] = (640, 480)) -> bytes:
    """A real PNG with some noise (every one different)."""
    surface = pygame.Surface(size)
    surface.fill((40 + seed * 20 % 200, 90, 160))
    for i in range(200):
        surface.set_at(((i * 37 + seed * 11) % size[0], (i * 53 + seed) % size[1]), (255, 255, i % 256))
    out = io.BytesIO()
    pygame.image.save(surface, out, "x.png")
    return out.getvalue()


def test_the_frame_loop_reads_hashes_and_decodes_nothing(tmp_path: Path, server, keys, calls) -> None:
    pygame.display.init()
    drop = tmp_path / "drop"
    (drop / "社区风采").mkdir(parents=True)
    for i in range(3):
        (drop / "社区风采" / f"活动{i}.png").write_bytes(photo(i))
    (drop / "公示公告").mkdir()
    (drop / "公示公告" / "停水通知.txt").write_text("停水通知\n明日上午停水，请提前储水。\n", encoding="utf-8")
    (drop / "ticker.txt").write_text("欢迎来到便民服务中心\n", encoding="utf-8")
    source = tmp_path / "src"
    (source / "区级发布").mkdir(parents=True)
    for i in range(2):
        (source / "区级发布" / f"照片{i}.png").write_bytes(photo(10 + i))
    build_bundle(source, server.root, keys["key"])
    config = load_config(write_config(
        tmp_path / "cfg", drop,
        extra=f"pages: {{min_seconds: 1, max_seconds: 1}}\n"
              f"sync: {{url: '{server.url}', public_key: '{keys['pub']}', interval: 5}}\n"))
    surface = pygame.display.set_mode((960, 540))
    app = App(config, Screen.of(surface, "dummy", False), load_fonts(), SystemClock())
    loop_thread = threading.get_ident()
    shown: set[str] = set()
    advance = app.content.advance

    def watch(t):
        snap = advance(t)
        if snap.page is not None and app.pages.has_page(snap.page.notice, snap.page.index):
            shown.add(snap.page.notice.id)
        return snap
    app.content.advance = watch
    run = app.loop.run

    def spied_run(seconds):
        calls.on = True  # the loop's thread, from its first frame to its last
        try:
            return run(seconds)
        finally:
            calls.on = False
    app.loop.run = spied_run

    def enough() -> bool:
        return {"区级发布/照片0", "区级发布/照片1", "社区风采/活动0", "社区风采/活动1"} <= shown \
            and app.writer.writes >= 2

    def stop_when_seen() -> None:
        wait_until(enough, timeout=60, step=0.1)
        app.request_stop()
    threading.Thread(target=stop_when_seen, daemon=True).start()
    app.run(seconds=90)
    assert enough(), f"pictures drawn: {sorted(shown)}, status writes: {app.writer.writes}"
    in_loop = sorted({what for what, thread in calls.seen if thread == loop_thread})
    assert in_loop == []
    elsewhere = {what for what, thread in calls.seen if thread != loop_thread}
    assert {"Store.get", "Store.put", "sha256", "decode", "open", "os.stat"} <= elsewhere

"""Touch kiosks: events injected into a real headless player on a simulated clock.

Each test scripts touches (pygame FINGERDOWN/FINGERUP, MOUSEBUTTONDOWN/UP with
coordinates) at simulated moments and checks what the player reports (the status
document written to status.json) and what it draws (the frame's pixels).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import CONTENT, run_signage, write_config
from player.config import load_config
from player.layout.kiosk import CATEGORY, HOME, LARGE, NEXT, PREV, min_target_px, nav_targets
from player.layout.theme import Theme
from player.layout.templates import frame_for
from player.render.fonts import load_fonts
from player.render.pg import pygame
from player.runtime.app import App
from player.runtime.clock import ScriptedClock, date_files
from player.runtime.display import Screen
from player.layout.browsing import Action
from player.layout.theme import NAV_SHARE, kiosk_theme
from player.render.pagecache import LARGE as LARGE_TEXT, NORMAL

TZ = ZoneInfo("Asia/Shanghai")
SIZE = (1920, 1080)
START = dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ)


@pytest.fixture
def kiosk(tmp_path: Path):
    made = []

    def make(touch: bool = True, idle_return: float = 60, extra: str = "",
             background: bool = False) -> tuple[App, ScriptedClock]:
        drop = tmp_path / "drop"
        if not drop.exists():
            shutil.copytree(CONTENT, drop, ignore=shutil.ignore_patterns("_状态.txt"))
        config = load_config(write_config(tmp_path / "cfg", drop, extra=(
            f"interaction: {{touch: {str(touch).lower()}, idle_return: {idle_return}}}\n" + extra)))
        pygame.display.init()
        clock = ScriptedClock(START)
        date_files(drop, START)
        app = App(config, Screen.of(pygame.display.set_mode(SIZE), "dummy", False), load_fonts(), clock,
                  background=background)
        made.append(app)
        return app, clock
    yield make
    pygame.display.quit()


def finger(kind: int, x: float, y: float) -> None:
    pygame.event.post(pygame.event.Event(kind, touch_id=1, finger_id=1, x=x / SIZE[0], y=y / SIZE[1],
                                         dx=0.0, dy=0.0, pressure=1.0))


def tap(x: float, y: float) -> None:
    finger(pygame.FINGERDOWN, x, y)
    finger(pygame.FINGERUP, x, y)


def click(x: float, y: float) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1, touch=False))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(x, y), button=1, touch=False))


def centre(app: App, kind: str, value: str = "") -> tuple[float, float]:
    target = next(t for t in app.compositor.kiosk.targets if t.kind == kind and (not value or t.value == value))
    return target.box.x + target.box.w / 2, target.box.y + target.box.h / 2


def status(app: App) -> dict:
    """Exactly what the writer puts in status.json, built from the last frame's snapshot."""
    return app.builder.build(app.loop.inputs(app.loop.snapshot))[0]


def rows(app: App):
    return app.compositor.kiosk._listing.rows  # noqa: SLF001 - where the list's rows are on screen


def test_targets_are_large_enough_and_do_not_overlap() -> None:
    for width, height in ((1920, 1080), (1366, 768), (3840, 2160), (1080, 1920), (768, 1366)):
        frame = frame_for(width, height, kiosk_theme(Theme()))
        categories = ["公示公告", "办事指南", "财务公开", "重要决策", "民生实事", "收费标准"]
        targets = nav_targets(frame.nav, categories, frame.nav_rows)
        assert frame.nav_rows == (2 if height > width else 1)
        assert {t.kind for t in targets} == {PREV, NEXT, HOME, CATEGORY, LARGE}
        least = min_target_px(width, height)   # 12 mm on the default 43-inch panel
        assert least == frame.min_target
        for t in targets:
            assert t.box.h >= least and t.box.w >= least, t
            assert frame.nav.y <= t.box.y and t.box.bottom <= frame.nav.bottom
            assert frame.nav.x <= t.box.x and t.box.right <= frame.nav.right
        for a in targets:   # never touching: a gap between any two
            for b in targets:
                if a is not b:
                    assert (a.box.right < b.box.x or b.box.right < a.box.x
                            or a.box.bottom < b.box.y or b.box.bottom < a.box.y), (a, b)
        assert frame.page.bottom < frame.nav.y and frame.nav.bottom == frame.ticker.y
    assert round(NAV_SHARE * 1080 * 0.248) >= 24  # the bar itself: about 25 mm tall


def test_browse_a_category_open_a_notice_page_through_and_go_home(kiosk) -> None:
    app, clock = kiosk()
    seen: dict[str, dict] = {}

    def note(name: str) -> Callable[[], None]:
        return lambda: seen.__setitem__(name, status(app))

    clock.at(2.0, note("start"))
    clock.at(2.1, lambda: tap(*centre(app, CATEGORY, "办事指南")))
    clock.at(2.5, note("list"))
    clock.at(2.6, lambda: seen.__setitem__("row_colour", app.screen.surface.get_at(
        (rows(app)[0].box.x + 6, rows(app)[0].box.y + 30))))
    clock.at(3.0, lambda: tap(rows(app)[0].box.x + 50, rows(app)[0].box.y + 20))
    clock.at(3.5, note("reading"))
    clock.at(4.0, lambda: click(*centre(app, NEXT)))  # a mouse works like a finger
    clock.at(4.5, note("page2"))
    clock.at(5.0, lambda: (finger(pygame.FINGERDOWN, 1400, 500), finger(pygame.FINGERUP, 900, 520)))  # swipe left: next
    clock.at(5.5, note("swiped"))
    clock.at(6.0, lambda: tap(*centre(app, HOME)))
    clock.at(6.6, note("home"))
    app.run(seconds=7)
    assert seen["start"]["interaction"]["mode"] == "rotation"
    assert "办事指南" in seen["start"]["interaction"]["categories"]
    listing = seen["list"]["interaction"]
    assert (listing["mode"], listing["category"], listing["page"]) == ("list", "办事指南", 1)
    reading = seen["reading"]
    assert reading["interaction"]["mode"] == "reading" and reading["showing"]["notice"].startswith("办事指南/")
    assert reading["showing"]["page"] == 1 and reading["interaction"]["pages"] >= 2
    assert seen["page2"]["showing"]["page"] == 2
    assert seen["swiped"]["showing"]["page"] == 3 or seen["swiped"]["interaction"]["pages"] == 2
    assert seen["home"]["interaction"]["mode"] == "rotation"
    assert seen["home"]["showing"]["notice"] == seen["start"]["showing"]["notice"]  # the rotation went on
    written = json.loads(app.config.status_path.read_text(encoding="utf-8"))  # the file itself, at the end
    assert written["interaction"]["mode"] == "rotation" and written["interaction"]["touch"] is True


def test_press_feedback_is_drawn_in_the_same_frame(kiosk) -> None:
    app, clock = kiosk()
    colours = {}
    spot = {}

    def press() -> None:
        x, y = spot["xy"] = centre(app, CATEGORY, "财务公开")
        spot["probe"] = (int(x), int(y) - 20)  # the button's fill, beside its label
        colours["before"] = app.screen.surface.get_at(spot["probe"])
        finger(pygame.FINGERDOWN, x, y)

    clock.at(1.0, press)
    # the very next frame (1/60 s later) must already show the pressed state
    clock.at(1.0 + 1 / 60 + 1e-6, lambda: colours.__setitem__("pressed", app.screen.surface.get_at(spot["probe"])))
    clock.at(1.2, lambda: finger(pygame.FINGERUP, *spot["xy"]))
    clock.at(1.3, lambda: colours.__setitem__("after", status(app)["interaction"]))
    app.run(seconds=1.5)
    assert colours["pressed"] != colours["before"]
    assert sum(colours["pressed"][:3]) < sum(colours["before"][:3])  # darker
    assert colours["after"]["mode"] == "list" and colours["after"]["category"] == "财务公开"


def test_idle_return_fades_back_to_the_rotation_and_resets_large_text(kiosk) -> None:
    app, clock = kiosk(idle_return=20)
    seen = {}
    clock.at(1.0, lambda: tap(*centre(app, LARGE)))
    clock.at(1.5, lambda: seen.__setitem__("large", status(app)["interaction"]))
    clock.at(20.0, lambda: seen.__setitem__("still", status(app)["interaction"]))
    clock.at(21.2, lambda: seen.__setitem__("back", status(app)["interaction"]))
    clock.at(21.2, lambda: seen.__setitem__("fade", app.compositor.rotation.wipe is not None
                                            and app.compositor.rotation.wipe.fade))
    app.run(seconds=22)
    assert seen["large"]["mode"] == "reading" and seen["large"]["large_text"] is True
    assert seen["still"]["mode"] == "reading"  # 19 s after the last touch
    assert seen["back"]["mode"] == "rotation" and seen["back"]["large_text"] is False
    assert seen["fade"]


def test_large_text_lays_the_notice_out_again(kiosk) -> None:
    app, clock = kiosk()
    seen = {}
    report = "重要决策/关于实施2026年老旧小区改造项目的决定（示例）"

    def open_report() -> None:
        app.compositor.kiosk.kiosk.open_notice(report)
        app.compositor.kiosk.page_dirty = True

    clock.at(1.0, open_report)
    clock.at(1.5, lambda: seen.__setitem__("normal", (status(app)["interaction"]["pages"],
                                                      pygame.image.tobytes(app.screen.surface, "RGB"))))
    clock.at(2.0, lambda: tap(*centre(app, LARGE)))
    clock.at(2.5, lambda: seen.__setitem__("large", (status(app)["interaction"]["pages"],
                                                     pygame.image.tobytes(app.screen.surface, "RGB"))))
    app.run(seconds=3)
    normal_pages, normal_frame = seen["normal"]
    large_pages, large_frame = seen["large"]
    assert large_pages > normal_pages  # re-paginated, not stretched
    assert large_frame != normal_frame
    body = app.pages.preparers[LARGE_TEXT].renderer.layouter.styles.body.size
    normal = app.pages.preparers[NORMAL].renderer.layouter.styles.body.size
    assert body == round(normal * 1.4) or abs(body - normal * 1.4) <= 1


def test_touch_is_ignored_on_a_lobby_screen(kiosk) -> None:
    app, clock = kiosk(touch=False)
    seen = {}
    clock.at(1.0, lambda: seen.__setitem__("before", (status(app)["showing"], app.compositor.frame)))
    clock.at(1.1, lambda: (tap(960, 1000), click(100, 1000), tap(960, 500)))
    clock.at(1.5, lambda: seen.__setitem__("after", status(app)))
    app.run(seconds=2)
    assert app.compositor.kiosk is None and app.compositor.frame.nav is None
    assert seen["after"]["interaction"] == {"touch": False}
    assert seen["after"]["showing"] == seen["before"][0]


def test_an_urgent_notice_takes_the_screen_during_browsing_then_browsing_resumes(kiosk, tmp_path: Path) -> None:
    app, clock = kiosk()
    seen: dict[str, dict] = {}
    clock.at(1.0, lambda: tap(*centre(app, CATEGORY, "办事指南")))
    clock.at(1.5, lambda: seen.__setitem__("list", status(app)["interaction"]))

    def drop_urgent() -> None:
        written = tmp_path / "紧急停水.txt"  # saved elsewhere at the simulated time, then moved in
        written.write_text("---\npriority: urgent\n---\n紧急停水通知\n今日14时起停水。\n", encoding="utf-8")
        stamp = clock.now().timestamp()
        os.utime(written, (stamp, stamp))
        written.rename(tmp_path / "drop" / "公示公告" / "紧急停水.txt")
        deadline = time.monotonic() + 15  # the folder thread works in real time
        while not app.content.waiting() and time.monotonic() < deadline:
            time.sleep(0.05)

    def watch() -> None:
        now = status(app)
        if now["interaction"]["suspended"]:
            seen.setdefault("urgent", now)
        elif "urgent" in seen:
            seen.setdefault("after", now)

    clock.at(2.0, drop_urgent)
    for step in range(200):
        clock.at(2.2 + 0.25 * step, watch)
    app.run(seconds=55)
    assert seen["list"]["mode"] == "list"
    assert "urgent" in seen, "the urgent notice never took the screen"
    assert seen["urgent"]["showing"]["notice"] == "公示公告/紧急停水"
    after = seen["after"]["interaction"]
    assert after["mode"] == "list" and after["category"] == "办事指南"  # browsing resumed where it was


def test_browsing_is_logged_apart_from_the_rotation(kiosk) -> None:
    app, clock = kiosk()
    clock.at(1.0, lambda: tap(*centre(app, CATEGORY, "办事指南")))
    clock.at(2.0, lambda: tap(rows(app)[0].box.x + 50, rows(app)[0].box.y + 20))
    clock.at(8.0, lambda: tap(*centre(app, HOME)))
    app.run(seconds=10)
    lines = [json.loads(line) for day in (app.config.state_dir / "playlog").glob("*.jsonl")
             for line in day.read_text(encoding="utf-8").splitlines()]
    interactive = [e for e in lines if e.get("event") == "interactive"]
    assert any(e["notice"] and e["notice"].startswith("办事指南/") for e in interactive), lines
    assert any(e["notice"] is None for e in interactive)  # the list itself
    shown = [e for e in lines if "event" not in e]
    assert shown, [(e.get("event"), e.get("notice"), e["start"], e["end"]) for e in lines]
    assert shown and all(not (e["start"] >= interactive[0]["start"] and e["end"] <= interactive[-1]["end"])
                         for e in shown)  # no rotation line while browsing
    browsed = next(e["notice"] for e in interactive if e["notice"])
    assert all(e["notice"] != browsed for e in shown)  # the rotation did not reach it in 10 s
    report = run_signage("playlog", "--json", "-c", str(app.config.path))
    assert report.returncode == (0 if json.loads(report.stdout)["ok"] else 1), report.stderr  # 1: a 公示 uncovered
    assert shown[0]["notice"] in report.stdout
    assert browsed not in report.stdout  # a resident reading it is no proof of public display


def test_pages_opened_on_the_kiosk_are_prepared_off_the_frame_loop(kiosk) -> None:
    """With the background preparers (as in `signage play`), a tap never lays out or draws
    a page in the frame loop: the page appears when its thread has drawn it."""
    app, clock = kiosk(background=True)
    seen: dict[str, object] = {}
    report = "重要决策/关于实施2026年老旧小区改造项目的决定（示例）"
    threads: list[str] = []
    for preparer in app.pages.preparers.values():
        inner = preparer.do

        def spied(renderer, job, wanted=None, inner=inner):
            threads.append(threading.current_thread().name)
            return inner(renderer, job, wanted)
        preparer.do = spied

    clock.real = 0.01  # 10 ms of real time per frame: the preparer threads get their time
    kiosk_view = app.compositor.kiosk

    def content_read() -> None:  # the drop folder is read in its thread, in real time
        deadline = time.monotonic() + 15
        while not app.content.ready and not app.content.waiting() and time.monotonic() < deadline:
            time.sleep(0.02)
    clock.at(0.5, content_read)

    def open_large() -> None:
        kiosk_view.kiosk.category = "重要决策"
        kiosk_view.kiosk.open_notice(report)
        kiosk_view.apply(Action(LARGE))

    clock.at(1.0, open_large)
    clock.at(3.0, lambda: seen.__setitem__("large", status(app)))
    clock.at(3.5, lambda: click(*centre(app, NEXT)))
    clock.at(3.52, lambda: seen.__setitem__("waiting", status(app)["showing"]["page"]))
    clock.at(6.0, lambda: seen.__setitem__("next", status(app)))
    app.run(seconds=6.5)
    assert seen["large"]["interaction"]["large_text"] and seen["large"]["showing"]["notice"] == report
    assert seen["large"]["interaction"]["pages"] > 5  # laid out in large text by the large preparer
    assert seen["next"]["showing"]["page"] == 2
    assert threads and set(threads) <= {"page-preparer-normal", "page-preparer-large"}, set(threads)
    assert "page-preparer-large" in threads  # 大字 pages came from their own thread

"""Draw the kiosk screenshots in docs/screens/ by tapping through a real player.

Runs the player headless on the sample content with ``interaction.touch: true`` on a
simulated clock, injects taps (as a resident would), and saves the frames:

    kiosk-rotation.png   the rotation with the navigation bar
    kiosk-list.png       办事指南 opened: its notices as large rows
    kiosk-reading.png    a notice opened from the list (its QR code, when it has a url)
    kiosk-large.png      the same notice in 大字 (large text)

Usage: .venv/bin/python scripts/render-kiosk-docs.py [--size 1920x1080] [--prefix kiosk]
(scripts/render-docs.sh also draws kiosk-portrait-*.png at 1080x1920.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.config import load_config  # noqa: E402
from player.layout.kiosk import CATEGORY, LARGE  # noqa: E402
from player.render.fonts import load_fonts  # noqa: E402
from player.render.pg import pygame  # noqa: E402
from player.runtime.app import App  # noqa: E402
from player.runtime.clock import ScriptedClock, date_files  # noqa: E402
from player.runtime.display import Screen  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screens"))
    parser.add_argument("--prefix", default="kiosk", help="file names: PREFIX-rotation.png …")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = dt.datetime(2026, 11, 28, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with tempfile.TemporaryDirectory() as tmp:
        drop = Path(tmp) / "drop"  # a copy dated at the simulated start (the clock-trust floor)
        shutil.copytree(ROOT / "content", drop, ignore=shutil.ignore_patterns("_状态.txt"))
        date_files(drop, start)
        config_path = Path(tmp) / "player.yaml"
        config_path.write_text(f"screen: {{name: 马宫街道便民服务中心}}\ndrop: {{dir: '{drop}'}}\n"
                               f"state_dir: '{tmp}/state'\ninteraction: {{touch: true}}\n", encoding="utf-8")
        config = load_config(config_path)
        pygame.display.init()
        app: App | None = None

        def tap_target(kind: str, value: str = "") -> None:
            target = next(t for t in app.compositor.kiosk.targets if t.kind == kind and (not value or t.value == value))
            _tap(target.box.x + target.box.w / 2, target.box.y + target.box.h / 2)

        def tap_row() -> None:
            row = app.compositor.kiosk._listing.rows[0]  # noqa: SLF001 - the first notice of the list
            _tap(row.box.x + row.box.w / 3, row.box.y + row.box.h / 2)

        def _tap(x: float, y: float) -> None:
            for kind in (pygame.FINGERDOWN, pygame.FINGERUP):
                pygame.event.post(pygame.event.Event(kind, touch_id=1, finger_id=1, x=x / width, y=y / height,
                                                     dx=0.0, dy=0.0, pressure=1.0))

        def save(name: str) -> None:
            pygame.image.save(app.screen.surface, str(out / name))
            print(f"wrote {out / name}")

        steps = [(3.0, lambda: save(f"{args.prefix}-rotation.png")),
                 (3.5, lambda: tap_target(CATEGORY, "办事指南")), (4.5, lambda: save(f"{args.prefix}-list.png")),
                 (5.0, tap_row), (6.0, lambda: save(f"{args.prefix}-reading.png")),
                 (6.5, lambda: tap_target(LARGE)), (7.5, lambda: save(f"{args.prefix}-large.png"))]
        clock = ScriptedClock(start)
        for seconds, step in steps:
            clock.at(seconds, step)
        app = App(config, Screen.of(pygame.display.set_mode((width, height)), "dummy", False), load_fonts(), clock,
                  background=False, report=False)
        app.run(seconds=8)
        pygame.display.quit()


if __name__ == "__main__":
    main()

"""Draw the layout-template pictures of docs/screens/ with the real compositor.

    docs/screens/templates/<layout>.png   each template at a size it is meant for:
        standard 1920x1080, portrait 1080x1920, split 2560x1080, page-only 1920x1080,
        ticker-only 1920x160 and 512x64
    docs/screens/urgent/<size>.png        an urgent notice (alert style) at 1920x1080 and
        1080x1920, and the ticker-only strip leading with it

Every picture is the frame ``signage render`` makes (runtime/still.py) for the sample
content at 2026-11-27 10:30, with ``layout`` set. Usage:
    .venv/bin/python scripts/render-screens.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.commands.common import drop_library  # noqa: E402
from player.config import load_config  # noqa: E402
from player.render.fonts import load_fonts  # noqa: E402
from player.render.pg import pygame  # noqa: E402
from player.runtime.still import render_still  # noqa: E402

AT = dt.datetime.fromisoformat("2026-11-27T10:30:00+08:00")
GONGSHI = "公示公告/任前公示"
URGENT = """---
priority: urgent
issuer: 马宫街道办事处
date: 2026-11-27
---
紧急停水通知

因供水管道抢修，马宫街道幸福里小区、花园新村将于11月27日14:00-20:00停止供水，请居民提前做好储水准备。

如有疑问请拨打0571-88888888（24小时）咨询。
"""


def save(config, size, out: Path, notice: str | None = None) -> None:
    fonts = load_fonts()
    library, store = drop_library(config, size)
    # strips: the ticker's text came 0.9 of a screen width ago, so its first message shows
    since = size[0] * 0.9 / config.ticker.speed if size[1] <= 200 else None
    surface, choice, layout = render_still(config, size, fonts, library, store.get, AT, True, notice,
                                           ticker_since=since)
    out.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(surface, str(out))
    print(f"wrote {out.relative_to(ROOT)} ({size[0]}x{size[1]} {layout}, "
          f"{choice.notice.id if choice.notice else 'idle'})")


def main() -> None:
    config = load_config(ROOT / "config/player.yaml")
    shots = ROOT / "docs/screens"
    for layout, size in (("standard", (1920, 1080)), ("portrait", (1080, 1920)), ("split", (2560, 1080)),
                         ("page-only", (1920, 1080)), ("ticker-only", (1920, 160)), ("ticker-only", (512, 64))):
        name = layout if size[1] > 200 or size[0] > 600 else f"{layout}-512x64"
        save(dataclasses.replace(config, layout=layout), size, shots / "templates" / f"{name}.png", GONGSHI)
    with tempfile.TemporaryDirectory() as tmp:
        drop = Path(tmp) / "content"
        shutil.copytree(config.drop.dir, drop)
        (drop / "通知公告").mkdir(exist_ok=True)
        (drop / "通知公告" / "紧急停水通知.txt").write_text(URGENT, encoding="utf-8")
        urgent = dataclasses.replace(config, drop=dataclasses.replace(config.drop, dir=drop))
        for size in ((1920, 1080), (1080, 1920), (1920, 160)):
            save(urgent, size, shots / "urgent" / f"{size[0]}x{size[1]}.png", "通知公告/紧急停水通知")


if __name__ == "__main__":
    main()

"""Draw docs/screens/documents/: what the screen makes of the files staff really have.

    docs/screens/documents/<size>/docx-<n>.png    the sample Word notice (content/重要决策)
    docs/screens/documents/<size>/xlsx-<n>.png    the sample Excel table (content/财务公开)
    docs/screens/documents/<size>/pdf-<n>.png     a text PDF 公文 (reportlab, embedded CJK
                                                  font): rebuilt into paragraphs
    docs/screens/documents/<size>/scan-<n>.png    the same PDF scanned (image-only, 200 dpi):
                                                  shown in readable slices

at 1920x1080 and 1080x1920, pages 1 and 2 (where there is a page 2). The PDFs are written by tests/docfiles.py
(the files the document tests use). Every picture is the frame ``signage render`` makes
(runtime/still.py) at 2026-11-27 10:30. Usage (after ``bash scripts/setup.sh --test``,
which installs reportlab):
    .venv/bin/python scripts/render-document-docs.py
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
sys.path.insert(0, str(ROOT / "tests"))

from docfiles import scanned_pdf, text_pdf  # noqa: E402
from player.commands.common import drop_library  # noqa: E402
from player.config import load_config  # noqa: E402
from player.render.fonts import load_fonts  # noqa: E402
from player.render.pg import pygame  # noqa: E402
from player.runtime.still import StillError, render_still  # noqa: E402

AT = dt.datetime.fromisoformat("2026-11-27T10:30:00+08:00")
SIZES = ((1920, 1080), (1080, 1920))
PAGES = (1, 2)


def main() -> None:
    config = load_config(ROOT / "config/player.yaml")
    fonts = load_fonts()
    out = ROOT / "docs/screens/documents"
    with tempfile.TemporaryDirectory() as tmp:
        drop = Path(tmp) / "content"
        shutil.copytree(config.drop.dir, drop)
        (drop / "上级文件").mkdir()
        (drop / "上级文件" / "关于开展政务公开日活动的通知.pdf").write_bytes(text_pdf(3))
        (drop / "上级文件" / "政务公开日通知（扫描件）.pdf").write_bytes(scanned_pdf(2))
        docx = next(drop.glob("重要决策/*.docx")).relative_to(drop).with_suffix("")
        xlsx = next(drop.glob("财务公开/*.xlsx")).relative_to(drop).with_suffix("")
        notices = {"docx": str(docx), "xlsx": str(xlsx),
                   "pdf": "上级文件/关于开展政务公开日活动的通知",
                   "scan": "上级文件/政务公开日通知（扫描件）"}
        staged = dataclasses.replace(config, drop=dataclasses.replace(config.drop, dir=drop))
        for size in SIZES:
            library, store = drop_library(staged, size)
            for problem in library.problems:
                print(f"problem: {problem.format()}")
            for name, notice in notices.items():
                if library.get(notice) is None:
                    raise SystemExit(f"{notice}: not in the library (ids: {[n.id for n in library.notices]})")
                for page in PAGES:
                    try:
                        surface, choice, _ = render_still(staged, size, fonts, library, store.get, AT, True,
                                                          notice, page)
                    except StillError:  # fewer pages at this size
                        continue
                    target = out / f"{size[0]}x{size[1]}" / f"{name}-{page}.png"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    pygame.image.save(surface, str(target))
                    print(f"wrote {target.relative_to(ROOT)} ({choice.notice.id} page {choice.page + 1})")


if __name__ == "__main__":
    main()

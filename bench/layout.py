"""Benchmark: laying out and rendering the sample notices (cold and warm).

    .venv/bin/python bench/layout.py [--size 1920x1080] [--layout auto] [--repeat 5]

Prints, per sample notice: pages, layout time with cold width caches (a fresh Fonts
object, as after a start), layout time warm, and the time to render all its page
surfaces. Results go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.config import parse_size  # noqa: E402
from player.layout.pages import Layouter  # noqa: E402
from player.layout.templates import frame_for  # noqa: E402
from player.render.fonts import Fonts, choose_fonts  # noqa: E402
from player.render.frame import FrameRenderer  # noqa: E402
from player.sources.folder import FolderScanner  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--layout", default="auto", help="layout template (default: auto, by the shape)")
    args = parser.parse_args()
    size = parse_size(args.size)
    choice = choose_fonts()
    library = FolderScanner(ROOT / "content").scan()
    frame = frame_for(*size, layout=args.layout)
    print(f"size {size[0]}x{size[1]} {frame.layout}, font {choice.regular.path.name} face {choice.regular.index}")
    print(f"{'notice':58} {'pages':>5} {'cold ms':>8} {'warm ms':>8} {'render ms':>9}")
    for notice in library.notices:
        cold, warm, render = [], [], []
        pages = 0
        for _ in range(args.repeat):
            fonts = Fonts(choice)
            layouter = Layouter(frame, fonts)
            t0 = time.perf_counter()
            pages = len(layouter.layout(notice))
            cold.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            layouter.layout(notice)
            warm.append((time.perf_counter() - t0) * 1000)
            renderer = FrameRenderer(size, fonts, "bench", 120, frame=frame)
            renderer.pages(notice)
            t0 = time.perf_counter()
            for index in range(pages):
                renderer.page_surface(notice, index)
            render.append((time.perf_counter() - t0) * 1000)
        print(f"{notice.id[:58]:58} {pages:5d} {statistics.median(cold):8.1f} "
              f"{statistics.median(warm):8.1f} {statistics.median(render):9.1f}")


if __name__ == "__main__":
    main()

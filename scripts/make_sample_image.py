#!/usr/bin/env python3
"""Draw the bundled sample image notice content/民生实事/2026年民生实事项目进度.png.

A 1600x900 poster-style horizontal bar chart with made-up (示例) figures.
Needs only pygame (pygame.freetype + pygame.image); no display is opened.

    python scripts/make_sample_image.py [--font PATH] [--font-index N] [--output PNG]

The default font is Noto Sans CJK with face index 2 (Simplified Chinese);
face 0 of the .ttc is the Japanese face and must not be used for Chinese text.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
import pygame.freetype  # noqa: E402

DEFAULT_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DEFAULT_FONT_INDEX = 2  # Noto Sans CJK SC
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parent.parent / "content" / "民生实事" / "2026年民生实事项目进度.png"
)

WIDTH, HEIGHT = 1600, 900

BACKGROUND = (250, 248, 245)
RED = (200, 16, 46)  # #C8102E
DARK = (34, 34, 38)
GREY = (110, 110, 116)
TRACK = (232, 228, 224)
GRID = (214, 210, 206)
WHITE = (255, 255, 255)

TITLE = "2026年民生实事项目进度"
SUBTITLE = "截至2026年11月  单位：完成进度（%）"
FOOTER = "示例数据 · 仅供演示，不代表真实项目进展"
ISSUER = "马宫街道办事处"

# (项目, 完成进度 %) — invented figures.
PROJECTS = [
    ("老旧小区改造", 86),
    ("口袋公园", 100),
    ("社区食堂", 72),
    ("适老化改造", 64),
    ("道路照明", 95),
    ("便民停车位", 48),
]


def text(surface, font, pos, s, color, size, anchor="left", strong=False):
    """Render s with its baseline at pos[1]; anchor is left, right or center."""
    style = pygame.freetype.STYLE_STRONG if strong else pygame.freetype.STYLE_DEFAULT
    rect = font.get_rect(s, size=size, style=style)
    x, y = pos
    if anchor == "right":
        x -= rect.width
    elif anchor == "center":
        x -= rect.width // 2
    font.render_to(surface, (x, y), s, fgcolor=color, size=size, style=style)
    return rect.width


def draw(font) -> pygame.Surface:
    surf = pygame.Surface((WIDTH, HEIGHT))
    surf.fill(BACKGROUND)

    # Header: red band at the top, title block with a red accent bar.
    pygame.draw.rect(surf, RED, (0, 0, WIDTH, 14))
    pygame.draw.rect(surf, RED, (80, 62, 12, 78))
    text(surf, font, (116, 126), TITLE, DARK, 64, strong=True)
    text(surf, font, (WIDTH - 80, 126), SUBTITLE, GREY, 28, anchor="right")
    pygame.draw.line(surf, GRID, (80, 168), (WIDTH - 80, 168), 2)

    # Chart area.
    label_right = 400  # labels are right-aligned to this x
    bar_left = 430
    bar_right = WIDTH - 240  # room for the percentage to the right
    bar_width = bar_right - bar_left
    top, row_h, bar_h = 192, 92, 50

    # Vertical grid lines and scale at 0/25/50/75/100 %.
    chart_bottom = top + row_h * len(PROJECTS)
    for p in (0, 25, 50, 75, 100):
        x = bar_left + bar_width * p // 100
        pygame.draw.line(surf, GRID, (x, top), (x, chart_bottom), 1)
        text(surf, font, (x, chart_bottom + 32), f"{p}%", GREY, 24, anchor="center")

    for i, (name, pct) in enumerate(PROJECTS):
        cy = top + row_h * i + row_h // 2
        bar_top = cy - bar_h // 2
        baseline = cy + 15  # visually centres 42 px CJK text on the bar
        text(surf, font, (label_right, baseline), name, DARK, 42, anchor="right")
        pygame.draw.rect(surf, TRACK, (bar_left, bar_top, bar_width, bar_h), border_radius=8)
        filled = bar_width * pct // 100
        if filled > 0:
            pygame.draw.rect(surf, RED, (bar_left, bar_top, filled, bar_h), border_radius=8)
        text(surf, font, (bar_right + 24, baseline), f"{pct}%", RED, 44, strong=True)
        if pct >= 100:
            text(surf, font, (bar_left + filled - 24, baseline - 2), "已完工", WHITE, 30,
                 anchor="right")

    # Footer.
    pygame.draw.line(surf, GRID, (80, HEIGHT - 78), (WIDTH - 80, HEIGHT - 78), 2)
    text(surf, font, (80, HEIGHT - 34), FOOTER, GREY, 26)
    text(surf, font, (WIDTH - 80, HEIGHT - 34), ISSUER, GREY, 26, anchor="right")
    return surf


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--font", default=DEFAULT_FONT, help="font file (default: %(default)s)")
    ap.add_argument("--font-index", type=int, default=DEFAULT_FONT_INDEX,
                    help="face index in a .ttc (default: %(default)s = Simplified Chinese)")
    ap.add_argument("--output", "-o", type=Path, default=DEFAULT_OUTPUT,
                    help="PNG to write (default: %(default)s)")
    args = ap.parse_args(argv)

    pygame.freetype.init()
    try:
        font = pygame.freetype.Font(args.font, font_index=args.font_index)
        font.origin = True  # render_to() positions are baselines
        font.antialiased = True
        surf = draw(font)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(surf, str(args.output))
    finally:
        pygame.freetype.quit()
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())

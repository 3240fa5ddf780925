#!/usr/bin/env bash
# Re-render the pictures in docs/: every sample notice at 1920x1080, 1366x768 and
# 1080x1920 (portrait; first page, and the last page of multi-page notices), the strips
# 1920x160 and 512x64 (ticker-only), each layout template and an urgent notice
# (scripts/render-screens.py), a Word, Excel, text-PDF and scanned-PDF notice
# (scripts/render-document-docs.py), the kiosk (scripts/render-kiosk-docs.py), plus the README
# screenshot. Uses the fixed moment 2026-11-27 10:30 so pictures change only when the
# code does. Every picture is `signage render`: the real compositor and template.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
signage=".venv/bin/signage"
at="2026-11-27T10:30"
declare -A names=(
  [report]="政务公开/马宫街道2022年政务公开工作情况报告"
  [gongshi]="公示公告/任前公示"
  [guide]="办事指南/城乡居民医保参保登记办事指南"
  [finance]="财务公开/2026年第三季度街道财务收支公开表（示例数据）"
  [fees]="收费标准/便民服务收费标准（示例数据）"
  [chart]="民生实事/2026年民生实事项目进度"
  [decision]="重要决策/关于实施2026年老旧小区改造项目的决定（示例）"
)
for size in 1920x1080 1366x768 1080x1920; do
  mkdir -p "docs/screens/$size"
  for key in "${!names[@]}"; do
    id="${names[$key]}"
    "$signage" render -o "docs/screens/$size/$key.png" --at "$at" --size "$size" --notice "$id"
    pages="$(.venv/bin/python - "$size" "$id" <<'PY'
import sys
from player.config import load_config, parse_size
from player.render.fonts import load_fonts
from player.runtime.app import make_renderer
from player.sources.folder import FolderScanner
config = load_config("config/player.yaml")
renderer = make_renderer(config, parse_size(sys.argv[1]), load_fonts())
notice = FolderScanner(config.drop.dir, config.limits).scan().get(sys.argv[2])
print(len(renderer.pages(notice)))
PY
)"
    if [ "$pages" -gt 1 ]; then
      "$signage" render -o "docs/screens/$size/$key-last.png" --at "$at" --size "$size" --notice "$id" --page "$pages"
    fi
  done
done
mkdir -p docs/screens/strips
for size in 1920x160 512x64; do
  "$signage" render -o "docs/screens/strips/$size.png" --at "$at" --size "$size"
done
.venv/bin/python scripts/render-screens.py
.venv/bin/python scripts/render-document-docs.py
.venv/bin/python scripts/render-kiosk-docs.py
.venv/bin/python scripts/render-kiosk-docs.py --size 1080x1920 --prefix kiosk-portrait
"$signage" render -o docs/screenshot.png --at "$at" --notice "${names[report]}"
"$signage" render -o docs/screenshot-gongshi.png --at "$at" --notice "${names[gongshi]}"

# The ticker at two moments one second apart, cropped and stacked: the same text, moved
# left by ticker.speed (120 px at the sample's 120 px/s).
tmp="$(mktemp -d)"
"$signage" render -o "$tmp/a.png" --at "$at:00" --notice "${names[gongshi]}" >/dev/null
"$signage" render -o "$tmp/b.png" --at "$at:01" --notice "${names[gongshi]}" >/dev/null
.venv/bin/python - "$tmp/a.png" "$tmp/b.png" docs/ticker-motion.png <<'PY'
import os, sys
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame
from player.layout.templates import frame_for
a, b = (pygame.image.load(p) for p in sys.argv[1:3])
band = frame_for(*a.get_size()).ticker
out = pygame.Surface((band.w, band.h * 2 + 6))
out.fill((255, 255, 255))
out.blit(a, (0, 0), (band.x, band.y, band.w, band.h))
out.blit(b, (0, band.h + 6), (band.x, band.y, band.w, band.h))
pygame.image.save(out, sys.argv[3])
PY
rm -rf "$tmp"

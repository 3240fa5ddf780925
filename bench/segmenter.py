"""Benchmark: word segmenters for titles and headings (import, memory, cost per title).

    .venv/bin/python bench/segmenter.py [--modules rjieba,jieba]

Each module is measured in a fresh subprocess: time to import it and segment a first
word (the dictionary load), the resident memory that adds, and the mean time to segment
one title of the sample content (2,000 rounds). Modules that are not installed are
skipped (jieba is not a dependency; ``pip install jieba`` to compare). Also prints the
first layout of the 2022 report in a fresh process at 1920x1080 and 1080x1920, with the
segmenter's import when a title or heading needs it. Results go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLES = [
    "便民服务收费标准（示例数据）", "2026年第三季度街道财务收支公开表（示例数据）",
    "马宫街道2022年政务公开工作情况报告", "关于实施2026年老旧小区改造项目的决定（示例）",
    "城乡居民基本医疗保险参保登记办事指南", "马宫街道干部任前公示", "2026年民生实事项目进度",
    "（三）政府信息公开行政复议、行政诉讼情况",
]
CHILD = r"""
import json, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
name, titles = sys.argv[1], json.loads(sys.argv[2])
before = rss()
t0 = time.perf_counter()
if name == "jieba":
    import logging, jieba
    jieba.setLogLevel(logging.WARNING)
    cut = jieba.lcut
else:
    import importlib
    cut = importlib.import_module(name).cut
cut("马宫街道")
load = time.perf_counter() - t0
after = rss()
t0 = time.perf_counter()
for _ in range(2000):
    for title in titles:
        cut(title)
per = (time.perf_counter() - t0) / (2000 * len(titles))
print(json.dumps({"load_ms": load * 1000, "rss_mb": after - before, "per_title_us": per * 1e6,
                  "sample": "/".join(cut(titles[0]))}))
"""
FIRST_LAYOUT = r"""
import os, sys, time
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
sys.path.insert(0, sys.argv[1])
from player.layout.pages import Layouter
from player.layout.theme import Frame
from player.layout.templates import frame_for
from player.render.fonts import load_fonts
from player.sources.folder import FolderScanner
library = FolderScanner(__import__("pathlib").Path(sys.argv[1]) / "content").scan()
report = next(n for n in library.notices if "2022" in n.id)
layouter = Layouter(frame_for(int(sys.argv[2]), int(sys.argv[3])), load_fonts())
t0 = time.perf_counter()
layouter.layout(report)
print(f"{(time.perf_counter() - t0) * 1000:.1f} ms, segmenter {'loaded' if 'rjieba' in sys.modules else 'not loaded'}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default="rjieba,jieba")
    args = parser.parse_args()
    print(f"{'module':10} {'load ms':>8} {'RSS MB':>7} {'µs/title':>9}  sample")
    for name in args.modules.split(","):
        result = subprocess.run([sys.executable, "-c", CHILD, name, json.dumps(TITLES, ensure_ascii=False)],
                                capture_output=True, text=True, check=False)
        if result.returncode:
            print(f"{name:10} not available ({result.stderr.strip().splitlines()[-1]})")
            continue
        r = json.loads(result.stdout)
        print(f"{name:10} {r['load_ms']:8.0f} {r['rss_mb']:7.1f} {r['per_title_us']:9.1f}  {r['sample']}")
    for size in ((1920, 1080), (1080, 1920)):
        runs = [subprocess.run([sys.executable, "-c", FIRST_LAYOUT, str(ROOT), *map(str, size)],
                               capture_output=True, text=True, check=True).stdout.strip() for _ in range(3)]
        print(f"first layout of the 2022 report in a fresh process at {size[0]}x{size[1]}: {'; '.join(runs)}")


if __name__ == "__main__":
    main()

"""QR codes for notices with a ``url``: read back by a real decoder, sharp, in their own
column, and a bad address is a content problem like any other bad setting."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT, load_folder, run_signage, write_config
from player.layout.display import PictureOp, QrCode, RectOp, TextOp, op_bounds
from player.layout.pages import QR_CAPTION, Layouter
from player.layout.templates import frame_for
from player.model.notice import ImageBody, Picture, TableBody
from player.render.draw import draw_ops
from player.render.fonts import load_fonts
from player.render.pg import pygame
from player.render.qr import QUIET_ZONE, module_size, qr_matrix, qr_surface

pyzbar = pytest.importorskip("pyzbar.pyzbar", reason="pyzbar and libzbar0: bash scripts/setup.sh --test")

GUIDE = "办事指南/城乡居民医保参保登记办事指南"
GUIDE_URL = "https://www.example.gov.cn/bszn/yibao-canbao.html"
REPORT = "政务公开/马宫街道2022年政务公开工作情况报告"
CHART = "民生实事/2026年民生实事项目进度"
AT = "2026-11-27T10:30"
SIZES = [(1920, 1080), (1366, 768)]
DIAGONAL_MM = 21.5 * 25.4  # a 21.5-inch screen


def pixel_mm(width: int, height: int) -> float:
    """Pixel pitch of a 21.5-inch screen of this resolution (0.248 mm at 1920x1080)."""
    return DIAGONAL_MM / math.hypot(width, height)


@pytest.fixture(scope="module")
def fonts():
    return load_fonts()


# -- the real command: render, decode, measure ------------------------------------------

def _gray(surface: "pygame.Surface") -> bytes:
    return pygame.image.tobytes(pygame.transform.grayscale(surface), "RGB")[0::3]


def _symbol_box(shot: "pygame.Surface", rect) -> tuple[int, int, int, int]:
    """Exact (x, y, w, h) of the black modules near the decoder's rectangle."""
    pad = 12
    area = pygame.Rect(rect.left - pad, rect.top - pad, rect.width + 2 * pad, rect.height + 2 * pad)
    xs, ys = [], []
    for y in range(area.top, area.bottom):
        for x in range(area.left, area.right):
            if shot.get_at((x, y))[:3] == (0, 0, 0):
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rendered_frame_decodes_to_the_notice_url_with_sharp_whole_pixel_modules(
        tmp_path: Path, size: tuple[int, int]) -> None:
    out = tmp_path / "guide.png"
    result = run_signage("render", "-o", str(out), "--notice", GUIDE, "--size", f"{size[0]}x{size[1]}",
                         "--at", AT, "-c", str(ROOT / "config/player.yaml"))
    assert result.returncode == 0, result.stderr
    shot = pygame.image.load(str(out))
    assert shot.get_size() == size
    # The whole frame (header, text, ticker and all) holds exactly one code: the url.
    found = pyzbar.decode((_gray(shot), *size))
    assert [(s.type, s.data.decode()) for s in found] == [("QRCODE", GUIDE_URL)]
    rect = found[0].rect
    # Sharp modules: the symbol is n x n squares of m whole pixels, each pure black or
    # pure white, and reading them back gives segno's matrix; a 4-module white quiet zone.
    x0, y0, side, side_h = _symbol_box(shot, rect)
    matrix = qr_matrix(GUIDE_URL)
    n = len(matrix)
    assert side == side_h and side % n == 0, (side, side_h, n)
    m = side // n
    assert m >= 3
    for row in range(n):
        for col in range(n):
            want = (0, 0, 0) if matrix[row][col] else (255, 255, 255)
            cell = {shot.get_at((x0 + col * m + i, y0 + row * m + j))[:3] for i in range(m) for j in range(m)}
            assert cell == {want}, (row, col, cell)
    quiet = QUIET_ZONE * m
    for x in range(x0 - quiet, x0 + side + quiet):
        for y in (y0 - quiet, y0 - 1, y0 + side, y0 + side + quiet - 1):
            assert shot.get_at((x, y))[:3] == (255, 255, 255), (x, y)
    # Big enough for a phone at 50 cm: >= 45 mm on a 21.5-inch screen, at both sizes.
    assert side * pixel_mm(*size) >= 45.0, (side, side * pixel_mm(*size))
    assert abs(rect.width - side) <= 2 and abs(rect.height - side) <= 2  # zbar agrees on the size
    if size == (1920, 1080):
        assert round(pixel_mm(*size), 3) == 0.248
        assert 180 <= side <= 310   # 304 px since issue 17 (unit 1242 px at 1920x1080)
    # The code sits at the bottom right of the page area.
    frame = frame_for(*size)
    assert x0 > frame.page.x + frame.page.w * 0.7 and y0 > frame.page.y + frame.page.h * 0.4
    assert x0 + side + quiet <= frame.page.right and y0 + side + quiet <= frame.page.bottom


# -- layout: the column, on every page, overlapping nothing ------------------------------

def _with_url(notice, url="https://www.example.gov.cn/gk/2026/1127.html"):
    return replace(notice, meta=replace(notice.meta, url=url))


def _wide_table(notice):
    header = ("序号", "项目") + tuple(f"2026年{m}月支出（万元）" for m in range(1, 13)) + ("合计（万元）",)
    rows = tuple((str(i), f"社区服务项目第{i}项（示例）") + tuple(f"{i * 7 + m}.{m:02d}" for m in range(1, 13))
                 + (f"{i * 100}.00",) for i in range(1, 41))
    return replace(notice, id="财务公开/宽表", body=TableBody(header, rows))


def _overlaps(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _cases(library):
    report = library.get(REPORT)
    chart = library.get(CHART)
    tall = replace(chart, id="民生实事/竖图", body=ImageBody(Picture("0" * 64, 600, 1400)))
    wide = replace(chart, id="民生实事/横幅", body=ImageBody(Picture("0" * 64, 4000, 600)))
    long_title = replace(report, id="政务公开/长标题", title="关于" + "进一步做好基层政务公开标准化规范化工作" * 6 + "的通知")
    return [report, _wide_table(report), chart, tall, wide, long_title, library.get(GUIDE)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_code_and_caption_overlap_nothing_on_any_page(size, fonts, sample_library) -> None:
    frame = frame_for(*size)
    layouter = Layouter(frame, fonts)
    for notice in _cases(sample_library):
        notice = notice if notice.meta.url else _with_url(notice)
        pages = layouter.layout(notice)
        if isinstance(notice.body, TableBody):
            assert len(pages) > 2  # the wide table really paginates (and splits into parts)
        for number, page in enumerate(pages):
            codes = [op for op in page.ops if isinstance(op, QrCode)]
            assert [c.url for c in codes] == [notice.meta.url], (notice.id, number)
            code = codes[0]
            captions = [op for op in page.ops if isinstance(op, TextOp) and op.text == QR_CAPTION]
            assert len(captions) == 1
            caption = op_bounds(captions[0], fonts)
            # caption under the code, centred on it, in the body font
            assert caption[1] >= code.y + code.size
            assert abs(caption[0] + caption[2] / 2 - (code.x + code.size / 2)) <= 1
            assert captions[0].style == layouter.styles.body
            column = (min(code.x, caption[0]), code.y,
                      max(code.size, caption[2]), caption[1] + caption[3] - code.y)
            assert column[0] + column[2] <= frame.page.w + 0.5 and column[1] + column[3] <= frame.page.h + 0.5
            size_px = layouter.theme.px(layouter.theme.qr, frame.unit)
            assert code.size == size_px
            others = [op for op in page.ops if op is not code and op is not captions[0]]
            assert any(isinstance(op, (TextOp, PictureOp)) for op in others)
            for op in others:
                if isinstance(op, (TextOp, RectOp, PictureOp)):
                    bounds = op_bounds(op, fonts)
                    assert not _overlaps(bounds, column), (notice.id, number, op, bounds, column)


def test_picture_beside_or_above_the_code_keeps_its_proportions(fonts, sample_library) -> None:
    layouter = Layouter(frame_for(1920, 1080), fonts)
    chart = sample_library.get(CHART)
    (plain,) = [op for op in layouter.layout(chart)[0].ops if isinstance(op, PictureOp)]
    (narrowed,) = [op for op in layouter.layout(_with_url(chart))[0].ops if isinstance(op, PictureOp)]
    body = chart.body
    assert narrowed.w <= plain.w and narrowed.w > plain.w * 0.6
    assert abs(narrowed.w / narrowed.h - body.width / body.height) < 0.01


def test_a_notice_without_url_has_no_code(fonts, sample_library) -> None:
    layouter = Layouter(frame_for(1920, 1080), fonts)
    report = sample_library.get(REPORT)
    assert report.meta.url is None
    for page in layouter.layout(report):
        assert not any(isinstance(op, QrCode) for op in page.ops)
        assert not any(isinstance(op, TextOp) and op.text == QR_CAPTION for op in page.ops)


# -- drawing and its cache ---------------------------------------------------------------

def test_cache_returns_the_same_surface_for_the_same_url_and_size() -> None:
    url = "https://www.example.gov.cn/cache-test.html"
    first = qr_surface(url, 6)
    assert qr_surface(url, 6) is first
    assert qr_surface(url, 5) is not first
    assert qr_surface("https://www.example.gov.cn/other.html", 6) is not first
    n = len(qr_matrix(url))
    assert first.get_size() == (n * 6, n * 6)
    assert module_size(url, 265) == 265 // (n + 2 * QUIET_ZONE)


def test_draw_ops_draws_the_code_through_the_cache(fonts) -> None:
    url = "https://www.example.gov.cn/draw.html"
    surface = pygame.Surface((400, 400))
    surface.fill((250, 248, 243))
    draw_ops(surface, (QrCode(10.4, 20.6, 265, url),), fonts)
    assert surface.get_at((10, 21))[:3] == (255, 255, 255)  # the white box at the rounded position
    assert surface.get_at((9, 21))[:3] == (250, 248, 243)
    assert surface.get_at((10 + 265, 21))[:3] == (250, 248, 243)
    decoded = pyzbar.decode((_gray(surface), 400, 400))
    assert [d.data.decode() for d in decoded] == [url]
    before = qr_surface.cache_info()
    draw_ops(surface, (QrCode(10, 20, 265, url),), fonts)  # drawn again: a cache hit, no new surface
    after = qr_surface.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


# -- content: the url setting -------------------------------------------------------------

def _drop(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "drop"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("bad", ["ftp://x", "www.example.com", "https://", "https:///path",
                                 "http://localhost/x", "https://exa mple.cn/x", "[https://a.cn]",
                                 "https://a.cn/" + "x" * 120])
def test_bad_url_is_a_problem_naming_file_line_and_key(tmp_path: Path, bad: str) -> None:
    root = _drop(tmp_path, {
        "办事指南/指南.txt": f"---\nkind: 办事指南\nurl: {bad}\n---\n指南\n正文。\n",
        "财务公开/表.csv": "项目,金额\n办公,1.00\n",
        "财务公开/表.yaml": f"title: 收支表\n\nurl: {bad}\n",
        "公示公告/好.txt": "好的通知\n正文。\n",
    })
    library = load_folder(root)
    assert [n.id for n in library.notices] == ["公示公告/好"]  # both refused, the rest shown
    problems = {p.path: p for p in library.problems}
    assert set(problems) == {"办事指南/指南.txt", "财务公开/表.yaml"}
    text, side = problems["办事指南/指南.txt"], problems["财务公开/表.yaml"]
    assert (text.line, side.line) == (3, 3)
    for problem in (text, side):
        expected = "at most 120 characters" if len(bad) > 120 else "starting with http:// or https://"
        assert problem.message.startswith(("front matter: url: expected", "sidecar: url: expected"))
        assert expected in problem.message, problem.message
        assert "url（链接）" in problem.hint_zh and ("http" in problem.hint_zh or "120" in problem.hint_zh)
    assert text.message.startswith("front matter: url:") and side.message.startswith("sidecar: url:")


def test_bad_url_is_refused_like_other_bad_settings(tmp_path: Path) -> None:
    def refused(front: str) -> tuple[bool, int | None]:
        root = _drop(tmp_path / front.split(":")[0], {"a/通知.txt": f"---\n{front}\n---\n标题\n正文。\n"})
        library = load_folder(root)
        return library.get("a/通知") is None, library.problems[0].line
    assert refused("url: ftp://x") == refused("end: 2026-13-45") == (True, 2)


def test_check_command_reports_a_bad_url(tmp_path: Path) -> None:
    root = _drop(tmp_path, {"办事指南/指南.md": "---\nurl: www.example.gov.cn\n---\n# 指南\n正文。\n"})
    result = run_signage("check", str(root))
    assert result.returncode != 0
    assert "办事指南/指南.md" in result.stdout + result.stderr and ":2" in result.stdout + result.stderr
    assert "url" in result.stdout + result.stderr


def test_good_url_changes_nothing_else(tmp_path: Path) -> None:
    text = "---\nkind: 办事指南\nissuer: 便民服务中心\n---\n指南标题\n第一段。\n第二段。\n"
    without = load_folder(_drop(tmp_path / "a", {"办事指南/指南.txt": text}))
    with_url = load_folder(_drop(tmp_path / "b", {"办事指南/指南.txt": text.replace(
        "---\n指南", "url: https://www.example.gov.cn/bszn/1.html?id=7&from=screen\n---\n指南")}))
    before, after = without.notices[0], with_url.notices[0]
    assert with_url.problems == without.problems == ()
    assert after.meta.url == "https://www.example.gov.cn/bszn/1.html?id=7&from=screen"
    assert replace(after.meta, url=None) == before.meta
    assert (after.id, after.title, after.body) == (before.id, before.title, before.body)
    # and a CSV's sidecar carries it too
    table = load_folder(_drop(tmp_path / "c", {
        "财务公开/表.csv": "项目,金额\n办公,1.00\n",
        "财务公开/表.yaml": "title: 收支表\nurl: http://example.gov.cn/cw\n"}))
    assert table.problems == () and table.notices[0].meta.url == "http://example.gov.cn/cw"


def test_sample_csv_with_url_renders_a_decodable_code(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    shutil.copytree(CONTENT / "财务公开", drop / "财务公开")
    sidecar = drop / "财务公开" / "2026年第三季度街道财务收支公开表（示例数据）.yaml"
    url = "https://www.example.gov.cn/cwgk/2026q3.html"
    sidecar.write_text(sidecar.read_text(encoding="utf-8") + f"url: {url}\n", encoding="utf-8")
    config = write_config(tmp_path / "cfg", drop)
    for size in ("1920x1080", "1366x768"):
        out = tmp_path / f"table-{size}.png"
        result = run_signage("render", "-o", str(out), "--notice",
                             "财务公开/2026年第三季度街道财务收支公开表（示例数据）", "--size", size,
                             "--at", AT, "-c", str(config))
        assert result.returncode == 0, result.stderr
        shot = pygame.image.load(str(out))
        found = pyzbar.decode((_gray(shot), *shot.get_size()))
        assert [s.data.decode() for s in found] == [url], size

"""Stress layouts with the real fonts: nothing is clipped or overflows, at two sizes."""

from __future__ import annotations

import random
import struct
import zlib

import pytest

from player.layout.display import PictureOp, TextOp, op_bounds
from player.layout.pages import Layouter
from player.layout.table import fit_widths, table_groups
from player.layout.theme import Styles, Theme
from player.layout.templates import frame_for
from player.model.library import SourceFile, parse_notice
from player.model.notice import Meta, Notice, Paragraph, Span, TableBody, TextBody
from player.render.fonts import load_fonts

SIZES = [(1920, 1080), (1366, 768)]


@pytest.fixture(scope="module")
def fonts():
    return load_fonts()


def _inside(pages, layouter: Layouter, fonts) -> None:
    area = layouter.frame.page
    for number, page in enumerate(pages):
        for op in page.ops:
            x, y, w, h = op_bounds(op, fonts)
            assert x >= -0.5 and y >= -0.5, (number, op)
            assert x + w <= area.w + 0.5 and y + h <= area.h + 0.5, (number, op)


def _notice(body, title="测试公告", meta=Meta()) -> Notice:
    return Notice("测试/公告", "测试/公告.txt", "测试", title, meta, body, "0" * 64)


@pytest.mark.parametrize("size", SIZES)
def test_twenty_page_notice_and_eighty_character_title(size, fonts) -> None:
    rng = random.Random(7)
    hanzi = "政务公开街道社区居民服务办理材料公示期间意见反映联系电话工作日上午下午"
    paragraphs = []
    for _ in range(110):
        text = "".join(rng.choice(hanzi) for _ in range(rng.randint(60, 160)))
        paragraphs.append(Paragraph((Span(text[:40] + "，" + text[40:] + "。"),)))
    title = "关于" + "做好冬季安全生产和消防安全工作" * 5 + "的通知"
    assert len(title) >= 80
    layouter = Layouter(frame_for(*size), fonts)
    pages = layouter.layout(_notice(TextBody(tuple(paragraphs)), title))
    assert len(pages) >= 20
    _inside(pages, layouter, fonts)
    first = [op for op in pages[0].ops if isinstance(op, TextOp) and op.style == layouter.styles.title]
    assert len({op.y for op in first}) >= 2  # the title wrapped onto several lines


@pytest.mark.parametrize("size", SIZES)
def test_csv_of_500_rows_by_12_columns(size, fonts) -> None:
    rng = random.Random(3)
    header = tuple(["序号", "项目名称"] + [f"第{i}季度支出（万元）" for i in range(1, 11)])
    rows = tuple(tuple([str(r + 1), "社区服务中心运行维护及设备购置" if r % 7 == 0 else "办公经费"]
                       + [f"{rng.uniform(0, 99999):,.2f}" for _ in range(10)]) for r in range(500))
    layouter = Layouter(frame_for(*size), fonts)
    pages = layouter.layout(_notice(TableBody(header, rows)))
    _inside(pages, layouter, fonts)
    text = [op.text for page in pages for op in page.ops if isinstance(op, TextOp)]
    for value in (rows[0][5], rows[250][11], rows[499][2]):
        assert value in text  # numbers are never split
    # The header row is on every page.
    assert all(any(isinstance(op, TextOp) and op.text == "序号" for op in page.ops) for page in pages)


def _png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + bytes([200, 30, 40]) * width for _ in range(height))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", SIZES)
def test_image_of_8000_by_300_fits_and_keeps_its_shape(size, fonts) -> None:
    notice = parse_notice(SourceFile("民生实事/长图.png", _png(8000, 300)))
    layouter = Layouter(frame_for(*size), fonts)
    pages = layouter.layout(notice)
    _inside(pages, layouter, fonts)
    (image,) = [op for op in pages[0].ops if isinstance(op, PictureOp)]
    assert image.w / image.h == pytest.approx(8000 / 300, rel=0.01)
    assert image.w == pytest.approx(layouter.frame.page.w, abs=1)


def test_water_filling_wraps_only_the_widest_column() -> None:
    natural = [60.0, 900.0, 120.0, 120.0]
    minimum = [60.0, 150.0, 120.0, 120.0]
    widths = fit_widths(natural, minimum, 800.0)
    assert widths[0] == 60 and widths[2] == 120 and widths[3] == 120
    assert widths[1] == pytest.approx(500)
    assert fit_widths(natural, minimum, 300.0) is None
    assert sum(fit_widths([100.0, 100.0], [50.0, 50.0], 400.0)) == pytest.approx(400)


def test_a_table_too_wide_for_the_screen_is_split_into_column_groups(fonts) -> None:
    header = tuple(["序号", "单位"] + [f"指标{i}" for i in range(1, 31)])
    rows = tuple(tuple([str(r), f"第{r}社区"] + [f"{1234567.89 + r * i:,.2f}" for i in range(1, 31)])
                 for r in range(1, 6))
    frame = frame_for(1366, 768)
    styles = Styles.for_height(768)
    groups = table_groups(TableBody(header, rows), frame.page.w, frame.page.h, fonts, styles, Theme())
    assert len(groups) >= 2
    seen = []
    for group in groups:
        texts = [op.text for item in group.repeat for op in item.ops if isinstance(op, TextOp)]
        assert "序号" in texts and "单位" in texts  # the key columns repeat in every part
        assert any("表格较宽" in t for t in texts)
        seen += [t for t in texts if t.startswith("指标")]
    assert sorted(seen, key=lambda t: int(t[2:])) == [f"指标{i}" for i in range(1, 31)]
    layouter = Layouter(frame, fonts)
    _inside(layouter.layout(_notice(TableBody(header, rows))), layouter, fonts)


def test_a_cell_taller_than_a_page_continues_on_the_next(fonts) -> None:
    long_cell = "本项目包括老旧小区改造、道路照明、社区食堂建设等多项内容。" * 60
    table = TableBody(("项目", "说明"), (("改造", long_cell), ("照明", "已完成")))
    layouter = Layouter(frame_for(1366, 768), fonts)
    pages = layouter.layout(_notice(table))
    assert len(pages) >= 3
    _inside(pages, layouter, fonts)
    other = {"测试", "测试公告", "测试公告（续）", "项目", "说明", "改造", "照明", "已完成"}
    drawn = "".join(op.text for page in pages for op in page.ops
                    if isinstance(op, TextOp) and op.text not in other)
    assert drawn == long_cell  # all of it, in order, across the pages


def test_signature_never_stands_alone_on_a_page(fonts) -> None:
    from player.model.notice import Closing
    layouter = Layouter(frame_for(1366, 768), fonts)
    body_style = layouter.styles.body
    alone = 0
    for count in range(8, 40):  # some count puts the signature exactly at a page break
        blocks = [Paragraph((Span("街道办事处将于近期组织开展居民议事会，听取群众意见建议。" * 2),))
                  for _ in range(count)]
        blocks += [Closing("马宫街道办事处"), Closing("2026年11月27日")]
        pages = layouter.layout(_notice(TextBody(tuple(blocks))))
        last = pages[-1]
        body_text = [op for op in last.ops if isinstance(op, TextOp) and op.style == body_style
                     and op.text not in ("马宫街道办事处", "2026年11月27日")]
        alone += not body_text
    assert alone == 0

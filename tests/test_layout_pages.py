"""Notices -> pages (player.layout.pages, flow, paragraph, table) with fake metrics.

The fake metrics make every non-ASCII character (Han, full-width punctuation, U+3000)
1 em wide and every ASCII character 0.55 em; a line box is 1.45 em. Coordinates of ops
are relative to the page area of the frame.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

import pytest

from player.layout.display import PictureOp, RectOp, TextOp, op_bounds
from player.layout.flow import paginate
from player.layout.linebreak import HANGABLE
from player.layout.pages import MAX_UPSCALE, QR_CAPTION, Layouter, Pace, footer_texts, publicity_period
from player.layout.theme import Theme
from player.layout.templates import frame_for
from player.model.notice import (block_text, 
    Closing, Heading, ImageBody, ListItem, Meta, Notice, Paragraph, Picture, Span, TableBody, TextBody,
)

TOL = 0.5   # pixels


def em(text: str) -> float:
    return sum(0.55 if ord(ch) < 0x80 else 1.0 for ch in text)


class FakeMetrics:
    """The Metrics protocol without fonts."""

    def width(self, text, style) -> float:
        return style.size * em(text)

    def line_height(self, style) -> float:
        return style.size * 1.45


METRICS = FakeMetrics()
SIZES = [(1920, 1080), (1366, 768)]


def layouter(width=1920, height=1080, **kw) -> Layouter:
    return Layouter(frame_for(width, height), METRICS, **kw)


def make_notice(body, title="关于开展2026年冬季消防安全大检查的通知", meta=Meta(), category="通知公告"):
    return Notice(id="test/notice", path="test/notice.txt", category=category, title=title,
                  meta=meta, body=body, sha256="0" * 64)


def out_of_area(ops, frame) -> list:
    """Ops not inside the page area (coordinates relative to it)."""
    bad = []
    for op in ops:
        x, y, w, h = op_bounds(op, METRICS)
        if x < -TOL or y < -TOL or x + w > frame.page.w + TOL or y + h > frame.page.h + TOL:
            bad.append((op, (x, y, w, h)))
    return bad


def right(op: TextOp) -> float:
    return op.x + METRICS.width(op.text, op.style)


def ink_right(op: TextOp) -> float:
    """Right edge of the ink: a line-end ，。 may hang its blank right half past the margin."""
    x, _y, w, _h = op_bounds(op, METRICS)
    return x + w


def lines_by_y(ops) -> list[list[TextOp]]:
    """Text ops grouped into visual lines, top to bottom, each sorted left to right."""
    rows: dict[float, list[TextOp]] = {}
    for op in ops:
        if isinstance(op, TextOp):
            rows.setdefault(round(op.y, 3), []).append(op)
    return [sorted(rows[y], key=lambda op: op.x) for y in sorted(rows)]


SENTENCES = (
    "为进一步做好冬季消防安全工作，切实保障辖区居民群众生命财产安全，街道决定自2026年12月1日起"
    "至12月31日止，在全街道范围内开展为期一个月的消防安全大检查。各社区要高度重视，明确责任分工，"
    "对辖区内老旧小区、沿街商铺、出租房屋等重点场所逐一排查；发现隐患立即整改，不能立即整改的要"
    "落实防范措施并限期整改到位。检查覆盖率须达到98.5%以上，经费预算1,234.56万元，咨询电话"
    "12345（工作日8:30—17:30）。"
)


def paragraph_text(k: int, length: int = 260) -> str:
    start = (k * 37) % len(SENTENCES)
    text = (SENTENCES * 3)[start:start + length - (k * 13) % 120]
    return text.strip("，。；、）") or "街道"


# -- all content stays inside the page area ------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_sample_notices_lay_out_inside_the_page_area(sample_library, size):
    lay = layouter(*size)
    assert len(sample_library.notices) >= 5
    for notice in sample_library.notices:
        pages = lay.layout(notice)
        assert pages, notice.id
        for number, page in enumerate(pages):
            assert page.ops, (notice.id, number)
            assert out_of_area(page.ops, lay.frame) == [], (notice.id, number)
            low = notice.meta.duration if notice.meta.duration else lay.pace.min_seconds
            assert low <= page.seconds <= max(low, lay.pace.max_seconds)
        if not isinstance(notice.body, ImageBody):
            assert sum(p.chars for p in pages) >= notice.body.char_count() * 0.9, notice.id


@pytest.mark.parametrize("size", SIZES)
def test_text_of_sample_notices_is_complete(sample_library, size):
    lay = layouter(*size)
    for notice in sample_library.notices:
        if not isinstance(notice.body, TextBody):
            continue
        skip = (lay.styles.muted, lay.styles.title, lay.styles.period)   # heads, not body
        drawn = "".join(op.text for page in lay.layout(notice) for line in lines_by_y(page.ops)
                        for op in line if op.style not in skip and op.text not in (notice.category, QR_CAPTION))
        squeeze = lambda s: "".join(s.split())   # noqa: E731 - spaces and U+3000 vary
        drawn = squeeze(drawn)
        for block in notice.body.blocks:
            text = block_text(block) if not hasattr(block, "spans") else "".join(s.text for s in block.spans)
            assert squeeze(text) in drawn, (notice.id, text[:20])


# -- paragraphs: indent and justification --------------------------------------------------

def test_paragraph_first_line_has_two_character_indent():
    lay = layouter()
    body = TextBody((Paragraph((Span(paragraph_text(1)),)),
                     Paragraph((Span("本通知自发布之日起施行。"),)),
                     Paragraph((Span(paragraph_text(2)),), indent=False)))
    items = lay.text_items(body)
    size = lay.styles.body.size
    left, _measure = lay.text_column()   # text lines are centred in the page at their measure
    starts = [0] + [n for n, it in enumerate(items) if it.space_before > 0]
    assert len(starts) == 3
    for number, item in enumerate(items):
        runs = sorted((op for op in item.ops if isinstance(op, TextOp)), key=lambda op: op.x)
        lead = ""
        for run in runs:
            visible = run.text.lstrip("\u3000")
            lead += run.text[:len(run.text) - len(visible)]
            if visible:
                x = run.x + METRICS.width(run.text[:len(run.text) - len(visible)], run.style)
                break
        if number in starts[:2]:           # indented paragraphs
            assert lead == "\u3000\u3000", number
            assert x == pytest.approx(left + 2 * size, abs=TOL)
        else:                              # continuation lines and the unindented paragraph
            assert lead == "", number
            assert x == pytest.approx(left, abs=TOL)
    # The short paragraph is one line: its first run carries the indent.
    first = sorted(items[starts[1]].ops, key=lambda op: op.x)[0]
    assert first.text.startswith("\u3000\u3000")


@pytest.mark.parametrize("size", SIZES)
def test_justified_lines_end_flush_except_last_lines(size):
    lay = layouter(*size)
    paragraphs = [Paragraph((Span(paragraph_text(k)),)) for k in range(8)]
    paragraphs.append(Paragraph((Span("详情请登录"), Span("www.gov.cn", bold=True),
                                 Span("查询，或拨打12345热线电话咨询。" * 6))))
    items = lay.text_items(TextBody(tuple(paragraphs)))
    left, measure = lay.text_column()
    page_w = left + measure   # where a justified line ends (the measure, centred)
    last = [n + 1 == len(items) or items[n + 1].space_before > 0 for n in range(len(items))]
    assert sum(last) == len(paragraphs)
    checked = 0
    for item, is_last in zip(items, last):
        runs = sorted((op for op in item.ops if isinstance(op, TextOp)), key=lambda op: op.x)
        end = max(ink_right(op) for op in runs)
        assert end <= page_w + TOL
        if right(runs[-1]) > page_w + TOL:  # a hung line-end mark: its ink meets the margin
            assert runs[-1].text[-1] in HANGABLE and end == pytest.approx(page_w, abs=TOL)
        if is_last:
            # Natural spacing: every run starts where the previous one ended.
            for a, b in zip(runs, runs[1:]):
                assert b.x == pytest.approx(right(a), abs=1e-6)
        else:
            flush = right(runs[-1]) if right(runs[-1]) <= page_w + TOL else end
            assert flush == pytest.approx(page_w, abs=TOL), [op.text for op in runs]
            natural = sum(METRICS.width(op.text, op.style) for op in runs)
            checked += natural < page_w - 1
    assert checked > 5   # lines that really needed stretching


def test_list_items_and_closing_stay_inside_and_closing_is_right_aligned():
    lay = layouter()
    body = TextBody((ListItem((Span(paragraph_text(3)),), "1."),
                     ListItem((Span("携带身份证原件。"),), "•"),
                     Closing("马宫街道办事处"), Closing("2026年11月27日")))
    pages = lay.layout(make_notice(body))
    for page in pages:
        assert out_of_area(page.ops, lay.frame) == []
    ops = [op for page in pages for op in page.ops if isinstance(op, TextOp)]
    for text in ("马宫街道办事处", "2026年11月27日"):
        (op,) = [op for op in ops if op.text == text]
        assert right(op) == pytest.approx(sum(lay.text_column()), abs=TOL)
    markers = [op for op in ops if op.text in ("1.", "•")]
    assert len(markers) == 2 and all(op.x >= 0 for op in markers)


# -- pagination ----------------------------------------------------------------------------

def _heading_body(count: int = 36) -> tuple[TextBody, set[str]]:
    blocks = []
    headings = set()
    for k in range(count):
        title = f"第{k + 1}部分　工作安排"
        headings.add(title)
        blocks.append(Heading((Span(title),), 1 + k % 2))
        blocks.append(Paragraph((Span(paragraph_text(k, 40 + (k * 53) % 230)),)))
    return TextBody(tuple(blocks)), headings


@pytest.mark.parametrize("size", SIZES)
def test_heading_never_ends_a_page(size):
    lay = layouter(*size)
    body, headings = _heading_body()
    pages = lay.layout(make_notice(body))
    assert len(pages) > 4
    for number, page in enumerate(pages):
        assert out_of_area(page.ops, lay.frame) == []
        lines = lines_by_y(page.ops)
        last_line = "".join(op.text for op in lines[-1])
        if number < len(pages) - 1:
            assert last_line not in headings, f"page {number + 1} ends with heading {last_line}"
    # Every heading is drawn exactly once.
    drawn = ["".join(op.text for op in line) for page in pages for line in lines_by_y(page.ops)]
    assert sorted(t for t in drawn if t in headings) == sorted(headings)

    # The case is real: without keep-with-next some page would end with a heading.
    items = [dataclasses.replace(it, keep_with_next=False) for it in lay.text_items(body)]
    notice = make_notice(body)
    naive = paginate(items, lay.frame.page.h, lay.title_block(notice)[1],
                     lay.running_head(notice)[1])
    endings = ["".join(op.text for op in lines_by_y(ops)[-1]) for ops, _ in naive[:-1]]
    assert any(t in headings for t in endings)


def test_twenty_page_notice():
    lay = layouter()
    title = "关于开展2026年冬季消防安全大检查的通知"
    body = TextBody(tuple(Paragraph((Span(paragraph_text(k)),)) for k in range(48)))
    notice = make_notice(body, title=title)
    pages = lay.layout(notice)
    # Independent count: greedy filling of the line items, no line cut.
    items = lay.text_items(body)
    area_h = lay.frame.page.h
    expected, y, first = 1, lay.title_block(notice)[1], True
    for item in items:
        space = 0.0 if first else item.space_before
        if y + space + item.height > area_h + TOL and not first:
            expected += 1
            y, space = lay.running_head(notice)[1], 0.0
        y += space + item.height
        first = False
    assert len(pages) == expected
    assert 27 <= len(pages) <= 32   # 19-21 with the height-based 38 px body; 43 px since issue 17
    body_style = lay.styles.body
    for number, page in enumerate(pages):
        assert out_of_area(page.ops, lay.frame) == [], number
        texts = [op for op in page.ops if isinstance(op, TextOp)]
        if number == 0:
            assert not any("（续）" in op.text for op in texts)
            assert any(op.text == title for op in texts)
        else:
            head = texts[0]
            assert head.text == f"{title}（续）"
            assert (head.x, head.y) == (0, 0)
            assert head.style == lay.styles.muted
        if number < len(pages) - 1:   # pages are filled: at most one line left free
            bottom = max(op.y for op in texts) + lay._line_h(body_style)
            assert bottom > area_h - 2 * lay._line_h(body_style)
    # Nothing lost or repeated across page breaks.
    drawn = "".join(op.text for page in pages for line in lines_by_y(page.ops) for op in line
                    if op.style == body_style).replace("\u3000", "")
    assert drawn == "".join(paragraph_text(k) for k in range(48))
    assert sum(p.chars for p in pages) == sum(len(paragraph_text(k)) for k in range(48)) + len(
        title) + len(notice.category)


def test_running_head_of_a_long_title_keeps_the_continuation_mark():
    lay = layouter()
    title = ("关于进一步加强和改进城乡社区治理工作推进基层治理体系和治理能力现代化"
             "建设的实施意见（征求意见稿）暨2026年度第一批社区服务设施改造项目计划")
    body = TextBody(tuple(Paragraph((Span(paragraph_text(k)),)) for k in range(12)))
    pages = lay.layout(make_notice(body, title=title))
    assert len(pages) > 1
    for page in pages[1:]:
        head = [op for op in page.ops if isinstance(op, TextOp) and op.style == lay.styles.muted]
        assert len(head) == 1
        assert head[0].text.endswith("（续）")
        assert head[0].text[:10] == title[:10]
        assert METRICS.width(head[0].text, head[0].style) <= lay.frame.page.w + TOL
        assert out_of_area(page.ops, lay.frame) == []


@pytest.mark.parametrize("size", SIZES)
def test_long_title_wraps_into_balanced_lines(size):
    lay = layouter(*size)
    title = ("关于2026年度马宫街道城乡居民基本医疗保险参保登记、缴费标准调整、待遇享受及"
             "异地就医备案等有关事项的通知（第一批）——请各社区居民相互转告并按时办理相关手续事宜")
    title = title[:80]
    assert len(title) == 80
    page = lay.layout(make_notice(TextBody((Paragraph((Span("正文。"),)),)), title=title))[0]
    style = lay.styles.title
    lines = lines_by_y([op for op in page.ops if isinstance(op, TextOp) and op.style == style])
    assert len(lines) >= 3
    assert "".join(op.text for line in lines for op in line) == title
    widths = [right(line[-1]) - line[0].x for line in lines]
    assert max(widths) - min(widths) <= 2 * style.size
    area_w = lay.frame.page.w
    for line in lines:
        assert line[0].x >= -TOL and right(line[-1]) <= area_w + TOL
        centre = (line[0].x + right(line[-1])) / 2
        assert centre == pytest.approx(area_w / 2, abs=style.size)
    assert out_of_area(page.ops, lay.frame) == []


# -- tables --------------------------------------------------------------------------------

HEADER = ("序号", "项目", "预算", "支出", "比率", "备注", "户数", "人数", "单价", "金额", "经办", "余额")
TEXT_COLUMNS = {1, 5, 10}


def _big_table(rows: int = 500) -> TableBody:
    rnd = random.Random(2026)
    data = []
    for r in range(rows):
        data.append((
            str(r + 1),
            rnd.choice(["路灯维修", "绿化养护", "社区食堂", "加装电梯"]),
            f"{rnd.uniform(0, 12345):,.1f}",
            f"{rnd.uniform(0, 999):,.2f}",
            f"{rnd.uniform(0, 100):.1f}%",
            rnd.choice(["已完成", "推进中", "待验收", "无"]),
            f"{rnd.randint(1, 1234):,}",
            str(rnd.randint(1, 99)),
            f"￥{rnd.randint(1, 120)}",
            f"{rnd.uniform(0, 123456):,.2f}",
            rnd.choice(["张三", "李四", "王五"]),
            f"{rnd.uniform(0, 99999):,.2f}",
        ))
    return TableBody(HEADER, tuple(data))


def test_table_of_500_rows_repeats_header_and_right_aligns_numbers():
    lay = layouter()
    table = _big_table()
    pages = lay.layout(make_notice(table, title="2026年第三季度街道财务收支公开表"))
    assert len(pages) > 20
    head_fg = lay.theme.table_head_fg
    area_w = lay.frame.page.w
    numbers: list[str] = []
    text_x: dict[int, set[float]] = {c: set() for c in TEXT_COLUMNS}
    num_right: dict[int, set[float]] = {c: set() for c in range(12) if c not in TEXT_COLUMNS}
    header_layout = None
    size = None
    for number, page in enumerate(pages):
        assert out_of_area(page.ops, lay.frame) == [], number
        head_rects = [op for op in page.ops if isinstance(op, RectOp)
                      and op.color == lay.theme.table_head_bg]
        assert len(head_rects) == 1, number
        rect = head_rects[0]
        head = [op for op in page.ops if isinstance(op, TextOp) and op.style.color == head_fg
                and op.style.bold]
        assert [op.text for op in sorted(head, key=lambda op: op.x)] == list(HEADER)
        relative = [(round(op.x, 3), round(op.y - rect.y, 3), op.text) for op in head]
        header_layout = header_layout or relative
        assert relative == header_layout, number
        cells = [op for op in page.ops if isinstance(op, TextOp) and op.style.color == lay.theme.text]
        assert cells and min(op.y for op in cells) >= rect.y + rect.h - TOL
        for row in lines_by_y(cells):
            assert len(row) == 12, [op.text for op in row]    # one line per cell here
            numbers.append(row[0].text)
            size = row[0].style.size
            for c, op in enumerate(row):
                if c in TEXT_COLUMNS:
                    text_x[c].add(round(op.x, 6))
                else:
                    num_right[c].add(round(right(op), 6))
    # Every row exactly once, in order.
    assert numbers == [str(r + 1) for r in range(500)]
    # Text columns are left-aligned and numeric ones right-aligned.
    assert all(len(xs) == 1 for xs in text_x.values()), text_x
    assert all(len(rs) == 1 for rs in num_right.values()), num_right
    pad = size * 0.45
    x_of = {c: xs.pop() for c, xs in text_x.items()}
    r_of = {c: rs.pop() for c, rs in num_right.items()}
    # Numbers end at the column's right edge minus the padding: the next column starts one
    # padding further, and its text one more padding in.
    for c in (0, 4, 9):
        assert r_of[c] + 2 * pad == pytest.approx(x_of[c + 1], abs=1e-6)
    assert r_of[11] + pad == pytest.approx(area_w, abs=1e-6)
    assert sorted(r_of) == sorted(r_of, key=r_of.get)


def test_sample_tables_right_align_numeric_columns(sample_library):
    lay = layouter()
    tables = [n for n in sample_library.notices if isinstance(n.body, TableBody)]
    assert tables
    for notice in tables:
        for page in lay.layout(notice):
            assert out_of_area(page.ops, lay.frame) == []


# -- pictures ------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_wide_picture_fits_and_keeps_its_aspect_ratio(size):
    lay = layouter(*size)
    (page,) = lay.layout(make_notice(ImageBody(Picture("0" * 64, 8000, 300)), title="2026年民生实事项目进度"))
    (image,) = [op for op in page.ops if isinstance(op, PictureOp)]
    assert out_of_area(page.ops, lay.frame) == []
    assert image.w / image.h == pytest.approx(8000 / 300, rel=1e-9)
    assert image.w == pytest.approx(lay.frame.page.w)      # width-limited
    assert image.x == pytest.approx((lay.frame.page.w - image.w) / 2)
    assert page.seconds == lay.pace.clamp(15.0)


def test_tall_picture_fits_the_height():
    lay = layouter()
    (page,) = lay.layout(make_notice(ImageBody(Picture("0" * 64, 300, 8000))))
    (image,) = [op for op in page.ops if isinstance(op, PictureOp)]
    assert out_of_area(page.ops, lay.frame) == []
    assert image.w / image.h == pytest.approx(300 / 8000, rel=1e-9)
    assert image.y + image.h == pytest.approx(lay.frame.page.h)


def test_small_picture_is_not_upscaled_past_twice_its_size():
    lay = layouter()
    (page,) = lay.layout(make_notice(ImageBody(Picture("0" * 64, 100, 100))))
    (image,) = [op for op in page.ops if isinstance(op, PictureOp)]
    assert MAX_UPSCALE == 2.0
    assert (image.w, image.h) == (200, 200)
    assert out_of_area(page.ops, lay.frame) == []


# -- timing --------------------------------------------------------------------------------

def test_pace_seconds_are_clamped_and_overridden():
    pace = Pace()
    assert pace.seconds(0) == 8.0
    assert pace.seconds(10) == 8.0
    assert pace.seconds(100) == pytest.approx(30.0)
    assert pace.seconds(200) == pytest.approx(60.0)
    assert pace.seconds(5000) == 60.0
    assert pace.seconds(5000, override=12.5) == 12.5
    assert pace.seconds(0, override=90.0) == 90.0
    fast = Pace(chars_per_minute=300, min_seconds=5, max_seconds=30)
    assert fast.seconds(100) == pytest.approx(20.0)
    assert fast.seconds(10) == 5
    assert fast.clamp(31) == 30


def test_page_times_follow_characters_and_duration():
    pace = Pace(chars_per_minute=240, min_seconds=6, max_seconds=45)
    lay = layouter(pace=pace)
    body = TextBody(tuple(Paragraph((Span(paragraph_text(k)),)) for k in range(10)))
    pages = lay.layout(make_notice(body))
    assert len(pages) > 1
    for page in pages:
        assert page.seconds == pytest.approx(pace.seconds(page.chars))
    assert pages[0].seconds == 45   # a full page is more than 45 s of reading at 240/min
    timed = lay.layout(make_notice(body, meta=Meta(duration=25.0)))
    assert [p.seconds for p in timed] == [25.0] * len(timed)
    picture = layouter(pace=Pace(min_seconds=20)).layout(make_notice(ImageBody(Picture("0" * 64, 10, 10))))
    assert picture[0].seconds == 20.0
    picture = lay.layout(make_notice(ImageBody(Picture("0" * 64, 10, 10)), meta=Meta(duration=7.0)))
    assert picture[0].seconds == 7.0


# -- footer and 公示 period ----------------------------------------------------------------

PUBLICITY = Meta(kind="公示", start=dt.date(2026, 11, 26), end=dt.date(2026, 12, 2))


def test_publicity_period_text():
    notice = make_notice(TextBody(()), meta=PUBLICITY)
    assert publicity_period(notice) == "公示期：2026年11月26日至12月2日"
    across = dataclasses.replace(PUBLICITY, end=dt.datetime(2027, 1, 5, 18, 0))
    assert publicity_period(make_notice(TextBody(()), meta=across)) == "公示期：2026年11月26日至2027年1月5日"
    assert publicity_period(make_notice(TextBody(()))) is None
    page = layouter().layout(make_notice(TextBody((Paragraph((Span("正文。"),)),)), meta=PUBLICITY))[0]
    assert any(op.text == "公示期：2026年11月26日至12月2日" for op in page.ops if isinstance(op, TextOp))


def test_footer_texts_for_a_publicity_notice():
    notice = make_notice(TextBody(()), meta=PUBLICITY)
    period = "公示期：2026年11月26日至12月2日"
    assert footer_texts(notice, 1, 1, 5) == (f"{period}，剩余5天", "")
    assert footer_texts(notice, 2, 3, 2) == (f"{period}，剩余2天", "第 2/3 页")
    left, right_text = footer_texts(notice, 1, 1, 1)
    assert left == f"{period}，今天是最后一天" and "剩余" not in left
    assert right_text == ""
    assert footer_texts(notice, 1, 2, None) == ("", "第 1/2 页")
    assert footer_texts(notice, 1, 1, 0) == ("", "")


def test_footer_texts_for_an_ordinary_notice():
    notice = make_notice(TextBody(()))
    assert footer_texts(notice, 1, 1, 3) == ("", "")
    assert footer_texts(notice, 3, 4, 3) == ("", "第 3/4 页")


def test_sample_publicity_notice_footer(sample_library):
    notices = [n for n in sample_library.notices if n.meta.is_publicity]
    assert notices
    for notice in notices:
        pages = layouter().layout(notice)
        left, right_text = footer_texts(notice, 1, len(pages), 3)
        assert left.startswith("公示期：") and left.endswith("剩余3天")
        assert right_text == (f"第 1/{len(pages)} 页" if len(pages) > 1 else "")


def test_frame_regions_do_not_overlap():
    for width, height in SIZES + [(3840, 2160), (1080, 1920)]:
        frame = frame_for(width, height, Theme())
        assert frame.header.bottom <= frame.page.y
        assert frame.page.bottom <= frame.footer.y
        assert frame.footer.bottom <= frame.ticker.y
        assert frame.ticker.bottom == height
        assert frame.page.x > 0 and frame.page.right < width
        assert math.isclose(frame.page.x, width - frame.page.right)

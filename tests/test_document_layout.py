"""Layout of document bodies (pure, no fonts): figures, tables inside text, merged
cells, workbook sheets, scanned pages cut into readable slices; hard-wrapped text."""

from __future__ import annotations

from test_layout_pages import METRICS, layouter, make_notice, out_of_area

from player.layout.display import PictureOp, RectOp, TextOp
from player.model.notice import (
    Figure, Merge, Paragraph, Picture, ScanBody, ScanPage, SheetsBody, Span, TableBlock, TableBody, TextBody,
)
from player.model.unwrap import is_hard_wrapped, unwrap

PIC = Picture("a" * 64, 800, 600)


def text_ops(pages) -> list[TextOp]:
    return [op for page in pages for op in page.ops if isinstance(op, TextOp)]


def test_figure_is_centred_inside_the_page_with_its_caption_below():
    body = TextBody((Paragraph((Span("前文。"),)), Figure(PIC, "图1 活动现场"), Paragraph((Span("后文。"),))))
    lay = layouter()
    pages = lay.layout(make_notice(body))
    for page in pages:
        assert not out_of_area(page.ops, lay.frame)
    pictures = [op for page in pages for op in page.ops if isinstance(op, PictureOp)]
    assert len(pictures) == 1
    pic = pictures[0]
    assert abs(pic.w / pic.h - 800 / 600) < 0.01
    assert abs(pic.x + pic.w / 2 - lay.frame.page.w / 2) < 1
    caption = next(op for op in text_ops(pages) if op.text == "图1 活动现场")
    assert caption.y > pic.y + pic.h


def test_table_inside_text_keeps_merged_cells_and_fits_the_width():
    table = TableBody(("项目", "金额", "备注"), (("办公费", "1,200.00", "按季度"), ("差旅费", "300.00", ""),
                                              ("合计 1,500.00", "", "")),
                      (Merge(1, 2, 2, 1), Merge(3, 0, 1, 2)))
    body = TextBody((Paragraph((Span("说明如下。"),)), TableBlock(table), Paragraph((Span("以上。"),))))
    lay = layouter()
    pages = lay.layout(make_notice(body))
    for page in pages:
        assert not out_of_area(page.ops, lay.frame)
    ops = text_ops(pages)
    total = next(op for op in ops if op.text == "合计 1,500.00")
    amount = next(op for op in ops if op.text == "1,200.00")
    # The merged 合计 cell spans the first two columns: it is centred across both
    # (the amount column ends where its right-aligned number ends, plus the padding).
    second_column_end = amount.x + METRICS.width(amount.text, amount.style) + amount.style.size * 0.45
    centre = total.x + METRICS.width(total.text, total.style) / 2
    assert abs(centre - second_column_end / 2) < 2
    # No rule is drawn under 按季度 inside its vertical merge.
    note = next(op for op in ops if op.text == "按季度")
    rules = [op for page in pages for op in page.ops if isinstance(op, RectOp) and op.h == 1]
    under = [r for r in rules if r.x <= note.x <= r.x + r.w and note.y < r.y < note.y + 2 * total.style.size]
    assert not under


def test_workbook_sheets_start_on_pages_of_their_own_with_their_subtitles():
    first = TableBody(("项目", "金额"), tuple((f"项目{i}", f"{i}.00") for i in range(3)), subtitle="收支")
    second = TableBody(("项目", "单位"), (("复印", "元/页"),), subtitle="收费标准")
    pages = layouter().layout(make_notice(SheetsBody((first, second))))
    assert len(pages) == 2
    assert any(op.text == "收支" for op in pages[0].ops if isinstance(op, TextOp))
    assert any(op.text == "收费标准" for op in pages[1].ops if isinstance(op, TextOp))


def test_scanned_page_is_cut_into_slices_at_body_text_size_never_shrunk_to_the_screen():
    # An A4 page rendered so that its text lines are 48 px tall, with blank rows every 80 px.
    page = ScanPage(Picture("b" * 64, 1300, 2600), 48.0, tuple(range(70, 2600, 80)))
    for size in ((1920, 1080), (1366, 768)):
        lay = layouter(*size)
        pages = lay.layout(make_notice(ScanBody((page,))))
        slices = [op for p in pages for op in p.ops if isinstance(op, PictureOp)]
        scale = slices[0].h / slices[0].crop[3]
        body = lay.styles.body.size
        assert abs(48 * scale - body) < 0.5  # text as large as the body text
        assert len(pages) >= 3  # an A4 page is never one screen
        covered = sorted((op.crop[1], op.crop[1] + op.crop[3]) for op in slices)
        assert covered[0][0] == 0 and covered[-1][1] == 2600
        for (a0, a1), (b0, b1) in zip(covered, covered[1:]):
            assert a1 == b0  # nothing lost, nothing shown twice
            assert a1 in page.cuts  # cut between text lines
        for p in pages:
            assert not out_of_area(p.ops, lay.frame)


def test_a_scan_wider_than_the_page_area_is_fitted_to_its_width():
    page = ScanPage(Picture("c" * 64, 4000, 3000), 20.0, ())
    lay = layouter(1366, 768)
    slices = [op for p in lay.layout(make_notice(ScanBody((page,)))) for op in p.ops if isinstance(op, PictureOp)]
    assert all(op.w <= lay.frame.page.w + 0.5 for op in slices)


HARD = """关于冬季供暖的通知
各位居民：根据市供热办的统一安排，本小区今年冬季供暖将于
十一月十五日零时正式开始，请各户在此之前检查家中暖气阀门
是否关闭，如有漏水、不热等情况，请及时拨打物业服务电话进
行报修。供暖期间请勿私自改动管道，不要在暖气片上晾晒衣物
，以免发生危险。感谢大家的理解与支持！
　　另外，物业将在十一月十日至十四日对小区管网进行打压试水
，届时可能出现短时停水，请提前做好储水准备。
马宫街道物业服务中心
2026年11月1日"""

ORDINARY = """冬季用电安全提示
天气转冷，取暖设备使用增多，请注意用电安全。
不要私拉乱接电线。
离家时请关闭电暖器、电热毯等设备。
发现电线老化、插座发热，请及时联系物业维修，不要自行拆修。
一、物业值班电话：12345678。
二、供电抢修电话：95598。
马宫街道物业服务中心"""


def test_hard_wrapped_text_is_joined_and_ordinary_text_is_left_alone():
    text, note = unwrap(HARD)
    lines = text.split("\n")
    assert lines[1] == ("各位居民：根据市供热办的统一安排，本小区今年冬季供暖将于十一月十五日零时正式开始，请各户在此之前"
                        "检查家中暖气阀门是否关闭，如有漏水、不热等情况，请及时拨打物业服务电话进行报修。供暖期间请勿"
                        "私自改动管道，不要在暖气片上晾晒衣物，以免发生危险。感谢大家的理解与支持！")
    assert lines[2].startswith("另外") and lines[2].endswith("请提前做好储水准备。")
    assert lines[0] == "关于冬季供暖的通知" and lines[-2:] == ["马宫街道物业服务中心", "2026年11月1日"]
    assert note is not None and "joined" in note.message and "接起来" in note.hint_zh
    assert unwrap(ORDINARY) == (ORDINARY, None)
    assert not is_hard_wrapped(ORDINARY.split("\n"))

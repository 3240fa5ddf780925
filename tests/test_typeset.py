"""Typography that holds at every width (issue 17): unbreakable runs, no isolated last
character, word-aware titles, page tops and page fill.

Most tests use the fake measurer of tests/test_linebreak.py (non-ASCII 1 em, ASCII
0.55 em); the sample-content test uses the real fonts through player/render/fonts.py,
with whichever Chinese face the machine has (Noto CJK or WenQuanYi Micro Hei; both when
both are installed). tests/typocheck.py holds the checks themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from player.layout.display import Style, TextOp
from player.layout.flow import Item, paginate
from player.layout.linebreak import break_lines, core_chars
from player.layout.pages import Layouter
from player.layout.paragraph import balanced_lines, layout_paragraph
from player.layout.templates import frame_for
from player.layout.words import JiebaSegmenter, default_segmenter, han_runs, inside_words
from player.model.notice import Closing, Heading, ListItem, Meta, Notice, Paragraph, Span, TextBody
from typocheck import Checker

SIZES = [(1920, 1080), (1366, 768), (1280, 1024), (3840, 2160), (1080, 1920), (768, 1366)]


def em(text: str) -> float:
    return sum(0.55 if ord(ch) < 0x80 else 1.0 for ch in text)


class FakeMetrics:
    """Non-ASCII characters 1 em, ASCII 0.55 em; line box 1.45 em."""

    def width(self, text, style) -> float:
        return style.size * em(text)

    def line_height(self, style) -> float:
        return style.size * 1.45


FAKE = FakeMetrics()
STYLE = Style(10)


def text_of(line) -> str:
    return "".join(op.text for op in line.runs)


def notice(blocks, title="关于开展冬季消防安全检查的通知") -> Notice:
    return Notice("测试/通知", "测试/通知.txt", "通知公告", title, Meta(), TextBody(tuple(blocks)), "0" * 64)


# -- unbreakable runs ----------------------------------------------------------------------

RUNS = ["3288.60元", "15%", "30平方米", "5千克", "1.2万元", "2026年11月27日", "2026-11-27",
        "8:30-12:00", "8:30—17:30", "8：30—17：30", "0571-88888888", "138 0000 0000", "12345",
        "0.5‰", "￥1,234.56", "2021—2025年", "11月27日", "8时30分"]


@pytest.mark.parametrize("run", RUNS)
def test_runs_are_never_split(run):
    text = f"本次共计支出{run}，截至{run}前办理，咨询{run}。"
    checked = 0
    width = em(run) + 1.0  # the run and a closing mark after it
    while width <= 16:
        lines = break_lines(text, width, em)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert sum(line.count(run) for line in lines) == 3, (width, lines)
        checked += 1
        width += 0.25
    assert checked > 10


def test_a_run_wider_than_the_line_is_still_cut():
    lines = break_lines("电话138 0000 0000", 4, em)
    assert all(em(line) <= 4 for line in lines)
    assert "".join(lines).replace(" ", "") == "电话13800000000"


@pytest.mark.parametrize("text, width, first", [
    # UAX #14 LB24/LB25: no break between a postfix or prefix and a letter, digit or
    # opening bracket, nor between a letter or digit and a prefix or postfix.
    ("一二三四五100%ABC六", 8.6, "一二三四五"),
    ("一二三四五六ABC￥100七", 10.0, "一二三四五六"),
    ("一二三四五六七50℃（高温）", 9.0, "一二三四五六七"),
])
def test_prefix_and_postfix_stay_with_their_neighbours(text, width, first):
    lines = break_lines(text, width, em)
    assert lines[0] == first, lines


def test_a_space_after_a_postfix_allows_the_break():
    assert break_lines("一二三四五100% ABC", 9.0, em) == ["一二三四五100%", "ABC"]


# -- no isolated last character ------------------------------------------------------------

@pytest.mark.parametrize("tail", ["密。", "等。", "准。", "任；", "例）", "5。"])
def test_last_line_of_one_character_and_its_punctuation_takes_one_more(tail):
    text = "一二三四五六七八九十" * 2 + tail  # 20 characters fill two lines of 10 exactly
    lines = layout_paragraph([Span(text)], 10 * STYLE.size, FAKE, STYLE)
    texts = [text_of(line) for line in lines]
    assert "".join(texts) == text
    assert core_chars(texts[-1]) >= 2, texts
    # The line that gave a character up is still justified to the full width.
    runs = lines[-2].runs
    assert runs[-1].x + FAKE.width(runs[-1].text, STYLE) == pytest.approx(10 * STYLE.size)
    # Without justification (break_lines) the greedy result does isolate it.
    assert break_lines(text, 10, em)[-1] == tail


def test_isolated_character_is_avoided_across_widths():
    text = "为进一步做好冬季消防安全工作，切实保障辖区居民群众生命财产安全，街道决定开展检查，请各社区严格保密。"
    for width in range(6, 40):
        lines = layout_paragraph([Span(text)], width * STYLE.size, FAKE, STYLE, indent=True)
        if len(lines) > 1:
            assert core_chars(text_of(lines[-1])) >= 2, (width, [text_of(ln) for ln in lines])


# -- titles and headings break between words ----------------------------------------------

@pytest.mark.parametrize("title, words", [
    ("便民服务收费标准（示例数据）", ["收费", "标准"]),
    ("2026年第三季度街道财务收支公开表（示例数据）", ["财务收支", "第三季度"]),
    ("马宫街道干部任前公示", ["干部", "任前", "公示"]),
])
def test_titles_break_between_words_at_every_width(title, words):
    seen = 0
    for width in range(5, int(em(title)) + 1):
        lines = [text_of(ln) for ln in balanced_lines([Span(title)], width * 10, FAKE, STYLE,
                                                        words=default_segmenter())]
        assert "".join(lines) == title
        for word in words:
            assert any(word in line for line in lines), (width, lines)
        seen += len(lines) > 1
    assert seen > 3


def test_title_lines_are_balanced_with_words():
    title = "关于实施2026年老旧小区改造项目的决定（示例）"
    lines = balanced_lines([Span(title)], 16 * 10, FAKE, STYLE, words=default_segmenter())
    widths = [ln.width for ln in lines]
    assert len(lines) == 2 and min(widths) >= 0.6 * max(widths), [text_of(ln) for ln in lines]
    assert "老旧" in text_of(lines[0]) + "|" and all("老|旧" not in t for t in map(text_of, lines))


def test_words_are_found_in_runs_of_han_characters_only():
    assert han_runs("2026年老旧小区 改造") == [(5, 9), (10, 12)]
    inside = inside_words("2026年老旧小区", default_segmenter())
    assert inside == {6, 8}  # 老|旧 and 小|区 inside words; 年|老 and 旧|小 between them


class Broken:
    """A segmenter that returns words not spelling the text."""

    def cut(self, text):
        return ["错"]


class Unavailable:
    def cut(self, text):
        return None


@pytest.mark.parametrize("segmenter", [None, Unavailable(), Broken(), JiebaSegmenter("no_such_segmenter")])
def test_titles_still_lay_out_without_a_segmenter(segmenter):
    title = "便民服务收费标准（示例数据）"
    lines = [text_of(ln) for ln in balanced_lines([Span(title)], 6 * 10, FAKE, STYLE, words=segmenter)]
    assert "".join(lines) == title and len(lines) >= 3
    lay = Layouter(frame_for(1080, 1920), FAKE, words=segmenter)
    assert lay.layout(notice([Paragraph((Span("正文。"),))], title))


def test_a_missing_segmenter_is_reported_once():
    seg = JiebaSegmenter("no_such_segmenter")
    assert seg.cut("马宫街道") is None and seg.cut("马宫街道") is None
    assert seg.error and "no_such_segmenter" in seg.error
    assert default_segmenter().load() and default_segmenter().error is None


def test_headings_break_between_words():
    lay = Layouter(frame_for(768, 1366), FAKE)
    heading = Heading((Span("（三）政府信息公开行政复议、行政诉讼情况与财务收支公开"),), 2, ladder=True)
    body = [heading, Paragraph((Span("正文。" * 40),))]
    pages = lay.layout(notice(body))
    assert Checker(lay).check(notice(body), pages) == []
    heading_lines = [op.text for op in pages[0].ops if isinstance(op, TextOp) and op.style.bold]
    assert len(heading_lines) >= 2


# -- pagination: page tops, keeps, balance -------------------------------------------------

def _line(height=10.0, **kw) -> Item:
    return Item((TextOp(0, 0, "字", STYLE),), height, **kw)


def test_a_short_last_line_never_starts_a_page():
    items = [_line() for _ in range(9)] + [_line(keep_with_previous=True)] + [_line() for _ in range(6)]
    pages = paginate(items, 90.0, 0.0, 0.0)
    assert [len(ops) for ops, _ in pages] == [8, 8]  # 9 fit, but the 10th goes with the 9th


def test_keeps_never_leave_a_page_mostly_empty():
    items = [_line() for _ in range(2)] + [_line(keep_with_next=True) for _ in range(8)] + [_line()]
    pages = paginate(items, 100.0, 0.0, 0.0)
    assert len(pages[0][0]) == 10  # the chain would have left 2 of 10 lines: it gives way


def test_last_two_pages_are_balanced_at_a_clean_break():
    blocks = [[_line(block_line=(n, 4), space_before=5.0 if n == 0 else 0.0) for n in range(4)]
              for _ in range(3)]
    items = [item for block in blocks for item in block]
    pages = paginate(items, 110.0, 0.0, 0.0)
    counts = [len(ops) for ops, _ in pages]
    # Greedy gives [10, 2]; balanced, the middle block is split 2/2 (never 3/1 or 1/3).
    assert counts == [6, 6], counts


def test_the_last_page_is_not_balanced_when_it_is_full_enough():
    items = [_line() for _ in range(16)]
    assert [len(ops) for ops, _ in paginate(items, 100.0, 0.0, 0.0)] == [10, 6]


# -- the checker finds what it is for ------------------------------------------------------

def test_checker_reports_split_runs_isolated_characters_and_word_breaks():
    lay = Layouter(frame_for(1920, 1080), FAKE)
    size = lay.styles.body.size
    split = TextOp(0, 0, "本季度共支出3288.", lay.styles.body)
    rest = TextOp(0, size * 2, "60元等。", lay.styles.body)
    para = Paragraph((Span("本季度共支出3288.60元等。"),), indent=False)
    n = notice([para], title="测试")
    from player.layout.display import Page
    head = lay.title_block(n)[0]
    problems = Checker(lay).check(n, (Page(tuple(head) + (split, rest), 10, 8.0),))
    assert any("run split" in p and "3288.60元" in p for p in problems), problems
    title = "便民服务收费标准"
    n = notice([para], title=title)
    bad_title = (TextOp(0, 30, "便民服务收费标", lay.styles.title), TextOp(0, 90, "准", lay.styles.title))
    body = (TextOp(0, 400, "本季度共支出3288.60元", lay.styles.body), TextOp(0, 460, "等。", lay.styles.body))
    problems = Checker(lay).check(n, (Page(bad_title + body, 10, 8.0),))
    assert any("inside a word: 标/准" in p for p in problems), problems
    assert any("isolated last character" in p for p in problems), problems


# -- sample content at six sizes with the real fonts ---------------------------------------

def _font_files() -> list[Path | None]:
    wqy = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    return [None] + ([wqy] if wqy.exists() else [])


@pytest.fixture(scope="module", params=_font_files(), ids=lambda f: "default" if f is None else f.stem)
def real_fonts(request):
    from player.render.fonts import load_fonts
    return load_fonts(request.param) if request.param else load_fonts()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sample_notices_hold_the_typographic_rules(sample_library, real_fonts, size):
    lay = Layouter(frame_for(*size), real_fonts)
    checker = Checker(lay)
    problems = []
    for item in sample_library.notices:
        problems += checker.check(item, lay.layout(item))
    assert problems == []


# -- generated paragraphs with the fake measurer -------------------------------------------

HAN = "街道社区居民服务办理材料公示期间意见反映联系电话工作日上午下午为进一步做好冬季消防安全"
PIECES = RUNS + ["98.5%", "1,234.56", "A4", "www.gov.cn", "（示例）", "《条例》", "——", "……"]


@st.composite
def paragraphs(draw):
    parts = draw(st.lists(st.one_of(
        st.text(alphabet=HAN, min_size=1, max_size=12),
        st.sampled_from(PIECES).map(lambda piece: "共" + piece),  # runs never touch each other
        st.sampled_from(["，", "、", "；", "："])), min_size=3, max_size=30))
    text = "".join(parts).lstrip("，、；：") or "街道"
    return text + draw(st.sampled_from(["。", "", "！", "）。"]))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(paragraphs(), min_size=1, max_size=14), st.integers(480, 3840), st.integers(480, 2160),
       st.booleans())
def test_property_generated_notices_hold_the_rules(texts, width, height, closing):
    lay = Layouter(frame_for(width, height), FAKE)
    # Screens whose body lines hold at least 10 characters (1080x1920 holds 13 with
    # today's height-based sizes; narrower measures are the theme's to avoid).
    assume(lay.frame.page.w / lay.styles.body.size >= 10)
    blocks = [Heading((Span("一、工作安排和财务收支情况"),), 1)]
    blocks += [ListItem((Span(t),), "•") if i % 4 == 3 else Paragraph((Span(t),)) for i, t in enumerate(texts)]
    if closing:
        blocks += [Closing("马宫街道办事处"), Closing("2026年11月27日")]
    item = notice(blocks, title="2026年第三季度街道财务收支公开表")
    pages = lay.layout(item)
    event("pages: " + ("1" if len(pages) == 1 else "2" if len(pages) == 2 else "3+"))
    assert Checker(lay).check(item, pages) == []

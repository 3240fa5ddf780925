"""Paragraph layout: indent, hanging line-end punctuation, no one-character last line."""

from __future__ import annotations

import pytest

from player.layout.display import Style, op_bounds
from player.layout.paragraph import INDENT, layout_paragraph
from player.model.notice import Span

EM = 10


class Metrics:
    """Han characters and full-width marks 1 em, ASCII half."""

    def width(self, text: str, style: Style) -> float:
        return sum(style.size if ord(ch) > 0x2000 else style.size / 2 for ch in text)

    def line_height(self, style: Style) -> float:
        return style.size * 1.45


M = Metrics()
STYLE = Style(EM)


def text_of(line) -> str:
    return "".join(op.text for op in line.runs)


def ink_right(line) -> float:
    return max(x + w for x, _y, w, _h in (op_bounds(op, M) for op in line.runs))


def test_line_end_comma_hangs_half_out_when_that_makes_the_line_fit() -> None:
    # 10 em wide: nine characters and a comma are 10 em; eleven with the comma only fit hanging.
    text = "一二三四五六七八九十，甲乙丙丁戊己庚辛壬癸。"
    lines = layout_paragraph([Span(text)], 10.5 * EM, M, STYLE)
    assert text_of(lines[0]) == "一二三四五六七八九十，"
    assert ink_right(lines[0]) == 10.5 * EM  # the comma's ink meets the margin
    # Without hanging (not justified) the comma would have pushed 十 down.
    plain = layout_paragraph([Span(text)], 10.5 * EM, M, STYLE, justify=False)
    assert text_of(plain[0]) == "一二三四五六七八九"


def test_no_one_character_last_line_when_a_push_out_avoids_it() -> None:
    text = "一二三四五六七八九十甲"  # 11 characters in a 10-character line
    lines = layout_paragraph([Span(text)], 10 * EM, M, STYLE)
    assert [text_of(line) for line in lines] == ["一二三四五六七八九", "十甲"]
    # The shortened line is still justified to the full width.
    assert ink_right(lines[0]) == 10 * EM
    greedy = layout_paragraph([Span(text)], 10 * EM, M, STYLE, justify=False)
    assert [text_of(line) for line in greedy] == ["一二三四五六七八九十", "甲"]


def test_one_character_last_line_stays_when_no_break_allows_a_push() -> None:
    # The line before holds one Latin word: moving it down would leave that line empty.
    text = "abcdefghijklmnopqrst甲"
    lines = layout_paragraph([Span(text)], 10 * EM, M, STYLE)
    assert [text_of(line) for line in lines] == ["abcdefghijklmnopqrst", "甲"]
    # With a number before it, the number goes down with the character.
    lines = layout_paragraph([Span("一二三四五六七八2026甲")], 10 * EM, M, STYLE)
    assert [text_of(line) for line in lines] == ["一二三四五六七八", "2026甲"]


def test_indent_is_two_ideographic_spaces_and_never_stretched() -> None:
    text = "为进一步做好冬季消防安全工作，切实保障辖区居民群众生命财产安全，街道决定开展检查。"
    lines = layout_paragraph([Span(text)], 13.3 * EM, M, STYLE, indent=True)
    first = lines[0].runs
    assert text_of(lines[0]).startswith(INDENT)
    assert first[0].x == 0 and first[1].x == EM  # the two indent characters keep 1 em each
    assert ink_right(lines[0]) == pytest.approx(13.3 * EM)

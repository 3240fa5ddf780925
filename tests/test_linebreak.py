"""Chinese line breaking (player.layout.linebreak): clreq rules, examples and properties.

Widths are measured in ems with a fake, additive metric: every non-ASCII character
(Han, full-width punctuation, U+3000, dashes, curly quotes) is 1 em wide and every ASCII
character 0.55 em. No fonts or pygame are involved.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player.layout.linebreak import NO_END, NO_START, break_lines, break_ranges

EPS = 1e-9


def char_em(ch: str) -> float:
    """Fake advance of one character in ems."""
    return 0.55 if ord(ch) < 0x80 else 1.0


def em(text: str) -> float:
    """Fake width of a string in ems."""
    return sum(char_em(ch) for ch in text)


class FakeMetrics:
    """The Metrics protocol with the fake widths (size px per em)."""

    def width(self, text, style) -> float:
        return style.size * em(text)

    def line_height(self, style) -> float:
        return style.size * 1.45


def lines_of(text: str, width: float) -> list[str]:
    return break_lines(text, width, em)


def locate(text: str, lines: list[str]) -> list[tuple[int, int]]:
    """Where each line sits in ``text``, checking that only spaces were dropped between them.

    Every line must be the next slice of the text; between two lines (and before the first)
    only spaces or tabs may be skipped, and after the last only spaces or tabs may remain.
    """
    spans = []
    pos = 0
    for number, line in enumerate(lines):
        assert line, f"line {number} is empty: {lines!r}"
        if not text.startswith(line, pos):
            skip = pos
            while skip < len(text) and text[skip] in " \t":
                skip += 1
            assert skip > pos and text.startswith(line, skip), (
                f"line {number} {line!r} is not the next slice of {text!r} after {text[:pos]!r}")
            pos = skip
        spans.append((pos, pos + len(line)))
        pos += len(line)
    assert text[pos:].strip(" \t") == "", f"text lost at the end: {text[pos:]!r}"
    return spans


# -- line-start and line-end prohibition ---------------------------------------------------

NO_START_SAMPLES = list("、，。：；！？）》】」』〕〗〉”’％‰℃·～") + list(",.:;!?)]}%")
NO_END_SAMPLES = list("（《【「『〔〖〈“‘￥$/／([{")


def test_sample_sets_are_in_the_rule_tables():
    assert set(NO_START_SAMPLES) <= NO_START
    assert set(NO_END_SAMPLES) <= NO_END
    assert not NO_START & NO_END


@pytest.mark.parametrize("mark", NO_START_SAMPLES)
def test_no_line_starts_with_closing_punctuation(mark):
    # Greedy filling would put the mark first on line 2: the character before it goes too.
    text = "一二三四五" + mark + "六七"
    lines = lines_of(text, 5)
    assert lines == ["一二三四", "五" + mark + "六七"]


@pytest.mark.parametrize("mark", NO_END_SAMPLES)
def test_no_line_ends_with_opening_punctuation(mark):
    # The mark still fits on line 1 but must not end it: it moves down with what it opens.
    text = "一二三四" + mark + "五六七"
    lines = lines_of(text, 5)
    assert lines == ["一二三四", mark + "五六七"]


def test_push_out_moves_one_character_for_a_run_of_closing_marks():
    assert lines_of("一二三四五。”六", 5) == ["一二三四", "五。”六"]


def test_push_out_of_brackets_and_quotes_on_both_sides():
    # 」 may not start line 2, and pushing 四 down would leave 「 ending line 1: the whole
    # quotation goes down.
    assert lines_of("一二三「四」。五六七", 5) == ["一二三", "「四」。五", "六七"]
    # With a longer quotation the break inside it is fine.
    assert lines_of("一二三「四五」。六七八", 5) == ["一二三「四", "五」。六七", "八"]


def test_allowed_break_is_not_moved():
    assert lines_of("一二三四五六七八九十", 5) == ["一二三四五", "六七八九十"]
    assert lines_of("一二三四五，六七八九", 6) == ["一二三四五，", "六七八九"]


def test_closing_then_opening_may_break_between():
    assert lines_of("一二三四）（五六", 5) == ["一二三四）", "（五六"]


# -- numbers, words, URLs, dashes ----------------------------------------------------------

@pytest.mark.parametrize("token", ["98.5%", "1,234.56", "12:30", "￥120", "2026-12-05", "A4",
                                   "36.5℃", "Shanghai", "e-mail"])
def test_numbers_and_words_are_never_split(token):
    text = f"本次登记截至{token}，共计{token}项，逾期{token}不再受理"
    checked = 0
    width = em(token) + 1.0   # room for the token and a closing mark after it
    while width <= 14:
        lines = lines_of(text, width)
        locate(text, lines)
        # Each occurrence lies inside one line.
        assert sum(line.count(token) for line in lines) == 3, (width, lines)
        checked += 1
        width += 0.25
    assert checked > 10


def test_latin_words_kept_whole_and_spaces_dropped_at_breaks():
    text = "请访问 Shanghai Municipal Government 网站"
    for width in (em("Government"), 6, 7, 8, 9, 10, 12, 15):
        lines = lines_of(text, width)
        locate(text, lines)
        for word in ("Shanghai", "Municipal", "Government"):
            assert any(word in line for line in lines), (width, lines)
        for line in lines:
            assert line == line.strip(" "), (width, lines)
            assert em(line) <= width + EPS


def test_spaces_at_breaks_are_dropped_and_inner_spaces_kept():
    assert lines_of("abc def ghi", 4) == ["abc def", "ghi"]
    assert lines_of("abc   def", 2) == ["abc", "def"]
    assert lines_of("一二 三四 五六", 3) == ["一二", "三四", "五六"]


URL = "https://www.example.gov.cn/services/apply?id=2026&type=residence"


def test_url_kept_whole_when_it_fits():
    text = "详见" + URL + " 办理"
    for width in (em(URL), em(URL) + 0.5, em(URL) + 3, 60):
        lines = lines_of(text, width)
        assert any(URL in line for line in lines), (width, lines)
        assert all(em(line) <= width + EPS for line in lines)


def test_url_wider_than_the_line_breaks_after_separators():
    text = "详见" + URL + " 办理"
    start = text.index(URL)
    for width in (8, 9, 10, 12, 15, 20, 30):
        lines = lines_of(text, width)
        spans = locate(text, lines)
        for (s, e), line in zip(spans, lines):
            assert em(line) <= width + EPS, (width, lines)
            if start < e < start + len(URL):   # the line ends inside the URL
                assert text[e - 1] in "/.-?&=", (width, lines)
        # The URL is reproduced exactly across its lines.
        assert "".join(lines).replace("详见", "").replace("办理", "").strip() == URL


def test_url_exact_lines():
    text = "详见" + URL + " 办理"
    assert lines_of(text, 10) == ["详见https://www.", "example.gov.cn/", "services/apply?id=",
                                 "2026&type=", "residence 办理"]


def test_url_trailing_sentence_punctuation_is_not_part_of_it():
    text = "网址为www.gov.cn." + "一二三"
    lines = lines_of(text, em("网址为www.gov.cn"))
    assert lines[0] == "网址为"     # "." may not start a line: it stays with the URL
    assert lines[1].startswith("www.gov.cn.")


@pytest.mark.parametrize("dash", ["——", "……"])
def test_dash_and_ellipsis_kept_whole_and_never_start_a_line(dash):
    cases = [(f"他说{dash}我们一定能做到{dash}大家都笑了", width) for width in (3, 3.5, 4, 5, 6, 8)]
    # A doubled dash is one 4-em token glued to the character before it: 5 em at least.
    cases += [(f"他说{dash}我们一定能做到{dash}大家都笑了{dash}{dash}好", width)
              for width in (5, 5.5, 6, 7, 8, 10)]
    for text, width in cases:
        lines = lines_of(text, width)
        locate(text, lines)
        assert sum(line.count(dash[0]) for line in lines) == text.count(dash[0])
        for before, after in zip(lines, lines[1:]):
            assert after[0] != dash[0], (width, lines)
            assert before[-1] != dash[0] or after[0] != dash[0], (width, lines)
        for line in lines:
            assert em(line) <= width + EPS, (width, lines)


def test_dash_push_out_exact_lines():
    assert lines_of("一二三四——五六", 5) == ["一二三", "四——五六"]
    assert lines_of("一二三四……五六", 5) == ["一二三", "四……五六"]


# -- indents, fullness, edge cases ---------------------------------------------------------

def test_ideographic_space_indent_is_kept():
    assert lines_of("\u3000\u3000一二三四五六", 4) == ["\u3000\u3000一二", "三四五六"]


def test_ideographic_space_is_content_not_a_droppable_space():
    lines = lines_of("一二三\u3000四五六", 4)
    assert lines == ["一二三\u3000", "四五六"]
    assert "".join(lines) == "一二三\u3000四五六"


def test_lines_are_full_when_breaks_are_allowed():
    text = "为民办实事是街道工作的重中之重今年共安排十项民生实事项目"
    for width in range(3, 30):
        lines = lines_of(text, width)
        assert "".join(lines) == text
        assert all(len(line) == width for line in lines[:-1]), (width, lines)
        assert 1 <= len(lines[-1]) <= width


def test_empty_and_blank_text():
    assert lines_of("", 10) == []
    assert break_ranges("", 10, lambda s, e: 0.0) == []
    assert lines_of("   ", 10) == []


def test_leading_spaces_never_make_an_empty_line():
    # Leading spaces are kept when they fit with the first word ...
    assert lines_of("  abc", 4) == ["  abc"]
    # ... and dropped like any break space when they do not.
    lines = lines_of("  abcdefg", 4)
    assert lines == ["abcdefg"]
    assert lines_of("      一", 1) == ["一"]


def test_single_character_wider_than_the_line():
    assert lines_of("一二三", 0.5) == ["一", "二", "三"]


def test_word_wider_than_the_line_is_cut_between_characters():
    lines = lines_of("abcdefghijklmnop", 2.2)
    assert lines == ["abcd", "efgh", "ijkl", "mnop"]


def test_break_ranges_matches_break_lines():
    text = "关于调整2026年城乡居民医保缴费标准（每人每年380元）的通知，详见www.gov.cn。"
    ranges = break_ranges(text, 8, lambda s, e: em(text[s:e]))
    assert [text[s:e] for s, e in ranges] == lines_of(text, 8)


# -- properties ----------------------------------------------------------------------------

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
OPENS = list("（《【「『〔〖〈“‘￥$/／([{")
CLOSES = list("、，。：；！？）》】」』〕〗〉”’％‰℃·～,.:;!?)]}%") + ["——", "……"]
NUMBERS = ["98.5%", "1,234.56", "12:30", "￥120", "2026-12-05", "A4", "3.14", "100%", "0.5‰",
           "36.5℃", "1,000,000"]
URLS = ["https://www.example.gov.cn/a/b?id=1&x=2", "http://zwfw.sh.gov.cn/guide/2026-12-05/index.html",
        "www.gov.cn", "https://12345.gov.cn/?q=ybcb&page=3"]


@st.composite
def segments(draw):
    """A piece of text between two allowed break positions, and what kind it is.

    ``opens`` core ``closes``: runs of prohibited characters around a core are at most 3
    long, so the segment is short; between segments a break is always allowed.
    """
    kind = draw(st.sampled_from(["han"] * 8 + ["word", "number", "ideo", "url", "punct"] * 1
                                + ["punct"]))
    if kind == "url":
        return "url", draw(st.sampled_from(URLS))
    if kind == "ideo":
        return "ideo", "\u3000"
    if kind == "han":
        return "han", draw(st.sampled_from(HAN))
    if kind == "word":
        core = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ", min_size=1, max_size=7))
    elif kind == "number":
        core = draw(st.sampled_from(NUMBERS))
    else:
        core = draw(st.sampled_from(HAN))
    opens = draw(st.lists(st.sampled_from(OPENS), max_size=2))
    closes = draw(st.lists(st.sampled_from(CLOSES), max_size=3 - len(opens)))
    inner_space = " " if closes and draw(st.integers(0, 5)) == 0 else ""
    return kind, "".join(opens) + core + inner_space + "".join(closes)


#: Issue 17 made some neighbours one run (no break between them): a number and a unit
#: (the unit characters among HAN), UAX #14 LB24/LB25 (a postfix or prefix and a letter,
#: digit or opening bracket), and a number range or time joined by ～ or ：.
UNIT_HAN = set("人个时分成年")
POSTFIX_PREFIX = set("%％‰℃￥$＄")


def joined(before: str, after: str) -> bool:
    """Whether two segments written without a space between form one run."""
    last, first = before[-1], after[0]
    alnum = lambda ch: ch.isascii() and ch.isalnum()  # noqa: E731
    if last.isdigit() and first in UNIT_HAN:
        return True
    if last in POSTFIX_PREFIX and (alnum(first) or first in "（([{“‘《【「『〔〖〈"):
        return True
    if first in POSTFIX_PREFIX and alnum(last):
        return True
    return len(before) > 1 and before[-1] in "～：" and before[-2].isdigit() and first.isdigit()


@st.composite
def texts(draw):
    """Mixed text plus the (start, content_end, is_url) spans of its segments."""
    parts = draw(st.lists(segments(), min_size=4, max_size=60))
    if draw(st.booleans()):
        parts.insert(0, ("ideo", "\u3000\u3000"))
    text = ""
    spans = []
    for index, (kind, piece) in enumerate(parts):
        start = len(text)
        text += piece
        if spans and spans[-1][1] == start and kind != "url" and joined(text[spans[-1][0]:start], piece):
            start = spans.pop()[0]  # one run with the segment before
        spans.append((start, len(text), kind == "url"))
        nxt = parts[index + 1][1] if index + 1 < len(parts) else ""
        must_space = kind == "url" or (nxt and ord(nxt[0]) < 0x80
                                       and (ord(piece[-1]) < 0x80 or piece[-1] == "’"))
        if nxt and (must_space or draw(st.integers(0, 9)) == 0):
            text += draw(st.sampled_from([" ", " ", "  ", "\t"]))
    widest = max((em(text[s:e]) for s, e, url in spans if not url), default=0.0)
    low = max(6.0, widest)
    # Mostly narrow lines, so that most texts break into several lines.
    width = draw(st.one_of(st.floats(min_value=low, max_value=low + 4.0),
                           st.floats(min_value=low, max_value=40.0)))
    return text, spans, width


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(texts())
def test_property_lines_reassemble_the_text(case):
    text, spans, width = case
    lines = lines_of(text, width)
    found = locate(text, lines)
    assert found[0][0] == 0
    for number, line in enumerate(lines):
        assert line[-1] not in " \t", "spaces at a break must be dropped"
        if number:
            assert line[0] not in " \t"
    # Only spaces (never U+3000) are dropped, so the non-space characters all survive.
    assert "".join(lines).replace(" ", "").replace("\t", "") == text.replace(" ", "").replace("\t", "")


@PROPERTY_SETTINGS
@given(texts())
def test_property_lines_fit_and_follow_the_prohibition_rules(case):
    text, spans, width = case
    lines = lines_of(text, width)
    found = locate(text, lines)
    starts = {s for s, _, _ in spans}
    ends = {e for _, e, _ in spans}
    wide_urls = [(s, e) for s, e, url in spans if url and em(text[s:e]) > width + EPS]

    def in_wide_url(pos):
        return any(s < pos < e for s, e in wide_urls)

    for number, ((s, e), line) in enumerate(zip(found, lines)):
        # (b) Every line fits: segments fit by construction and long URLs are cut.
        assert em(line) <= width + EPS, (width, lines)
        # Breaks fall between segments, or inside a URL that is wider than the line.
        if number:
            assert s in starts or in_wide_url(s), (width, line, lines)
        if number < len(lines) - 1:
            assert e in ends or in_wide_url(e), (width, line, lines)
        # (c) Prohibition rules hold at every break that was not forced inside a URL.
        if number and not in_wide_url(s):
            assert line[0] not in NO_START, (width, lines)
        if number < len(lines) - 1 and not in_wide_url(e):
            assert line[-1] not in NO_END, (width, lines)
        # Not needlessly short: the next segment would not have fitted on this line.
        if number < len(lines) - 1 and not in_wide_url(e):
            following = [(ss, ee) for ss, ee, _ in spans if ss >= e]
            nxt_end = following[0][1]
            assert em(text[s:nxt_end]) > width + EPS, (width, line, lines)


@PROPERTY_SETTINGS
@given(texts())
def test_property_deterministic(case):
    text, _, width = case
    first = lines_of(text, width)
    assert lines_of(text, width) == first
    ranges = break_ranges(text, width, lambda s, e: em(text[s:e]))
    assert [text[s:e] for s, e in ranges] == first


ANY_CHARS = HAN + "".join(OPENS) + "".join(CLOSES) + "abcxyz0123456789 \t\u3000.,-/%:—…"


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=ANY_CHARS, max_size=80), st.floats(min_value=0.3, max_value=30.0))
def test_property_arbitrary_text_never_loses_text_or_overflows(text, width):
    # No constraints: prohibited runs may be long and words wider than the line. Lines may
    # then break at forbidden places, but text is never lost, no line is empty, and a line
    # wider than the width is a single character wider than the width.
    lines = lines_of(text, width)
    locate(text, lines)
    if text.strip(" \t"):
        assert lines
    for line in lines:
        assert em(line) <= width + EPS or len(line) == 1, (width, lines)
    assert lines_of(text, width) == lines

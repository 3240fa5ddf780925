"""Paragraphs of styled spans -> positioned lines.

A paragraph is broken with :mod:`player.layout.linebreak` (the first-line indent is two
U+3000 characters, which the breaker keeps), then each line except the last is
justified: the spare width is spread evenly over the gaps between tokens, so it goes
between Han characters and between words, never inside a Latin word or a number. A line
that would need more than half a character per gap (a line cut short before a very long
word) is left-aligned instead of being spread thin. A justified paragraph never ends in a
line of one character (with or without its punctuation) when moving a token down avoids
it; the previous line is then justified a little looser.

Titles and headings (:func:`balanced_lines`) break only between words when a
:class:`~player.layout.words.Segmenter` is given, and their lines are of even length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from player.layout.display import Metrics, Style, TextOp
from player.layout.linebreak import HANGABLE, break_ranges, tokenize
from player.layout.words import Segmenter, inside_words
from player.model.notice import Span

INDENT = "\u3000\u3000"
#: Largest extra space per gap, in ems, before justification gives up on a line.
MAX_JUSTIFY_EM = 0.5


@dataclass(frozen=True)
class Line:
    """A laid-out line: runs with x relative to the line start and y = 0."""

    runs: tuple[TextOp, ...]
    width: float
    chars: int


class _Styled:
    """A paragraph's text, the style of every character and prefix sums of widths.

    Widths are additive (the Metrics contract: no kerning), so the width of any slice
    is a difference of two prefix sums and breaking a paragraph costs one measurement
    per character.
    """

    def __init__(self, spans: Sequence[Span], regular: Style, bold: Style, prefix: str,
                 metrics: Metrics) -> None:
        self.text = prefix + "".join(s.text for s in spans)
        self.bounds: list[tuple[int, int, Style]] = []
        pos = 0
        if prefix:
            self.bounds.append((0, len(prefix), regular))
            pos = len(prefix)
        for span in spans:
            if span.text:
                self.bounds.append((pos, pos + len(span.text), bold if span.bold else regular))
                pos += len(span.text)
        self.sums = [0.0]
        self.half = [0.0] * (len(self.text) + 1)  # half[e]: hang allowed for a line ending at e
        total = 0.0
        for s, e, style in self.bounds:
            metrics.width(self.text[s:e], style)  # lets the measurer learn a whole run at once
            for index in range(s, e):
                ch = self.text[index]
                advance = metrics.width(ch, style)
                total += advance
                self.sums.append(total)
                if ch in HANGABLE:
                    self.half[index + 1] = advance / 2

    def pieces(self, start: int, end: int) -> list[tuple[int, int, Style]]:
        """Style runs covering ``text[start:end]``."""
        out = []
        for s, e, style in self.bounds:
            lo, hi = max(s, start), min(e, end)
            if lo < hi:
                out.append((lo, hi, style))
        return out

    def measure(self, start: int, end: int) -> float:
        """Width of ``text[start:end]``."""
        return self.sums[end] - self.sums[start]

    def hang(self, end: int) -> float:
        """How far a line ending at ``end`` may overhang the margin."""
        return self.half[end]


def layout_paragraph(spans: Sequence[Span], width: float, metrics: Metrics, regular: Style,
                     bold: Style | None = None, *, indent: bool = False, justify: bool = True,
                     align: str = "left", words: Segmenter | None = None) -> list[Line]:
    """Lay out one paragraph.

    Args:
        spans: the text.
        width: line width in pixels.
        metrics: text measurement.
        regular: style of plain spans; ``bold`` of bold spans (defaults to ``regular``).
        indent: two-character first-line indent.
        justify: justify all lines but the last (only with ``align="left"``); justified
            paragraphs may hang a line-end 。，、 half out (when that makes the line fit)
            and avoid a last line of one character (with or without its punctuation).
        align: "left", "center" or "right".
        words: break between words only (titles, headings); None: between characters.

    Returns:
        The lines, with runs positioned inside ``width`` (ink never passes it).
    """
    styled = _Styled(spans, regular, bold or regular, INDENT if indent else "", metrics)
    if not styled.text.strip():
        return []
    keep = _inside_words(styled, width, words)
    return _set(styled, width, keep, justify and align == "left", align, regular.size)


def _inside_words(styled: _Styled, width: float, words: Segmenter | None) -> frozenset[int]:
    """Positions inside words, asked of the segmenter only when the text needs two lines."""
    if words is None or styled.measure(0, len(styled.text)) <= width + 1e-9:
        return frozenset()
    return inside_words(styled.text, words)


def _set(styled: _Styled, width: float, keep: frozenset[int], flowing: bool, align: str,
         em: float, avoid_widow: bool = False) -> list[Line]:
    text = styled.text
    ranges = break_ranges(text, width, styled.measure, trim=styled.hang if flowing else None,
                          avoid_widow=flowing or avoid_widow, keep=keep)
    lines = []
    for number, (start, end) in enumerate(ranges):
        natural = styled.measure(start, end)
        # A line that only fits by hanging its last 。，、 is justified so that the ink of
        # that mark, not its blank half, meets the margin.
        visible = natural - styled.hang(end) if natural > width + 1e-9 else natural
        last = number == len(ranges) - 1
        if flowing and not last:
            runs = _justified(styled, start, end, width - visible, em)
        else:
            offset = {"center": (width - natural) / 2, "right": width - natural}.get(align, 0.0)
            runs = _runs(styled, start, end, max(0.0, offset))
        chars = sum(1 for ch in text[start:end] if not ch.isspace())
        lines.append(Line(tuple(runs), visible, chars))
    return lines


def _runs(styled: _Styled, start: int, end: int, x: float) -> list[TextOp]:
    runs = []
    for s, e, style in styled.pieces(start, end):
        runs.append(TextOp(x, 0.0, styled.text[s:e], style))
        x += styled.measure(s, e)
    return runs


def _justified(styled: _Styled, start: int, end: int, spare: float, em: float) -> list[TextOp]:
    line = styled.text[start:end]
    tokens = tokenize(line)
    # Gaps follow each token but the last; never stretch the indent.
    first = 0
    while first < len(tokens) and line[tokens[first].start:tokens[first].space_end] == "\u3000":
        first += 1
    gaps = max(0, len(tokens) - 1 - first) if first < len(tokens) else 0
    if abs(spare) <= 0.5 or gaps == 0 or spare / gaps > MAX_JUSTIFY_EM * em:
        return _runs(styled, start, end, 0.0)
    per_gap = spare / gaps
    runs: list[TextOp] = []
    x = 0.0
    for index, tok in enumerate(tokens):
        seg_start = start + tok.start
        seg_end = start + (tok.space_end if index < len(tokens) - 1 else tok.end)
        for s, e, style in styled.pieces(seg_start, seg_end):
            runs.append(TextOp(x, 0.0, styled.text[s:e], style))
            x += styled.measure(s, e)
        if first <= index < len(tokens) - 1:
            x += per_gap
    return runs


def balanced_lines(spans: Sequence[Span], width: float, metrics: Metrics, style: Style,
                   align: str = "center", *, bold: Style | None = None, indent: bool = False,
                   words: Segmenter | None = None) -> list[Line]:
    """Lines of a title or heading: as many as greedy breaking needs, but of even length.

    The narrowest width that still gives the same number of lines, with no break inside
    a word (when ``words`` is given), is found by bisection, so an 80-character title does
    not end in a two-character last line; a last line of one character (or one word of
    one character, 公开/表) still takes the word before it along.

    Args:
        spans, width, metrics, style: as for :func:`layout_paragraph` (``bold``: the style
            of bold spans, default ``style``).
        align: "center", "left" or "right"; lines are aligned within ``width``.
        indent: two-character first-line indent (ladder headings).
        words: the word segmenter (None: break between characters).
    """
    styled = _Styled(spans, style, bold or style, INDENT if indent else "", metrics)
    if not styled.text.strip():
        return []
    keep = _inside_words(styled, width, words)
    greedy = break_ranges(styled.text, width, styled.measure, keep=keep)
    if len(greedy) <= 1:
        return _set(styled, width, keep, False, align, style.size)

    def fits(w: float) -> bool:
        ranges = break_ranges(styled.text, w, styled.measure, keep=keep)
        return len(ranges) <= len(greedy) and not any(s in keep for s, _ in ranges)

    low, high = width / len(greedy), width
    for _ in range(12):
        mid = (low + high) / 2
        if fits(mid):
            high = mid
        else:
            low = mid
    lines = _set(styled, high, keep, False, align, style.size, avoid_widow=True)
    # Re-align within the full width.
    shift = {"center": (width - high) / 2, "right": width - high}.get(align, 0.0)
    return [Line(tuple(TextOp(r.x + shift, r.y, r.text, r.style) for r in ln.runs), ln.width, ln.chars)
            for ln in lines]

"""Chinese line breaking after W3C clreq ("Requirements for Chinese Text Layout").

The text is cut into *tokens* that are never split: one Han character or punctuation
mark, or an unbreakable run (:mod:`player.layout.runs`: a Latin word, a number with its
separators, prefix, postfix and unit, a date, a time range, a telephone number, a URL, a
dash ——, an ellipsis ……). A token may carry trailing spaces; a line break after it drops
them. A break is allowed between two tokens unless the next one must not start a line
(、，。：；！？ ）》」 …, "line-start prohibited"), the previous one must not end a line
(（《「 “ ￥ …, "line-end prohibited"), UAX #14 LB24/LB25 keep a numeric prefix or postfix
with its neighbour (100%A, ￥(…), or the break falls inside a word of a title or heading
(``keep``: positions inside words, from :mod:`player.layout.words`).

Filling is greedy; when the next token does not fit and no break is allowed right
there, the break moves back to the nearest allowed position ("push-out": the previous
character goes down with the punctuation). Inside words a break is allowed again when a
word is wider than the line; only a run that cannot be broken and is wider than the line
by itself is cut inside: a URL after / . - ? & =, another run after a unit or separator
when it can (2026年11月/27日), else between characters.

Paragraphs also avoid an isolated last line (``avoid_widow``): a last line holding one
character, with or without its punctuation (密。), takes the token(s) before it along, so
the previous line ends earlier and is justified a little looser (clreq allows adjusting
the previous line).

Invariants (checked by property tests): every line fits the width unless a single
unbreakable run is wider; no line starts with a prohibited-start character or ends with
a prohibited-end character unless a run wider than the line forced it; joining the lines
gives back the text minus the spaces dropped at breaks; U+3000 (ideographic space, used
for indents) is content and is never dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from player.layout.runs import TOKEN_RE, glued

#: Characters that must not start a line (clreq 3.1.7 plus half-width forms).
NO_START = frozenset(
    "、，。．：；！？）》】」』〕〗〉〙〛”’％‰℃·・～〜—…⋯"
    "，．：；！？）］｝％"
    ",.:;!?)]}%"
)
#: Characters that must not end a line.
NO_END = frozenset(
    "（《【「『〔〖〈〘〚“‘￥＄$/／([{（［｛£€¥"
)
#: Full-width marks whose right half is blank in Simplified Chinese fonts: at a line end
#: they may hang half a character past the margin (clreq "line-end compression").
HANGABLE = frozenset("，。、；：！？）》】」』〕〗〉”’")
#: Characters a too-long URL may be broken after.
URL_BREAK_AFTER = frozenset("/.-?&=#_")
#: Characters a run wider than the line is preferably cut after (besides a unit: 2026年/11月).
RUN_BREAK_AFTER = frozenset(",-/:：—–~～ ")

_URL_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Token:
    """``text[start:end]`` is the content; ``text[end:space_end]`` its trailing spaces."""

    start: int
    end: int
    space_end: int
    url: bool = False


def tokenize(text: str) -> list[Token]:
    """Cut text into unbreakable tokens (leading spaces become an empty-content token)."""
    tokens: list[Token] = []
    pos = 0
    lead = len(text) - len(text.lstrip(" \t"))
    if lead:
        tokens.append(Token(0, 0, lead))
        pos = lead
    while pos < len(text):
        match = TOKEN_RE.match(text, pos)
        assert match is not None  # "." with re.S matches any character
        content_end = match.end(1)
        is_url = match.group(1).startswith(("http://", "https://", "www."))
        if is_url:  # sentence punctuation after a URL is not part of it
            stripped = match.group(1).rstrip(_URL_TRAILING)
            if len(stripped) < len(match.group(1)) and len(stripped) > 4:
                content_end = match.start(1) + len(stripped)
                tokens.append(Token(match.start(1), content_end, content_end, True))
                pos = content_end
                continue
        tokens.append(Token(match.start(1), content_end, match.end(2), is_url))
        pos = match.end()
    return tokens


def _can_break(text: str, before: Token, after: Token, keep: frozenset[int] = frozenset()) -> bool:
    """Whether a line may end after ``before`` and the next start with ``after``."""
    if before.end == before.start:  # leading spaces of the paragraph
        return False
    first, last = text[after.start], text[before.end - 1]
    if first in NO_START or last in NO_END:
        return False
    if before.space_end == before.end and not after.url and glued(last, first):
        return False  # UAX #14 LB24/LB25 (a space between, or a URL after, allows the break)
    return after.start not in keep


def core_chars(text: str) -> int:
    """Letters, digits and Han characters in ``text`` (punctuation, symbols, spaces not counted)."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def _last_break(text: str, tokens: list[Token], i: int, j: int, keep: frozenset[int]) -> int:
    """The largest ``b`` in (i, j] with a break allowed before ``tokens[b]``, else ``i``."""
    b = j
    while b > i and not _can_break(text, tokens[b - 1], tokens[b], keep):
        b -= 1
    return b


RangeMeasure = Callable[[int, int], float]


def break_ranges(text: str, width: float, measure: RangeMeasure, *,
                 trim: Callable[[int], float] | None = None,
                 avoid_widow: bool = False,
                 keep: frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """Line break ``text``; returns ``(start, end)`` slices, trailing break spaces excluded.

    Args:
        text: one paragraph (no newlines).
        width: the line width, in the units of ``measure``.
        measure: width of ``text[start:end]``.
        trim: how much a line ending at index ``end`` may overhang the width (half of a
            full-width 。，、 or closing bracket, whose right half is blank); used only
            when the line would not fit otherwise.
        avoid_widow: move tokens down when the last line would hold a single
            character (with or without its punctuation) and a break one step earlier
            is allowed and fits (paragraphs use this).
        keep: positions where no break is allowed unless a line has no other break
            (inside the words of a title or heading).
    """
    tokens = tokenize(text)
    lines: list[tuple[int, int]] = []
    spans: list[tuple[int, int] | None] = []  # token indices of lines ending at a token end
    hang = trim or (lambda _end: 0.0)
    i = 0
    while i < len(tokens):
        n = len(tokens)
        # Greedy: how many tokens fit (widths summed, then checked exactly).
        j, total = i, 0.0
        while j < n:
            add = measure(tokens[j - 1].end if j > i else tokens[j].start, tokens[j].end)
            if total + add - hang(tokens[j].end) > width + 1e-9:
                break
            total += add
            j += 1
        while j > i + 1 and measure(tokens[i].start, tokens[j - 1].end) - hang(tokens[j - 1].end) > width + 1e-9:
            j -= 1  # kerning made the sum optimistic
        if j >= n:
            if tokens[n - 1].end > tokens[i].start:  # not just leading spaces
                lines.append((tokens[i].start, tokens[n - 1].end))
                spans.append((i, n))
            break
        tok = tokens[j]
        if measure(tok.start, tok.end) > width + 1e-9:
            # tokens[j] is wider than any line and must be cut anyway: fill this line first.
            line_start = tokens[i].start if j > i else tok.start
            cut = _cut(text, tok, line_start, width, measure)
            if cut > tok.start:
                lines.append((line_start, cut))
                spans.append(None)
                tokens[j] = Token(cut, tok.end, tok.space_end, tok.url)
                i = j
                continue
            if j == i:  # a single character wider than the line
                lines.append((tok.start, tok.start + 1))
                spans.append(None)
                tokens[j] = Token(tok.start + 1, tok.end, tok.space_end, tok.url)
                if tok.start + 1 == tok.end:
                    i += 1
                continue
        # tokens[i:j] fit and tokens[j] does not: find the last allowed break.
        b = _last_break(text, tokens, i, j, keep)
        if b == i and keep:  # a word wider than the line: break inside it, clreq rules still
            b = _last_break(text, tokens, i, j, frozenset())
        if b == i:
            b = j  # an unbreakable run wider than the line: break where it overflows
            if b == i:
                b = i + 1
        if tokens[b - 1].end > tokens[i].start:  # leading spaces alone: dropped at the break
            lines.append((tokens[i].start, tokens[b - 1].end))
            spans.append((i, b))
        i = b
    if avoid_widow:
        _avoid_widow(text, tokens, lines, spans, width, measure, hang, keep)
    return lines


def _avoid_widow(text: str, tokens: list[Token], lines: list[tuple[int, int]],
                 spans: list[tuple[int, int] | None], width: float, measure: RangeMeasure,
                 hang: Callable[[int], float], keep: frozenset[int]) -> None:
    """A last line of one character (and its punctuation) takes the token before it along."""
    if len(lines) < 2 or spans[-1] is None or spans[-2] is None:
        return
    start, end = lines[-1]
    if core_chars(text[start:end]) > 1:
        return
    first, last_start = spans[-2]
    for b in range(last_start - 1, first, -1):
        if _can_break(text, tokens[b - 1], tokens[b], keep):
            if measure(tokens[b].start, end) - hang(end) <= width + 1e-9:
                lines[-2] = (tokens[first].start, tokens[b - 1].end)
                lines[-1] = (tokens[b].start, end)
            return


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Split one paragraph into lines no wider than ``width`` following clreq rules.

    Args:
        text: the paragraph.
        width: available width.
        measure: width of a string, in the same units.

    Returns:
        The lines; ``"".join(lines)`` is ``text`` minus spaces dropped at breaks.
    """
    if not text:
        return []
    return [text[s:e] for s, e in break_ranges(text, width, lambda s, e: measure(text[s:e]))]


def _cut(text: str, tok: Token, line_start: int, width: float, measure: RangeMeasure) -> int:
    """Where to cut a too-wide token so that ``text[line_start:cut]`` fits.

    URLs are cut after / . - ? & = when such a place fits; other runs after a Han unit or
    a separator (2026年11月/27日, 8:30-/12:00) when one fits, else between any two
    characters. Returns ``tok.start`` when not even one character fits.
    """
    end = tok.start
    best_url = best_run = -1
    while end < tok.end and measure(line_start, end + 1) <= width + 1e-9:
        end += 1
        if tok.url and text[end - 1] in URL_BREAK_AFTER:
            best_url = end
        if end < tok.end and (text[end - 1] in RUN_BREAK_AFTER or "\u4e00" <= text[end - 1] <= "\u9fff"):
            best_run = end  # after a unit (2026年/11月) or a separator
    if tok.url and best_url > tok.start:
        return best_url
    if tok.url and line_start < tok.start:
        return tok.start  # start the URL on a fresh line rather than cut it anywhere
    if not tok.url and best_run > tok.start:
        return best_run
    return end

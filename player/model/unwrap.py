"""Hard-wrapped ``.txt`` files -> one line per paragraph.

Text copied out of a PDF or a web page often breaks every 30-40 characters in the middle
of sentences; read as "every line is a paragraph" it becomes a staircase of fragments.
The decision is per file, from its line statistics, and conservative:

- the *wrap width* W is the 90th percentile of line lengths (in display columns: a Han
  character counts two);
- the file is hard-wrapped when at least :data:`MIN_LINES` lines are non-empty, at least
  half of them are *full* (within :data:`FULL_SLACK` of W) and at least half of the full
  lines end in the middle of a sentence (no 。！？；：…); an ordinary Notepad file, one
  line per paragraph, has lines of every length ending in 。 and is never touched.

Joining then follows the layout of the text: a line continues the previous one when
that one was full, and it does not start with an indent, a ladder or list marker, or a
date line. A blank line always separates paragraphs. Pure.
"""

from __future__ import annotations

import re
import unicodedata

from player.model.notice import Note

MIN_LINES = 6
FULL_SLACK = 0.15
_SENTENCE_END = "。！？；：!?;:…”’」』）)"
_STARTER = re.compile(r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百\d]+[）)]|\d{1,3}[．.、]"
                      r"|[-*•·]\s|第[一二三四五六七八九十百\d]+[章条节款]|\d{4}\s*年\s*\d{1,2}\s*月)")
_INDENT = (" ", "\t", "\u3000")


def columns(text: str) -> int:
    """Display width: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_hard_wrapped(lines: list[str]) -> bool:
    """Whether the non-empty lines look wrapped at a fixed width (see module docstring)."""
    body = [line.rstrip() for line in lines if line.strip(" \t\u3000")]
    if len(body) < MIN_LINES:
        return False
    widths = sorted(columns(line) for line in body)
    wrap = widths[int(0.9 * (len(widths) - 1))]
    if wrap < 20 or wrap > 200:
        return False
    full = [line for line in body if columns(line) >= wrap * (1 - FULL_SLACK)]
    if len(full) * 2 < len(body):
        return False
    open_ended = sum(1 for line in full if line[-1] not in _SENTENCE_END)
    return open_ended * 2 >= len(full)


def unwrap(text: str) -> tuple[str, Note | None]:
    """Join the continuation lines of a hard-wrapped text.

    Args:
        text: the body of a ``.txt`` notice (after front matter).

    Returns:
        (the text, one paragraph per line; a note saying how many lines were joined,
        or None when the file was left as it is).
    """
    lines = text.split("\n")
    if not is_hard_wrapped(lines):
        return text, None
    body = [line.rstrip() for line in lines if line.strip(" \t\u3000")]
    widths = sorted(columns(line) for line in body)
    full_at = widths[int(0.9 * (len(widths) - 1))] * (1 - FULL_SLACK)
    out: list[str] = []
    joined = 0
    previous_full = False
    for raw in lines:
        line = raw.rstrip()
        stripped = line.strip(" \t\u3000")
        if not stripped:
            out.append("")
            previous_full = False
            continue
        starts_new = line.startswith(_INDENT) or _STARTER.match(stripped)
        if previous_full and out and out[-1] and not starts_new:
            out[-1] = _join(out[-1], stripped)
            joined += 1
        else:
            out.append(stripped)
        previous_full = columns(line) >= full_at
    if not joined:
        return text, None
    note = Note(f"hard-wrapped text: {joined} line breaks inside paragraphs were joined",
                f"文字按固定宽度折行（如从 PDF 或网页复制），已把段落中间的 {joined} 处换行接起来")
    return "\n".join(out), note


def _join(left: str, right: str) -> str:
    if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    if left.endswith("-") and left[-2:-1].isalpha() and right[0].isalpha():
        return left[:-1] + right
    return left + right

"""Plain text and Markdown notices -> title and :class:`TextBody`.

Rules (documented for staff in docs/content.md):

- Optional front matter: the file starts with a ``---`` line and the settings end at the
  next ``---`` line.
- ``.txt``: every non-empty line is one paragraph (Notepad users type a paragraph as
  one line). ``.md``: consecutive lines join into one paragraph, a blank line separates
  paragraphs, ``#`` starts a heading, ``- `` / ``* `` a bullet and ``1. `` a numbered item.
- Title: ``title:`` from the settings, else the first line (a ``#`` heading in Markdown);
  that line is then not repeated in the body.
- The official heading ladder 一、 （一） 1. / 1、 （1） is recognised. A short line with a
  ladder marker is a heading; a long one is a paragraph whose first sentence is bold (a
  run-in heading, as in the 2022 政务公开 report).
- ``**bold**`` anywhere; an unmatched ``**`` stays as typed.
- Trailing lines that read like a signature — an organisation name followed by a date
  such as 2022年12月30日 — become right-aligned closing lines (落款 and 成文日期).
  ``issuer``/``date`` settings add them when the text has none.
"""

from __future__ import annotations

import datetime as dt
import re

from player.model.notice import Block, Closing, Heading, ListItem, Meta, Paragraph, Span, TextBody
from player.model.problems import ContentError

_LADDER = (
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")),
    (3, re.compile(r"^\d{1,3}(?:[．.](?!\d)|、)")),
    (4, re.compile(r"^[（(]\d{1,3}[）)]")),
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^\s*[-*+•·]\s+(.*)$")
_MD_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_DATE_LINE = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月"
    r"[一二三四五六七八九十]{1,3}日|\d{4}-\d{1,2}-\d{1,2})$")
_SENTENCE_END = "。！？；"
#: A ladder line this short and ending without a sentence inside is a heading.
HEADING_MAX_CHARS = 32
#: A run-in heading (bold lead) is at most this long.
LEAD_MAX_CHARS = 40
_SIGNATURE_MAX_CHARS = 24


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split ``---`` front matter from the body.

    Returns:
        (front matter text or None, body text, file line number where the body starts).

    Raises:
        ContentError: a front matter block that is never closed.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    raise ContentError(
        "front matter started with '---' on line 1 is never closed; add a '---' line after the settings",
        "文件第1行以“---”开始了设置部分，但没有用“---”结束：请在设置后加一行“---”", 1)


def parse_spans(text: str) -> tuple[Span, ...]:
    """Split ``**bold**`` marks into spans; unmatched marks stay literal."""
    parts = text.split("**")
    if len(parts) % 2 == 0:  # an odd number of marks: keep the last one as typed
        parts[-2:] = [parts[-2] + "**" + parts[-1]]
    spans = [Span(part, bool(i % 2)) for i, part in enumerate(parts) if part]
    return tuple(_merge(spans))


def plain(text: str) -> str:
    """Text with bold marks removed."""
    return "".join(s.text for s in parse_spans(text))


def parse_text(body: str, markdown: bool, meta: Meta, fallback_title: str) -> tuple[str, TextBody]:
    """Parse a notice body.

    Args:
        body: text after the front matter.
        markdown: Markdown rules (``.md``) or plain-text rules (``.txt``).
        meta: settings already read; ``title``, ``issuer`` and ``date`` are used.
        fallback_title: title when the text is empty (the file name).

    Returns:
        (title, body).

    Raises:
        ContentError: a file with no text at all.
    """
    raw = _markdown_blocks(body) if markdown else _text_blocks(body)
    if not raw and meta.title is None:
        raise ContentError("the file has no text; write the notice or remove the file",
                           "文件里没有文字：请写入公告内容，或删除该文件")
    title = meta.title
    if title is None:
        kind, content = raw.pop(0) if raw else ("p", fallback_title)
        title = plain(content)
        title_from_heading = kind.startswith("#")
    else:
        title_from_heading = False
    blocks = [_block(kind, content, markdown, title_from_heading) for kind, content in raw]
    blocks = _closing(blocks, meta)
    return title.strip(), TextBody(tuple(blocks))


def _text_blocks(body: str) -> list[tuple[str, str]]:
    return [("p", line.strip(" \t\u3000")) for line in body.split("\n") if line.strip(" \t\u3000")]


def _markdown_blocks(body: str) -> list[tuple[str, str]]:
    blocks: list[tuple[str, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("p", _join_lines(para)))
            para.clear()

    for line in body.rstrip().split("\n"):  # the last paragraph stays in para
        stripped = line.strip(" \t\u3000")
        if not stripped:
            flush()
            continue
        heading = _MD_HEADING.match(stripped)
        bullet = _MD_BULLET.match(line)
        numbered = _MD_NUMBERED.match(line)
        if heading:
            flush()
            blocks.append(("#" * len(heading.group(1)), heading.group(2)))
        elif bullet and stripped not in ("---", "***"):
            flush()
            blocks.append(("-", bullet.group(1).strip()))
        elif numbered:
            flush()
            blocks.append((f"{numbered.group(1)}.", numbered.group(2).strip()))
        elif set(stripped) <= set("-*_") and len(stripped) >= 3:
            flush()  # a horizontal rule: only a paragraph break on screen
        else:
            para.append(stripped)
    # A signature typed on consecutive lines at the end (落款 above 日期) stays line by
    # line instead of joining the paragraph, so _closing() recognises it as in .txt.
    tail: list[str] = []
    if len(para) > 1 and _DATE_LINE.match(plain(para[-1])):
        tail.append(para.pop())
        while para and len(tail) < 3 and _looks_like_signature(plain(para[-1])):
            tail.insert(0, para.pop())
    flush()
    blocks.extend(("p", line) for line in tail)
    return blocks


def _join_lines(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if out and line and out[-1].isascii() and out[-1].isalnum() and line[0].isascii():
            out += " "
        out += line
    return out


def _block(kind: str, content: str, markdown: bool, title_from_heading: bool) -> Block:
    if kind.startswith("#"):
        level = len(kind) - 1 if title_from_heading else len(kind)
        return Heading(parse_spans(content), max(1, min(4, level)))
    if kind == "-":
        return ListItem(parse_spans(content), "•")
    if kind != "p":
        return ListItem(parse_spans(content), kind)
    text = plain(content)
    for level, pattern in _LADDER:
        if pattern.match(text):
            if _is_heading_line(text):
                return Heading(parse_spans(content), level, ladder=True)
            return Paragraph(_bold_lead(content))
    return Paragraph(parse_spans(content))


def ladder_block(spans: tuple[Span, ...], indent: bool = True) -> Block:
    """A paragraph of styled spans (from a document) with the ladder rule applied.

    A short line opening with 一、 （一） 1. （1） is a :class:`Heading` of that level; a
    longer one is a paragraph whose first sentence is bold (unless the author set bold
    already); anything else a plain :class:`Paragraph`.
    """
    text = "".join(s.text for s in spans)
    for level, pattern in _LADDER:
        if pattern.match(text):
            if _is_heading_line(text):
                return Heading(spans, level, ladder=True)
            if any(s.bold for s in spans):
                return Paragraph(spans, indent)
            cut = min((i for i in (text.find(ch) for ch in "。：:") if i >= 0), default=-1)
            if 0 <= cut < LEAD_MAX_CHARS:
                return Paragraph((Span(text[: cut + 1], True), Span(text[cut + 1:])) if text[cut + 1:]
                                 else (Span(text, True),), indent)
            return Paragraph(spans, indent)
    return Paragraph(spans, indent)


def closing_blocks(blocks: list[Block], meta: Meta = Meta()) -> list[Block]:
    """Blocks with a trailing signature (落款 above a date line) turned into
    :class:`Closing` lines, the same rule as for ``.txt`` notices."""
    return _closing(list(blocks), meta)


def is_date_line(text: str) -> bool:
    """Whether a line is a date as written under a notice (2022年12月30日, 二〇二二年…)."""
    return bool(_DATE_LINE.match(text.strip()))


def _is_heading_line(text: str) -> bool:
    if len(text) > HEADING_MAX_CHARS:
        return False
    inner = text.rstrip(_SENTENCE_END + "：:")
    return not any(ch in _SENTENCE_END for ch in inner)


def _bold_lead(content: str) -> tuple[Span, ...]:
    """A ladder paragraph: its first sentence (up to 。 or ：) is a run-in heading."""
    cut = min((i for i in (content.find(ch) for ch in "。：:") if i >= 0), default=-1)
    if content.startswith("**") or cut < 0 or cut + 1 > LEAD_MAX_CHARS or "**" in content[:cut]:
        return parse_spans(content)  # no short lead sentence, or the author chose the bold
    return tuple(_merge([Span(content[: cut + 1], True), *parse_spans(content[cut + 1:])]))


def _closing(blocks: list[Block], meta: Meta) -> list[Block]:
    """Turn a trailing signature into closing lines and add issuer/date from settings."""
    tail: list[str] = []
    if blocks and isinstance(blocks[-1], Paragraph) and _DATE_LINE.match(_text(blocks[-1])):
        tail.insert(0, _text(blocks.pop()))
        while (blocks and isinstance(blocks[-1], Paragraph) and len(tail) < 3
               and _looks_like_signature(_text(blocks[-1]))):
            tail.insert(0, _text(blocks.pop()))
    if meta.issuer and meta.issuer not in tail:
        tail.insert(len(tail) - 1 if tail and _DATE_LINE.match(tail[-1]) else len(tail), meta.issuer)
    if meta.date and not any(_DATE_LINE.match(t) for t in tail):
        tail.append(format_date(meta.date))
    return blocks + [Closing(t) for t in tail]


def _text(block: Paragraph) -> str:
    return "".join(s.text for s in block.spans)


def _looks_like_signature(text: str) -> bool:
    return (len(text) <= _SIGNATURE_MAX_CHARS and text[-1] not in "。，；：！？、,.;:!?"
            and not any(p.match(text) for _, p in _LADDER))


def format_date(day: dt.date) -> str:
    """``2026年11月27日`` (GB/T 9704 writes dates with Arabic numerals)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if out and out[-1].bold == span.bold:
            out[-1] = Span(out[-1].text + span.text, span.bold)
        elif span.text:
            out.append(span)
    return out

"""Word's styles and numbering, resolved from the package XML.

A paragraph's look comes from its own properties, then its style, then the style's
``basedOn`` chain, then the document defaults. :class:`StyleBook` resolves what the
parser needs — alignment, heading level, bold, size, the Title style — and
:class:`Numbering` turns ``w:numPr`` into the marker Word would draw (1. 一、 （1） •).
Pure: works on the lxml trees python-docx already parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_FALSE = ("0", "false", "off", "none")
_CN_DIGITS = "〇一二三四五六七八九"


def wval(element, name: str) -> str | None:
    """The ``w:val`` of child ``name`` (None when absent)."""
    if element is None:
        return None
    child = element.find(W + name)
    return None if child is None else child.get(W + "val", "true")


def on(value: str | None) -> bool | None:
    """A Word toggle (``<w:b/>``, ``<w:b w:val="0"/>``) as True/False, or None when unset."""
    return None if value is None else value.lower() not in _FALSE


@dataclass(frozen=True)
class StyleInfo:
    """What a paragraph style says (after its ``basedOn`` chain)."""

    name: str = ""
    align: str | None = None
    outline: int | None = None    # 0-based outline level
    bold: bool | None = None
    size_pt: float | None = None
    numbering: tuple[str, int] | None = None   # (numId, ilvl) of a list style


class StyleBook:
    """Paragraph and character styles of one document."""

    def __init__(self, styles_root) -> None:
        self._raw: dict[str, object] = {}
        self.default_size: float = 10.5
        self.default_para: str | None = None
        self._cache: dict[str, StyleInfo] = {}
        if styles_root is None:
            return
        for style in styles_root.iter(W + "style"):
            sid = style.get(W + "styleId")
            if sid:
                self._raw[sid] = style
                if style.get(W + "type") == "paragraph" and on(style.get(W + "default")):
                    self.default_para = sid
        defaults = styles_root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        size = wval(defaults, "sz")
        if size and size.isdigit():
            self.default_size = int(size) / 2

    def info(self, style_id: str | None) -> StyleInfo:
        """The resolved paragraph style (the default style when ``style_id`` is None)."""
        sid = style_id or self.default_para
        if sid is None:
            return StyleInfo(size_pt=self.default_size)
        if sid not in self._cache:
            self._cache[sid] = self._resolve(sid, 0)
        return self._cache[sid]

    def _resolve(self, sid: str, depth: int) -> StyleInfo:
        style = self._raw.get(sid)
        if style is None or depth > 20:
            return StyleInfo(size_pt=self.default_size)
        based = style.find(W + "basedOn")
        parent = self._resolve(based.get(W + "val"), depth + 1) if based is not None else StyleInfo(
            size_pt=self.default_size)
        name_el = style.find(W + "name")
        name = name_el.get(W + "val", sid) if name_el is not None else sid
        ppr, rpr = style.find(W + "pPr"), style.find(W + "rPr")
        align = wval(ppr, "jc")
        outline = wval(ppr, "outlineLvl")
        size = wval(rpr, "sz")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        numbering = parent.numbering
        if numpr is not None and wval(numpr, "numId"):
            ilvl = wval(numpr, "ilvl")
            numbering = (wval(numpr, "numId"), int(ilvl) if ilvl and ilvl.isdigit() else 0)
        return StyleInfo(
            name=name,
            align=align or parent.align,
            outline=int(outline) if outline and outline.isdigit() else parent.outline,
            bold=on(wval(rpr, "b")) if wval(rpr, "b") is not None else parent.bold,
            size_pt=int(size) / 2 if size and size.isdigit() else parent.size_pt,
            numbering=numbering)

    def char_bold(self, style_id: str | None) -> bool | None:
        """Whether a character style makes text bold (None: says nothing)."""
        style = self._raw.get(style_id or "")
        return on(wval(style.find(W + "rPr"), "b")) if style is not None else None

    def heading_level(self, info: StyleInfo) -> int | None:
        """1-4 for Heading 1..9 styles (deeper levels map to 4) or an outline level."""
        match = _HEADING.match(info.name.strip())
        level = int(match.group(1)) if match else (info.outline + 1 if info.outline is not None
                                                    and info.outline < 9 else None)
        return None if level is None else max(1, min(4, level))

    @staticmethod
    def is_title(info: StyleInfo) -> bool:
        """The Title style (英文 Title, 中文 标题 without a number)."""
        return info.name.strip().lower() in ("title", "标题")


class Numbering:
    """List numbering: ``(numId, ilvl)`` -> the marker text, counting as Word does."""

    def __init__(self, numbering_root) -> None:
        self._levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self._counters: dict[str, list[int]] = {}
        if numbering_root is None:
            return
        abstract = {a.get(W + "abstractNumId"): a for a in numbering_root.iter(W + "abstractNum")}
        for num in numbering_root.iter(W + "num"):
            num_id = num.get(W + "numId")
            ref = num.find(W + "abstractNumId")
            definition = abstract.get(ref.get(W + "val")) if ref is not None else None
            if definition is None:
                continue
            for lvl in definition.iter(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl", "0"))
                start = wval(lvl, "start")
                self._levels[(num_id, ilvl)] = (wval(lvl, "numFmt") or "decimal", wval(lvl, "lvlText") or "",
                                                int(start) if start and start.isdigit() else 1)

    def marker(self, num_id: str, ilvl: int) -> str | None:
        """The next marker of this list level (None: not a list, e.g. numId 0)."""
        level = self._levels.get((num_id, ilvl))
        if level is None:
            return None
        fmt, text, start = level
        if fmt == "bullet":
            return "•"
        counters = self._counters.setdefault(num_id, [0] * 9)
        if ilvl >= len(counters):
            return "•"
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, len(counters)):
            counters[deeper] = 0
        out = text or f"%{ilvl + 1}."
        for k in range(9):
            if f"%{k + 1}" in out:
                own = self._levels.get((num_id, k), (fmt, "", 1))[0]
                out = out.replace(f"%{k + 1}", format_number(max(counters[k], 1), own))
        return out.strip() or "•"


def format_number(n: int, fmt: str) -> str:
    """A list counter in Word's number format (decimal, Chinese, letters, roman)."""
    if fmt.startswith("chinese") or fmt in ("ideographTraditional", "taiwaneseCounting",
                                            "ideographDigital", "japaneseCounting"):
        return chinese_number(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    return str(n)


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (up to 999)."""
    if n <= 0 or n >= 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = f"{_CN_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _CN_DIGITS[tens]) + "十"
    elif hundreds and units:
        out += "零"
    if units:
        out += _CN_DIGITS[units]
    return out


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out

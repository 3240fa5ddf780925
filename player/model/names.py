"""File names and titles are data: decoded, made printable, clipped — never trusted.

A share holds whatever bytes a client wrote as names: a zip made on a Chinese Windows PC
leaves GBK-encoded names; a name can hold a newline, a C1 control character or a bidi
override (U+202E turns ``gpj.exe`` into ``exe.jpg`` on screen). Every name is turned
into its *display form* once, where the file is found:

- UTF-8 names as they are; names that are not UTF-8 decoded as GB18030 (GBK) where that
  works, else shown with ``\\xNN`` escapes (the player keeps the real bytes for reading
  the file, so nothing is lost);
- control characters shown as ``\\n``, ``\\x85`` …; bidi overrides and isolates shown as
  ``<U+202E>``, so they cannot reorder what is around them.

Titles and other text shown in reports go through :func:`printable` with a length limit.
"""

from __future__ import annotations

import re

#: Longest title or name written into a report line (``_状态.txt``, status.json, logs).
REPORT_CHARS = 80

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u061c]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with control characters escaped, bidi controls neutralised and, with
    ``limit``, cut to at most that many characters (ending in …)."""
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), text)
    if _BIDI.search(text):
        text = _BIDI.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
    if _SURROGATE.search(text):  # from os.fsdecode (surrogateescape): show the raw byte
        text = _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}"
                              if "\udc80" <= m.group() <= "\udcff" else "\ufffd", text)
    if limit is not None and len(text) > limit:
        text = text[: max(1, limit - 1)] + "…"
    return text


def display_name(raw: bytes) -> str:
    """The display form of one file-system name (see the module docstring)."""
    try:
        text = raw.decode("utf-8")
        if _looks_like_gbk(raw, text):
            text = raw.decode("gb18030")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "backslashreplace")
    return printable(text)


def _chinese(text: str) -> bool:
    """Only ASCII, CJK ideographs, CJK and full-width punctuation."""
    return all(ch < "\x80" or "\u3000" <= ch <= "\u303f" or "\u4e00" <= ch <= "\u9fff"
               or "\uff00" <= ch <= "\uffef" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def _looks_like_gbk(raw: bytes, utf8: str) -> bool:
    """Short GBK names can happen to be valid UTF-8 (通知 is b'\\xcd\\xa8\\xd6\\xaa', which
    UTF-8 reads as U+0368 U+05AA). Prefer GBK when the UTF-8 reading has no CJK but
    only characters unlikely in a name on a Chinese office share (U+0100–U+07FF: Latin
    extensions, combining marks, Armenian, Hebrew, Arabic …; but not the Latin-1 letters
    of café, nor the basic Greek and Russian alphabets) and the GBK reading is plain
    Chinese."""
    others = [ch for ch in utf8 if ch >= "\x80"]
    if not others or any(ch < "\u0100" or ch > "\u07ff" for ch in others):
        return False
    greek = any("\u0391" <= ch <= "\u03c9" for ch in others)
    russian = any("\u0410" <= ch <= "\u044f" for ch in others)
    rare = any(not ("\u0391" <= ch <= "\u03c9" or "\u0410" <= ch <= "\u044f") for ch in others)
    if not rare and not (greek and russian):
        return False  # a plain Greek or Russian name
    try:
        gbk = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return _chinese(gbk) and any("\u4e00" <= ch <= "\u9fff" for ch in gbk)


def was_reencoded(raw: bytes) -> bool:
    """Whether a name is not UTF-8 (shown decoded as GBK, or escaped)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False

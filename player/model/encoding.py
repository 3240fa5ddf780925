"""Decoding text files the way Chinese office PCs write them.

Order (DESIGN.md section 3): a byte-order mark decides first (UTF-8, UTF-16 LE/BE);
then strict UTF-8; then GB18030, a superset of GBK and GB2312 that covers every
Unicode character (䶮 included). Text that already contains U+FFFD, or its GBK mojibake
锟斤拷, was corrupted by an earlier conversion and is refused: showing it would put
garbage on a public screen.
"""

from __future__ import annotations

import codecs
import re

from player.model.problems import ContentError

_MOJIBAKE = ("\ufffd", "锟斤拷")
# C0 controls other than tab, newline, carriage return, form feed and DOS end-of-file,
# and the C1 controls (never text; U+0080 also makes PyYAML refuse a front matter).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f-\x9f]")
# Bidi controls: they could reorder what staff wrote; the screen does no bidi (and has no
# glyph for them), so they are dropped.
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def decode_text(data: bytes) -> str:
    """Decode the bytes of a text or CSV file.

    Returns:
        The text, BOM removed, line endings normalised to ``\\n``.

    Raises:
        ContentError: binary data, an unknown encoding or already-corrupted text.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8")
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text = _strict(data, "utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _strict(data, "gb18030")
    if text.startswith("\ufeff"):
        text = text[1:]
    control = _CONTROL.search(text)
    if control:
        raise ContentError(
            f"file contains control character U+{ord(control.group()):04X}: it is binary "
            "or damaged, not plain text; save it as plain text (UTF-8)",
            "文件里有不可见的控制字符，可能不是纯文本或已损坏：请用记事本另存为“UTF-8”编码的 .txt 文件",
            text.count("\n", 0, control.start()) + 1)
    for bad in _MOJIBAKE:
        index = text.find(bad)
        if index >= 0:
            line = text.count("\n", 0, index) + 1
            raise ContentError(
                f"text contains {bad!r}: it was already garbled by a wrong encoding "
                "conversion; save it again from the original document",
                "文字中有乱码（如“锟斤拷”或“�”），说明文件在转换编码时已经损坏：请从原始文档重新另存",
                line)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BIDI.sub("", text)
    return text.replace("\x1a", "").replace("\f", "\n")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            "cannot decode text as UTF-8, UTF-16 or GB18030/GBK "
            f"(bad bytes at offset {exc.start}); save it as UTF-8",
            "文字编码无法识别：请用记事本打开，选择“另存为”，编码选“UTF-8”后保存",
            line) from None

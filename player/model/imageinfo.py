"""Picture sizes from file headers, before anything is decoded.

A 40-megapixel limit only protects the player if it is checked *before* decoding, so
this reads the dimensions from the header of PNG, JPEG, GIF, BMP and WebP files in pure
Python. It does not prove the rest of the file is intact; the renderer's decoder does.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from player.model.problems import ContentError


@dataclass(frozen=True)
class ImageInfo:
    """Format name and pixel size."""

    format: str
    width: int
    height: int


def image_info(data: bytes) -> ImageInfo:
    """Read format and size from an image header.

    Raises:
        ContentError: not a picture of a supported format, or a damaged header.
    """
    try:
        info = _sniff(data)
    except (struct.error, IndexError, ValueError):
        info = None
    if info is None or info.width <= 0 or info.height <= 0:
        raise ContentError(
            "not a readable JPEG, PNG, GIF, BMP or WebP picture (damaged or another format); "
            "export it again as JPEG or PNG",
            "图片无法识别（文件已损坏或格式不支持）：请重新导出为 JPG 或 PNG 图片")
    return info


def _sniff(data: bytes) -> ImageInfo | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("png", width, height)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        return ImageInfo("gif", width, height)
    if data.startswith(b"BM"):
        width, height = struct.unpack("<ii", data[18:26])
        return ImageInfo("bmp", width, abs(height))
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _webp(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    return None


def _jpeg(data: bytes) -> ImageInfo | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2: pos + 4])
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5: pos + 9])
            return ImageInfo("jpeg", width, height)
        if marker == 0xDA:  # start of scan before any frame header
            return None
        pos += 2 + length
    return None


def _webp(data: bytes) -> ImageInfo | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return ImageInfo("webp", width, height)
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageInfo("webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return ImageInfo("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    return None

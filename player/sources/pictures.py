"""Pictures from staff and bundles, made safe and screen-sized once, at ingestion.

:func:`normalize` runs inside the :mod:`~player.sources.sandbox` worker (its memory cap
is the last line of defence) and turns the bytes of a JPEG, PNG, GIF, BMP, WebP (and
HEIC with pi-heif) into a picture the renderer can load cheaply:

1. the pixel limit is checked on the size the decoder will really produce, before
   decoding (Pillow's, from the frame it decodes — not our header sniffing, which a file
   with two frame headers can fool), and again on what was decoded;
2. a truncated or damaged picture is refused (never shown half grey);
3. the EXIF orientation of phone photos is applied (upright on screen);
4. it is downscaled to fit ``box`` (JPEGs are decoded at a reduced scale directly), so a
   24-megapixel photo costs the renderer a screen-sized decode from then on;
5. the result is re-encoded: JPEG for opaque photos, PNG for everything else.

The caller keeps the result in the store, keyed by the source's sha256 and the box, so
a picture is decoded from its original at most once per screen size.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from player.model.problems import ContentError

#: Never decode past this scale up: a box larger than the picture keeps its size.
JPEG_QUALITY = 90


@dataclass(frozen=True)
class Decoded:
    """A normalized picture: its bytes (``format`` png or jpeg) and pixel size."""

    format: str
    width: int
    height: int
    data: bytes


def _refuse_damaged(detail: str) -> ContentError:
    return ContentError(
        f"picture cannot be decoded ({detail}); it is damaged or incomplete, export it again as JPEG or PNG",
        "图片已损坏或不完整，无法显示：请重新导出为 JPG 或 PNG 后再放入")


def _refuse_pixels(width: int, height: int, limit: int) -> ContentError:
    return ContentError(
        f"picture is {width}x{height} ({width * height / 1e6:.1f} megapixels), over the "
        f"{limit / 1e6:g} megapixel limit; resize it (e.g. to 1920 px wide)",
        f"图片尺寸为 {width}×{height}，超过 {limit / 1e6:g} 百万像素的上限：请缩小图片（如宽 1920 像素）后再放入")


def normalize(data: bytes, box: tuple[int, int] | None, max_pixels: int, encode: bool = True) -> Decoded:
    """Decode, check, orient and downscale one picture (runs in the sandbox).

    Args:
        data: the file's bytes.
        box: the largest (width, height) worth keeping; None keeps the full size
            (validation only: ``signage check`` and ``bundle build`` use the size).
        max_pixels: the decoded-size limit (``limits.image_megapixels``).
        encode: False only checks (``data`` of the result is empty).

    Raises:
        ContentError: not a picture, damaged, truncated or over the pixel limit.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    _register_heif()
    Image.MAX_IMAGE_PIXELS = None  # we check ourselves, with a clear message
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width <= 0 or height <= 0:
                raise _refuse_damaged("no picture size")
            if width * height > max_pixels:
                raise _refuse_pixels(width, height, max_pixels)
            if box is not None and image.format == "JPEG":
                image.draft("RGB", _oriented_box(image, box))  # decode at 1/2, 1/4, 1/8 scale
            image.load()
            if image.size[0] * image.size[1] > max_pixels:  # a frame larger than the header said
                raise _refuse_pixels(*image.size, max_pixels)
            source_format = (image.format or "").lower()
            image = ImageOps.exif_transpose(image)
    except ContentError:
        raise
    except UnidentifiedImageError:
        raise ContentError(
            "not a readable JPEG, PNG, GIF, BMP or WebP picture (damaged or another format); "
            "export it again as JPEG or PNG",
            "图片无法识别（文件已损坏或格式不支持）：请重新导出为 JPG 或 PNG 图片") from None
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, KeyError,
            Image.DecompressionBombError) as exc:
        raise _refuse_damaged(str(exc)[:120] or type(exc).__name__) from None
    if not encode:
        return Decoded("", image.size[0], image.size[1], b"")
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if alpha else "RGB")
    if box is not None:
        image.thumbnail(box, Image.Resampling.LANCZOS)  # only ever shrinks
    out = io.BytesIO()
    if not alpha and source_format in ("jpeg", "mpo", "heif", "heic", "webp"):
        image.save(out, "JPEG", quality=JPEG_QUALITY)
        kind = "jpeg"
    else:
        image.save(out, "PNG", compress_level=1)
        kind = "png"
    return Decoded(kind, image.size[0], image.size[1], out.getvalue())


def _oriented_box(image, box: tuple[int, int]) -> tuple[int, int]:
    """The box in the stored orientation (a photo taken upright is stored sideways)."""
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - damaged EXIF: use the box as it is
        orientation = 1
    return (box[1], box[0]) if orientation in (5, 6, 7, 8) else box


def _register_heif() -> None:
    """HEIC/HEIF photos from iPhones: pi-heif (the decode-only build of pillow-heif,
    whose wheels leave out the GPL x265 encoder), or pillow-heif if that is installed."""
    try:
        from pi_heif import register_heif_opener
    except ImportError:
        try:
            from pillow_heif import register_heif_opener
        except ImportError:
            return
    register_heif_opener()

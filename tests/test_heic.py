"""HEIC photos from iPhones are accepted (pi-heif decodes them in the sandbox)."""

from __future__ import annotations

import io

from player.sources.pictures import normalize
from player.sources.sandbox import Sandbox


def heic(width: int, height: int) -> bytes:
    from PIL import Image
    from pillow_heif import register_heif_opener  # the encoder, only to make the test file
    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 160, 40)).save(out, "HEIF", quality=90)
    return out.getvalue()


def test_heic_photo_is_normalized_to_a_screen_sized_jpeg():
    box = Sandbox()
    try:
        decoded = box.run("player.sources.pictures:normalize", heic(4032, 3024), (1920, 1080), 40_000_000)
    finally:
        box.close()
    assert decoded.format == "jpeg"
    assert (decoded.width, decoded.height) == (1440, 1080)
    assert decoded.data[:2] == b"\xff\xd8"


def test_heic_over_the_pixel_limit_is_refused():
    import pytest
    from player.model.problems import ContentError
    with pytest.raises(ContentError):
        normalize(heic(400, 300), (1920, 1080), 100_000)

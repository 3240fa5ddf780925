"""The sandbox worker: limits hold whatever a hostile file does (real processes, real signals)."""

from __future__ import annotations

import io
import os
import signal
import struct
import threading

import pytest
from PIL import Image

from conftest import wait_until
from player.model.problems import ContentError
from player.sources.sandbox import Failure, Sandbox, SandboxError

NORMALIZE = "player.sources.pictures:normalize"
LIMIT = 40_000_000


def _jpeg(size, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def sandbox():
    box = Sandbox(512 * 1024 * 1024)
    yield box
    box.close()


def test_a_photo_is_decoded_and_made_screen_sized(sandbox):
    result = sandbox.run(NORMALIZE, _jpeg((4000, 3000)), (1920, 1080), LIMIT)
    assert (result.width, result.height) == (1440, 1080)
    assert result.format == "jpeg"
    assert Image.open(io.BytesIO(result.data)).size == (1440, 1080)


def test_exif_orientation_is_applied(sandbox):
    image = Image.new("RGB", (300, 200), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    result = sandbox.run(NORMALIZE, out.getvalue(), None, LIMIT)
    assert (result.width, result.height) == (200, 300)


def test_a_truncated_picture_is_refused_not_shown_grey(sandbox):
    data = _jpeg((800, 600))
    with pytest.raises(ContentError, match="damaged or incomplete"):
        sandbox.run(NORMALIZE, data[: len(data) // 2], (1920, 1080), LIMIT)


def test_a_gif_frame_larger_than_its_screen_is_refused(sandbox):
    out = io.BytesIO()
    Image.new("P", (64, 64)).save(out, "GIF")
    gif = bytearray(out.getvalue())
    descriptor = gif.index(b"\x2c")
    struct.pack_into("<HH", gif, descriptor + 5, 20000, 20000)
    with pytest.raises(ContentError, match="20000x20000"):
        sandbox.run(NORMALIZE, bytes(gif), (1920, 1080), LIMIT)


def test_a_jpeg_whose_first_frame_header_lies_is_refused(sandbox):
    from player.model.imageinfo import image_info
    small = bytearray(_jpeg((16, 16)))
    sof = small.index(b"\xff\xc0")
    struct.pack_into(">HH", small, sof + 5, 20000, 20000)
    fake = b"\xff\xcf\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x11\x00"  # an earlier 16x16 frame header
    lying = bytes(small[:2]) + fake + bytes(small[2:])
    assert (image_info(lying).width, image_info(lying).height) == (16, 16)  # the header sniffer is fooled
    with pytest.raises(ContentError, match="megapixel limit"):
        sandbox.run(NORMALIZE, lying, (1920, 1080), LIMIT)


def test_memory_beyond_the_cap_fails_the_job_not_the_player():
    small = Sandbox(150 * 1024 * 1024)
    out = io.BytesIO()
    Image.new("RGB", (7000, 5500), (1, 2, 3)).save(out, "PNG")  # 38.5 MP: under the pixel limit
    try:
        with pytest.raises(SandboxError) as caught:
            small.run(NORMALIZE, out.getvalue(), None, LIMIT)
        assert caught.value.failure == Failure.MEMORY
        # the next job gets a fresh worker
        assert small.run(NORMALIZE, _jpeg((32, 32)), None, LIMIT).width == 32
    finally:
        small.close()


def test_a_worker_killed_by_a_signal_mid_job_is_a_crash_and_the_next_job_works(sandbox):
    sandbox.run(NORMALIZE, _jpeg((8, 8)), None, LIMIT)  # worker started
    big = io.BytesIO()
    Image.effect_noise((6000, 6000), 60).convert("RGB").save(big, "PNG", compress_level=1)
    caught: list[BaseException] = []

    def job() -> None:
        try:
            sandbox.run(NORMALIZE, big.getvalue(), None, LIMIT)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            caught.append(exc)

    worker = sandbox._proc
    thread = threading.Thread(target=job)
    thread.start()
    assert wait_until(lambda: _rss_mb(worker.pid) > 150, timeout=20, step=0.02)  # decoding now
    os.kill(worker.pid, signal.SIGSEGV)
    thread.join(timeout=30)
    assert caught and isinstance(caught[0], SandboxError)
    assert caught[0].failure == Failure.CRASH and "SIGSEGV" in str(caught[0])
    assert sandbox.run(NORMALIZE, _jpeg((16, 16)), None, LIMIT).width == 16


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def test_a_job_that_does_not_answer_in_time_is_killed(sandbox):
    big = io.BytesIO()
    Image.effect_noise((6000, 6000), 60).convert("RGB").save(big, "PNG", compress_level=1)
    with pytest.raises(SandboxError) as caught:
        sandbox.run(NORMALIZE, big.getvalue(), None, LIMIT, timeout=0.05)
    assert caught.value.failure == Failure.TIMEOUT
    assert sandbox.run(NORMALIZE, _jpeg((16, 16)), None, LIMIT).width == 16


def test_only_player_functions_run():
    with pytest.raises(ValueError):
        Sandbox().run("os:system", "true")

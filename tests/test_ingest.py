"""The ingestion's caches: nothing unchanged is parsed or decoded twice — not in a
rescan, not after a restart — and one bad file does not make the others parse again."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image

from conftest import CONTENT
from player.model.limits import Limits
from player.sources.folder import FolderScanner
from player.sources.ingest import Ingest
from player.sources.store import Store


def _photo(path: Path, size=(3000, 2000)) -> None:
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, "JPEG")
    path.write_bytes(out.getvalue())


def _scanner(drop: Path, state: Path) -> FolderScanner:
    store = Store(state / "store")
    ingest = Ingest("drop", Limits(), store=store, box=(1920, 1080), keep_originals=True)
    return FolderScanner(drop, Limits(), store=store, ingest=ingest, quiet=0.0, grace=0.0)


def test_a_rescan_of_an_unchanged_folder_parses_and_decodes_nothing(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    shutil.copytree(CONTENT, drop)
    _photo(drop / "民生实事" / "照片.jpg")
    (drop / "公示公告" / "坏.txt").write_text("---\ntitle: [\n---\n正文\n", encoding="utf-8")
    scanner = _scanner(drop, tmp_path / "state")
    try:
        first = scanner.scan()
        assert first.get("民生实事/照片") is not None and [p.path for p in first.problems] == ["公示公告/坏.txt"]
        parsed, decoded = scanner.ingest.parsed, scanner.ingest.decoded
        assert decoded == 2  # the sample chart and the photo, each decoded once in the sandbox
        second = scanner.scan()
        assert second.notices == first.notices and second.problems == first.problems
        assert (scanner.ingest.parsed, scanner.ingest.decoded) == (parsed, decoded)  # nothing again
        photo = second.get("民生实事/照片").body.picture
        assert (photo.width, photo.height) == (1620, 1080)  # made screen-sized once
    finally:
        scanner.ingest.close()


def test_after_a_restart_pictures_are_not_decoded_again(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    shutil.copytree(CONTENT, drop)
    _photo(drop / "民生实事" / "照片.jpg")
    state = tmp_path / "state"
    before = _scanner(drop, state)
    try:
        shown = before.scan()
    finally:
        before.ingest.close()
    after = _scanner(drop, state)  # a new process would start like this
    try:
        again = after.scan()
        assert after.ingest.decoded == 0  # the picture index in the store names the normalized pictures
        assert again.get("民生实事/照片").body == shown.get("民生实事/照片").body
        assert after.store.get(again.get("民生实事/照片").body.picture.sha256) is not None
    finally:
        after.ingest.close()


def test_a_changed_file_is_read_again_and_only_it(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    shutil.copytree(CONTENT, drop)
    scanner = _scanner(drop, tmp_path / "state")
    try:
        scanner.scan()
        parsed = scanner.ingest.parsed
        (drop / "公示公告" / "新通知.txt").write_text("新通知\n内容。\n", encoding="utf-8")
        library = scanner.scan()
        assert library.get("公示公告/新通知") is not None
        assert scanner.ingest.parsed == parsed + 1
    finally:
        scanner.ingest.close()

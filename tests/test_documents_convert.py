""".doc, .wps, .rtf and .odt through the real LibreOffice (one conversion each, made once
per module from a python-docx file: LibreOffice starts slowly)."""

from __future__ import annotations

import os
import signal

import pytest

from conftest import wait_until
from docfiles import DictStore, libreoffice_convert, notice_docx
from player.model.limits import Limits
from player.model.notice import Closing, TableBlock, TextBody
from player.model.problems import ContentError
from player.sources.convert import Converter, find_soffice
from player.sources.documents import ingest_document
from player.sources.sandbox import Sandbox

pytestmark = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed (setup.sh --test)")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    work = tmp_path_factory.mktemp("lo")
    source = notice_docx(picture=False)
    return {suffix: libreoffice_convert(source, suffix, work / suffix) for suffix in ("doc", "rtf", "odt")}


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    yield box
    box.close()


def test_doc_wps_rtf_odt_are_converted_and_read_as_docx(made, sandbox, tmp_path):
    converter = Converter(tmp_path / "convert")
    for name, data in (("a.doc", made["doc"]), ("b.wps", made["doc"]), ("c.rtf", made["rtf"]),
                       ("d.odt", made["odt"])):
        parsed = ingest_document(name, data, sandbox=sandbox, keep=DictStore().keep, box=(1920, 1080),
                                 limits=Limits(),
                                 converter=converter)
        assert parsed.title == "关于开展政务公开日活动的通知", name
        assert isinstance(parsed.body, TextBody)
        assert any(isinstance(b, TableBlock) for b in parsed.body.blocks), name
        assert [b.text for b in parsed.body.blocks if isinstance(b, Closing)][-1] == "2022年12月30日"
        assert any("LibreOffice" in n.message for n in parsed.notes)
    # .doc and .wps are the same bytes: converted once; a new converter on the same
    # cache (a restart) converts nothing again.
    assert converter.conversions == 3
    again = Converter(tmp_path / "convert")
    again.to_docx(made["doc"], ".doc")
    assert again.conversions == 0


def test_macros_are_disabled_in_the_private_profile(made, tmp_path):
    converter = Converter(tmp_path / "convert")
    converter.to_docx(made["rtf"], ".rtf")
    settings = (tmp_path / "convert" / "profile" / "user" / "registrymodifications.xcu").read_text()
    assert '"DisableMacrosExecution"' in settings and "<value>true</value>" in settings
    assert '"MacroSecurityLevel"' in settings


def test_a_conversion_that_hangs_is_killed(made, tmp_path):
    # A stand-in for soffice that never ends (and starts a child in its group).
    script = tmp_path / "soffice"
    pids = tmp_path / "pids"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pids}\necho $$ >> {pids}\nsleep 300\n")
    script.chmod(0o755)
    converter = Converter(tmp_path / "convert", soffice=str(script), timeout=1.0)
    with pytest.raises(ContentError) as caught:
        converter.to_docx(made["doc"], ".doc")
    assert "超时" in caught.value.hint_zh
    started = list(map(int, pids.read_text().split()))

    def alive() -> list[int]:
        running = []
        for pid in started:
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                    state = handle.read().rsplit(")", 1)[1].split()[0]
            except FileNotFoundError:
                continue
            if state != "Z":  # a zombie is dead, waiting for init to reap it
                running.append(pid)
        return running

    left = wait_until(lambda: not alive(), timeout=5) or alive()
    for pid in left if isinstance(left, list) else []:
        os.kill(pid, signal.SIGKILL)  # clean up before failing
    assert not alive()


def test_a_file_that_is_not_a_document_is_refused(tmp_path):
    with pytest.raises(ContentError):
        Converter(tmp_path / "c").to_docx(b"just some text", ".doc")


def test_the_cache_is_bounded_in_bytes_least_recently_used_first(made, tmp_path):
    cache = tmp_path / "convert"
    cache.mkdir()
    old = []
    for n in range(3):  # earlier results, oldest first
        path = cache / f"{n:064x}.docx"
        path.write_bytes(b"x" * 40_000)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
        old.append(path)
    converter = Converter(cache, cache_bytes=100_000)
    result = converter.to_docx(made["rtf"], ".rtf")
    kept = sorted(cache.glob("*.docx"))
    assert sum(p.stat().st_size for p in kept) <= 100_000
    assert not old[0].exists()  # least recently used first
    assert any(p.read_bytes() == result for p in kept)  # the new result is kept


def test_the_player_shows_an_old_word_file_from_the_drop_folder(made, tmp_path):
    import json

    from conftest import play_until, write_config
    drop = tmp_path / "drop"
    (drop / "公告").mkdir(parents=True)
    (drop / "公告" / "政务公开日.wps").write_bytes(made["doc"])
    config = write_config(tmp_path / "cfg", drop)

    def shown():
        try:
            status = json.loads((tmp_path / "cfg" / "state" / "status.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return status if status["notices"] or status["drop"]["errors"] else None
    status, _ = play_until(config, shown, 60)
    assert status["drop"]["errors"] == []
    assert [n["title"] for n in status["notices"]] == ["关于开展政务公开日活动的通知"]
    assert list((tmp_path / "cfg" / "state" / "convert").glob("*.docx"))  # cached for restarts


def test_bundle_build_ships_old_word_files_as_docx(made, tmp_path):
    import json
    import zipfile
    from io import BytesIO

    from conftest import run_signage
    src = tmp_path / "src"
    (src / "公告").mkdir(parents=True)
    (src / "公告" / "政务公开日.doc").write_bytes(made["doc"])
    (src / "公告" / "政务公开日.yaml").write_text("screens: [lobby]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_signage("bundle", "build", str(src), str(out), cwd=tmp_path, timeout=180,
                         env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stdout + result.stderr
    files = {f["path"]: f["sha256"] for f in json.loads((out / "manifest.json").read_text())["files"]}
    assert set(files) == {"公告/政务公开日.docx", "公告/政务公开日.yaml"}  # the players need no LibreOffice
    sha = files["公告/政务公开日.docx"]
    with zipfile.ZipFile(BytesIO((out / "objects" / sha[:2] / sha).read_bytes())) as package:
        assert "word/document.xml" in package.namelist()

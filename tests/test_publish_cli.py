"""The publisher's commands and a playing screen fed by a bundle source, as real subprocesses.

`signage keygen` and `signage bundle build` are what a district office runs; `signage play`
with `sync.url` is what every screen runs. The server is the fault-injecting static server
of tests/bundle_server.py on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bundle_server import BundleServer
from conftest import CONTENT, ROOT, run_signage, wait_until, write_config


@pytest.fixture
def keypair(tmp_path: Path) -> tuple[Path, Path]:
    result = run_signage("keygen", str(tmp_path / "keys" / "district"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "keys" / "district.key", tmp_path / "keys" / "district.pub"


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, body in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return folder


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(tmp_path: Path, keypair) -> None:
    private, public = keypair
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes() != public.read_bytes() and public.stat().st_size > 0
    again = run_signage("keygen", str(tmp_path / "keys" / "district"))
    assert again.returncode == 2
    assert again.stderr.strip().count("\n") == 0 and "exists" in again.stderr and "never overwritten" in again.stderr
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and private.read_bytes()  # untouched


def test_bundle_build_of_the_sample_signs_versions_and_deduplicates(tmp_path: Path, keypair) -> None:
    private, _ = keypair
    out = tmp_path / "site"
    first = run_signage("bundle", "build", str(CONTENT), str(out), "--key", str(private))
    assert first.returncode == 0, first.stderr
    assert "bundle version 1:" in first.stdout and "signed" in first.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    paths = {f["path"] for f in manifest["files"]}
    assert "ticker.txt" in paths and any(p.startswith("公示公告/") for p in paths)
    assert not any(Path(p).name.startswith("_") for p in paths)  # the staff report is not content
    for entry in manifest["files"]:
        body = (out / "objects" / entry["sha256"][:2] / entry["sha256"]).read_bytes()
        assert len(body) == entry["size"]
    assert (out / "manifest.json.sig").is_file()
    objects = sorted(p.name for p in (out / "objects").rglob("*") if p.is_file())

    second = run_signage("bundle", "build", str(CONTENT), str(out), "--key", str(private))
    assert second.returncode == 0 and "bundle version 2:" in second.stdout and " 0 new objects" in second.stdout
    assert sorted(p.name for p in (out / "objects").rglob("*") if p.is_file()) == objects

    lower = run_signage("bundle", "build", str(CONTENT), str(out), "--key", str(private), "--version", "2")
    assert lower.returncode == 2 and "not above the published version 2" in lower.stderr
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["version"] == 2


def test_bundle_build_refuses_broken_content_and_writes_nothing(tmp_path: Path, keypair) -> None:
    private, _ = keypair
    src = _write(tmp_path / "src", {
        "公示公告/好的通知.txt": "好的通知\n内容。\n",
        "公示公告/乱码.txt": "乱码通知\n锟斤拷锟斤拷烫烫烫\n",
        "公示公告/坏日期.txt": "---\nend: 2026-13-45\n---\n标题\n正文。\n",
        "财务公开/坏表.csv": b"\xff\xfe\x00",
        "图片/坏图.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    })
    out = tmp_path / "site"
    result = run_signage("bundle", "build", str(src), str(out), "--key", str(private))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4, lines
    for name in ("乱码.txt", "坏日期.txt", "坏表.csv", "坏图.png"):
        assert sum(name in line for line in lines) == 1, (name, lines)
    assert any("坏日期.txt:2:" in line and "end" in line for line in lines), lines
    assert "nothing was published" in result.stderr
    assert not out.exists()


def test_bundle_build_without_a_key_warns_and_a_bad_key_is_refused(tmp_path: Path) -> None:
    src = _write(tmp_path / "src", {"通知/停水.txt": "停水通知\n明日停水。\n"})
    unsigned = run_signage("bundle", "build", str(src), str(tmp_path / "site"))
    assert unsigned.returncode == 0 and "UNSIGNED" in unsigned.stdout and "not signed" in unsigned.stderr
    assert not (tmp_path / "site" / "manifest.json.sig").exists()
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    refused = run_signage("bundle", "build", str(src), str(tmp_path / "site"), "--key", str(bad))
    assert refused.returncode == 2 and refused.stderr.startswith("signage bundle: --key:")
    assert json.loads((tmp_path / "site" / "manifest.json").read_text())["version"] == 1


def test_a_config_with_a_url_but_no_key_is_refused(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "cfg", drop, extra="sync: {url: 'http://127.0.0.1:9/'}\n")
    result = run_signage("check", "-c", str(config), str(drop))
    assert result.returncode == 2
    assert "player.yaml:" in result.stderr and "sync.public_key: missing" in result.stderr


def _status(state: Path) -> dict:
    try:
        return json.loads((state / "status.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}



def test_a_playing_screen_takes_new_bundles_keeps_the_drop_folder_and_outlives_the_server(
        tmp_path: Path, server: BundleServer, keypair) -> None:
    private, public = keypair
    publish = _write(tmp_path / "district", {"公示公告/停水.txt": "停水通知\n明日停水。\n",
                                             "ticker.txt": "区里的滚动消息\n"})
    assert run_signage("bundle", "build", str(publish), str(server.root), "--key", str(private)).returncode == 0
    drop = _write(tmp_path / "drop", {"公示公告/停水.txt": "冒名的停水通知\n假的。\n",
                                      "办事指南/社保.txt": "社保办理指南\n带身份证。\n"})
    config = write_config(tmp_path / "cfg", drop,
                          extra=f"sync: {{url: '{server.url}', public_key: '{public}', interval: 5}}\n")
    state = tmp_path / "cfg" / "state"
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER", "SIGNAGE_CONFIG")}
    proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def notices(status: dict) -> dict[str, tuple[str, str]]:
            return {n["id"]: (n["source"], n["title"]) for n in status.get("notices", [])}

        # The sync marks version 1 active a moment before the frame loop takes its notices.
        status = wait_until(lambda: (s := _status(state)).get("bundle", {}).get("version") == 1
                            and "办事指南/社保" in notices(s) and notices(s).get("公示公告/停水", ("",))[0] == "bundle"
                            and s, 20, step=0.2)
        assert status, _status(state)
        assert status["bundle"]["verified"] is True
        shown = notices(status)
        assert shown["公示公告/停水"] == ("bundle", "停水通知")  # the dropped namesake cannot replace it
        assert shown["办事指南/社保"][0] == "drop"
        assert "区里的滚动消息" in status["ticker"]
        errors = status["drop"]["errors"]
        assert [e["file"] for e in errors] == ["公示公告/停水.txt"] and "同名" in errors[0]["hint"]

        _write(publish, {"公示公告/停电.txt": "停电通知\n周五停电。\n"})
        assert run_signage("bundle", "build", str(publish), str(server.root), "--key", str(private)).returncode == 0
        status = wait_until(lambda: (s := _status(state)).get("bundle", {}).get("version") == 2 and s, 20, step=0.2)
        assert status and "公示公告/停电" in notices(status)

        server.stop()  # the district's server goes away: the screen keeps version 2
        status = wait_until(lambda: (s := _status(state)).get("sync", {}).get("last_error") and s, 30, step=0.2)
        assert status, _status(state)
        assert status["bundle"]["version"] == 2 and "公示公告/停电" in notices(status)
        assert proc.poll() is None
        shown = run_signage("status", "-c", str(config))
        assert shown.returncode == 0, shown.stderr
        assert "bundle:   version 2, verified, active since" in shown.stdout
        assert f"sync:     {server.url}" in shown.stdout and "last error:" in shown.stdout
        assert "[active] 公示公告/停电 (bundle)" in shown.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "sync updated: version 2 active" in err


def test_tokens_and_url_passwords_never_reach_logs_or_status(tmp_path: Path, server: BundleServer, keypair) -> None:
    from bundle_server import Fault
    _, public = keypair
    server.faults["/"] = Fault("status", status=503, retry_after="30")
    drop = tmp_path / "drop"
    drop.mkdir()
    url = server.url.replace("http://", "http://district:pa55word-xyz@")
    config = write_config(tmp_path / "cfg", drop, extra=(
        f"sync: {{url: '{url}', public_key: '{public}', headers: {{Authorization: Bearer tok-123456789}}}}\n"
        "log_level: debug\n"))
    result = run_signage("sync", "--once", "-c", str(config))
    assert result.returncode == 1 and "HTTP 503" in result.stderr + result.stdout
    status = (tmp_path / "cfg" / "state" / "status.json").read_text(encoding="utf-8")
    assert "HTTP 503" in status and "district:***@" in status
    for text in (result.stdout, result.stderr, status):
        assert "pa55word-xyz" not in text and "tok-123456789" not in text

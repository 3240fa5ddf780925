"""Signed bundles against a real HTTP server on 127.0.0.1, with attacks and faults.

Every refused or failed cycle must leave the previously active bundle active and intact."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bundle_server import BundleServer, Fault
from conftest import ROOT, write_config
from player.sources.bundle import canonical_json, sign
from player.sources.fetch import Fetcher
from player.sources.publish import build_bundle
from player.sources.store import Store
from player.sources.sync import BundleSync, Outcome, SyncWorker

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone.utc)


def content(tmp_path: Path, files: dict[str, str | bytes], name: str = "src") -> Path:
    src = tmp_path / name
    if src.exists():
        shutil.rmtree(src)
    for rel, data in files.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return src


def publish(tmp_path: Path, server: BundleServer, key, files: dict, **kwargs) -> int:
    return build_bundle(content(tmp_path, files), server.root, key, now=NOW, **kwargs).version


def sync_for(tmp_path: Path, server: BundleServer, pub: Path | None, **fetch) -> BundleSync:
    fetcher = Fetcher(timeout=fetch.get("timeout", 5.0), deadline=fetch.get("deadline", 20.0))
    return BundleSync(server.url, Store(tmp_path / "state" / "store"), fetcher, pub, pub is None, lambda: NOW)


V1 = {"公示公告/停水.txt": "停水通知\n明日停水。\n", "ticker.txt": "第一版滚动消息\n"}
V2 = {"公示公告/停水.txt": "停水通知（更新）\n后日停水。\n", "公示公告/停电.txt": "停电通知\n周五停电。\n",
      "ticker.txt": "第二版滚动消息\n"}


def ids(sync: BundleSync) -> set[str]:
    return {n.id for n in sync.library().notices}


def active_is_intact(sync: BundleSync) -> bool:
    return sync.active is not None and sync.missing() == []


def test_publish_sync_and_update(tmp_path, server, keys) -> None:
    assert publish(tmp_path, server, keys["key"], V1) == 1
    sync = sync_for(tmp_path, server, keys["pub"])
    assert sync.run_once().result == "updated"
    assert ids(sync) == {"公示公告/停水"} and sync.library().ticker == ("第一版滚动消息",)
    assert all(n.source == "bundle" for n in sync.library().notices)
    assert publish(tmp_path, server, keys["key"], V2) == 2
    outcome = sync.run_once()
    assert (outcome.result, outcome.version) == ("updated", 2)
    assert ids(sync) == {"公示公告/停水", "公示公告/停电"} and sync.active.signed
    assert sync.previous.version == 1 and sync.status.last_error is None


@pytest.mark.parametrize("names", ["as written", "lower case"])
def test_an_unchanged_source_costs_one_conditional_request(tmp_path, server, keys, names: str) -> None:
    server.lower_headers = names == "lower case"  # "etag:", as servers that fold header names send it
    publish(tmp_path, server, keys["key"], V1)
    sync = sync_for(tmp_path, server, keys["pub"])
    sync.run_once()
    server.log.clear()
    assert sync.run_once().result == "unchanged"
    assert [(e.path, e.status, e.sent) for e in server.settle()] == [("/manifest.json", 304, 0)]


def test_one_changed_file_in_a_hundred_downloads_one_object(tmp_path, server, keys) -> None:
    files = {f"栏目/通知{i:03d}.txt": f"通知{i}\n内容{i}。\n" for i in range(100)}
    publish(tmp_path, server, keys["key"], files)
    sync = sync_for(tmp_path, server, keys["pub"])
    sync.run_once()
    files["栏目/通知042.txt"] = "通知42（更正）\n新内容。\n"
    publish(tmp_path, server, keys["key"], files)
    server.log.clear()
    assert sync.run_once().result == "updated"
    objects = server.requests_for("/objects/")
    changed = hashlib.sha256(files["栏目/通知042.txt"].encode()).hexdigest()
    assert [e.path for e in objects] == [f"/objects/{changed[:2]}/{changed}"]


def _refused_keeps_v1(sync: BundleSync, expect: str, words: str) -> None:
    before = ids(sync)
    outcome = sync.run_once()
    assert outcome.result == expect, outcome
    assert words in outcome.message, outcome.message
    assert sync.active.version == 1 and active_is_intact(sync) and ids(sync) == before
    assert sync.status.last_error == outcome.message


def _v1_then(tmp_path, server, keys) -> BundleSync:
    publish(tmp_path, server, keys["key"], V1)
    sync = sync_for(tmp_path, server, keys["pub"])
    assert sync.run_once().result == "updated"
    return sync


def test_tampered_object_is_refused(tmp_path, server, keys) -> None:
    sync = _v1_then(tmp_path, server, keys)
    publish(tmp_path, server, keys["key"], V2)
    sha = hashlib.sha256(V2["公示公告/停电.txt"].encode()).hexdigest()
    (server.root / "objects" / sha[:2] / sha).write_bytes("停电通知\n伪造内容！\n".encode())
    _refused_keeps_v1(sync, "refused", "does not match its size and sha256")


@pytest.mark.parametrize("attack, words", [
    ("bad signature", "does not verify"),
    ("other key", "does not verify"),
    ("unsigned", "not signed"),
])
def test_signature_attacks_are_refused(tmp_path, server, keys, attack: str, words: str) -> None:
    sync = _v1_then(tmp_path, server, keys)
    publish(tmp_path, server, keys["other"] if attack == "other key" else keys["key"], V2)
    sig = server.root / "manifest.json.sig"
    if attack == "bad signature":
        raw = bytearray(base64.b64decode(sig.read_bytes()))
        raw[5] ^= 0xFF
        sig.write_bytes(base64.b64encode(bytes(raw)))
    elif attack == "unsigned":
        sig.unlink()
    _refused_keeps_v1(sync, "refused", words)


def test_a_fetch_between_the_publishers_two_writes_is_not_refused(tmp_path, server, keys) -> None:
    """manifest.json is written before manifest.json.sig: a player that fetches in between
    sees the new manifest with the old signature, asks again and takes the new bundle."""
    sync = _v1_then(tmp_path, server, keys)
    sig = server.root / "manifest.json.sig"
    old_sig = sig.read_bytes()
    publish(tmp_path, server, keys["key"], V2)
    new_sig = sig.read_bytes()
    sig.write_bytes(old_sig)  # the moment between the two renames
    threading.Timer(0.5, sig.write_bytes, (new_sig,)).start()
    server.log.clear()
    outcome = sync.run_once()
    assert (outcome.result, outcome.version) == ("updated", 2), outcome
    assert sync.status.refused is None and ids(sync) == {"公示公告/停水", "公示公告/停电"}
    manifests = [e.path for e in server.settle() if e.path.startswith("/manifest.json")]
    assert manifests == ["/manifest.json", "/manifest.json.sig"] * 2


def test_rollback_is_refused_also_after_a_restart(tmp_path, server, keys) -> None:
    publish(tmp_path, server, keys["key"], V1)
    publish(tmp_path, server, keys["key"], V2)
    sync = sync_for(tmp_path, server, keys["pub"])
    assert sync.run_once().version == 2
    old_site = tmp_path / "old-site"
    build_bundle(content(tmp_path, V1, "old"), old_site, keys["key"], version=1, now=NOW)  # a signed, older bundle
    shutil.copy(old_site / "manifest.json", server.root / "manifest.json")
    shutil.copy(old_site / "manifest.json.sig", server.root / "manifest.json.sig")
    for restarted in (sync, sync_for(tmp_path, server, keys["pub"])):  # the version is remembered on disk
        outcome = restarted.run_once()
        assert outcome.result == "refused" and "older than the active version 2" in outcome.message
        assert restarted.active.version == 2 and active_is_intact(restarted)


def _signed(server: BundleServer, key, files: list[dict], version: int = 2, **extra) -> None:
    manifest = canonical_json({"format": 1, "version": version, "created": NOW.isoformat(), "expires": None,
                               "files": files, **extra})
    (server.root / "manifest.json").write_bytes(manifest)
    (server.root / "manifest.json.sig").write_bytes(sign(manifest, key))


@pytest.mark.parametrize("path", ["../x.txt", "/etc/x.txt", "a/../../x.txt", "a/./b.txt", "C:/x.txt"])
def test_paths_that_leave_the_bundle_are_refused(tmp_path, server, keys, path: str) -> None:
    sync = _v1_then(tmp_path, server, keys)
    data = "x\ny\n".encode()
    _signed(server, keys["key"], [{"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}])
    _refused_keeps_v1(sync, "refused", "manifest path")


def test_expired_manifest_is_not_activated_and_an_expired_active_one_is_stale(tmp_path, server, keys) -> None:
    sync = _v1_then(tmp_path, server, keys)
    _signed(server, keys["key"], [], expires=(NOW - dt.timedelta(days=1)).isoformat())
    _refused_keeps_v1(sync, "refused", "expired")
    assert sync.status.stale  # the source offers nothing fresh: status.json says so
    # An active bundle whose expiry passes stays on screen, reported as stale.
    build_bundle(content(tmp_path, V2), server.root, keys["key"], expires_days=1, now=NOW)
    assert sync.run_once().result == "updated" and not sync.status.stale
    sync.now = lambda: NOW + dt.timedelta(days=2)
    sync.run_once()
    assert sync.status.stale and ids(sync) == {"公示公告/停水", "公示公告/停电"}


def test_a_hundred_mebibyte_manifest_is_cut_off(tmp_path, server, keys) -> None:
    sync = _v1_then(tmp_path, server, keys)
    server.faults["/manifest.json"] = Fault("huge", size=100 * 1024 * 1024)
    before = sync.fetcher.bytes_received
    _refused_keeps_v1(sync, "failed", "byte limit")
    assert sync.fetcher.bytes_received - before <= 1024 * 1024 + 65536  # it stopped reading at the cap


def test_an_endless_object_body_is_cut_off(tmp_path, server, keys) -> None:
    sync = _v1_then(tmp_path, server, keys)
    publish(tmp_path, server, keys["key"], V2)
    server.faults["/objects/"] = Fault("endless")
    _refused_keeps_v1(sync, "failed", "cut off")


def test_a_trickling_server_is_cut_off_by_read_timeout_and_by_deadline(tmp_path, server, keys) -> None:
    publish(tmp_path, server, keys["key"], V1)
    slow = sync_for(tmp_path, server, keys["pub"], timeout=0.5, deadline=30)
    server.faults["/manifest.json"] = Fault("slow", interval=2.0)  # one byte every 2 s: read timeout
    started = time.monotonic()
    outcome = slow.run_once()
    assert outcome.result == "failed" and time.monotonic() - started < 5
    trickle = sync_for(tmp_path, server, keys["pub"], timeout=2.0, deadline=1.5)
    server.faults["/manifest.json"] = Fault("slow", interval=0.2)  # bytes keep coming: only the deadline helps
    started = time.monotonic()
    outcome = trickle.run_once()
    assert outcome.result == "failed" and "cut off" in outcome.message and time.monotonic() - started < 4


@pytest.mark.parametrize("kind", ["slow-status", "slow-headers"])
def test_a_status_line_or_headers_trickling_in_are_cut_off_at_the_deadline(tmp_path, server, keys, kind) -> None:
    """Before the body too: a byte every 0.3 s never trips the 2 s read timeout."""
    publish(tmp_path, server, keys["key"], V1)
    sync = sync_for(tmp_path, server, keys["pub"], timeout=2.0, deadline=1.5)
    server.faults["/manifest.json"] = Fault(kind, interval=0.3)
    started = time.monotonic()
    outcome = sync.run_once()
    assert outcome.result == "failed" and "not complete after 1.5 s" in outcome.message
    assert time.monotonic() - started < 10  # ends (the trickle alone would take a minute)
    assert sync.status.last_error == outcome.message


@pytest.mark.parametrize("fault", [
    Fault("status", status=500), Fault("status", status=404), Fault("status", status=503, retry_after="7"),
    Fault("truncate", keep=20), Fault("reset", keep=20),
])
def test_faults_leave_the_old_bundle_and_heal(tmp_path, server, keys, fault: Fault) -> None:
    sync = _v1_then(tmp_path, server, keys)
    publish(tmp_path, server, keys["key"], V2)
    server.faults["/objects/" if fault.kind in ("truncate", "reset") else "/manifest.json"] = fault
    outcome = sync.run_once()
    assert outcome.result == "failed" and sync.active.version == 1 and active_is_intact(sync)
    if fault.retry_after:
        assert outcome.retry_after == 7.0
    server.faults.clear()  # the server heals: the next cycle catches up by itself
    assert sync.run_once().result == "updated" and sync.active.version == 2


def test_connection_refused_and_server_restart(tmp_path, server, keys) -> None:
    sync = _v1_then(tmp_path, server, keys)
    publish(tmp_path, server, keys["key"], V2)
    port = server.port
    server.stop()
    outcome = sync.run_once()
    assert outcome.result == "failed" and "127.0.0.1" in outcome.message and sync.active.version == 1
    restarted = BundleServer(server.root, port=port).start()
    try:
        assert sync.run_once().result == "updated"
    finally:
        restarted.stop()
        server.start()  # for the fixture's teardown


def test_backoff_is_capped_exponential_with_full_jitter_and_honours_retry_after() -> None:
    worker = SyncWorker(sync=None, interval=60, on_library=lambda lib: None, rng=random.Random(1))  # type: ignore[arg-type]
    waits = [worker.next_wait(Outcome("failed")) for _ in range(40)]
    assert all(0 <= w <= min(240, 60 * 2 ** min(n + 1, 12)) for n, w in enumerate(waits))
    assert max(waits[:1]) <= 120 and max(waits) > 180  # it grows, to at most four intervals
    assert worker.next_wait(Outcome("failed", retry_after=4000)) >= 4000
    ok = [worker.next_wait(Outcome("unchanged")) for _ in range(200)]
    assert worker.failures == 0 and 48 <= min(ok) and max(ok) <= 72 and max(ok) - min(ok) > 15  # ±20 %


def test_missing_objects_are_fetched_again_and_the_previous_bundle_shows_meanwhile(tmp_path, server, keys) -> None:
    sync = _v1_then(tmp_path, server, keys)
    publish(tmp_path, server, keys["key"], V2)
    sync.run_once()
    lost = sync.active.files["公示公告/停电.txt"]
    (sync.store.objects / lost[:2] / lost).unlink()  # a damaged SD card
    restarted = sync_for(tmp_path, server, keys["pub"])
    assert restarted.missing() == [lost]
    assert ids(restarted) == {"公示公告/停水"}  # the complete previous bundle (v1) meanwhile
    outcome = restarted.run_once()
    assert outcome.repaired and restarted.missing() == []
    assert ids(restarted) == {"公示公告/停水", "公示公告/停电"}


def _small_disk(folder: Path) -> str:
    """A 256 KiB tmpfs at ``folder`` (real ENOSPC); "" when mounting is not allowed here."""
    folder.mkdir(parents=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)],
                            capture_output=True, text=True)
    return str(folder) if result.returncode == 0 else ""


@pytest.mark.parametrize("limit", ["tmpfs", "file-size"])
def test_a_full_disk_aborts_cleanly(tmp_path, server, keys, limit: str) -> None:
    small = _small_disk(tmp_path / "small") if limit == "tmpfs" else ""
    if limit == "tmpfs" and not small:
        pytest.skip("mounting a tmpfs is not allowed here; the file-size variant covers the same path")
    drop = tmp_path / "drop"
    drop.mkdir()
    state = Path(small) / "state" if small else tmp_path / "state"
    config = write_config(tmp_path / "cfg", drop, state=state,
                          extra=f"sync: {{url: '{server.url}', public_key: '{keys['pub']}'}}\n"
                                f"status_file: '{tmp_path / 'status.json'}'\n")
    command = [sys.executable, "-m", "player", "sync", "--once", "-c", str(config)]
    try:
        publish(tmp_path, server, keys["key"], V1)
        assert subprocess.run(command, cwd=ROOT, capture_output=True, timeout=60).returncode == 0
        publish(tmp_path, server, keys["key"], {**V2, "公示公告/大图说明.txt": "大文件\n" + "数据" * 120_000 + "\n"})
        if small:
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
        else:  # no mount here: the kernel's file-size limit makes the same writes fail (EFBIG)
            import resource
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60,
                                    preexec_fn=lambda: (signal.signal(signal.SIGXFSZ, signal.SIG_IGN),
                                                        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))))
        assert result.returncode == 1, result.stdout + result.stderr
        status = json.loads((tmp_path / "status.json").read_text(encoding="utf-8"))
        assert ("No space left on device" if small else "too large") in status["sync"]["last_error"]
        assert status["bundle"]["version"] == 1
        store = Store(state / "store")
        pointer = json.loads((store.root / "bundle.json").read_text())
        assert pointer["version"] == 1 and all(store.get(sha) for sha in pointer["files"].values())
        assert not [p for p in store.root.rglob("*") if p.name.endswith(".tmp")]  # no temp files left
    finally:
        if small:
            subprocess.run(["umount", small], check=False)


def test_kill_9_at_random_moments_leaves_old_or_new_complete(tmp_path, server, keys) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "cfg", drop,
                          extra=f"sync: {{url: '{server.url}', public_key: '{keys['pub']}'}}\n")
    state = tmp_path / "cfg" / "state"
    rng = random.Random(9)
    versions = []
    kills = 0
    for run in range(30):
        files = {f"栏目/通知{i:02d}.txt": f"通知{i}（第{run}版）\n" + "内容" * 2000 + "\n" for i in range(12)}
        versions.append(publish(tmp_path, server, keys["key"], files))
        server.faults["/objects/"] = Fault("delay", interval=0.03)  # a slow link: kills land mid-download
        before = Store(state / "store")
        old = json.loads((before.root / "bundle.json").read_text())["version"] if (before.root / "bundle.json").exists() else None
        proc = subprocess.Popen([sys.executable, "-m", "player", "sync", "--once", "-c", str(config)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.9))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        store = Store(state / "store")
        if (store.root / "bundle.json").exists():
            pointer = json.loads((store.root / "bundle.json").read_text())
            assert pointer["version"] in (old, versions[-1]), (run, pointer["version"], old)
            assert all(store.get(sha) is not None for sha in pointer["files"].values()), run  # complete
    assert kills >= 12
    server.faults.clear()
    final = subprocess.run([sys.executable, "-m", "player", "sync", "--once", "-c", str(config)], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert final.returncode == 0, final.stderr
    assert json.loads((state / "store" / "bundle.json").read_text())["version"] == versions[-1]

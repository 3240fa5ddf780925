"""Lightweight players (bench/sim/fleet.py) against a real HTTP server on 127.0.0.1.

They must be the player's sync client, not a look-alike: the same conditional requests,
the same verification and the same refusals, word for word."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from pathlib import Path

import pytest

from bundle_server import BundleServer, Fault
from conftest import wait_until
from player.sources.bundle import sign
from player.sources.fetch import Fetcher
from bench.sim.fleet import CLIENTS, Fleet, MemoryStore, ObjectPool, SimPlayer, make_player
from player.sources.publish import build_bundle
from player.sources.store import Store
from player.sources.sync import BundleSync

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone.utc)
FILES = {f"公示公告/通知{i:02d}.txt": f"通知{i}\n第{i}项内容。\n" for i in range(10)}


def publish(tmp_path: Path, server: BundleServer, key, files: dict[str, str]) -> int:
    src = tmp_path / f"src{time.monotonic_ns()}"
    for rel, text in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    return build_bundle(src, server.root, key, now=NOW).version


def light(server: BundleServer, pub: Path, name: str = "p0", pool: ObjectPool | None = None,
          interval: float = 1.0, client: str = "light") -> SimPlayer:
    return make_player(name, server.url, pub, interval, MemoryStore(pool, name), lambda: NOW, seed=1, timeout=5.0,
                       client=client)


def real(tmp_path: Path, server: BundleServer, pub: Path) -> BundleSync:
    return BundleSync(server.url, Store(tmp_path / "state" / "store"), Fetcher(timeout=5.0), pub, False, lambda: NOW)


def test_a_fleet_converges_and_one_change_costs_one_object_each(tmp_path, server, keys) -> None:
    publish(tmp_path, server, keys["key"], FILES)
    template = light(server, keys["pub"], "template")
    assert template.cycle()[0].result == "updated"
    server.settle()
    server.log.clear()
    players = [make_player(f"p{i}", server.url, keys["pub"], 1.0, template.sync.store.clone(f"p{i}"),
                           lambda: NOW, seed=i, timeout=5.0) for i in range(20)]
    assert all(p.version == 1 for p in players)
    fleet = Fleet(players, threads=4)
    rng = random.Random(0)
    fleet.start(lambda _p: rng.uniform(0, 1.0))
    try:
        assert wait_until(lambda: len(server.log) >= len(players), timeout=15)  # every player polled once
        server.settle()
        assert {(e.path, e.status, e.sent) for e in server.log} == {("/manifest.json", 304, 0)}
        server.log.clear()
        changed = dict(FILES, **{"公示公告/通知03.txt": "通知3（更正）\n新内容。\n"})
        assert publish(tmp_path, server, keys["key"], changed) == 2
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(p.version != 2 for p in players):
            time.sleep(0.1)
    finally:
        fleet.stop()
    assert all(p.version == 2 and p.sync.missing() == [] for p in players)
    sha = hashlib.sha256(changed["公示公告/通知03.txt"].encode()).hexdigest()
    objects = server.requests_for("/objects/")
    assert [e.path for e in objects] == [f"/objects/{sha[:2]}/{sha}"] * 20
    assert len([e for e in server.log if e.path == "/manifest.json.sig"]) == 20
    # the replaced object is kept for the previous bundle, as the disk store keeps it
    old = hashlib.sha256(FILES["公示公告/通知03.txt"].encode()).hexdigest()
    assert all({old, sha} <= p.sync.store.held and p.sync.previous.version == 1 for p in players)


@pytest.mark.parametrize("client", CLIENTS)
def test_a_tampered_object_is_refused_with_the_players_message(tmp_path, server, keys, client: str) -> None:
    publish(tmp_path, server, keys["key"], FILES)
    sha = hashlib.sha256(FILES["公示公告/通知05.txt"].encode()).hexdigest()
    server.faults[f"/objects/{sha[:2]}/{sha}"] = Fault("replace", data=b"tampered" + b"x" * 10)
    player, screen = light(server, keys["pub"], client=client), real(tmp_path, server, keys["pub"])
    outcome, _ = player.cycle()
    expected = screen.run_once()
    assert (outcome.result, expected.result) == ("refused", "refused")
    assert outcome.message == expected.message == \
        "object for 公示公告/通知05.txt does not match its size and sha256 in the manifest"
    assert player.version is None and player.sync.store.get(sha) is None
    assert player.sync.status.refused == outcome.message


def test_a_bad_signature_is_refused_and_the_active_version_kept(tmp_path, server, keys) -> None:
    publish(tmp_path, server, keys["key"], FILES)
    player = light(server, keys["pub"])
    assert player.cycle()[0].result == "updated"
    publish(tmp_path, server, keys["key"], dict(FILES, **{"公示公告/新.txt": "新通知\n内容。\n"}))
    forged = sign((server.root / "manifest.json").read_bytes(), keys["other"])
    server.faults["/manifest.json.sig"] = Fault("replace", data=forged)
    outcome, wait = player.cycle()  # waits SIGNATURE_RETRY (2 s) once, as the player does
    screen = real(tmp_path, server, keys["pub"])
    assert outcome.result == "refused" and outcome.message == screen.run_once().message
    assert "signature does not verify" in outcome.message
    assert player.version == 1 and player.sync.missing() == []
    assert 0.8 <= wait <= 1.2  # refused: back to the normal interval (SyncWorker.next_wait)


def test_an_unchanged_source_costs_a_304_without_a_body(tmp_path, server, keys) -> None:
    publish(tmp_path, server, keys["key"], FILES)
    player = light(server, keys["pub"])
    player.cycle()
    server.settle()
    server.log.clear()
    outcome, _ = player.cycle()
    assert outcome.result == "unchanged" and player.last_ok is not None
    assert [(e.path, e.status, e.sent) for e in server.settle()] == [("/manifest.json", 304, 0)]


def test_an_unreachable_source_backs_off_with_full_jitter(tmp_path, server, keys) -> None:
    publish(tmp_path, server, keys["key"], FILES)
    player = light(server, keys["pub"], interval=10.0)
    player.cycle()
    server.faults["/manifest.json"] = Fault("status", status=503, retry_after="30")
    outcome, wait = player.cycle()
    assert outcome.result == "failed" and wait >= 30 and player.worker.failures == 1
    server.faults.clear()
    assert player.cycle()[0].result == "unchanged" and player.worker.failures == 0


def test_memory_store_keeps_the_store_interface() -> None:
    pool = ObjectPool()
    store = MemoryStore(pool, "a")
    with pytest.raises(FileNotFoundError):
        store.read_pointer("bundle")
    sha = store.put(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest() and store.get(sha) == b"hello"
    store.write_pointer("bundle", b'{"files": {"x.txt": "%s"}}' % sha.encode())
    other = store.clone("b")
    assert other.get(sha) == b"hello" and other.read_pointer("bundle") == store.read_pointer("bundle")
    assert MemoryStore(pool, "c").get(sha) is None  # shared bytes, but not held by every store
    store.write_pointer("bundle", b'{"files": {}}')
    assert store.collect() == 1 and store.get(sha) is None and other.get(sha) == b"hello"


def test_the_disk_store_writes_the_same_pointer_files(tmp_path) -> None:
    store = Store(tmp_path / "store")
    store.write_pointer("bundle", b'{"files": {}}')
    assert (tmp_path / "store" / "bundle.json").read_bytes() == b'{"files": {}}'
    assert store.read_pointer("bundle") == '{"files": {}}'
    with pytest.raises(FileNotFoundError):
        store.read_pointer("bundle-previous")


def test_an_unknown_client_is_a_clear_error(server, keys) -> None:
    with pytest.raises(ValueError, match="client must be one of light, requests"):
        light(server, keys["pub"], client="curl")

"""The fleet's lightweight fetcher (bench/sim/lightfetch.py) against a real HTTP server
on 127.0.0.1: it must honour the same contract as the player's Fetcher, fault by fault,
or a fleet benchmark would measure a client that cheats."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from bundle_server import BundleServer, Fault
from player.sources.fetch import DownloadError, Fetcher, Response
from bench.sim.lightfetch import LightFetcher

BODY = "第一条通知\n内容。\n".encode() * 50  # 1,150 bytes


@pytest.fixture
def site(server: BundleServer) -> BundleServer:
    (server.root / "a.txt").write_bytes(BODY)
    (server.root / "b.txt").write_bytes(b"b" * 70_000)  # more than one socket read
    return server


def both(**kwargs) -> list:
    real = Fetcher(timeout=kwargs.get("timeout", 5.0), deadline=kwargs.get("deadline", 30.0))
    real.session.trust_env = False
    return [real, LightFetcher(timeout=kwargs.get("timeout", 5.0), deadline=kwargs.get("deadline", 30.0))]


def outcome(fetcher, url: str, max_bytes: int, **kwargs) -> Response | DownloadError:
    try:
        return fetcher.get(url, max_bytes, **kwargs)
    except DownloadError as exc:
        return exc


def test_bodies_headers_and_a_conditional_304_as_the_player_sees_them(site: BundleServer) -> None:
    for fetcher in both():
        first = fetcher.get(site.url + "a.txt", 10_000)
        assert (first.status, first.body) == (200, BODY)
        assert first.headers.get("ETag") and first.headers.get("etag") == first.headers["ETag"]
        assert fetcher.get(site.url + "b.txt", 70_000).body == b"b" * 70_000
        again = fetcher.get(site.url + "a.txt", 10_000, {"If-None-Match": first.headers["ETag"]}, accept=(200, 304))
        assert (again.status, again.body) == (304, b"")
        assert fetcher.get(site.url + "a.txt", 10_000).body == BODY  # the connection is still in step
        assert fetcher.requests_made == 4
        fetcher.close()
    site.settle()
    assert [(e.path, e.status) for e in site.log] == [
        ("/a.txt", 200), ("/b.txt", 200), ("/a.txt", 304), ("/a.txt", 200)] * 2


def test_one_keep_alive_connection_for_many_requests(site: BundleServer) -> None:
    fetcher = LightFetcher(timeout=5.0)
    for _ in range(50):
        assert fetcher.get(site.url + "a.txt", 10_000).body == BODY
    assert len(site.connections) == 1
    fetcher.close()


@pytest.mark.parametrize("fault, path, limit, words", [
    (Fault("status", status=404), "/a.txt", 10_000, "a.txt: HTTP 404"),
    (Fault("status", status=503, retry_after="7"), "/a.txt", 10_000, "a.txt: HTTP 503"),
    (Fault("huge", size=5_000_000), "/a.txt", 1_000_000, "5000000 bytes announced, over the 1000000 byte limit"),
    (Fault("endless"), "/a.txt", 200_000, "more than 200000 bytes, cut off"),
    (Fault("truncate", keep=20), "/a.txt", 10_000, "a.txt: "),
    (Fault("reset", keep=20), "/a.txt", 10_000, "a.txt: "),
], ids=["404", "503-retry-after", "announced-too-big", "endless", "truncated", "reset"])
def test_every_fault_fails_as_it_does_for_the_player(site: BundleServer, fault: Fault, path: str, limit: int,
                                                     words: str) -> None:
    site.faults[path] = fault
    results = [outcome(fetcher, site.url + path.lstrip("/"), limit) for fetcher in both()]
    for result in results:
        assert isinstance(result, DownloadError), result
        assert words in str(result)
    real, light = results
    assert light.retry_after == real.retry_after == (7.0 if fault.retry_after else None)
    if fault.kind in ("status", "huge", "endless"):
        assert str(light) == str(real)  # word for word
    site.faults.clear()
    fetcher = both()[1]
    assert fetcher.get(site.url + "a.txt", 10_000).body == BODY  # and the next request works


def test_a_trickling_server_is_cut_off_by_the_deadline_and_a_silent_one_by_the_timeout(site: BundleServer) -> None:
    site.faults["/a.txt"] = Fault("slow", interval=0.2)  # a byte every 0.2 s: no read ever times out
    started = time.monotonic()
    error = outcome(LightFetcher(timeout=2.0, deadline=1.0), site.url + "a.txt", 10_000)
    assert isinstance(error, DownloadError) and "not complete after 1 s, cut off" in str(error)
    assert time.monotonic() - started < 5
    site.faults["/a.txt"] = Fault("slow", interval=3.0)  # silence longer than the read timeout
    started = time.monotonic()
    error = outcome(LightFetcher(timeout=0.5, deadline=30.0), site.url + "a.txt", 10_000)
    assert isinstance(error, DownloadError) and "timed out" in str(error)
    assert time.monotonic() - started < 3


def test_a_server_that_closed_the_kept_connection_is_asked_again(site: BundleServer) -> None:
    fetcher = LightFetcher(timeout=5.0)
    assert fetcher.get(site.url + "a.txt", 10_000).body == BODY
    site.stop()  # a restart cuts kept-alive connections
    site.start()
    assert fetcher.get(site.url + "a.txt", 10_000).body == BODY
    site.stop()
    error = outcome(fetcher, site.url + "a.txt", 10_000)
    assert isinstance(error, DownloadError) and "refused" in str(error).lower()


def test_only_plain_http_is_spoken() -> None:
    error = outcome(LightFetcher(), "https://user:secret@127.0.0.1:9/manifest.json", 100)
    assert isinstance(error, DownloadError) and "plain http:// only" in str(error)
    assert "secret" not in str(error)


def test_garbage_instead_of_http_is_an_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    fetcher = LightFetcher(timeout=2.0)

    def answer() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
        conn.close()
    thread = threading.Thread(target=answer)
    thread.start()
    error = outcome(fetcher, f"http://127.0.0.1:{port}/manifest.json", 100)
    thread.join()
    listener.close()
    assert isinstance(error, DownloadError) and str(error).startswith(f"http://127.0.0.1:{port}/manifest.json: not an HTTP")

"""Benchmark: the hostile-input suite, run long (issue 14's "a longer run as a benchmark").

    .venv/bin/python bench/hostile.py [--trees 1000] [--configs 2000] [--bundles 100] [--seed N]

The same hypothesis strategies as tests/test_hostile.py (tests/hostile.py: names in any
bytes, GBK names, forged staff lines, front matter PyYAML rejects, pictures whose headers
lie, truncated pictures, FIFOs, deep folders), many more examples, and nothing stops at
the first failure: every example is run and counted.

- ``trees``: each tree written into a real folder and read by the real scanner
  (``FolderScanner`` with the sandboxed ``Ingest``); a scan that does not end in
  ``--hang`` seconds is a hang, an exception is a crash, a regular file neither shown
  nor refused with a reason is lost;
- ``configs``: each generated ``player.yaml`` parsed; anything but a config or one
  ``ConfigError`` line naming the file is a crash;
- ``bundles``: each tree through ``bundle build`` -> a real HTTP server on 127.0.0.1 ->
  ``BundleSync`` -> the player's library;
- ``starts``: a real ``signage play --headless`` on the sample plus everything at once (a
  FIFO, a picture bomb, lying and truncated pictures, front matter PyYAML rejects, a
  1,100-folder-deep notice, GBK names, a forged staff line, a 300,000-character title,
  and ``--start-trees`` generated trees): seconds from spawn to systemd's READY=1 at a
  first start, at a restart, and at a start after the player was killed (SIGKILL)
  mid-run. Target: <= 5 s.

Prints one line per part and a total; exit 1 when any crash, hang or lost file was seen.
docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hypothesis import HealthCheck, given, seed, settings, strategies as st  # noqa: E402

from conftest import CONTENT, write_config  # noqa: E402
from hostile import accounted, trees, write_tree, write_worst  # noqa: E402
from player.config import ConfigError, parse_config  # noqa: E402
from player.model.limits import Limits  # noqa: E402
from player.sources.folder import FolderScanner  # noqa: E402
from player.sources.ingest import Ingest  # noqa: E402

CONFIG_KEYS = ["screen", "drop", "state_dir", "display", "sync", "ticker", "limits", "power", "theme", "pages",
               "timezone", "playlog", "report", "metrics", "alerts", "memory", "layout", "interaction"]
CONFIG_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<<: 1", "[" * 3000, "\x80", "\x00", "9" * 4000, "9" * 5000, ".nan", "-.inf", "1e400",
                     "!!python/name:os.system", "&a [*a]", "{a: 1, a: 2}", "\"\\ud800\"", "~", "{page_cache_mib: 0}",
                     "{rotate: 45}", "{size: 0x0}", "{url: 'file:///etc/passwd'}",
                     # values that some keys accept, so that accepted configs are exercised too
                     "{}", "{speed: 120}", "{size: 1920x1080, rotate: 90}", "{rescan: 30}", "Asia/Shanghai",
                     "{page_cache_mib: 24}", "{interval: 10}", "auto", "portrait"]))


class Tally:
    """What one part saw."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.examples = 0
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        self.slowest = 0.0
        self.started = time.monotonic()

    def fail(self, kind: str, detail: str) -> None:
        self.counts[kind] += 1
        if len(self.failures) < 10:
            self.failures.append(f"{kind}: {detail}")

    def line(self) -> str:
        spent = time.monotonic() - self.started
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "-"
        return (f"{self.name:8} {self.examples:6} examples in {spent:6.1f} s "
                f"(slowest {self.slowest * 1000:.0f} ms): {counts}")

    @property
    def bad(self) -> int:
        return sum(self.counts[k] for k in ("crash", "hang", "lost", "slow start"))


def _run(examples: int, seed_value: int, strategy, body) -> None:
    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(value) -> None:
        body(value)
    run()


def bench_trees(examples: int, seed_value: int, hang: float, work: Path) -> Tally:
    tally = Tally("trees")
    ingest = Ingest("drop", Limits())

    def one(tree) -> None:
        tally.examples += 1
        root = Path(tempfile.mkdtemp(dir=work))
        try:
            written = write_tree(root, tree)
            tally.counts["files"] += len(written)
            box: dict = {}

            def scan() -> None:
                try:
                    box["library"] = FolderScanner.once(root, Limits(), ingest).scan()
                except BaseException as exc:  # noqa: BLE001 - counted, never raised
                    box["error"] = exc
            started = time.monotonic()
            thread = threading.Thread(target=scan, daemon=True)
            thread.start()
            thread.join(hang)
            tally.slowest = max(tally.slowest, time.monotonic() - started)
            if thread.is_alive():
                tally.fail("hang", repr(tree)[:300])
                return
            if "error" in box:
                exc = box["error"]
                tally.fail("crash", "".join(traceback.format_exception_only(exc)).strip() + " " + repr(tree)[:200])
                return
            library = box["library"]
            tally.counts["shown"] += len(library.notices)
            tally.counts["refused"] += len(library.problems)
            for rel in written:
                if not accounted(rel, library):
                    tally.fail("lost", rel)
            for problem in library.problems:
                if not (problem.message and problem.hint_zh):
                    tally.fail("no reason", problem.path)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    try:
        _run(examples, seed_value, trees, one)
    finally:
        ingest.close()
    return tally


def bench_configs(examples: int, seed_value: int, work: Path) -> Tally:
    tally = Tally("configs")
    folder = work / "cfg"
    (folder / "drop").mkdir(parents=True, exist_ok=True)
    strategy = st.tuples(st.lists(st.sampled_from(CONFIG_KEYS), min_size=1, max_size=4),
                         st.lists(CONFIG_VALUES, min_size=1, max_size=4))

    def one(pair) -> None:
        keys, values = pair
        tally.examples += 1
        text = "screen: {name: 测试}\ndrop: {dir: drop}\nstate_dir: state\n"
        text += "".join(f"{key}: {value}\n" for key, value in zip(keys, values))
        started = time.monotonic()
        try:
            parse_config(text, folder / "player.yaml")
            tally.counts["accepted"] += 1
        except ConfigError as exc:
            tally.counts["refused"] += 1
            if "\n" in str(exc) or not str(exc).startswith(str(folder / "player.yaml")):
                tally.fail("bad message", str(exc)[:200])
        except Exception as exc:  # noqa: BLE001 - counted, never raised
            tally.fail("crash", f"{type(exc).__name__}: {exc} in {text[:120]!r}")
        tally.slowest = max(tally.slowest, time.monotonic() - started)
    _run(examples, seed_value, strategy, one)
    return tally


def bench_bundles(examples: int, seed_value: int, work: Path) -> Tally:
    from bundle_server import BundleServer
    from player.sources.fetch import Fetcher
    from player.sources.bundle import load_private_key
    from player.sources.publish import PublishError, build_bundle, keygen
    from player.sources.store import Store
    from player.sources.sync import BundleSync, SyncResult
    tally = Tally("bundles")
    private, pub = keygen(work / "keys" / "bench")
    key = load_private_key(private)

    def one(tree) -> None:
        tally.examples += 1
        case = Path(tempfile.mkdtemp(dir=work))
        src, site = case / "src", case / "site"
        src.mkdir()
        site.mkdir()
        started = time.monotonic()
        try:
            write_tree(src, tree)
            try:
                build_bundle(src, site, key, limits=Limits())
            except PublishError as exc:
                tally.counts["refused by build"] += 1
                if any("\n" in p.format() for p in exc.problems):
                    tally.fail("bad message", str(exc)[:200])
                return
            server = BundleServer(site).start()
            try:
                sync = BundleSync(server.url, Store(case / "state" / "store"), Fetcher(timeout=5, deadline=20), pub,
                                  False, lambda: dt.datetime.now(dt.timezone.utc))
                if sync.run_once().result != SyncResult.UPDATED:
                    tally.fail("not taken", repr(tree)[:200])
                    return
                library = sync.library()
                tally.counts["published"] += 1
                files = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["files"]
                for path in (f["path"] for f in files):
                    if not accounted(path, library):
                        tally.fail("lost", path)
                sync.ingest.close()
            finally:
                server.stop()
        except Exception as exc:  # noqa: BLE001 - counted, never raised
            tally.fail("crash", "".join(traceback.format_exception_only(exc)).strip() + " " + repr(tree)[:200])
        finally:
            tally.slowest = max(tally.slowest, time.monotonic() - started)
            shutil.rmtree(case, ignore_errors=True)
    _run(examples, seed_value, trees, one)
    return tally


def hostile_drop(root: Path, extra_trees: int, seed_value: int) -> None:
    """The sample and one of every hostile kind (tests/hostile.py), plus generated trees."""
    write_worst(root, CONTENT)
    _run(extra_trees, seed_value, trees,
         lambda tree: write_tree(Path(tempfile.mkdtemp(dir=root, prefix="生成")), tree))


def start_to_ready(config: Path, work: Path, kill_after: float | None = None, timeout: float = 60.0) -> float | None:
    """Seconds from spawn to READY=1 (None: never); the player is then stopped (SIGTERM,
    or SIGKILL ``kill_after`` seconds after READY)."""
    path = work / f"notify-{time.monotonic_ns()}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.2)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env["NOTIFY_SOCKET"] = str(path)
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = None
    try:
        while ready is None and time.monotonic() - started < timeout and proc.poll() is None:
            try:
                if sock.recv(65536).decode().startswith("READY=1"):
                    ready = time.monotonic() - started
            except (TimeoutError, OSError):
                continue
        if ready is not None and kill_after is not None:
            time.sleep(kill_after)
            proc.send_signal(signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
        path.unlink(missing_ok=True)
    return ready


def bench_starts(extra_trees: int, seed_value: int, work: Path) -> Tally:
    tally = Tally("starts")
    drop = work / "start" / "drop"
    hostile_drop(drop, extra_trees, seed_value)
    config = write_config(work / "start" / "cfg", drop)
    try:
        for label, kill_after in (("first start", None), ("restart", 3.0), ("after SIGKILL", None)):
            tally.examples += 1
            seconds = start_to_ready(config, work, kill_after=kill_after)  # "restart" is killed 3 s after READY
            if seconds is None:
                tally.fail("hang", f"{label}: no READY=1 within 60 s")
                continue
            tally.counts[f"{label} {seconds:.2f} s"] += 1
            tally.slowest = max(tally.slowest, seconds)
            if seconds > 5.0:
                tally.fail("slow start", f"{label}: READY after {seconds:.2f} s")
    finally:
        subprocess.run(["rm", "-rf", str(work / "start")], check=False)  # shutil.rmtree recurses per level
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trees", type=int, default=1000, help="hostile drop-folder trees through the scanner")
    parser.add_argument("--configs", type=int, default=2000, help="generated player.yaml files")
    parser.add_argument("--bundles", type=int, default=100, help="trees through bundle build, sync and the library")
    parser.add_argument("--starts", type=int, default=1, help="0: skip the start-to-READY part")
    parser.add_argument("--start-trees", type=int, default=30, help="generated trees beside the sample at start")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="hypothesis seed (printed)")
    parser.add_argument("--hang", type=float, default=30.0, help="a scan longer than this is a hang (s)")
    args = parser.parse_args()
    print(f"seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="signage-hostile-") as tmp:
        work = Path(tmp)
        tallies = []
        for name, count, run in (("trees", args.trees, lambda: bench_trees(args.trees, args.seed, args.hang, work)),
                                 ("configs", args.configs, lambda: bench_configs(args.configs, args.seed, work)),
                                 ("bundles", args.bundles, lambda: bench_bundles(args.bundles, args.seed, work)),
                                 ("starts", args.starts, lambda: bench_starts(args.start_trees, args.seed, work))):
            if count <= 0:
                continue
            tally = run()
            tallies.append(tally)
            print(tally.line(), flush=True)
            for failure in tally.failures:
                print("   ", failure)
    bad = sum(t.bad for t in tallies)
    print(f"total: {sum(t.examples for t in tallies)} examples, "
          f"{sum(t.counts['crash'] for t in tallies)} crashes, {sum(t.counts['hang'] for t in tallies)} hangs, "
          f"{sum(t.counts['lost'] for t in tallies)} files lost")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

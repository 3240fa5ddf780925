"""Benchmark: the player with real amounts of content (issue 15's and 16's targets).

    .venv/bin/python bench/scale.py [--seconds 60] [--only bundle,notices] [--work DIR] [--json OUT]

Makes the content (80 noisy 1400x1000 PNGs, >= 300 MB; 2,000 and 5,000 text notices;
the four documents of bench/documents.py), signs the pictures as a central bundle with
the real ``signage keygen`` and ``signage bundle build`` and serves it from a local
HTTP server on 127.0.0.1, starts Xvfb at 1920x1080 (``apt install xvfb``; without it
SDL's dummy driver is used, and the output says so), and runs each scenario of
bench/scaleplay.py in a fresh player process (the real App under SDL's x11 driver, a
fresh state dir, pages of ``--page-seconds``):

- ``sample``: the sample content (the baseline);
- ``bundle``: the 80 pictures as the active central bundle (sync every 10 s), ticker on;
- ``drop-pictures``: the same pictures in the drop folder;
- ``notices``: 2,000 text notices in the drop folder, rescanned every 10 s;
- ``bulk``: the sample, then 5,000 notices renamed into the drop folder and out again;
- ``documents``: the sample, then each document moved in, shown and moved out.

``before`` also runs ``signage bench --display`` of the sample on the code of
``--before`` (default: the commit before the runtime split) and on this checkout, for
"no worse than before". Prints the figures against the targets; docs/performance.md
records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.frameloop import start_xvfb  # noqa: E402

PY = sys.executable
SCENARIOS = ("before", "sample", "drop-pictures", "bundle", "notices", "bulk", "documents")
PICTURES, PICTURE_SIZE = 80, (1400, 1000)
NOTICES, BULK = 2000, 5000
BEFORE = "d6415a7"
TICKER = "请市民朋友携带身份证件办理业务\n本中心办公时间：周一至周五 8:30-12:00 14:00-17:30\n"
TEXT = ("为进一步做好辖区居民服务工作，现将有关事项通知如下。请各社区居民委员会认真组织学习，"
        "结合实际抓好落实，并于每月底前将工作进展报送街道办事处。")


# -- content ----------------------------------------------------------------------------------

def make_pictures(folder: Path) -> int:
    """80 noisy PNGs (incompressible: the worst case for decoding and storage)."""
    from PIL import Image
    target = folder / "社区风采"
    target.mkdir(parents=True, exist_ok=True)
    (folder / "ticker.txt").write_text(TICKER, encoding="utf-8")
    for i in range(PICTURES):
        path = target / f"社区风采{i + 1:02d}.png"
        if not path.exists():
            image = Image.frombytes("RGB", PICTURE_SIZE, os.urandom(PICTURE_SIZE[0] * PICTURE_SIZE[1] * 3))
            image.save(path.with_suffix(".tmp"), "PNG", compress_level=1)
            path.with_suffix(".tmp").rename(path)
    return sum(p.stat().st_size for p in target.iterdir())


def make_notices(folder: Path, count: int, prefix: str, categories: int = 8) -> None:
    """``count`` short text notices, in ``categories`` sub-folders (0: flat)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        sub = folder / f"栏目{i % categories + 1}" if categories else folder
        sub.mkdir(exist_ok=True)
        path = sub / f"{prefix}{i:04d}.txt"
        if not path.exists():
            path.write_text(f"关于第{i}号事项的{prefix}\n{TEXT}\n联系电话：0573-8888{i % 10000:04d}。\n",
                            encoding="utf-8")


def make_documents(folder: Path) -> None:
    from docfiles import big_xlsx, long_docx, scanned_pdf, text_pdf
    folder.mkdir(parents=True, exist_ok=True)
    makers = {"20页报告.docx": lambda: long_docx(20), "50页文件.pdf": lambda: text_pdf(pages=50),
              "10页扫描件.pdf": lambda: scanned_pdf(pages=10, source=text_pdf(pages=10)),
              "5000行明细.xlsx": lambda: big_xlsx(5000)}
    for name, make in makers.items():
        if not (folder / name).exists():
            (folder / name).write_bytes(make())


def signage(*args: str) -> None:
    subprocess.run([PY, "-m", "player", *args], check=True, cwd=ROOT, capture_output=True)


def make_bundle(work: Path, pictures: Path) -> tuple[Path, Path]:
    """keygen + bundle build of the pictures; returns (site folder, public key)."""
    keys, site = work / "keys", work / "site"
    if not (keys / "district.key").exists():
        keys.mkdir(exist_ok=True)
        signage("keygen", str(keys / "district"))
    if site.exists():
        shutil.rmtree(site)
    signage("bundle", "build", str(pictures), str(site), "--key", str(keys / "district.key"))
    return site, keys / "district.pub"


def serve(site: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([PY, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.05)
    raise SystemExit("the HTTP server did not start")


# -- runs -------------------------------------------------------------------------------------

def write_config(run: Path, drop: Path, page_seconds: float, extra: str = "") -> Path:
    run.mkdir(parents=True, exist_ok=True)
    path = run / "player.yaml"
    path.write_text(
        "screen: {name: 马宫街道便民服务中心, tags: [lobby, public]}\n"
        "display: {size: 1920x1080, fullscreen: false, fps: 60}\n"
        f"drop: {{dir: '{drop}', poll: false}}\n"
        f"state_dir: '{run / 'state'}'\ntimezone: Asia/Shanghai\n"
        f"pages: {{min_seconds: {page_seconds}, max_seconds: {page_seconds}}}\n"
        "clock: {max_jump_days: 3650}\n" + extra, encoding="utf-8")
    return path


def fresh_copy(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("_状态.txt", "_预览"))
    return target


def machine_speed(seconds: float = 1.0) -> float:
    """Millions of iterations per second of a trivial Python loop: this 2-core VM shares
    its host, and a slow phase of the host shows here (for the record of each run)."""
    started = time.perf_counter()
    count = 0
    while time.perf_counter() - started < seconds:
        count += 1
    return round(count / seconds / 1e6, 2)


def run_player(name: str, config: Path, work: Path, env: dict, seconds: float) -> dict:
    out = config.parent / "result.json"
    args = [PY, str(ROOT / "bench/scaleplay.py"), "--config", str(config), "--scenario", name, "--work", str(work),
            "--seconds", str(seconds), "--out", str(out)]
    log = (config.parent / "player.log").open("w")
    subprocess.run(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=3600, check=False)
    result = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"scenario": name, "phases": []}
    result["log"] = str(config.parent / "player.log")
    return result


def run_before(work: Path, commit: str, env: dict, seconds: float, page_seconds: float) -> dict:
    """``signage bench --display`` of the sample: the code of ``commit`` and this checkout."""
    old = work / f"before-{commit}"
    if not old.exists():
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    out = {}
    for label, code in ((f"before ({commit})", old), ("after", ROOT)):
        args = [PY, "-m", "player", "bench", "-c", str(code / "config/player.yaml"), "--json", "--display",
                "--seconds", str(seconds), "--size", "1920x1080", "--page-seconds", str(page_seconds)]
        result = subprocess.run(args, env=dict(env, PYTHONPATH=str(code)), cwd=code, capture_output=True,
                                text=True, timeout=seconds * 4 + 120)
        out[label] = json.loads(result.stdout) if result.returncode == 0 else {"error": result.stderr[-2000:]}
    return out


def scenario(name: str, work: Path, args, env: dict, bundle: tuple[Path, int] | None) -> dict:
    run = work / "runs" / name
    if run.exists():
        shutil.rmtree(run)
    sample = ROOT / "content"
    drop, extra = None, ""
    if name in ("sample", "bulk", "documents"):
        drop = fresh_copy(sample, run / "drop")
    elif name == "drop-pictures":
        drop = fresh_copy(work / "pictures", run / "drop")
    elif name == "notices":
        drop, extra = work / "notices", "drop: {rescan: 10}\n"
        shutil.rmtree(drop / "_预览", ignore_errors=True)  # staff previews are written afresh, as at a first start
    elif name == "bundle":
        drop = run / "drop"
        drop.mkdir(parents=True)
        key, port = bundle
        extra = f"sync: {{url: 'http://127.0.0.1:{port}/', public_key: '{key}', interval: 10}}\n"
    if name == "bulk":
        make_notices(work / "bulk", BULK, "通知", categories=0)
    if name == "documents":
        make_documents(work / "documents")
    config = write_config(run, drop, args.page_seconds)
    if extra.startswith("drop:"):  # merge into the drop line
        text = config.read_text(encoding="utf-8").replace("poll: false}", "poll: false, rescan: 10}")
        config.write_text(text, encoding="utf-8")
    elif extra:
        config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return run_player(name, config, work, env, args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each steady phase")
    parser.add_argument("--page-seconds", type=float, default=4.0)
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "signage-scale",
                        help="content and runs (kept: pictures and notices are made once)")
    parser.add_argument("--before", default=BEFORE, help="the commit to compare the sample with")
    parser.add_argument("--json", type=Path, help="write all results here")
    args = parser.parse_args()
    wanted = [s for s in args.only.split(",") if s]
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    size = make_pictures(work / "pictures")
    print(f"pictures: {PICTURES} x {PICTURE_SIZE[0]}x{PICTURE_SIZE[1]} PNG, {size / 1e6:.0f} MB")
    make_notices(work / "notices", NOTICES, "公告")
    (work / "notices" / "ticker.txt").write_text(TICKER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    xvfb = start_xvfb("1920x1080")
    if xvfb is None:
        print("Xvfb is not available: SDL's dummy driver is used (no X11 presentation cost)")
        env["SDL_VIDEODRIVER"] = "dummy"
    else:
        env.update(SDL_VIDEODRIVER="x11", DISPLAY=xvfb[1])
    server = None
    results = {}
    try:
        bundle = None
        if "bundle" in wanted:
            site, key = make_bundle(work, work / "pictures")
            server, port = serve(site)
            bundle = (key, port)
        for name in wanted:
            speed = machine_speed()
            started = time.monotonic()
            if name == "before":
                results[name] = run_before(work, args.before, env, args.seconds, args.page_seconds)
            else:
                results[name] = scenario(name, work, args, env, bundle)
                results[name]["load_average"] = os.getloadavg()[0]  # the machine is shared: for the record
                results[name]["speed_before"] = speed
            print(f"{name}: {time.monotonic() - started:.0f} s, load average {os.getloadavg()[0]:.2f}, "
                  f"Python loop speed before {speed} M/s, after {machine_speed()} M/s", flush=True)
    finally:
        if server is not None:
            server.terminate()
        if xvfb is not None:
            xvfb[0].terminate()
    from bench.scalereport import report
    print(report(results, env.get("SDL_VIDEODRIVER", "")))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

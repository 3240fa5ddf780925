"""The drop folder end to end: a real `signage play --headless` process, real files, real
watchdog observers (inotify and polling), status.json and the staff report."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT, wait_until, write_config

REPORT = "_状态.txt"


class Player:
    """A running `signage play --headless` on a temp drop folder."""

    def __init__(self, tmp: Path, extra: str = "") -> None:
        self.drop = tmp / "drop"
        self.drop.mkdir(exist_ok=True)
        self.config = write_config(tmp / "cfg", self.drop, extra=extra)
        self.state = tmp / "cfg" / "state"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Player":
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
        (self.state / "status.json").unlink(missing_ok=True)  # wait for this run's own status
        self.log = open(self.state.parent / "player.log", "a", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(self.config), "--headless"],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log, text=True)
        assert wait_until(lambda: self.status() is not None or self.proc.poll() is not None, 20), "player did not start"
        assert self.proc.poll() is None, (self.state.parent / "player.log").read_text(encoding="utf-8")
        return self

    def stop(self) -> str:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=15)
        self.log.close()
        err = (self.state.parent / "player.log").read_text(encoding="utf-8")
        assert self.proc.returncode == 0, err
        assert "Traceback" not in err, err
        return err

    def status(self) -> dict | None:
        try:
            return json.loads((self.state / "status.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def notices(self) -> dict[str, dict]:
        status = self.status() or {}
        return {n["id"]: n for n in status.get("notices", [])}

    def errors(self) -> dict[str, str]:
        status = self.status() or {}
        return {e["file"]: e["error"] for e in status.get("drop", {}).get("errors", [])}

    def report(self) -> str:
        try:
            return (self.drop / REPORT).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return ""



@pytest.fixture
def player(tmp_path: Path, request):
    players: list[Player] = []

    def make(extra: str = "") -> Player:
        p = Player(tmp_path, extra)
        players.append(p)
        return p
    yield make
    for p in players:
        if p.proc is not None and p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait()


@pytest.mark.parametrize("poll", ["false", "true"])
def test_a_slow_copy_is_taken_once_and_complete(player, poll: str) -> None:
    p = player()
    p.config.write_text(p.config.read_text(encoding="utf-8").replace("poll: auto", f"poll: {poll}"), encoding="utf-8")
    p.start()
    text = "关于冬季供暖的通知\n" + "".join(f"第{i}段：供暖时间为每日6:00至22:00，请居民注意室内通风。\n" for i in range(40))
    data = text.encode("utf-8")
    chunks = [data[i:i + len(data) // 6 + 1] for i in range(0, len(data), len(data) // 6 + 1)]
    seen: set[str] = set()
    with open(p.drop / "通知.txt", "wb") as handle:  # one open file written over 3 s, like a network copy
        for chunk in chunks:
            handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
            for _ in range(5):
                notice = p.notices().get("通知")
                if notice:
                    seen.add(notice["sha256"])
                time.sleep(0.1)
    full = hashlib.sha256(data).hexdigest()
    assert wait_until(lambda: p.notices().get("通知"), 8 if poll == "true" else 4)
    seen.add(p.notices()["通知"]["sha256"])
    assert seen == {full}  # never a partial version
    assert "通知.txt" not in p.errors()
    p.stop()


def test_encodings_staff_pcs_produce(player) -> None:
    p = player().start()
    files = {
        "公告/记事本GBK.txt": "社区通知（GBK）\n本周六上午清洗水箱。\n".encode("gbk"),
        "公告/生僻字.txt": "䶮字公告\n姓名：王䶮，女，示例。\n".encode("gb18030"),
        "公告/带BOM.txt": codecs.BOM_UTF8 + "带BOM的公告\n内容。\n".encode("utf-8"),
        "公告/记事本Unicode.txt": "UTF16公告\n内容。\n".encode("utf-16"),
        "财务/收支.csv": "项目,金额（元）\r\n保洁,1200.00\r\n绿化,860.50\r\n".encode("gbk"),
    }
    for name, data in files.items():
        path = p.drop / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert wait_until(lambda: len(p.notices()) == 5, 8), p.notices()
    titles = {n: v["title"] for n, v in p.notices().items()}
    assert titles == {"公告/记事本GBK": "社区通知（GBK）", "公告/生僻字": "䶮字公告", "公告/带BOM": "带BOM的公告",
                      "公告/记事本Unicode": "UTF16公告", "财务/收支": "收支"}
    assert p.errors() == {}
    p.stop()


def test_every_refusal_is_explained_and_fixes_clear_it(player, tmp_path: Path) -> None:
    p = player("limits: {text_mib: 0.01, image_mib: 0.1, image_megapixels: 2}\n").start()
    picture = (CONTENT / "民生实事" / "2026年民生实事项目进度.png").read_bytes()
    outside = tmp_path / "outside.txt"
    outside.write_text("外部文件\n内容\n", encoding="utf-8")
    bad = {
        "a/太大.txt": ("字" * 5000).encode("utf-8"),
        "a/空文件.txt": b"",
        "a/乱码.txt": "标题\n锟斤拷锟斤拷\n".encode("utf-8"),
        "a/无法解码.txt": b"\xff\xfe\xfa\x80\x81 bad bytes",
        "a/设置错误.txt": "---\ntitle: [unclosed\n---\n正文\n".encode("utf-8"),
        "a/危险标签.txt": "---\ntitle: !!python/object/apply:os.system [\"true\"]\n---\n正文\n".encode("utf-8"),
        "a/报告.docx": b"PK\x03\x04word",
        "a/扫描件.pdf": b"%PDF-1.4 scan",
        "a/幻灯片.pptx": b"PK\x03\x04slides",
        "b/坏图.png": picture[: len(picture) // 3],
        "b/大图.png": picture[:24] + b"\x00" * 120_000,  # over image_mib
        "b/巨幅.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (5000).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00" + b"\x00" * 100,
    }
    for name, data in bad.items():
        path = p.drop / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    os.symlink(outside, p.drop / "a" / "链接.txt")
    expected = {**{name: None for name in bad}, "a/链接.txt": None}
    assert wait_until(lambda: set(expected) <= set(p.errors()), 10), p.errors()
    errors = p.errors()
    keywords = {"a/太大.txt": "limit", "a/空文件.txt": "empty", "a/乱码.txt": "garbled",
                "a/无法解码.txt": "cannot decode", "a/设置错误.txt": "YAML", "a/危险标签.txt": "tag",
                "a/报告.docx": "damaged", "a/扫描件.pdf": "damaged", "a/幻灯片.pptx": "unsupported file type .pptx",
                "b/坏图.png": "cannot be decoded", "b/大图.png": "limit", "b/巨幅.png": "megapixel",
                "a/链接.txt": "outside"}
    for name, word in keywords.items():
        assert word in errors[name], (name, errors[name])
    assert wait_until(lambda: "链接.txt" in p.report() and "巨幅.png" in p.report(), 5)
    report = p.report()
    assert "【有问题的文件】共 13 个" in report, report
    for hint in ("请拆分", "文件是空的", "乱码", "编码无法识别", "YAML", "已损坏或不完整", "不支持 .pptx", "图片已损坏",
                 "缩小图片", "快捷链接"):
        assert hint in report, hint
    assert not Path("/tmp/signage-pwned").exists()
    # Fixing a file clears its entry; removing one clears it too.
    (p.drop / "a/设置错误.txt").write_text("---\ntitle: 已修正的公告\n---\n正文\n", encoding="utf-8")
    (p.drop / "a/报告.docx").unlink()
    assert wait_until(lambda: "a/设置错误" in p.notices() and "a/设置错误.txt" not in p.errors()
                and "a/报告.docx" not in p.errors(), 8)
    assert wait_until(lambda: "已修正的公告" in p.report() and "报告.docx" not in p.report(), 5)
    assert sorted(os.listdir(p.drop)) == sorted(["a", "b", REPORT])  # nothing else written into the share
    p.stop()


def test_delete_rename_and_a_bad_new_version(player) -> None:
    p = player()
    (p.drop / "公示").mkdir()
    (p.drop / "公告").mkdir()
    (p.drop / "公示" / "任前公示.txt").write_text("任前公示\n王某某，拟任主任。\n", encoding="utf-8")
    (p.drop / "公示" / "停水.txt").write_text("停水通知\n明日停水。\n", encoding="utf-8")
    good = (p.drop / "公示" / "停水.txt").read_bytes()
    p.start()
    assert wait_until(lambda: {"公示/任前公示", "公示/停水"} <= set(p.notices()), 8)
    # A rename between category folders moves the notice.
    started = time.monotonic()
    os.rename(p.drop / "公示" / "任前公示.txt", p.drop / "公告" / "任前公示.txt")
    assert wait_until(lambda: "公告/任前公示" in p.notices() and "公示/任前公示" not in p.notices(), 8)
    # A deleted file leaves the screen within two seconds.
    started = time.monotonic()
    (p.drop / "公告" / "任前公示.txt").unlink()
    assert wait_until(lambda: "公告/任前公示" not in p.notices(), 4)
    assert time.monotonic() - started < 2.5
    # A broken new version: refused, explained, and the good version stays — also after a restart.
    (p.drop / "公示" / "停水.txt").write_bytes(b"\x00\x01binary garbage\x00")
    assert wait_until(lambda: "公示/停水.txt" in p.errors(), 8)
    assert p.notices()["公示/停水"]["sha256"] == hashlib.sha256(good).hexdigest()
    assert "previous version stays" in p.errors()["公示/停水.txt"]
    assert wait_until(lambda: "仍显示此前正确的版本" in p.report(), 5)
    p.stop()
    p.start()
    assert wait_until(lambda: "公示/停水.txt" in p.errors(), 8)
    assert p.notices()["公示/停水"]["sha256"] == hashlib.sha256(good).hexdigest()
    p.stop()


def test_a_dead_observer_and_a_recreated_folder_are_recovered(tmp_path: Path) -> None:
    from player.model.limits import Limits
    from player.sources.watch import FolderWatcher

    drop = tmp_path / "drop"
    drop.mkdir()
    libraries = []
    watcher = FolderWatcher(drop, Limits(), libraries.append, poll="false", quiet=0.3, health_every=0.5)
    watcher.scan_now()
    watcher.start()
    try:
        (drop / "一.txt").write_text("第一条\n内容\n", encoding="utf-8")
        assert wait_until(lambda: libraries and libraries[-1].get("一"), 5)
        watcher._observer.stop()  # the observer thread dies
        assert wait_until(lambda: watcher.restarts == 1 and watcher.healthy(), 5)
        (drop / "二.txt").write_text("第二条\n内容\n", encoding="utf-8")
        assert wait_until(lambda: libraries[-1].get("二"), 5)
        shutil.rmtree(drop)  # the share goes away: the last content stays …
        time.sleep(1.0)
        assert libraries[-1].get("二") is not None
        drop.mkdir()  # … and comes back as a new folder
        (drop / "三.txt").write_text("第三条\n内容\n", encoding="utf-8")
        assert wait_until(lambda: watcher.restarts >= 2 and libraries[-1].get("三") and not libraries[-1].get("一"), 8)
    finally:
        watcher.stop()

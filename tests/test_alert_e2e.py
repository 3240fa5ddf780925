"""Emergency alerts end to end: a real HTTP server on 127.0.0.1, the real ``signage alert``
command publishing into its folder, and the real player.

Where real time is enough the player is ``signage play --headless`` in a subprocess and the
test reads what it reports (``status.json``, ``STATE_DIR/screen.png`` on SIGUSR1, the play
log through ``signage playlog``); a scripted ``cec-ctl`` on PATH plays the TV. Where minutes
must pass (expiry, the 10-minute all-clear, waking through a night) the App runs in this
process on a simulated clock with the dummy driver, its real alert thread polling the real
server: each publish step holds the simulated clock until the thread has handed the
document to the frame loop, so simulated time and the network never race.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bundle_server import Fault
from conftest import CONTENT, ROOT, run_signage, wait_until
from player.config import load_config
from player.layout.alert import ALL_CLEAR_COLORS, LEVEL_COLORS, alert_pages
from player.layout.display import RectOp, TextOp
from player.layout.theme import Theme
from player.layout.templates import frame_for
from player.model.alerts import DRILL_MARK, MAX_DOCUMENT, Alert, Level, MsgType, Status
from player.render.compositor import ALERT, DARK, KIOSK, ROTATION
from player.render.fonts import load_fonts
from player.render.pg import pygame
from player.runtime.app import App
from player.runtime.clock import ScriptedClock, date_files
from player.runtime.display import Screen
from player.sources import alertpublish
from player.sources.bundle import sign
from test_cap import SENT, cap, with_info
from test_power_cec import FAKE

TZ = ZoneInfo("Asia/Shanghai")
INTERVAL = 2  # alerts.interval: the smallest the config allows, to keep the tests short
#: An alert is on screen within one poll (interval ±10 %) + 2 s (the issue's bound), and
#: status.json says so once the writer has written it (at once on a change).
WITHIN = INTERVAL * 1.1 + 2 + 4
RED = LEVEL_COLORS[Level.RED][0]
GREEN = ALL_CLEAR_COLORS[0]


# -- a player's folders and config ----------------------------------------------------------

def make_drop(folder: Path, *names: str) -> Path:
    """A drop folder with some of the sample files (dated before any simulated start)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CONTENT / name, target)
    return folder


def player_config(folder: Path, drop: Path, server, pub: Path, *, tags=("lobby", "public"),
                  name: str = "马宫街道便民服务中心", extra: str = "") -> Path:
    """player.yaml for a screen polling the test server's alerts.json every 2 s."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "player.yaml"
    path.write_text(
        f"screen: {{name: {name}, tags: [{', '.join(tags)}]}}\n"
        f"drop: {{dir: '{drop}', poll: auto}}\n"
        f"state_dir: '{folder / 'state'}'\n"
        f"alerts: {{url: '{server.url}', public_key: '{pub}', interval: {INTERVAL}}}\n"
        "clock: {max_jump_days: 3650}\n" + extra, encoding="utf-8")
    return path


def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "district.key"  # written by the ``keys`` fixture


def signage_alert(tmp_path: Path, site: Path, *args: str) -> subprocess.CompletedProcess:
    """The duty officer's command: ``signage alert ACTION … --key K SITE``."""
    result = run_signage("alert", *args, "--key", str(key_file(tmp_path)), str(site))
    return result


def published(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alerts.json sequence" in result.stdout


class Player:
    """``signage play --headless`` in a subprocess (its log in a file: a full pipe would stall it)."""

    def __init__(self, config: Path, path_prefix: Path | None = None) -> None:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER", "SIGNAGE_CONFIG")}
        if path_prefix is not None:
            env["PATH"] = f"{path_prefix}:{env['PATH']}"
        self.state = config.parent / "state"
        self.log_path = config.parent / "player.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"],
                                     cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def status(self) -> dict | None:
        try:
            return json.loads((self.state / "status.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def wait(self, predicate, timeout: float = 30.0) -> dict:
        """The first status.json for which ``predicate`` holds (fails with the last one)."""
        def check():
            status = self.status()
            return status if status is not None and predicate(status) else None
        found = wait_until(check, timeout, 0.05)
        assert found, f"status never matched; last: {json.dumps(self.status(), ensure_ascii=False)[:3000]}\n" \
                      f"log: {self.log_path.read_text()[-3000:]}"
        return found

    def refusals(self) -> list[str]:
        """The alert channel's refusals and failures so far, one line each, from the log."""
        marks = ("alerts refused: ", "alerts failed: ")
        return [line.split(mark, 1)[1] for line in self.log_path.read_text().splitlines()
                for mark in marks if mark in line]

    def screenshot(self) -> "pygame.Surface":
        """The frame on screen now (SIGUSR1 -> STATE_DIR/screen.png, written atomically)."""
        shot = self.state / "screen.png"
        shot.unlink(missing_ok=True)
        self.proc.send_signal(signal.SIGUSR1)
        assert wait_until(shot.exists, 15), "no screenshot"
        return pygame.image.load(str(shot))

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self._log.close()
        text = self.log_path.read_text()
        assert self.proc.returncode == 0, text[-3000:]
        return text


@pytest.fixture
def players():
    started: list[Player] = []

    def start(config: Path, path_prefix: Path | None = None) -> Player:
        player = Player(config, path_prefix)
        started.append(player)
        return player
    yield start
    for player in started:
        if player.proc.poll() is None:
            player.proc.kill()
            player.proc.wait(timeout=30)


def ids(status: dict) -> list[str]:
    return [a["id"] for a in status["alerts"]["active"]]


def body_box(size: tuple[int, int]) -> pygame.Rect:
    """Between the header and the ticker: where a full-screen alert is drawn."""
    frame = frame_for(*size, Theme())
    return pygame.Rect(0, frame.header.bottom, size[0], frame.ticker.y - frame.header.bottom)


def colours(surface: "pygame.Surface", box: pygame.Rect, step: int = 8) -> Counter:
    """How often each colour occurs in ``box`` (sampled on a grid)."""
    return Counter(tuple(surface.get_at((x, y))[:3]) for x in range(box.x, box.right, step)
                   for y in range(box.y, box.bottom, step))


def share(surface: "pygame.Surface", box: pygame.Rect, colour) -> float:
    counts = colours(surface, box)
    return counts[tuple(colour)] / sum(counts.values())


def playlog(config: Path, *args: str) -> dict | str:
    result = run_signage("playlog", "-c", str(config), *args)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    if "--json" in args:
        report = json.loads(result.stdout)
        if "ok" in report:  # exit 1 exactly when a 公示 was not covered
            assert result.returncode == (0 if report["ok"] else 1)
        return report
    return result.stdout


# -- real time: the subprocess player ---------------------------------------------------------

def test_a_red_alert_wakes_a_dark_screen_within_the_interval_and_a_cancel_puts_it_back(
        tmp_path: Path, server, keys, players) -> None:
    tv = tmp_path / "bin"
    tv.mkdir()
    (tv / "cec-ctl").write_text(FAKE)
    (tv / "cec-ctl").chmod(0o755)
    (tv / "state").write_text("standby\n")
    now = dt.datetime.now(TZ)
    on, off = (now + dt.timedelta(hours=1)).strftime("%H:%M"), (now - dt.timedelta(hours=1)).strftime("%H:%M")
    drop = make_drop(tmp_path / "drop", "公示公告/任前公示（至2026-12-02）.txt")
    config = player_config(tmp_path / "cfg", drop, server, keys["pub"],
                           extra=f"power: {{on: '{on}', off: '{off}'}}\n")  # method: cec, the default
    player = players(config, tv)
    first = player.wait(lambda s: s["alerts"]["last_ok"] is not None and s["power"]["actual"] == "standby")
    assert first["power"]["screen"] == "off" and ids(first) == []

    published(signage_alert(tmp_path, server.root, "send", "--level", "红", "--title", "台风红色预警",
                            "--text", "台风“海葵”将于今晚在我区沿海登陆。", "--instruction", "关好门窗，非必要不外出。",
                            "--issuer", "马宫街道办事处", "--screens", "lobby", "--until", "+2h", "--id", "typhoon"))
    sent = time.monotonic()
    shown = player.wait(lambda s: ids(s) == ["typhoon"], timeout=WITHIN + 10)
    latency = time.monotonic() - sent
    assert latency <= WITHIN, f"the alert took {latency:.1f} s to reach status.json"
    (active,) = shown["alerts"]["active"]
    assert active["level"] == "红" and active["full_screen"] and not active["drill"] and active["source"] == "district"
    woken = player.wait(lambda s: s["power"]["actual"] in ("on", "to-on"), timeout=15)
    assert woken["power"]["screen"] == "on" and woken["power"]["scheduled"] == "off"
    assert woken["power"]["woken_by_alert"] is True and woken["power"]["last_error"] is None
    frame = player.screenshot()
    assert share(frame, body_box(frame.get_size()), RED) > 0.5  # the whole body in the level colour

    published(signage_alert(tmp_path, server.root, "cancel", "typhoon"))
    asleep = player.wait(lambda s: ids(s) == [] and s["power"]["actual"] == "standby", timeout=WITHIN + 15)
    assert asleep["power"]["screen"] == "off" and asleep["power"]["woken_by_alert"] is False
    calls = [c.split()[-1] for c in (tv / "calls").read_text().splitlines()
             if "--image-view-on" in c or "--standby" in c]
    assert calls == ["--standby", "--image-view-on", "--standby"]  # dark at start, woken, dark again
    player.stop()

    report = playlog(config, "--alerts", "--json")
    (showing,) = report["alerts"]
    assert (showing["alert"], showing["reason"], showing["levels"][0]["level"]) == ("typhoon", "cancelled", "红")
    assert showing["screen"] == "马宫街道便民服务中心" and showing["end"] >= showing["start"]
    assert "结束原因：撤销" in playlog(config, "--alerts")
    verified = run_signage("playlog", "--verify", "-c", str(config))
    assert verified.returncode == 0 and verified.stdout.startswith("play log intact"), verified.stdout
    lines = [json.loads(line) for day in sorted((config.parent / "state" / "playlog").glob("*.jsonl"))
             for line in day.read_text(encoding="utf-8").splitlines()]
    events = [e["event"] for e in lines if e.get("event", "").startswith("alert")]
    assert events.count("alert-start") == events.count("alert-end") == 1 and "alert" in events, events


def _sequence_doc(server) -> tuple[bytes, bytes]:
    return (server.root / "alerts.json").read_bytes(), (server.root / "alerts.json.sig").read_bytes()


def _restore(server, good: tuple[bytes, bytes]) -> None:
    server.faults.clear()
    (server.root / "alerts.json").write_bytes(good[0])
    (server.root / "alerts.json.sig").write_bytes(good[1])


def test_every_attack_is_refused_with_one_line_and_the_screen_unchanged(tmp_path: Path, server, keys,
                                                                        players) -> None:
    drop = make_drop(tmp_path / "drop", "公示公告/任前公示（至2026-12-02）.txt")
    config = player_config(tmp_path / "cfg", drop, server, keys["pub"])
    site = server.root
    published(signage_alert(tmp_path, site, "send", "--level", "蓝", "--title", "明日停水", "--text", "明日9时至17时停水。",
                            "--screens", "lobby", "--until", "+3h", "--id", "water"))
    old = _sequence_doc(server)  # sequence 1: for the replay
    published(signage_alert(tmp_path, site, "send", "--level", "红", "--title", "台风红色预警",
                            "--text", "台风将于今晚登陆。", "--screens", "lobby", "--until", "+2h", "--id", "typhoon"))
    good = _sequence_doc(server)  # sequence 2
    player = players(config)
    before = player.wait(lambda s: ids(s) == ["typhoon", "water"] and s["alerts"]["sequence"] == 2)
    assert before["alerts"]["last_error"] is None and [a["full_screen"] for a in before["alerts"]["active"]] == [
        True, False]  # the red one on the whole screen, the blue one waiting behind it
    body = body_box((1920, 1080))
    frame = player.screenshot()
    picture = frame.subsurface(body).copy()
    assert share(frame, body, RED) > 0.5

    def forged(**change) -> bytes:
        doc = json.loads(good[0])
        doc["sequence"] = 3
        doc["alerts"][-1].update(change)
        doc["alerts"][-1] = {k: v for k, v in doc["alerts"][-1].items() if v is not None}
        return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def serve(data: bytes, signer) -> None:
        (site / "alerts.json").write_bytes(data)
        sig = site / "alerts.json.sig"
        if signer is None:
            sig.unlink()
        else:
            sig.write_bytes(sign(data, signer))

    forged_title = forged(title="伪造：解除所有预警")
    attacks = [  # failures between refusals: a refusal resets the backoff, so each waits one interval
        ("a body over the limit", lambda: server.faults.__setitem__("/alerts.json", Fault("huge", size=MAX_DOCUMENT + 1)),
         f"over the {MAX_DOCUMENT} byte limit"),
        ("unsigned", lambda: serve(forged_title, None), "not signed"),
        ("an endless response", lambda: server.faults.__setitem__("/alerts.json", Fault("endless")), "cut off"),
        ("the wrong key", lambda: serve(forged_title, keys["other"]), "signature does not verify"),
        ("HTML with 200", lambda: server.faults.__setitem__("/alerts.json", Fault(
            "replace", data=b"<!DOCTYPE html><html><body>Portal login</body></html>")), "HTML page"),
        ("a replayed older sequence", lambda: _restore(server, old), "older than the accepted sequence 2"),
        ("a trickling response", lambda: server.faults.__setitem__("/alerts.json", Fault("slow-status", interval=0.2)),
         "not complete after"),
        ("no expiry", lambda: serve(forged(expires=None), keys["key"]), "has no expires"),
        ("tampered", lambda: (serve(forged(level="蓝"), keys["key"]),
                              (site / "alerts.json").write_bytes(forged(level="黄"))), "signature does not verify"),
        ("an unknown level", lambda: serve(forged(level="紫"), keys["key"]), "unknown level '紫'"),
    ]
    errors = []
    for name, attack, words in attacks:
        _restore(server, good)
        seen = len(player.refusals())
        attack()
        # the refusal is logged at once (status.json has it within its 5 s refresh)
        refusals = wait_until(lambda: player.refusals()[seen:], 40, 0.05)
        assert len(refusals) == 1 and words in refusals[0], (name, refusals)
        errors.append(refusals[0])
        status = player.status()
        assert ids(status) == ["typhoon", "water"] and status["alerts"]["sequence"] == 2, (name, status["alerts"])
    status = player.wait(lambda s: s["alerts"]["last_error"] == errors[-1])
    assert ids(status) == ["typhoon", "water"] and status["alerts"]["sequence"] == 2
    assert "alerts: sequence" not in player.log_path.read_text().split("sequence 2 accepted", 1)[1]  # none since
    _restore(server, good)

    # CAP messages the district's system might send: refused by the command, nothing published
    for name, xml in (("no area", cap(info=with_info(**{"<area><areaDesc>海珠区</areaDesc></area>": "",
                                                        "<area><areaDesc>马宫街道</areaDesc></area>": ""}))),
                      ("unknown msgType", cap(msg_type="Panic"))):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(xml)
        result = signage_alert(tmp_path, site, "import", str(path), "--screens", "lobby")
        assert result.returncode == 1 and result.stderr.strip().count("\n") == 0, (name, result.stderr)
        assert _sequence_doc(server) == good, name

    # an expired alert in an otherwise good, newer document: accepted, the expired one not shown
    expired = json.loads(good[0])
    expired["sequence"] = 3
    past = dt.datetime.now(TZ).replace(microsecond=0)
    gone = Alert(id="old", level=Level.RED, title="昨日暴雨预警", sent=past - dt.timedelta(hours=3),
                 expires=past - dt.timedelta(hours=1)).to_json()
    expired["alerts"].append(gone)
    serve(json.dumps(expired, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(), keys["key"])
    status = player.wait(lambda s: s["alerts"]["sequence"] == 3)
    assert ids(status) == ["typhoon", "water"]
    assert "alert 'old' expired at" in status["alerts"]["refused"] and "not shown" in status["alerts"]["refused"]

    after = player.screenshot()
    assert after.subsurface(body).copy().get_view("2").raw == picture.get_view("2").raw  # not one pixel changed
    player.stop()
    assert all("alerts.json" in e for e in errors), errors  # each line says where


def test_a_drill_shows_only_on_drill_screens_marked_drill(tmp_path: Path, server, keys, players) -> None:
    drop = make_drop(tmp_path / "drop", "公示公告/任前公示（至2026-12-02）.txt")
    drill_cfg = player_config(tmp_path / "drill", drop, server, keys["pub"], tags=("lobby", "drill"), name="演练屏")
    lobby_cfg = player_config(tmp_path / "lobby", drop, server, keys["pub"], tags=("lobby",), name="大厅屏")
    drill, lobby = players(drill_cfg), players(lobby_cfg)
    now = dt.datetime.now(TZ).replace(microsecond=0)
    xml = cap(status="Exercise", info=with_info(**{
        "<expires>2026-07-01T22:00:00+08:00</expires>": f"<expires>{(now + dt.timedelta(hours=2)).isoformat()}</expires>",
        "<headline>台风红色预警</headline>": "<headline>台风红色预警（演练）</headline>"}))
    xml = xml.replace(SENT.encode(), now.isoformat().encode())
    (tmp_path / "exercise.xml").write_bytes(xml)
    published(signage_alert(tmp_path, server.root, "import", str(tmp_path / "exercise.xml"), "--screens", "lobby"))

    status = drill.wait(lambda s: len(s["alerts"]["active"]) == 1, timeout=WITHIN + 10)
    (active,) = status["alerts"]["active"]
    assert active["drill"] is True and active["status"] == "exercise" and active["full_screen"]
    # the other screen has polled the same document since, and shows nothing of it
    accepted = lobby.wait(lambda s: s["alerts"]["sequence"] == 1, timeout=WITHIN + 10)
    assert ids(accepted) == []

    frame = drill.screenshot()
    body = body_box(frame.get_size())
    alert = Alert(id=active["id"], level=Level.RED, title=active["title"], sent=now, expires=now + dt.timedelta(hours=1),
                  status=Status.EXERCISE, text="台风“海葵”将于今晚在我区沿海登陆。", instruction="关好门窗，非必要不外出。",
                  issuer="海珠区应急管理局", area="海珠区、马宫街道")
    ops = alert_pages(alert, body.w, body.h, load_fonts(), TZ)[0].ops
    mark = next(i for i, op in enumerate(ops) if isinstance(op, TextOp) and op.text == DRILL_MARK)
    chip = ops[mark - 1]
    assert isinstance(chip, RectOp)
    box = pygame.Rect(round(chip.x), round(body.y + chip.y), round(chip.w), round(chip.h)).inflate(-4, -4)
    inside = colours(frame, box, step=2)
    white, red = inside[(255, 255, 255)], inside[RED]
    assert white > red > 0.05 * sum(inside.values()), inside.most_common(4)  # a white chip with red 演练 on it
    assert share(frame, body, RED) > 0.4
    plain = lobby.screenshot()
    assert share(plain, body_box(plain.get_size()), RED) < 0.05  # the rotation goes on there
    drill.stop()
    lobby.stop()
    text = playlog(drill_cfg, "--alerts")
    assert "【演练】" in text
    assert "此范围内没有紧急预警显示记录" in playlog(lobby_cfg, "--alerts")


# -- simulated time: the App in this process ----------------------------------------------------

class AlertClock(ScriptedClock):
    """Simulated time whose steps can wait (in real time) for the alert thread, and which
    waits for the power thread to carry out a change before time moves on."""

    app: App | None = None

    def sleep(self, seconds: float) -> None:
        app = self.app
        if app is not None and app.power is not None and app.loop.snapshot is not None:
            wait_until(lambda: app.power.state is app.screen_on, 10, 0.01)
        super().sleep(seconds)


def make_app(config: Path, start: dt.datetime, size=(640, 360)) -> tuple[App, AlertClock]:
    cfg = load_config(config)
    date_files(cfg.drop.dir, start)
    clock = AlertClock(start)
    app = App(cfg, Screen.of(pygame.display.set_mode(size), "dummy", True), load_fonts(), clock, background=False)
    clock.app = app
    return app, clock


def handed_over(app: App, publish) -> None:
    """Publish, then hold the simulated clock until the alert thread has fetched, verified
    and handed over the new document (real time: the thread polls every 2 s)."""
    sequence = (app.parts.alert_sync.status.sequence or 0)
    publish()
    assert wait_until(lambda: (app.parts.alert_sync.status.sequence or 0) > sequence and app.content.waiting(),
                      WITHIN + 10, 0.02), app.parts.alert_sync.status


def status_of(app: App) -> dict:
    """What the writer would put in status.json now."""
    return app.builder.build(app.loop.inputs(app.loop.snapshot))[0]


@pytest.fixture
def display():
    pygame.display.init()
    yield
    pygame.display.quit()


def test_expiry_and_a_raised_level_are_in_the_play_log_and_the_coverage_report(
        tmp_path: Path, server, keys, display) -> None:
    start = dt.datetime(2026, 11, 27, 9, 0, tzinfo=TZ)  # a Friday in the 公示's period, office hours
    at = lambda minutes: start + dt.timedelta(minutes=minutes)  # noqa: E731
    drop = make_drop(tmp_path / "drop", "公示公告/任前公示（至2026-12-02）.txt")
    config = player_config(tmp_path / "cfg", drop, server, keys["pub"],
                           extra="display: {fps: 2}\nplaylog: {max_gap_minutes: 1}\n")
    app, clock = make_app(config, start)
    key, site = keys["key"], server.root
    storm = Alert(id="storm", level=Level.ORANGE, title="暴雨橙色预警", sent=at(1), expires=at(6),
                  text="预计未来3小时降雨量将达50毫米以上。", issuer="区气象台", screens=("lobby",))
    seen: dict[str, object] = {}
    clock.at(60, lambda: handed_over(app, lambda: alertpublish.send(site, key, storm, at(1))))
    clock.at(61, lambda: seen.update(orange=(app.compositor.view, status_of(app)["alerts"]["active"])))
    raised = dataclasses.replace(storm, level=Level.RED, title="暴雨红色预警", sent=at(3))
    clock.at(180, lambda: handed_over(app, lambda: alertpublish.send(site, key, raised, at(3))))
    clock.at(181, lambda: seen.update(red=(app.compositor.view, [a.alert.level for a in app.loop.snapshot.alerts])))
    body = lambda: hashlib.sha256(pygame.image.tobytes(  # noqa: E731
        app.screen.surface.subsurface(app.compositor.painter.body_rect()).copy(), "RGB")).hexdigest()
    clock.at(182, lambda: seen.update(red_frame=body()))
    reworded = dataclasses.replace(raised, instruction="立即停止户外作业，远离河道和低洼地带。", sent=at(4))
    clock.at(240, lambda: handed_over(app, lambda: alertpublish.send(site, key, reworded, at(4))))
    clock.at(242, lambda: seen.update(reworded=body(),
                                      drawings={k[1] for k in app.pages._drawings}))  # noqa: SLF001
    clock.at(359, lambda: seen.update(before_end=app.compositor.view))
    clock.at(361, lambda: seen.update(after_end=(app.compositor.view, status_of(app)["alerts"]["active"])))
    app.run(seconds=8 * 60)

    view, active = seen["orange"]
    assert view == ALERT and [(a["id"], a["level"]) for a in active] == [("storm", "橙")]
    assert seen["red"] == (ALERT, [Level.RED])
    assert seen["reworded"] != seen["red_frame"]  # an update with new words is drawn again …
    assert seen["drawings"] == {dataclasses.replace(reworded, type=MsgType.UPDATE)}  # … and only its pages are kept
    assert seen["before_end"] == ALERT and seen["after_end"] == (ROTATION, [])  # gone at 09:06, by the clock

    report = playlog(config, "--alerts", "--json", "--since", "2026-11-27", "--until", "2026-11-27")
    (showing,) = report["alerts"]
    assert (showing["start"], showing["end"], showing["minutes"], showing["reason"]) == (
        "2026-11-27T09:01:00+08:00", "2026-11-27T09:06:00+08:00", 5.0, "expired")
    assert [(lv["since"][11:16], lv["level"]) for lv in showing["levels"]] == [("09:01", "橙"), ("09:03", "红")]
    text = playlog(config, "--alerts", "--since", "2026-11-27", "--until", "2026-11-27")
    assert "显示 2026-11-27 09:01:00 至 2026-11-27 09:06:00，共 5 分钟；结束原因：到期" in text
    assert "2026-11-27 09:03:00 级别变为红色预警" in text
    # the notice report: the 公示 was off the screen 09:01–09:06 because of the alert
    coverage = playlog(config, "--json", "--since", "2026-11-27", "--until", "2026-11-27")
    (notice,) = [n for n in coverage["notices"] if n["notice"].startswith("公示公告/任前公示")]
    parts = [(p["cause"], p["start"][11:16], p["end"][11:16]) for c in notice["coverage"] for g in c["gaps"]
             for p in g["parts"]]
    assert ("emergency alert", "09:01", "09:06") in parts, parts
    assert "全屏显示紧急预警" in playlog(config, "--since", "2026-11-27", "--until", "2026-11-27")


def test_through_a_night_alerts_wake_the_screen_and_the_all_clear_keeps_it_on_ten_minutes(
        tmp_path: Path, server, keys, display) -> None:
    start = dt.datetime(2026, 11, 27, 20, 59, tzinfo=TZ)  # the power schedule switches off at 21:00
    at = lambda seconds: start + dt.timedelta(seconds=seconds)  # noqa: E731
    calls = tmp_path / "calls.txt"
    script = tmp_path / "screenpower"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{calls}"\n')
    script.chmod(0o755)
    drop = make_drop(tmp_path / "drop", "公示公告/任前公示（至2026-12-02）.txt")
    config = player_config(tmp_path / "cfg", drop, server, keys["pub"], extra=(
        "display: {fps: 2}\n"
        f"power: {{on: '07:30', off: '21:00', method: command, on_command: ['{script}', 'on'], "
        f"off_command: ['{script}', 'off']}}\n"))
    app, clock = make_app(config, start)
    key, site = keys["key"], server.root
    seen: dict[str, object] = {}

    def look(name: str) -> None:
        snap = app.loop.snapshot
        seen[name] = (app.compositor.view, app.screen_on, [(a.alert.id, a.alert.type.value) for a in snap.alerts],
                      status_of(app)["power"], list(calls.read_text().split()) if calls.exists() else [])

    def band(name: str, colour) -> None:
        box = app.compositor.frame.band
        seen[name] = share(app.screen.surface, pygame.Rect(box.x, box.y, box.w, box.h), colour)

    def alert(alert_id: str, level: Level, title: str, sent: float, until: float) -> Alert:
        return Alert(id=alert_id, level=level, title=title, sent=at(sent), expires=at(until), screens=("lobby",))

    heat = alert("heat", Level.YELLOW, "高温黄色预警", 10, 90)
    typhoon = alert("typhoon", Level.RED, "台风红色预警", 90, 7200)
    flood = alert("flood", Level.ORANGE, "洪水橙色预警", 180, 7200)
    cold = alert("cold", Level.YELLOW, "寒潮黄色预警", 960, 7200)
    clock.at(10, lambda: handed_over(app, lambda: alertpublish.send(site, key, heat, at(10))))
    clock.at(11, lambda: (look("yellow by day"), band("yellow band", LEVEL_COLORS[Level.YELLOW][0])))
    clock.at(80, lambda: look("dark"))
    clock.at(90, lambda: handed_over(app, lambda: alertpublish.send(site, key, typhoon, at(90))))
    clock.at(91, lambda: look("red"))
    clock.at(150, lambda: handed_over(app, lambda: alertpublish.cancel(site, key, "typhoon", at(150))))
    clock.at(151, lambda: look("cancelled"))
    clock.at(180, lambda: handed_over(app, lambda: alertpublish.send(site, key, flood, at(180))))
    clock.at(240, lambda: handed_over(app, lambda: alertpublish.clear(site, key, "flood", at(240))))
    clock.at(241, lambda: (look("all-clear"), band("green band", GREEN)))
    clock.at(835, lambda: look("all-clear, 9 min 55 s"))
    clock.at(845, lambda: look("all-clear over"))
    clock.at(960, lambda: handed_over(app, lambda: alertpublish.send(site, key, cold, at(960))))
    clock.at(965, lambda: look("yellow at night"))
    app.run(seconds=990)

    view, on, alerts, _power, switched = seen["yellow by day"]
    assert (view, on, alerts, switched) == (ROTATION, True, [("heat", "alert")], ["on"]) and seen["yellow band"] > 0.5
    assert seen["dark"][:3] == (DARK, False, [("heat", "alert")]) and seen["dark"][4] == ["on", "off"]
    view, on, alerts, power, switched = seen["red"]
    assert (view, on, alerts) == (ALERT, True, [("typhoon", "alert")]) and switched == ["on", "off", "on"]
    assert power["woken_by_alert"] is True and power["scheduled"] == "off"
    assert seen["cancelled"][:3] == (DARK, False, []) and seen["cancelled"][4] == ["on", "off", "on", "off"]
    view, on, alerts, power, switched = seen["all-clear"]
    assert (view, on, alerts) == (ROTATION, True, [("flood", "all-clear")]) and power["woken_by_alert"]
    assert seen["green band"] > 0.5  # the all-clear: a green band above the ticker
    assert seen["all-clear, 9 min 55 s"][:2] == (ROTATION, True)
    assert seen["all-clear over"][:3] == (DARK, False, [])
    assert seen["all-clear over"][4] == ["on", "off", "on", "off", "on", "off"]
    view, on, alerts, power, _ = seen["yellow at night"]
    assert (view, on, alerts) == (DARK, False, [("cold", "alert")])  # yellow waits for the schedule
    assert power["woken_by_alert"] is False

    report = playlog(config, "--alerts", "--json", "--since", "2026-11-27", "--until", "2026-11-27")
    got = [(s["alert"], s["type"], s["start"][11:19], s["end"][11:19] if s["end"] else None, s["reason"])
           for s in report["alerts"]]
    assert got == [("heat", "alert", "20:59:10", "21:00:00", "screen off"),
                   ("typhoon", "alert", "21:00:30", "21:01:30", "cancelled"),
                   ("flood", "alert", "21:02:00", "21:03:00", "cleared"),
                   ("flood", "all-clear", "21:03:00", "21:13:00", "expired")], got  # cold: never seen
    assert "结束原因：屏幕按计划关闭" in playlog(config, "--alerts", "--since", "2026-11-27")
    lines = [json.loads(line) for day in (tmp_path / "cfg" / "state" / "playlog").glob("*.jsonl")
             for line in day.read_text(encoding="utf-8").splitlines()]
    assert [(e["start"][11:19], e["end"][11:19]) for e in lines if e.get("event") == "alert"] == [
        ("21:00:30", "21:01:30"), ("21:02:00", "21:03:00")]  # full-screen time, as gaps


def test_a_staff_alert_file_suspends_kiosk_browsing_which_resumes_after(tmp_path: Path, server, keys,
                                                                        display) -> None:
    from test_kiosk import CATEGORY, centre, tap
    start = dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
    drop = tmp_path / "drop"
    shutil.copytree(CONTENT, drop, ignore=shutil.ignore_patterns("_状态.txt"))
    config = player_config(tmp_path / "cfg", drop, server, keys["pub"],
                           extra="interaction: {touch: true, idle_return: 600}\n")
    app, clock = make_app(config, start, size=(1920, 1080))
    staff = drop / "红色预警-燃气泄漏（至2026-11-27 18时）.txt"
    seen: dict[str, dict] = {}

    def arrive(change) -> None:
        before = app.content.waiting()
        change()
        assert wait_until(lambda: app.content.waiting() > before, 15, 0.02)  # the folder thread, in real time

    def write() -> None:
        written = tmp_path / "staff.txt"  # saved elsewhere at the simulated time, then moved in
        written.write_text("燃气泄漏，请立即撤离\n本楼三层发现燃气泄漏，物业正在处置。\n"
                           "防御指南：请勿使用明火和电器开关，沿楼梯有序撤离。\n发布单位：马宫社区服务中心\n",
                           encoding="utf-8")
        stamp = clock.now().timestamp()
        os.utime(written, (stamp, stamp))
        written.rename(staff)

    def note(name: str) -> None:
        seen[name] = {"view": app.compositor.view, **status_of(app)}

    clock.at(1.0, lambda: tap(*centre(app, CATEGORY, "办事指南")))
    clock.at(1.5, lambda: note("browsing"))
    clock.at(2.0, lambda: arrive(write))
    clock.at(3.0, lambda: note("alert"))
    clock.at(3.1, lambda: seen.update(frame={"red": share(app.screen.surface, app.compositor.painter.body_rect(), RED)}))
    clock.at(10.0, lambda: arrive(staff.unlink))
    clock.at(11.0, lambda: note("after"))
    app.run(seconds=12)

    assert seen["browsing"]["interaction"]["mode"] == "list" and seen["browsing"]["view"] == KIOSK
    alert = seen["alert"]
    assert alert["view"] == ALERT and alert["interaction"]["suspended"] is True
    (active,) = alert["alerts"]["active"]
    assert (active["source"], active["level"], active["title"], active["full_screen"]) == (
        "local", "红", "燃气泄漏，请立即撤离", True)
    assert seen["frame"]["red"] > 0.5
    after = seen["after"]
    assert after["view"] == KIOSK and after["alerts"]["active"] == []
    assert after["interaction"]["mode"] == "list" and after["interaction"]["category"] == "办事指南"  # resumed
    lines = [json.loads(line) for day in (tmp_path / "cfg" / "state" / "playlog").glob("*.jsonl")
             for line in day.read_text(encoding="utf-8").splitlines()]
    events = [(e["event"], e["source"], e.get("reason")) for e in lines if e.get("event", "").startswith("alert-")]
    assert events == [("alert-start", "local", None), ("alert-end", "local", "withdrawn")]

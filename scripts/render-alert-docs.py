"""Draw the emergency-alert screenshots in docs/screens/alerts/ from real frames.

Runs the player (App, Compositor, preparer inline) headless on the sample content on a
simulated clock, hands its content state one alert document after another (what the
alert channel delivers after verifying alerts.json) and saves the frame each time:

    red.png              红色预警: the whole body of the screen, instruction panel, issuer and time
    red-long-1.png       a long red alert: 第 1/n 页 …
    red-long-2.png       … and its next page (pages change every 15 s)
    orange.png           橙色预警
    yellow.png           黄色预警: a band above the ticker, the rotation goes on
    blue.png             蓝色预警: the same in blue
    all-clear.png        解除: a green band for 10 minutes
    drill.png            a red drill on a screen tagged drill: 演练 in the banner and the footer
    drill-band.png       a yellow drill: 演练 in the band

for each size (default 1920x1080 and 1080x1920) into docs/screens/alerts/WxH/. The
fixed moment (2026-11-27 10:30) keeps the pictures unchanged until the code changes;
run it again after any change of the layout or the templates.

Usage: .venv/bin/python scripts/render-alert-docs.py [--size 1920x1080 ...] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.config import load_config  # noqa: E402
from player.model.alerts import Alert, AlertDocument, Level, MsgType, Status  # noqa: E402
from player.model.alertstate import AlertSnapshot  # noqa: E402
from player.render.fonts import load_fonts  # noqa: E402
from player.render.pg import pygame  # noqa: E402
from player.runtime.app import App  # noqa: E402
from player.runtime.clock import ScriptedClock, date_files  # noqa: E402
from player.runtime.display import Screen  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 11, 27, 10, 30, tzinfo=TZ)
SENT = START - dt.timedelta(minutes=12)
UNTIL = START + dt.timedelta(hours=6)
ISSUER = "马宫街道办事处"
AREA = "马宫街道全域"

TYPHOON = Alert(
    id="typhoon", level=Level.RED, title="台风红色预警", sent=SENT, expires=UNTIL, issuer="海珠区应急管理局",
    area=AREA,
    text="台风“海葵”预计今天傍晚在我区沿海登陆，登陆时中心附近最大风力14级。受其影响，今天下午至明天我区将出现"
         "12级以上大风和特大暴雨，局部累计雨量可达300毫米。",
    instruction="关好门窗，收好阳台花盆等高空物品；非必要不外出，远离危房、广告牌、大树和积水路段；"
                "低洼地带居民听从社区安排转移。求助请拨打 110 或社区值班电话 0760-8888 1234。")

LONG = Alert(
    id="flood", level=Level.RED, title="山洪灾害红色预警及人员转移通知", sent=SENT, expires=UNTIL, issuer=ISSUER,
    area="马宫街道西沥、沙角、大涌三个社区沿河地带",
    text="\n".join([
        "受强降雨影响，西沥河水位持续上涨，预计今天16时前后超过警戒水位1.2米，沿河低洼地带可能发生山洪和内涝。",
        "街道三防指挥部已启动防汛一级应急响应。西沥、沙角、大涌三个社区沿河地带的居民，请于今天14时前转移到"
        "街道文化中心、马宫中学体育馆两个临时安置点，安置点提供饮用水、食品、药品和床铺。",
        "行动不便的老人、残疾人和孕妇，请拨打社区值班电话，社区工作人员和志愿者将上门协助转移。",
        "转移时请关闭家中电源、燃气总阀，带好身份证件、常用药品和手机充电器，不要携带大件行李。",
        "车辆请停放到地势较高的地方，不要停在河堤、地下车库和低洼路段。",
    ]),
    instruction="立即远离河道、桥梁和低洼地带；不要涉水、不要在河边观看水情；听从社区和公安人员指挥，"
                "按指定路线有序转移；发现险情请拨打 110 或街道三防值班电话 0760-8888 1234。")

ORANGE = Alert(
    id="rain", level=Level.ORANGE, title="暴雨橙色预警", sent=SENT, expires=UNTIL, issuer="区气象台", area=AREA,
    text="过去3小时我区已出现50毫米以上降雨，预计未来3小时仍有强降雨，局部雨量可达80毫米，并伴有雷电和短时大风。",
    instruction="停止户外集体活动；不要在地下通道、地下车库等低洼处停留；驾车注意积水路段，积水深处切勿强行通过。")

YELLOW = Alert(
    id="heat", level=Level.YELLOW, title="高温黄色预警", sent=SENT, expires=UNTIL, issuer="区气象台",
    text="今天白天最高气温将升至35℃以上，请注意防暑降温，避免午后长时间户外活动。")

BLUE = Alert(
    id="water", level=Level.BLUE, title="停水通知", sent=SENT, expires=UNTIL, issuer="马宫供水所",
    text="因管网维修，明天9时至17时马宫大道以东片区停水，请提前储水。")

ALL_CLEAR = Alert(
    id="typhoon", level=Level.RED, type=MsgType.ALL_CLEAR, title="台风红色预警解除", sent=START - dt.timedelta(minutes=2),
    expires=UNTIL, issuer="海珠区应急管理局", text="台风红色预警已于11月27日10时28分解除，请注意道路积水和倒伏树木。")

DRILL = Alert(
    id="drill", level=Level.RED, status=Status.EXERCISE, title="消防疏散演练", sent=SENT, expires=UNTIL,
    issuer=ISSUER, area="便民服务中心大楼",
    text="本楼二层模拟发生火情，现在开始消防疏散演练。",
    instruction="请听从工作人员指挥，用湿毛巾捂住口鼻，弯腰沿疏散指示方向从楼梯撤离，不要乘坐电梯。")

DRILL_BAND = Alert(
    id="drill-band", level=Level.YELLOW, status=Status.EXERCISE, title="防汛应急演练", sent=SENT, expires=UNTIL,
    issuer=ISSUER, text="今天上午10时至11时，街道开展防汛应急演练，请勿惊慌。")

#: (file name, the alerts published, seconds after it arrives to take the frame)
SCENES: list[tuple[str, tuple[Alert, ...], float]] = [
    ("red.png", (TYPHOON,), 2.0),
    ("red-long-1.png", (LONG,), 2.0),
    ("red-long-2.png", (LONG,), 17.0),
    ("orange.png", (ORANGE,), 2.0),
    ("yellow.png", (YELLOW,), 2.0),
    ("blue.png", (BLUE,), 2.0),
    ("all-clear.png", (ALL_CLEAR,), 2.0),
    ("drill.png", (DRILL,), 2.0),
    ("drill-band.png", (DRILL_BAND,), 2.0),
]


def render(size: tuple[int, int], out: Path) -> list[Path]:
    """Every scene at ``size`` into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        drop = Path(tmp) / "drop"  # a copy dated at the simulated start (the clock-trust floor)
        shutil.copytree(ROOT / "content", drop, ignore=shutil.ignore_patterns("_状态.txt", "_预览"))
        date_files(drop, START)
        config_path = Path(tmp) / "player.yaml"
        config_path.write_text(f"screen: {{name: 马宫街道便民服务中心, tags: [lobby, drill]}}\n"
                               f"drop: {{dir: '{drop}'}}\nstate_dir: '{tmp}/state'\n", encoding="utf-8")
        config = load_config(config_path)
        clock = ScriptedClock(START)
        app: App | None = None
        at = 1.0
        for number, (name, alerts, after) in enumerate(SCENES, 1):
            document = AlertDocument(number, START, alerts)

            def publish(document: AlertDocument = document) -> None:
                app.content.put("alerts", AlertSnapshot(document, clock.monotonic()))

            def save(name: str = name) -> None:
                path = out / name
                pygame.image.save(app.screen.surface, str(path))
                written.append(path)
                print(f"wrote {path}")

            if name.endswith("-2.png"):  # the same alert, later: no new document
                clock.at(at + after, save)
            else:
                at += 20.0
                clock.at(at, publish)
                clock.at(at + after, save)
        pygame.display.init()
        try:
            app = App(config, Screen.of(pygame.display.set_mode(size), "dummy", False), load_fonts(), clock,
                      background=False, report=False)
            app.run(seconds=at + 20.0)
        finally:
            pygame.display.quit()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append", help="WxH (repeatable; default 1920x1080 and 1080x1920)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screens" / "alerts"))
    args = parser.parse_args()
    for size in args.size or ["1920x1080", "1080x1920"]:
        width, height = (int(v) for v in size.split("x"))
        render((width, height), Path(args.out) / f"{width}x{height}")


if __name__ == "__main__":
    main()

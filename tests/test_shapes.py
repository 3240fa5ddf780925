"""Every screen shape looks designed (issue 17): geometric checks, not pixel snapshots.

A matrix of notice kinds (text, long text, 公示, table, wide table, picture, QR, urgent,
kiosk list, kiosk reading, large text, idle) x layout templates x screen sizes, with the
real fonts and the real compositor. For every frame:

- the template's regions lie inside the screen and do not overlap (the alert band
  covers the bottom of the page area by design);
- every text box of the chrome (header, footer, side panel, idle page, alert band,
  ticker label and strip) lies inside its region and overlaps no other, with a
  30-character office name and the longest 公示 countdown;
- every op of every page lies inside the page area, and no two texts overlap;
- no text is smaller than ``Frame.min_text``;
- body lines are 20-40 characters long (the measure, and every line drawn);
- the typographic rules of tests/typocheck.py (no isolated last character, unbreakable
  runs, word-aware titles, page fill).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from player.layout.display import Box, QrCode, TextOp, op_bounds
from player.layout.kiosk import nav_targets
from player.layout.pages import is_urgent, urgent_title
from player.layout.templates import LAYOUTS, PAGE_ONLY, TICKER_ONLY, TextBox, choose_layout, frame_for
from player.layout.theme import LARGE_SCALE, LINE_MAX, LINE_MIN, Frame, Theme, kiosk_theme, large_theme
from player.model.alerts import Alert, Level
from player.model.alertstate import ActiveAlert
from player.model.notice import Notice, Priority
from player.model.schedule import evaluate
from player.model.screen import OnScreen, Page
from player.render.compositor import Compositor
from player.render.frame import FrameRenderer
from player.render.pagecache import NORMAL, PageCache
from player.render.pg import pygame
from player.render.templates import make_template
from player.runtime.content import ticker_messages
from player.runtime.prepare import Pages, Preparer
from typocheck import Checker, core, rebuild_lines

TZ = ZoneInfo("Asia/Shanghai")
WALL = dt.datetime(2026, 11, 27, 10, 30, tzinfo=TZ)
NAME30 = "杭州市临平区马宫街道党群服务中心暨便民服务中心综合受理窗口大"
assert len(NAME30) == 30
SIZES = [(1920, 1080), (1366, 768), (1280, 1024), (3840, 2160), (1080, 1920), (768, 1366), (1920, 160), (512, 64)]
STRIPS = [(1920, 160), (512, 64)]
IDS = {
    "text": "重要决策/关于实施2026年老旧小区改造项目的决定（示例）",
    "long": "政务公开/马宫街道2022年政务公开工作情况报告",
    "gongshi": "公示公告/任前公示",
    "table": "收费标准/便民服务收费标准（示例数据）",
    "wide": "财务公开/2026年第三季度街道财务收支公开表（示例数据）",
    "picture": "民生实事/2026年民生实事项目进度",
    "qr": "办事指南/城乡居民医保参保登记办事指南",
}
KINDS = [*IDS, "urgent", "kiosk-list", "kiosk-reading", "large", "idle"]
TOL = 0.5


def frames() -> list[tuple[str, tuple[int, int]]]:
    """Every template at every size it is meant for (strips: ticker-only)."""
    out = []
    for size in SIZES:
        layouts = [TICKER_ONLY] if size in STRIPS else list(LAYOUTS)
        out += [(layout, size) for layout in layouts]
    return out


@pytest.fixture(scope="module")
def fonts():
    from player.render.fonts import load_fonts
    return load_fonts()


@pytest.fixture(scope="module")
def library(sample_library):
    return sample_library


def notice_for(kind: str, library) -> Notice | None:
    if kind in IDS:
        return library.get(IDS[kind])
    if kind in ("urgent", "kiosk-reading", "large"):
        base = library.get(IDS["text"] if kind == "urgent" else IDS["long"])
        if kind == "urgent":
            return dataclasses.replace(base, title="紧急停水通知：马宫街道部分小区11月28日停水",
                                       meta=dataclasses.replace(base.meta, priority=Priority.URGENT))
        return base
    return None


# -- small geometry -------------------------------------------------------------------------

def inside(b, box: Box, tol: float = TOL) -> bool:
    return (b.x >= box.x - tol and b.y >= box.y - tol and b.x + b.w <= box.x + box.w + tol
            and b.y + b.h <= box.y + box.h + tol)


def overlap(a, b, tol: float = TOL) -> bool:
    return (a.x < b.x + b.w - tol and b.x < a.x + a.w - tol and a.y < b.y + b.h - tol and b.y < a.y + a.h - tol)


def overlapping(boxes: list) -> list[tuple]:
    """Pairs of boxes that overlap (a sweep along y)."""
    found, active = [], []
    for b in sorted(boxes, key=lambda b: b.y):
        active = [a for a in active if a.y + a.h > b.y + TOL]
        found += [(a, b) for a in active if overlap(a, b)]
        active.append(b)
    return found


def regions(frame: Frame) -> dict[str, Box]:
    out = {"header": frame.header, "page": Box(frame.page.x, frame.page.y, frame.page.w,
                                               frame.footer.bottom - frame.page.y),
           "ticker": frame.ticker}
    if frame.nav is not None:
        out["nav"] = frame.nav
    if frame.side is not None:
        out["side"] = frame.side
    return {k: v for k, v in out.items() if v.w and v.h}


# -- the matrix -----------------------------------------------------------------------------

@pytest.mark.parametrize("layout, size", frames(), ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}")
def test_regions_inside_the_screen_and_disjoint(layout, size):
    for theme in (Theme(), kiosk_theme(Theme())):
        frame = frame_for(*size, theme, layout)
        screen = Box(0, 0, *size)
        boxes = regions(frame)
        assert all(inside(b, screen, 0) for b in boxes.values()), boxes
        assert overlapping(list(boxes.values())) == []
        assert frame.footer.y >= frame.page.bottom and inside(frame.footer, boxes.get("page", screen))
        if frame.band is not None:
            assert inside(frame.band, screen, 0) and frame.band.bottom <= (frame.nav or frame.ticker).y + (
                frame.ticker.h if layout == PAGE_ONLY else 0)
        assert frame.min_text >= 12
        if layout == TICKER_ONLY:
            assert frame.ticker == Box(0, 0, *size) and not frame.header.h and not frame.page.h


def test_auto_picks_the_template_by_shape():
    picks = {size: choose_layout(*size) for size in SIZES + [(2560, 1080), (3840, 1080), (1920, 1200)]}
    assert picks == {(1920, 1080): "standard", (1366, 768): "standard", (1280, 1024): "standard",
                     (3840, 2160): "standard", (1080, 1920): "portrait", (768, 1366): "portrait",
                     (1920, 160): "ticker-only", (512, 64): "ticker-only", (2560, 1080): "split",
                     (3840, 1080): "split", (1920, 1200): "standard"}


class Screen:
    """One template at one size: its renderer (layout), page source and compositor."""

    def __init__(self, layout: str, size: tuple[int, int], fonts, touch: bool = False, large: bool = False):
        base = kiosk_theme(Theme()) if touch else Theme()
        self.frame = frame_for(*size, base, layout)
        theme = large_theme(base) if large else base
        self.renderer = FrameRenderer(size, fonts, NAME30, 120, theme=theme, frame=self.frame)
        self.lay = self.renderer.layouter
        renderer = self.renderer
        self.pages = Pages({NORMAL: Preparer(lambda: renderer, NORMAL)}, PageCache(1 << 30), background=False)
        self.compositor = Compositor(make_template(self.frame, fonts, base, NAME30, TZ), fonts, base, self.pages,
                                     self.pages, screen_name=NAME30, ticker_speed=120, fps=60, tz=TZ, touch=touch)
        self.fonts = fonts
        self.large = large

    def snap(self, library, page: Page | None, alerts=()) -> OnScreen:
        decisions = tuple(evaluate(library, WALL, TZ, ()))
        return OnScreen(100.0, WALL, WALL, True, library, decisions, page, ticker_messages(library, decisions),
                        tuple(alerts))


def check_chrome(screen: Screen, snap: OnScreen) -> list[str]:
    frame, problems = screen.frame, []
    where = {"header": frame.header, "footer": frame.footer, "side": frame.side, "page": frame.page,
             "band": frame.band, "ticker": frame.ticker}
    boxes = screen.compositor.text_boxes(snap)
    for region, box in boxes:
        if not inside(box, where[region]) or not inside(box, Box(0, 0, frame.width, frame.height)):
            problems.append(f"{region} text {box.text!r} outside its region: {box} not in {where[region]}")
        if box.text and box.style.size < frame.min_text:
            problems.append(f"{region} text {box.text!r} at {box.style.size} px < {frame.min_text}")
    for a, b in overlapping([box for region, box in boxes if region != "band"]):
        problems.append(f"texts overlap: {a.text!r} and {b.text!r}")
    for a, b in overlapping([box for region, box in boxes if region in ("band", "ticker")]):
        problems.append(f"band texts overlap: {a.text!r} and {b.text!r}")
    return problems


def check_pages(screen: Screen, notice: Notice) -> list[str]:
    lay, frame, problems = screen.lay, screen.frame, []
    pages = lay.layout(notice)
    area = Box(0, 0, frame.page.w, frame.page.h)
    for number, page in enumerate(pages):
        texts = []
        for op in page.ops:
            x, y, w, h = op_bounds(op, screen.fonts)
            b = TextBox(getattr(op, "text", ""), x, y, w, h, getattr(op, "style", None))
            hang = op.style.size * 0.55 if isinstance(op, TextOp) and op.text[-1:] in "，。、；：！？）》”’" else 0
            if not inside(b, Box(area.x, area.y, area.w + hang, area.h)):
                problems.append(f"p{number + 1}: {type(op).__name__} {b.text[:12]!r} outside the page: {b}")
            if isinstance(op, TextOp):
                texts.append(b)
                if op.style.size < frame.min_text:
                    problems.append(f"p{number + 1}: {op.text[:12]!r} at {op.style.size} px < {frame.min_text}")
            elif isinstance(op, QrCode):
                texts.append(b)   # a code is covered by no text
        for a, b in overlapping(texts):
            problems.append(f"p{number + 1}: {a.text[:10]!r} overlaps {b.text[:10]!r}")
        if notice.body.__class__.__name__ == "TextBody":
            for line in rebuild_lines(page.ops, number, lay):
                if line.style_size == lay.styles.body.size and core(line.text) > LINE_MAX:
                    problems.append(f"p{number + 1}: line of {core(line.text)} characters: {line.text}")
    if notice.body.__class__.__name__ == "TextBody":
        qr = lay.qr_column(notice)
        _x, measure = lay.text_column(qr.flow_width if qr is not None else None)
        chars = measure / lay.styles.body.size
        least = LINE_MIN / LARGE_SCALE if screen.large else LINE_MIN   # 大字: 1.4 times fewer
        if not least - 0.5 <= chars <= LINE_MAX:
            problems.append(f"measure of {chars:.1f} characters")
    problems += Checker(lay).check(notice, pages)
    if is_urgent(notice):
        text = "".join(op.text for op in pages[0].ops if isinstance(op, TextOp))
        if text.count("紧急") != 1 or urgent_title(notice.title) not in text:
            problems.append(f"urgent: 紧急 {text.count('紧急')} times in {text[:40]!r}")
    return problems


@pytest.mark.parametrize("layout, size", frames(), ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}")
def test_every_kind_of_notice_at_every_template_and_size(layout, size, fonts, library):
    screen = Screen(layout, size, fonts)
    problems: list[str] = []
    for kind in KINDS:
        if kind.startswith("kiosk"):
            continue
        notice = notice_for(kind, library)
        snap_pages = [None] if notice is None else None
        if kind == "large":
            large = Screen(layout, size, fonts, large=True)
            problems += [f"large: {p}" for p in check_pages(large, notice)] if large.frame.page.h else []
            continue
        if notice is not None and screen.frame.page.h:
            problems += [f"{kind}: {p}" for p in check_pages(screen, notice)]
        for page in snap_pages or [Page(notice, 0, len(screen.lay.layout(notice)), 999)]:
            problems += [f"{kind} chrome: {p}" for p in check_chrome(screen, screen.snap(library, page))]
    # a yellow alert: the band, or the ticker's first message on a strip
    alert = Alert("a1", Level.YELLOW, "暴雨黄色预警：请减少外出，注意防范城市内涝", WALL, WALL + dt.timedelta(hours=3),
                  text="预计未来6小时内本地将出现50毫米以上降雨。")
    active = ActiveAlert(alert, WALL + dt.timedelta(hours=3), 3 * 3600.0)
    snap = screen.snap(library, None, [active])
    problems += [f"alert: {p}" for p in check_chrome(screen, snap)]
    messages = screen.compositor.template.ticker_messages(snap)
    if layout == TICKER_ONLY:
        assert messages[0].startswith("【黄色预警】暴雨黄色预警"), messages
    else:
        assert any(region == "band" for region, _ in screen.compositor.text_boxes(snap))
    assert problems == []


@pytest.mark.parametrize("layout, size", [f for f in frames() if f[0] != TICKER_ONLY],
                         ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}")
def test_kiosk_list_and_reading(layout, size, fonts, library):
    screen = Screen(layout, size, fonts, touch=True)
    frame, compositor = screen.frame, screen.compositor
    surface = pygame.Surface(size)
    snap = screen.snap(library, None)
    compositor.compose(surface, snap, full=True)
    kiosk = compositor.kiosk
    targets = nav_targets(frame.nav, kiosk.categories, frame.nav_rows)
    assert [t.box for t in kiosk.targets] == [t.box for t in targets]
    for t in targets:
        assert inside(t.box, frame.nav) and min(t.box.w, t.box.h) >= frame.min_target, t
    assert overlapping([t.box for t in targets]) == []
    category = kiosk.categories[0]
    kiosk.kiosk.open_category(category)
    kiosk.page_dirty = True   # as a tap on the tab does (KioskView.apply)
    compositor.compose(surface, snap)
    rows = kiosk._listing.rows  # noqa: SLF001 - the rows on screen
    assert rows and all(inside(r.box, frame.page) and r.box.h >= frame.min_target for r in rows)
    assert overlapping([r.box for r in rows]) == []
    kiosk.kiosk.open_notice(IDS["long"])
    kiosk.page_dirty = True
    compositor.compose(surface, snap)
    assert kiosk.status()["mode"] == "reading"
    assert check_pages(screen, library.get(IDS["long"])) == []

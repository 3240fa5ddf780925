"""A simulated fortnight: 30 notices with mixed rules, driven through the Scheduler event
by event, checked against expectations computed here independently of the engine."""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import tracemalloc
from zoneinfo import ZoneInfo

from player.model.notice import Library, Meta, Notice, Priority, TextBody
from player.model.scheduler import Due, Scheduler

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 11, 30, 0, 0, tzinfo=TZ)  # a Monday
DAYS = 14
URGENT_EVERY = 60.0
TAGS = ("lobby", "public")


def build_notices() -> list[Notice]:
    rng = random.Random(2026)
    notices = []

    def add(nid: str, **meta) -> None:
        notices.append(Notice(nid, nid + ".txt", nid.split("/")[0], nid.split("/")[1], Meta(**meta),
                              TextBody(()), nid))
    day = lambda n: (START + dt.timedelta(days=n)).date()  # noqa: E731
    at = lambda n, h, m=0: dt.datetime.combine(day(n), dt.time(h, m))  # noqa: E731
    add("公示公告/任前公示", kind="公示", start=day(1), end=day(7))
    add("公示公告/评优公示", kind="公示", start=at(2, 9), end=at(9, 17, 30), priority=Priority.HIGH)
    add("紧急/停水", priority=Priority.URGENT, start=at(3, 10), end=at(3, 12))
    add("紧急/停电", priority=Priority.URGENT, start=at(9, 8), end=at(10, 8))
    add("办事指南/社保", hours=((dt.time(8, 30), dt.time(12)), (dt.time(14), dt.time(17, 30))),
        days=frozenset(range(5)))
    add("办事指南/医保", hours=((dt.time(8, 30), dt.time(17, 30)),))
    add("办事指南/周末", days=frozenset({5, 6}))
    add("对内/干部考核", screens=("internal",))
    add("对内/内部财务", screens=("internal",), priority=Priority.HIGH)
    add("财务公开/三季度", start=day(0), end=day(12), priority=Priority.HIGH, order=1)
    add("重要决策/老旧小区", priority=Priority.HIGH, order=2)
    add("重要决策/夜间", hours=((dt.time(20), dt.time.max),))
    add("收费标准/复印", order=-1)
    for i in range(30 - len(notices)):
        kind = rng.choice(["always", "dated", "hours", "late"])
        extra: dict = {"order": rng.randint(0, 3), "priority": rng.choice([Priority.NORMAL] * 4 + [Priority.HIGH])}
        if kind == "dated":
            first = rng.randint(0, 10)
            extra.update(start=day(first), end=day(first + rng.randint(0, 4)))
        elif kind == "hours":
            h = rng.randint(6, 18)
            extra.update(hours=((dt.time(h), dt.time(h + rng.randint(1, 5))),))
        elif kind == "late":
            extra.update(start=at(rng.randint(0, 13), rng.randint(0, 23), rng.choice([0, 15, 30, 45])))
        add(f"栏目{i % 4}/通知{i:02d}", **extra)
    return notices


NOTICES = build_notices()


@functools.lru_cache(maxsize=None)
def _times(notice_id: str) -> tuple[float, ...]:
    rng = random.Random(notice_id)
    return tuple(float(rng.randint(30, 90)) for _ in range(rng.randint(1, 3)))


def page_times(notice: Notice) -> tuple[float, ...]:
    if notice.meta.priority == Priority.URGENT:
        return (15.0,)  # a short urgent notice: it must recur every URGENT_EVERY seconds
    return _times(notice.id)


# --- the independent expectation --------------------------------------------------------

def expected_active(notice: Notice, wall: dt.datetime) -> bool:
    meta = notice.meta
    local = wall.astimezone(TZ)
    naive = local.replace(tzinfo=None)
    if meta.screens and not set(meta.screens) & set(TAGS):
        return False
    if meta.start is not None:
        begin = meta.start if isinstance(meta.start, dt.datetime) else dt.datetime.combine(meta.start, dt.time())
        if naive < begin:
            return False
    if meta.end is not None:
        finish = meta.end if isinstance(meta.end, dt.datetime) else \
            dt.datetime.combine(meta.end + dt.timedelta(days=1), dt.time())
        if naive >= finish:
            return False
    if meta.days and local.weekday() not in meta.days:
        return False
    if meta.hours:
        clock = naive.time()
        return any(a <= clock < b or (b == dt.time.max and clock >= a) for a, b in meta.hours)
    return True


def expected_cycle(active: list[Notice]) -> list[tuple[str, int, int]]:
    """(notice, page, block) in the documented order: U + H + N1 + H + N2."""
    order = sorted(active, key=lambda n: (n.meta.priority, n.meta.order, n.category, n.title, n.id))
    urgent = [n for n in order if n.meta.priority == Priority.URGENT]
    high = [n for n in order if n.meta.priority == Priority.HIGH]
    normal = [n for n in order if n.meta.priority == Priority.NORMAL]
    first, second = normal[: math.ceil(len(normal) / 2)], normal[math.ceil(len(normal) / 2):]
    blocks = [urgent, high, first] + ([high] if high and second else []) + [second]
    return [(n.id, page, b) for b, block in enumerate(blocks) for n in block
            for page in range(len(page_times(n)))]


def engine_memory() -> int:
    """Bytes held by allocations made in the player's code (not by this test's records)."""
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, "*/player/*")])
    return sum(stat.size for stat in snapshot.statistics("filename"))


def test_a_simulated_fortnight_follows_the_rules() -> None:
    scheduler = Scheduler(TZ, TAGS, page_times, URGENT_EVERY)
    scheduler.set_library(Library(tuple(NOTICES)))
    by_id = {n.id: n for n in NOTICES}
    t = 0.0
    scheduler.reschedule(t, START)
    shown: list[tuple[float, str | None, int, int, str]] = []  # (t, notice, page, block, why)

    def record(why: str) -> None:
        slot = scheduler.current
        # round(): a float of this test's own (t itself was made by the engine, and the
        # memory check below counts what the engine's allocations keep alive)
        shown.append((round(t, 6), slot.notice_id if slot else None, slot.page if slot else 0,
                      slot.key[0] if slot else -1, why))

    record("start")
    memory_after_day_one = memory_end = None
    while t < DAYS * 86400:
        due = scheduler.rotator.due()
        boundary = (scheduler.next_change - START).total_seconds() if scheduler.next_change else math.inf
        t = min(due, boundary, DAYS * 86400)
        wall = START + dt.timedelta(seconds=t)
        todo = scheduler.what_now(t, wall)
        if todo is Due.RESCHEDULE:
            scheduler.reschedule(t, wall)
        elif todo is Due.STEP:
            scheduler.step(t, wall)
        else:
            continue
        if shown[-1][1:4] != (scheduler.current.notice_id if scheduler.current else None,
                              scheduler.current.page if scheduler.current else 0,
                              scheduler.current.key[0] if scheduler.current else -1) or todo is Due.STEP:
            record(todo.value)
        if not tracemalloc.is_tracing() and memory_end is None and t >= 86400:
            tracemalloc.start()  # traced from day 1; measured from day 2 to day 5
        if memory_after_day_one is None and t >= 2 * 86400:
            memory_after_day_one = engine_memory()
        if memory_end is None and t >= 5 * 86400:
            memory_end = engine_memory()
            tracemalloc.stop()
    assert len(shown) > 700 * DAYS

    # 1. Whatever is shown is active when it starts and until (within a second of) its end;
    #    nothing is shown only when nothing is active.
    for (t0, nid, _page, _block, _why), (t1, *_rest) in zip(shown, shown[1:]):
        samples = [t0] + [m for m in range(int(t0) + 60 - int(t0) % 60, int(t1), 60)] + [max(t0, t1 - 1.0)]
        for s in samples:
            wall = START + dt.timedelta(seconds=s)
            if nid is None:
                assert not any(expected_active(n, wall) for n in NOTICES), (s, "blank while notices are active")
            else:
                assert expected_active(by_id[nid], wall), (s, nid, "shown while not active")

    # 2. Urgent notices take the screen within a second of starting and recur every minute.
    for urgent in (n for n in NOTICES if n.meta.priority == Priority.URGENT):
        begin = (dt.datetime.combine(urgent.meta.start.date(), urgent.meta.start.time(), TZ) - START).total_seconds()
        end = (dt.datetime.combine(urgent.meta.end.date(), urgent.meta.end.time(), TZ) - START).total_seconds()
        if begin >= DAYS * 86400:
            continue
        starts = [s for s, nid, page, _b, _w in shown if nid == urgent.id and page == 0]
        assert starts and starts[0] - begin <= 1.0
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        assert max(gaps) <= URGENT_EVERY + 1e-6
        assert end - starts[-1] <= URGENT_EVERY + 1e-6 and starts[-1] < end

    # 3. Ordinary page changes follow the documented cycle order exactly.
    checked = 0
    for (t0, a, pa, ba, _w0), (t1, b, pb, bb, why) in zip(shown, shown[1:]):
        if why != "step" or a is None or b is None:
            continue
        if by_id[a].meta.priority == Priority.URGENT or by_id[b].meta.priority == Priority.URGENT:
            continue  # interruptions and resumptions are checked above
        wall = START + dt.timedelta(seconds=t1)
        cycle = expected_cycle([n for n in NOTICES if expected_active(n, wall)])
        if (a, pa, ba) not in cycle:
            continue  # the previous notice left the rotation meanwhile
        following = cycle[(cycle.index((a, pa, ba)) + 1) % len(cycle)]
        assert (b, pb, bb) == following, (t1, a, pa, b, pb)
        checked += 1
    assert checked > 350 * DAYS

    # 4. High-priority notices play about twice as often as normal ones.
    counts: dict[str, int] = {}
    for _t, nid, page, _b, _w in shown:
        if nid and page == 0:
            counts[nid] = counts.get(nid, 0) + 1
    assert counts["重要决策/老旧小区"] > 1.5 * counts["收费标准/复印"]
    assert "对内/干部考核" not in counts and "对内/内部财务" not in counts

    # 5. The engine's memory does not grow with running time (days 2 to 5 traced).
    assert memory_end - memory_after_day_one < 64 * 1024, (memory_after_day_one, memory_end)

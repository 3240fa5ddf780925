"""The rotation engine: schedule boundaries, high priority, urgent interruptions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from player.model.notice import Library, Meta, Notice, Priority, TextBody
from player.model.rotation import Rotator, build_cycle
from player.model.schedule import next_change

TZ = ZoneInfo("Asia/Shanghai")


def notice(nid: str, priority: Priority = Priority.NORMAL, **meta) -> Notice:
    return Notice(nid, f"{nid}.txt", nid.split("/")[0], nid, Meta(priority=priority, **meta), TextBody(()), nid)


def pages(n: Notice) -> list[float]:
    return [10.0, 10.0] if n.id.endswith("2") else [10.0]


def test_next_change_finds_starts_ends_and_daily_edges() -> None:
    lib = Library((
        notice("a/starts", start=dt.datetime(2026, 12, 1, 9, 0)),
        notice("b/ends", end=dt.date(2026, 11, 30)),
        notice("c/hours", hours=((dt.time(8, 30), dt.time(17, 30)),)),
        notice("d/other-screen", start=dt.datetime(2026, 11, 28, 0, 0), screens=("hall",)),
    ))
    now = dt.datetime(2026, 11, 28, 8, 0, tzinfo=TZ)  # Saturday
    assert next_change(lib, now, TZ, ["lobby"]) == dt.datetime(2026, 11, 28, 8, 30, tzinfo=TZ)
    now = dt.datetime(2026, 11, 30, 20, 0, tzinfo=TZ)
    assert next_change(lib, now, TZ, ["lobby"]) == dt.datetime(2026, 12, 1, 0, 0, tzinfo=TZ)  # b ends / c's day
    assert next_change(Library((notice("e/always"),)), now, TZ) is None


def test_next_change_for_weekdays_only() -> None:
    lib = Library((notice("a/weekdays", days=frozenset(range(5))),))
    friday_evening = dt.datetime(2026, 11, 27, 23, 0, tzinfo=TZ)
    assert next_change(lib, friday_evening, TZ) == dt.datetime(2026, 11, 28, 0, 0, tzinfo=TZ)


def test_high_priority_plays_twice_per_cycle_never_twice_in_a_row() -> None:
    notices = [notice("h/high", Priority.HIGH)] + [notice(f"n/{c}") for c in "abcde"]
    order = [s.notice_id for s in build_cycle(notices, pages)]
    assert order == ["h/high", "n/a", "n/b", "n/c", "h/high", "n/d", "n/e"]


def test_urgent_interrupts_within_a_frame_then_resumes_the_interrupted_page() -> None:
    normal = [notice("n/a2"), notice("n/b")]
    rot = Rotator(urgent_every=60)
    rot.update(0.0, build_cycle(normal, pages))
    assert (rot.current.notice_id, rot.current.page) == ("n/a2", 0)
    rot.step(10.0)
    assert (rot.current.notice_id, rot.current.page) == ("n/a2", 1)
    # 3 s into page 2 an urgent notice arrives: it takes the screen at once.
    rot.update(13.0, build_cycle([notice("u/water", Priority.URGENT)] + normal, pages))
    assert rot.current.notice_id == "u/water" and rot.since == 13.0
    assert rot.due() == 23.0
    rot.step(23.0)  # its one page is over: the interrupted page comes back for its 7 s left
    assert (rot.current.notice_id, rot.current.page) == ("n/a2", 1) and rot.due() == 30.0
    rot.step(30.0)
    assert rot.current.notice_id == "n/b"


def test_a_page_with_almost_no_time_left_is_not_brought_back() -> None:
    normal = [notice("n/a"), notice("n/b")]
    rot = Rotator()
    rot.update(0.0, build_cycle(normal, pages))
    rot.update(8.5, build_cycle([notice("u/x", Priority.URGENT)] + normal, pages))  # 1.5 s left of n/a
    rot.step(18.5)
    assert rot.current.notice_id == "n/b"


def test_an_urgent_notice_longer_than_the_interval_alternates_with_the_rotation() -> None:
    long_pages = lambda n: [40.0, 40.0] if n.id.startswith("u/") else [10.0]  # noqa: E731
    rot = Rotator(urgent_every=60)
    rot.update(0.0, build_cycle([notice("u/long", Priority.URGENT)] + [notice(f"n/{c}") for c in "abc"], long_pages))
    seen = []
    for _ in range(12):
        t = rot.due()
        rot.step(t)
        seen.append(rot.current.notice_id)
    # The two urgent pages, then one page of the rotation, and again: the rotation progresses.
    assert [nid for nid in seen if not nid.startswith("u/")] == ["n/a", "n/b", "n/c", "n/a"]
    assert seen[1::3] == ["n/a", "n/b", "n/c", "n/a"]


def test_urgent_recurs_every_interval_until_it_ends() -> None:
    cycle = build_cycle([notice("u/water", Priority.URGENT)] + [notice(f"n/{i}") for i in range(12)], pages)
    rot = Rotator(urgent_every=60)
    rot.update(0.0, cycle)
    shown = []
    t = 0.0
    while t < 600:
        shown.append((round(t), rot.current.notice_id))
        t = rot.due()
        rot.step(t)
    starts = [t for t, nid in shown if nid == "u/water"]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert starts[0] == 0 and max(gaps) <= 60 and len(starts) >= 10
    # The urgent notice leaves: the rotation goes on without it.
    rot.update(t, build_cycle([notice(f"n/{i}") for i in range(12)], pages))
    for _ in range(30):
        t = rot.due()
        rot.step(t)
        assert rot.current.notice_id != "u/water"


def test_an_urgent_notice_that_ends_mid_interruption_hands_the_screen_back() -> None:
    normal = [notice("n/a"), notice("n/b")]
    rot = Rotator()
    rot.update(0.0, build_cycle(normal, pages))
    rot.update(2.0, build_cycle([notice("u/x2", Priority.URGENT)] + normal, pages))
    assert rot.current.notice_id == "u/x2"
    rot.update(5.0, build_cycle(normal, pages))  # it expired after 3 s
    assert rot.current.notice_id == "n/a" and rot.interrupting is None

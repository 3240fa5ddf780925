"""What plays when: schedule.decide/evaluate/days_remaining and the rotation cycle.

Times are explicit aware datetimes; nothing here reads the clock.
"""

from __future__ import annotations

import dataclasses

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import load_folder
from player.model import Library, Meta, Notice, Priority, TextBody
from player.model.rotation import Slot, build_cycle, next_slot, slot_at
from player.model.schedule import (
    ACTIVE, EXPIRED, OTHER_SCREEN, SCHEDULED, active_notices, days_remaining, decide, evaluate,
    in_daily_window, sort_key, to_aware,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
SECOND = dt.timedelta(seconds=1)


def at(*args: int) -> dt.datetime:
    """An aware Asia/Shanghai moment."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def notice(notice_id: str = "公告/通知", *, category: str | None = None, title: str | None = None,
           **meta) -> Notice:
    """A notice value with the given settings (the model's own dataclasses, not a mock)."""
    return Notice(id=notice_id, path=notice_id + ".txt",
                  category=category if category is not None else notice_id.split("/")[0],
                  title=title or notice_id.split("/")[-1], meta=Meta(**meta), body=TextBody(()),
                  sha256="0" * 64)


def state(n: Notice, now: dt.datetime, tags=()) -> str:
    return decide(n, now, SHANGHAI, tags).state


# --- start and end --------------------------------------------------------------------------------

def test_no_dates_is_always_active() -> None:
    decision = decide(notice(), at(2026, 1, 1), SHANGHAI)
    assert (decision.state, decision.reason, decision.start, decision.end) == (ACTIVE, "showing", None, None)


def test_end_date_is_inclusive_and_leaves_at_midnight() -> None:
    n = notice(end=dt.date(2026, 12, 2))
    assert state(n, at(2026, 12, 2, 0, 0)) == ACTIVE
    assert state(n, at(2026, 12, 2, 23, 59, 59)) == ACTIVE
    assert state(n, at(2026, 12, 2, 23, 59, 59) + dt.timedelta(microseconds=999_999)) == ACTIVE
    assert state(n, at(2026, 12, 3, 0, 0)) == EXPIRED
    decision = decide(n, at(2026, 12, 3), SHANGHAI)
    assert decision.reason == "ended"
    assert decision.end == at(2026, 12, 3)


def test_start_date_begins_at_midnight() -> None:
    n = notice(start=dt.date(2026, 11, 26))
    assert state(n, at(2026, 11, 26) - SECOND) == SCHEDULED
    assert decide(n, at(2026, 11, 25, 12), SHANGHAI).reason == "not started"
    assert state(n, at(2026, 11, 26)) == ACTIVE
    assert decide(n, at(2026, 11, 26), SHANGHAI).start == at(2026, 11, 26)


def test_one_day_notice() -> None:
    n = notice(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 1))
    assert state(n, at(2026, 4, 30, 23, 59, 59)) == SCHEDULED
    assert state(n, at(2026, 5, 1)) == ACTIVE
    assert state(n, at(2026, 5, 1, 23, 59, 59)) == ACTIVE
    assert state(n, at(2026, 5, 2)) == EXPIRED


def test_datetimes_are_exact_start_inclusive_end_exclusive() -> None:
    n = notice(start=dt.datetime(2026, 12, 5, 8, 30), end=dt.datetime(2026, 12, 5, 17, 30))
    assert state(n, at(2026, 12, 5, 8, 30) - SECOND) == SCHEDULED
    assert state(n, at(2026, 12, 5, 8, 30)) == ACTIVE
    assert state(n, at(2026, 12, 5, 17, 30) - SECOND) == ACTIVE
    assert state(n, at(2026, 12, 5, 17, 30)) == EXPIRED
    assert state(n, at(2026, 12, 5, 17, 30) + SECOND) == EXPIRED


def test_expired_wins_over_not_started_for_an_inverted_period() -> None:
    n = notice(start=dt.date(2026, 12, 10), end=dt.date(2026, 12, 1))
    assert state(n, at(2026, 12, 5)) == EXPIRED


def test_now_in_another_zone_is_the_same_instant() -> None:
    n = notice(end=dt.date(2026, 12, 2))
    # 2026-12-02 16:00 UTC is 2026-12-03 00:00 in Shanghai: already over
    assert state(n, dt.datetime(2026, 12, 2, 15, 59, 59, tzinfo=UTC)) == ACTIVE
    assert state(n, dt.datetime(2026, 12, 2, 16, 0, 0, tzinfo=UTC)) == EXPIRED


def test_aware_datetimes_from_yaml_keep_their_offset() -> None:
    end = dt.datetime(2026, 12, 5, 12, 0, tzinfo=UTC)       # 20:00 in Shanghai
    n = notice(end=end)
    assert state(n, at(2026, 12, 5, 19, 59, 59)) == ACTIVE
    assert state(n, at(2026, 12, 5, 20, 0)) == EXPIRED


@pytest.fixture
def foreign_tz(monkeypatch: pytest.MonkeyPatch):
    """The process runs with TZ set to a zone far from Shanghai."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_naive_datetimes_are_shanghai_time_regardless_of_tz(foreign_tz) -> None:
    assert time.localtime(0).tm_hour == 19   # the environment really is in New York
    n = notice(start=dt.datetime(2026, 12, 5, 8, 30), end=dt.date(2026, 12, 5))
    assert to_aware(n.meta.start, SHANGHAI, end=False) == dt.datetime(2026, 12, 5, 0, 30, tzinfo=UTC)
    assert to_aware(n.meta.end, SHANGHAI, end=True) == dt.datetime(2026, 12, 5, 16, 0, tzinfo=UTC)
    assert state(n, dt.datetime(2026, 12, 5, 0, 29, 59, tzinfo=UTC)) == SCHEDULED
    assert state(n, dt.datetime(2026, 12, 5, 0, 30, tzinfo=UTC)) == ACTIVE
    assert state(n, dt.datetime(2026, 12, 5, 15, 59, 59, tzinfo=UTC)) == ACTIVE
    assert state(n, dt.datetime(2026, 12, 5, 16, 0, tzinfo=UTC)) == EXPIRED


def test_parsed_file_dates_follow_the_same_rules(tmp_path: Path, foreign_tz) -> None:
    folder = tmp_path / "drop" / "公示公告"
    folder.mkdir(parents=True)
    (folder / "任前公示（至2026-12-02）.txt").write_text(
        "---\nkind: 公示\nstart: 2026-11-26 08:30\n---\n正文\n", encoding="utf-8")
    library = load_folder(tmp_path / "drop")
    (n,) = library.notices
    assert state(n, at(2026, 11, 26, 8, 29, 59)) == SCHEDULED
    assert state(n, at(2026, 11, 26, 8, 30)) == ACTIVE
    assert state(n, at(2026, 12, 2, 23, 59, 59)) == ACTIVE
    assert state(n, at(2026, 12, 3)) == EXPIRED
    assert days_remaining(n, at(2026, 11, 26, 9), SHANGHAI) == 7


def test_sample_publicity_leaves_the_screen_after_its_last_day(sample_library: Library) -> None:
    n = sample_library.get("公示公告/任前公示")
    assert state(n, at(2026, 11, 25, 23, 59, 59)) == SCHEDULED
    assert state(n, at(2026, 11, 26)) == ACTIVE
    assert state(n, at(2026, 12, 2, 23, 59, 59)) == ACTIVE
    assert state(n, at(2026, 12, 3)) == EXPIRED
    assert days_remaining(n, at(2026, 11, 27, 14, 40), SHANGHAI) == 6


# --- daily windows ------------------------------------------------------------------------------

def test_hours_with_two_ranges() -> None:
    n = notice(hours=((dt.time(8, 30), dt.time(12)), (dt.time(14), dt.time(17, 30))))
    assert state(n, at(2026, 12, 7, 8, 29, 59)) == SCHEDULED
    assert decide(n, at(2026, 12, 7, 8), SHANGHAI).reason == "outside its days or hours"
    assert state(n, at(2026, 12, 7, 8, 30)) == ACTIVE
    assert state(n, at(2026, 12, 7, 11, 59, 59)) == ACTIVE
    assert state(n, at(2026, 12, 7, 12)) == SCHEDULED          # end is exclusive
    assert state(n, at(2026, 12, 7, 13, 59, 59)) == SCHEDULED
    assert state(n, at(2026, 12, 7, 14)) == ACTIVE
    assert state(n, at(2026, 12, 7, 17, 30)) == SCHEDULED


def test_hours_ending_at_24_00() -> None:
    n = notice(hours=((dt.time(22), dt.time.max),))
    assert state(n, at(2026, 12, 7, 21, 59, 59)) == SCHEDULED
    assert state(n, at(2026, 12, 7, 22)) == ACTIVE
    assert state(n, at(2026, 12, 7, 23, 59, 59)) == ACTIVE
    assert state(n, at(2026, 12, 7, 23, 59, 59) + dt.timedelta(microseconds=999_999)) == ACTIVE
    assert state(n, at(2026, 12, 8, 0, 0)) == SCHEDULED


def test_hours_are_local_time() -> None:
    n = notice(hours=((dt.time(8, 30), dt.time(17, 30)),))
    assert state(n, dt.datetime(2026, 12, 7, 0, 30, tzinfo=UTC)) == ACTIVE      # 08:30 Shanghai
    assert state(n, dt.datetime(2026, 12, 7, 0, 29, tzinfo=UTC)) == SCHEDULED
    assert state(n, dt.datetime(2026, 12, 7, 9, 30, tzinfo=UTC)) == SCHEDULED   # 17:30 Shanghai


def test_days_window() -> None:
    workdays = notice(days=frozenset(range(5)))
    # 2026-12-05 is a Saturday, 2026-12-07 a Monday
    assert at(2026, 12, 5).weekday() == 5
    assert state(workdays, at(2026, 12, 4, 23, 59, 59)) == ACTIVE
    assert state(workdays, at(2026, 12, 5)) == SCHEDULED
    assert state(workdays, at(2026, 12, 6, 23, 59, 59)) == SCHEDULED
    assert state(workdays, at(2026, 12, 7)) == ACTIVE
    # the weekday is Shanghai's: Friday 16:00 UTC is already Saturday there
    assert state(workdays, dt.datetime(2026, 12, 4, 16, 0, tzinfo=UTC)) == SCHEDULED


def test_days_and_hours_together() -> None:
    n = notice(days=frozenset({0, 5}), hours=((dt.time(9), dt.time(11)),))
    assert state(n, at(2026, 12, 5, 10)) == ACTIVE         # Saturday, in hours
    assert state(n, at(2026, 12, 5, 12)) == SCHEDULED      # Saturday, out of hours
    assert state(n, at(2026, 12, 8, 10)) == SCHEDULED      # Tuesday
    assert in_daily_window(n.meta, at(2026, 12, 7, 9)) is True


def test_window_does_not_revive_an_expired_notice() -> None:
    n = notice(end=dt.date(2026, 12, 1), hours=((dt.time(8), dt.time(18)),))
    assert state(n, at(2026, 12, 2, 10)) == EXPIRED


# --- screens ------------------------------------------------------------------------------------

def test_screens_tags() -> None:
    n = notice(screens=("lobby", "二楼"))
    assert state(n, at(2026, 12, 7), ("lobby", "public")) == ACTIVE
    assert state(n, at(2026, 12, 7), ["二楼"]) == ACTIVE
    other = decide(n, at(2026, 12, 7), SHANGHAI, ("kiosk",))
    assert other.state == OTHER_SCREEN
    assert "lobby" in other.reason and "二楼" in other.reason
    assert state(n, at(2026, 12, 7), ()) == OTHER_SCREEN
    assert state(notice(), at(2026, 12, 7), ("kiosk",)) == ACTIVE   # untagged: every screen


def test_other_screen_is_reported_before_dates() -> None:
    n = notice(screens=("kiosk",), end=dt.date(2020, 1, 1))
    assert state(n, at(2026, 12, 7), ("lobby",)) == OTHER_SCREEN


# --- order ------------------------------------------------------------------------------------

def test_evaluate_orders_by_priority_order_category_title() -> None:
    notices = (
        notice("b/普通一", title="2号通知"),   # title, not id, decides within a category
        notice("b/普通二", title="1号通知"),
        notice("a/普通", title="丙"),
        notice("z/排前", title="戊", order=-1),
        notice("c/重要", title="丁", priority=Priority.HIGH),
        notice("d/紧急", title="己", priority=Priority.URGENT, order=99),
        notice("e/过期", title="庚", end=dt.date(2020, 1, 1), priority=Priority.URGENT),
        notice("f/未来", title="辛", start=dt.date(2030, 1, 1)),
    )
    library = Library(tuple(sorted(notices, key=lambda n: n.id)))
    decisions = evaluate(library, at(2026, 12, 7, 10), SHANGHAI)
    assert [(d.notice.id, d.state) for d in decisions] == [
        ("d/紧急", ACTIVE), ("c/重要", ACTIVE), ("z/排前", ACTIVE), ("a/普通", ACTIVE),
        ("b/普通二", ACTIVE), ("b/普通一", ACTIVE),
        ("e/过期", EXPIRED), ("f/未来", SCHEDULED),
    ]
    assert [n.id for n in active_notices(library, at(2026, 12, 7, 10), SHANGHAI)] == [
        "d/紧急", "c/重要", "z/排前", "a/普通", "b/普通二", "b/普通一"]


def test_sort_key_ties_break_on_id() -> None:
    a, b = notice("x/一", title="同名"), notice("x/二", title="同名")
    assert sorted([a, b], key=sort_key) == sorted([a, b], key=lambda n: n.id)


def test_sample_rotation_order(sample_library: Library) -> None:
    active = active_notices(sample_library, at(2026, 11, 27, 10), SHANGHAI, ("lobby", "public"))
    assert active[0].id == "重要决策/关于实施2026年老旧小区改造项目的决定（示例）"   # priority: high
    assert [n.category for n in active[1:]] == ["公示公告", "办事指南", "收费标准", "政务公开",
                                                 "民生实事", "财务公开", "财务公开", "重要决策"]


# --- days remaining ------------------------------------------------------------------------------

def test_days_remaining_counts_today() -> None:
    n = notice(end=dt.date(2026, 12, 2))
    assert days_remaining(n, at(2026, 11, 26), SHANGHAI) == 7
    assert days_remaining(n, at(2026, 12, 1, 23, 59, 59), SHANGHAI) == 2
    assert days_remaining(n, at(2026, 12, 2), SHANGHAI) == 1
    assert days_remaining(n, at(2026, 12, 2, 23, 59, 59), SHANGHAI) == 1
    assert days_remaining(n, at(2026, 12, 3), SHANGHAI) == 0
    assert days_remaining(notice(), at(2026, 12, 2), SHANGHAI) is None


def test_days_remaining_with_an_end_time() -> None:
    n = notice(end=dt.datetime(2026, 12, 2, 17, 30))
    assert days_remaining(n, at(2026, 12, 2, 9), SHANGHAI) == 1
    assert days_remaining(n, at(2026, 12, 1, 9), SHANGHAI) == 2
    midnight = notice(end=dt.datetime(2026, 12, 3, 0, 0))   # ends as 12-02 ends
    assert days_remaining(midnight, at(2026, 12, 2, 9), SHANGHAI) == 1


def test_days_remaining_uses_the_local_date() -> None:
    n = notice(end=dt.date(2026, 12, 2))
    # 2026-12-01 16:30 UTC is already 12-02 in Shanghai: the last day
    assert days_remaining(n, dt.datetime(2026, 12, 1, 16, 30, tzinfo=UTC), SHANGHAI) == 1


# --- rotation ------------------------------------------------------------------------------------

def _pages(times: dict[str, list[float]]):
    return lambda n: times[n.id]


A = notice("a/甲", priority=Priority.HIGH)
B = notice("b/乙")
C = notice("c/丙")
TIMES = {"a/甲": [10.0, 5.0], "b/乙": [8.0], "c/丙": [4.0, 4.0, 2.0]}


def test_build_cycle_slots_in_order() -> None:
    slots = build_cycle([A, B, C], _pages(TIMES))
    # A is high priority: it plays before each half of the normal notices (H + N1 + H + N2).
    assert [(s.notice_id, s.page, s.pages, s.seconds) for s in slots] == [
        ("a/甲", 0, 2, 10.0), ("a/甲", 1, 2, 5.0), ("b/乙", 0, 1, 8.0),
        ("a/甲", 0, 2, 10.0), ("a/甲", 1, 2, 5.0),
        ("c/丙", 0, 3, 4.0), ("c/丙", 1, 3, 4.0), ("c/丙", 2, 3, 2.0)]
    assert all(s.key[1] == sort_key(n) for s, n in zip(slots, [A, A, B, A, A, C, C, C]))
    assert [s.position() for s in slots] == sorted(s.position() for s in slots)


def test_build_cycle_notice_without_pages_gets_one_empty_slot() -> None:
    slots = build_cycle([B], lambda n: [])
    assert [(s.notice_id, s.page, s.pages, s.seconds) for s in slots] == [("b/乙", 0, 1, 0.0)]


def test_next_slot_steps_pages_and_notices() -> None:
    slots = build_cycle([A, B, C], _pages(TIMES))
    assert next_slot(slots, None) == slots[0]
    for here, there in zip(slots, slots[1:]):
        assert next_slot(slots, here) == there


def test_next_slot_wraps_around() -> None:
    slots = build_cycle([A, B, C], _pages(TIMES))
    assert next_slot(slots, slots[-1]) == slots[0]


def test_next_slot_after_a_vanished_notice() -> None:
    before = build_cycle([A, B, C], _pages(TIMES))
    current = before[2]                      # b/乙 is showing …
    after = build_cycle([A, C], _pages(TIMES))  # … and its file is deleted
    assert next_slot(after, current) == after[2] == Slot("c/丙", 0, 3, 4.0, (2, sort_key(C)))
    # a vanished notice at the end wraps to the start
    last = build_cycle([A, B], _pages(TIMES))
    assert next_slot(last, before[-1]) == last[0]


def test_next_slot_when_the_current_notice_lost_pages() -> None:
    current = next(s for s in build_cycle([A, B, C], _pages(TIMES)) if (s.notice_id, s.page) == ("c/丙", 1))
    shorter = build_cycle([A, B, C], _pages({**TIMES, "c/丙": [4.0]}))
    assert next_slot(shorter, current) == shorter[0]            # wrap: c/丙 has one page now


def test_next_slot_when_a_new_notice_appears() -> None:
    current = build_cycle([A, C], _pages(TIMES))[1]             # a/甲 last page
    grown = build_cycle([A, B, C], _pages(TIMES))
    assert next_slot(grown, current).notice_id == "b/乙"


def test_empty_rotation() -> None:
    assert build_cycle([], _pages(TIMES)) == []
    assert next_slot([], None) is None
    assert next_slot([], Slot("x", 0, 1, 1.0)) is None
    assert slot_at([], 123.0) == (None, 0.0)


def test_slot_at_walks_the_repeating_cycle() -> None:
    a_normal = dataclasses.replace(A, meta=dataclasses.replace(A.meta, priority=Priority.NORMAL))
    slots = build_cycle([a_normal, B, C], _pages(TIMES))   # 10 + 5 + 8 + 4 + 4 + 2 = 33 s
    assert slot_at(slots, 0) == (slots[0], 0)
    assert slot_at(slots, 9.5) == (slots[0], 9.5)
    assert slot_at(slots, 10) == (slots[1], 0)
    assert slot_at(slots, 22.9)[0] == slots[2]
    assert slot_at(slots, 23) == (slots[3], 0)
    assert slot_at(slots, 32.5) == (slots[5], 1.5)
    assert slot_at(slots, 33) == (slots[0], 0)         # wraps
    assert slot_at(slots, 33 * 1000 + 11) == (slots[1], 1)


def test_slot_at_with_zero_length_cycle() -> None:
    slots = build_cycle([B], lambda n: [])
    assert slot_at(slots, 50) == (slots[0], 0.0)

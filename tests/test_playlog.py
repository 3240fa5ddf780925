"""The play log: writer, hash chain, --verify against real tampering, the coverage report.

Logs are written through the real :class:`PlayLog` into real files; ``--verify`` runs as a
real ``signage`` subprocess; the report runs in-process with a fixed clock so that
``pending`` days do not depend on today's date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_signage, write_config
from player.cli import Environment, ExitStatus, program
from player.model import playchain
from player.model.notice import Meta, Notice, TextBody
from player.runtime.clock import FixedClock
from player.runtime.playlog import PlayLog
from player.runtime.playlogread import day_files, read_json, read_records, read_text, verify_folder

TZ = ZoneInfo("Asia/Shanghai")
SCREEN = "测试街道便民服务中心"


def notice(nid: str, sha: str = "a", kind: str | None = None, start=None, end=None) -> Notice:
    return Notice(nid, nid + ".txt", nid.split("/")[0], nid.split("/")[-1],
                  Meta(kind=kind, start=start, end=end), TextBody(()), sha * 64)


GONGSHI = notice("公示公告/任前公示", "a", "公示", dt.date(2026, 11, 16), dt.date(2026, 11, 24))
GUIDE = notice("办事指南/居住证办理指南", "b")
NEWS = notice("民生实事/口袋公园", "c")


def at(day: str, hm: str = "00:00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=TZ)


def lines_of(path: Path) -> list[dict]:
    return [json.loads(t) for t in read_text(path).splitlines()]


def folder_lines(folder: Path) -> list[dict]:
    return [line for _, path in day_files(folder) for line in lines_of(path)]


# --- writer ---------------------------------------------------------------------------

def test_lines_chain_descriptions_and_head(tmp_path: Path) -> None:
    folder = tmp_path / "playlog"
    log = PlayLog(folder, SCREEN, TZ)
    log.shown(GONGSHI, at("2026-11-23", "10:00:05"), at("2026-11-23", "10:00:35.6"))
    log.shown(GUIDE, at("2026-11-23", "10:00:35.6"), at("2026-11-23", "10:01:35"))
    log.shown(GONGSHI, at("2026-11-23", "10:01:35"), at("2026-11-23", "10:02:05"))
    log.shown(GUIDE, at("2026-11-23", "10:02:05"), at("2026-11-23", "10:02:05.4"))  # < 1 s: ignored
    log.gap("screen-off", at("2026-11-23", "18:00").astimezone(dt.timezone.utc), at("2026-11-23", "20:00"))
    changed = notice(GONGSHI.id, "d", "公示", GONGSHI.meta.start, GONGSHI.meta.end)
    log.shown(changed, at("2026-11-23", "20:00"), at("2026-11-23", "20:00:30"))
    assert not (folder / "2026-11-23.jsonl").exists()  # nothing written before a flush
    log.flush()
    lines = lines_of(folder / "2026-11-23.jsonl")
    assert [(x.get("event"), x["notice"]) for x in lines] == [
        ("notice", GONGSHI.id), (None, GONGSHI.id), ("notice", GUIDE.id), (None, GUIDE.id),
        (None, GONGSHI.id), ("screen-off", None), ("notice", GONGSHI.id), (None, GONGSHI.id)]
    assert lines[1] == {"start": "2026-11-23T10:00:05+08:00", "end": "2026-11-23T10:00:36+08:00",
                        "notice": GONGSHI.id, "sha256": "a" * 64, "screen": SCREEN,
                        "prev": lines[0]["hash"], "hash": lines[1]["hash"]}
    assert lines[0]["title"] == "任前公示" and lines[0]["kind"] == "公示"
    assert lines[0]["period"] == ["2026-11-16T00:00:00+08:00", "2026-11-24T23:59:59+08:00"]
    assert lines[2]["kind"] is None and lines[2]["period"] is None
    assert lines[5]["start"] == "2026-11-23T18:00:00+08:00" and lines[5]["sha256"] is None
    assert lines[6]["sha256"] == "d" * 64  # a new version is described again
    assert lines[0]["prev"] == playchain.ZERO
    for before, line in zip(lines, lines[1:]):
        assert line["prev"] == before["hash"]
    assert all(playchain.line_hash(x) == x["hash"] for x in lines)
    raw = (folder / "2026-11-23.jsonl").read_text(encoding="utf-8")
    assert "任前公示" in raw and raw.endswith("\n")  # UTF-8, not \\u escapes
    assert read_json(folder / "head.json") == {"file": "2026-11-23.jsonl", "lines": 8, "hash": lines[-1]["hash"]}
    with pytest.raises(ValueError):
        log.gap("sleeping", at("2026-11-23", "21:00"), at("2026-11-23", "22:00"))


def test_chain_across_days_midnight_split_and_restart(tmp_path: Path) -> None:
    folder = tmp_path / "playlog"
    log = PlayLog(folder, SCREEN, TZ)
    log.shown(GONGSHI, at("2026-11-23", "23:59:30"), at("2026-11-24", "00:00:20"))
    log.gap("idle", at("2026-11-24", "00:00:20"), at("2026-11-24", "00:10"))
    log.flush()
    day1, day2 = lines_of(folder / "2026-11-23.jsonl"), lines_of(folder / "2026-11-24.jsonl")
    assert [(x["start"][11:19], x["end"][11:19]) for x in day1] == [("23:59:30", "23:59:30"), ("23:59:30", "00:00:00")]
    assert day1[1]["end"] == "2026-11-24T00:00:00+08:00"
    # the next day's file describes the notice again and continues the chain
    assert [x.get("event") for x in day2] == ["notice", None, "idle"]
    assert day2[1]["start"] == "2026-11-24T00:00:00+08:00" and day2[1]["end"] == "2026-11-24T00:00:20+08:00"
    assert day2[0]["prev"] == day1[-1]["hash"]
    # a new process continues the chain and does not describe the notice a third time
    again = PlayLog(folder, SCREEN, TZ)
    again.shown(GONGSHI, at("2026-11-24", "00:10"), at("2026-11-24", "00:11"))
    again.shown(GUIDE, at("2026-11-24", "00:11"), at("2026-11-24", "00:12"))
    again.flush()
    day2 = lines_of(folder / "2026-11-24.jsonl")
    assert [x.get("event") for x in day2] == ["notice", None, "idle", None, "notice", None]
    assert day2[3]["prev"] == day2[2]["hash"]
    assert read_json(folder / "head.json")["lines"] == 6
    assert verify_folder(folder) == ([], 8)


def test_torn_last_line_is_cut_off_on_restart(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "playlog"
    log = PlayLog(folder, SCREEN, TZ)
    log.shown(GONGSHI, at("2026-11-23", "10:00"), at("2026-11-23", "10:01"))
    log.flush()
    path = folder / "2026-11-23.jsonl"
    whole = path.read_bytes()
    with open(path, "ab") as handle:  # a power cut in the middle of an append
        handle.write('{"start":"2026-11-23T10:01:00+08:00","end":"2026-11-23T10:0'.encode())
    assert verify_folder(folder)[0] == ["2026-11-23.jsonl:3: not a play-log line (not complete JSON with "
                                        "prev and hash); edited, or torn by a power cut"]
    with caplog.at_level(logging.WARNING, logger="signage.playlog"):
        again = PlayLog(folder, SCREEN, TZ)
    assert path.read_bytes() == whole
    assert len([r for r in caplog.records if "incomplete line" in r.getMessage()]) == 1
    again.shown(GUIDE, at("2026-11-23", "10:01"), at("2026-11-23", "10:02"))
    again.flush()
    assert verify_folder(folder) == ([], 4)


def _days(folder: Path, first: dt.date, count: int) -> PlayLog:
    log = PlayLog(folder, SCREEN, TZ)
    for k in range(count):
        start = dt.datetime.combine(first + dt.timedelta(days=k), dt.time(9), tzinfo=TZ)
        log.shown(GONGSHI, start, start + dt.timedelta(minutes=1))
        log.shown(GUIDE, start + dt.timedelta(minutes=1), start + dt.timedelta(minutes=2))
    log.flush()
    return log


def test_compression_retention_and_anchor(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "playlog"
    today = dt.date(2026, 11, 27)
    log = _days(folder, today - dt.timedelta(days=9), 10)  # 11-18 … 11-27
    before = {p.name: lines_of(p) for _, p in day_files(folder)}
    log.maintain(today, retention_days=5)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["2026-11-22.jsonl.gz", "2026-11-23.jsonl.gz", "2026-11-24.jsonl.gz", "2026-11-25.jsonl.gz",
                     "2026-11-26.jsonl", "2026-11-27.jsonl", "anchor.json", "head.json"]
    assert read_json(folder / "anchor.json") == {"file": "2026-11-22.jsonl",
                                                 "prev": before["2026-11-21.jsonl"][-1]["hash"]}
    assert read_records(folder / "2026-11-23.jsonl.gz") == before["2026-11-23.jsonl"]
    with gzip.open(folder / "2026-11-23.jsonl.gz", "rt", encoding="utf-8") as handle:
        assert "任前公示" in handle.read()
    assert verify_folder(folder) == ([], 6 * 4)
    # the writer goes on after compression, in a new process too
    log.shown(NEWS, at("2026-11-27", "12:00"), at("2026-11-27", "12:01"))
    log.flush()
    PlayLog(folder, SCREEN, TZ).maintain(today, retention_days=5)  # idempotent
    config = write_config(tmp_path, tmp_path / "drop", state=tmp_path / "state")
    (tmp_path / "drop").mkdir()
    done = run_signage("playlog", "--verify", "-c", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "play log intact: 26 lines in 6 days (2026-11-22 … 2026-11-27)\n"
    # the anchor is what lets --verify notice that a kept day was removed at the front
    (folder / "2026-11-22.jsonl.gz").unlink()
    assert verify_folder(folder)[0] == ["2026-11-23.jsonl.gz:1: the first part of the play log is missing: "
                                        "anchor.json says it starts with 2026-11-22.jsonl, which is not there"]


def test_a_crash_during_compression_leaves_a_readable_log(tmp_path: Path) -> None:
    folder = tmp_path / "playlog"
    log = _days(folder, dt.date(2026, 11, 20), 4)
    shutil.copy(folder / "2026-11-20.jsonl", tmp_path / "copy")
    log.maintain(dt.date(2026, 11, 23), retention_days=30)
    shutil.copy(tmp_path / "copy", folder / "2026-11-20.jsonl")  # the .jsonl outlived its .gz
    assert verify_folder(folder) == ([], 16)
    log.maintain(dt.date(2026, 11, 23), retention_days=30)
    assert not (folder / "2026-11-20.jsonl").exists() and (folder / "2026-11-20.jsonl.gz").exists()


# --- a full disk, for real ------------------------------------------------------------

@pytest.fixture
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?); the RLIMIT_FSIZE test covers the failure")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _fill(path: Path) -> None:
    with open(path, "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"x" * 1024)


def test_a_full_disk_keeps_lines_buffered_until_space_is_back(tiny_disk: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    folder = tiny_disk / "playlog"
    log = PlayLog(folder, SCREEN, TZ)
    log.shown(GONGSHI, at("2026-11-23", "08:00"), at("2026-11-23", "08:01"))
    log.flush()
    path = folder / "2026-11-23.jsonl"
    written = path.read_bytes()
    _fill(tiny_disk / "filler")
    start = at("2026-11-23", "08:01")
    for k in range(150):  # ~52 kB: fits the empty disk, not the partly filled one
        log.shown(GUIDE if k % 2 else GONGSHI, start + dt.timedelta(minutes=k), start + dt.timedelta(minutes=k + 1))
    with caplog.at_level(logging.ERROR, logger="signage.playlog"):
        log.flush()
        log.flush()
    assert log.buffered() == 151  # 150 intervals and the description of GUIDE
    assert path.read_bytes() == written  # whole lines only: the half-written append was cut back
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"play log: cannot write {path}: No space left on device; 151 line(s) kept")
    (tiny_disk / "filler").unlink()
    (tiny_disk / "filler").write_bytes(b"x" * 20_000)  # some space back, still not enough for all
    log.flush()
    assert log.buffered() == 151 and path.read_bytes() == written
    (tiny_disk / "filler").unlink()
    log.flush()
    assert log.buffered() == 0
    assert verify_folder(folder) == ([], 153)


def test_a_file_size_limit_fails_the_flush_and_the_retry_succeeds(tmp_path: Path) -> None:
    """The same as above without root: RLIMIT_FSIZE makes the append fail with EFBIG."""
    script = textwrap.dedent(f"""
        import datetime as dt, logging, resource, signal, sys
        from pathlib import Path
        from zoneinfo import ZoneInfo
        sys.path.insert(0, {str(ROOT / 'tests')!r})
        from test_playlog import GONGSHI, PlayLog, TZ, at
        logging.basicConfig(level=logging.ERROR, stream=sys.stdout, format="%(message)s")
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        log = PlayLog(Path(sys.argv[1]), "屏", TZ)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, hard))
        for k in range(40):
            log.shown(GONGSHI, at("2026-11-23", "08:00") + dt.timedelta(minutes=k),
                      at("2026-11-23", "08:00") + dt.timedelta(minutes=k + 1))
        log.flush(); log.flush()
        print("buffered", log.buffered())
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        log.flush()
        print("buffered", log.buffered())
    """)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "playlog")], capture_output=True,
                          text=True, cwd=ROOT, check=False, timeout=60)
    out = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    assert out[0].startswith("play log: cannot write") and "File too large" in out[0]
    assert out[1:] == ["buffered 41", "buffered 0"]
    assert verify_folder(tmp_path / "playlog") == ([], 41)


# --- --verify through the real command -------------------------------------------------

@pytest.fixture(scope="module")
def three_days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A play log of 2026-11-23 … 2026-11-25, 30 intervals a day."""
    state = tmp_path_factory.mktemp("pristine") / "state"
    log = PlayLog(state / "playlog", SCREEN, TZ)
    for day in ("2026-11-23", "2026-11-24", "2026-11-25"):
        t = at(day, "09:00")
        for k in range(30):
            log.shown((GONGSHI, GUIDE, NEWS)[k % 3], t, t + dt.timedelta(seconds=40))
            t += dt.timedelta(seconds=40)
        log.flush()
    return state


def _tampered(three_days: Path, tmp_path: Path, change) -> subprocess.CompletedProcess:
    state = tmp_path / "state"
    shutil.copytree(three_days, state)
    change(state / "playlog")
    (tmp_path / "drop").mkdir()
    config = write_config(tmp_path, tmp_path / "drop", state=state)
    return run_signage("playlog", "--verify", "-c", str(config))


def _edit_lines(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    edit(lines)
    path.write_text("".join(lines), encoding="utf-8")


def test_verify_passes_an_intact_log(three_days: Path, tmp_path: Path) -> None:
    done = _tampered(three_days, tmp_path, lambda folder: None)
    assert (done.returncode, done.stdout) == (0, "play log intact: 99 lines in 3 days (2026-11-23 … 2026-11-25)\n")


def _change_line(lines: list[str]) -> None:
    record = json.loads(lines[14])  # line 15: shown ten seconds less
    record["end"] = record["end"].replace(":40+", ":30+").replace(":00+", ":50+").replace(":20+", ":10+")
    lines[14] = playchain.encode(record)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda f: _edit_lines(f / "2026-11-24.jsonl", _change_line),
     ["2026-11-24.jsonl:15: line was changed: its hash does not match its content"]),
    (lambda f: _edit_lines(f / "2026-11-24.jsonl", lambda lines: lines.pop(15)),
     ["2026-11-24.jsonl:16: a line before this one is missing or out of order: prev does not match "
      "the hash of line 15"]),
    (lambda f: _edit_lines(f / "2026-11-24.jsonl", lambda lines: lines.insert(10, lines.pop(9))),
     ["2026-11-24.jsonl:10: a line before this one is missing or out of order: prev does not match the hash of line 9",
      "2026-11-24.jsonl:11: a line before this one is missing or out of order: prev does not match the hash of line 10",
      "2026-11-24.jsonl:12: a line before this one is missing or out of order: prev does not match the hash of line 11"]),
    (lambda f: (f / "2026-11-24.jsonl").unlink(),
     ["2026-11-25.jsonl:1: a day file or lines before this one are missing: prev does not match the last line "
      "of 2026-11-23.jsonl (line 33)"]),
    (lambda f: _edit_lines(f / "2026-11-25.jsonl", lambda lines: lines.pop()),
     ["2026-11-25.jsonl: lines were cut off the end: head.json says 33 lines ending with hash "
      "{head}…, the file ends at line 32"]),
    (lambda f: (f / "2026-11-23.jsonl").unlink(),
     ["2026-11-24.jsonl:1: the beginning of the play log is missing: the first line's prev is neither 64 zeros "
      "nor the one anchor.json records"]),
    (lambda f: _edit_lines(f / "2026-11-23.jsonl", lambda lines: lines.__setitem__(4, "hello\n")),
     ["2026-11-23.jsonl:5: not a play-log line (not complete JSON with prev and hash); edited, or torn by a "
      "power cut"]),
], ids=["edited", "deleted", "swapped", "day-removed", "last-line-removed", "first-day-removed", "not-json"])
def test_verify_names_the_tampered_line(three_days: Path, tmp_path: Path, change, expected: list[str]) -> None:
    done = _tampered(three_days, tmp_path, change)
    assert done.returncode == 1, done.stdout + done.stderr
    head = read_json(three_days / "playlog" / "head.json")["hash"][:12]
    assert done.stdout.splitlines() == [e.replace("{head}", head) for e in expected]


def test_verify_and_report_without_a_log(tmp_path: Path) -> None:
    (tmp_path / "drop").mkdir()
    config = write_config(tmp_path, tmp_path / "drop")
    done = run_signage("playlog", "--verify", "-c", str(config))
    assert done.returncode == 1 and done.stderr.startswith("signage playlog: no play log in ")
    assert len(done.stderr.splitlines()) == 1
    done = run_signage("playlog", "-c", str(config))
    assert done.returncode == 0 and done.stdout.startswith("no play log yet in ")
    done = run_signage("playlog", "--since", "2026-13-01", "-c", str(config))
    assert done.returncode == 2
    assert done.stderr == "signage playlog: --since: expected a date like 2026-11-27, got '2026-13-01'\n"


# --- the report -----------------------------------------------------------------------

def _rotation(log: PlayLog, day: str, start: str, end: str, other_only: bool = False) -> None:
    """30 s of another notice, then 30 s of the 公示 (or only other notices)."""
    t, stop = at(day, start), at(day, end)
    k = 0
    while t < stop:
        item = (GUIDE, NEWS)[k % 2] if other_only or k % 2 == 0 else GONGSHI
        log.shown(item, t, min(t + dt.timedelta(seconds=30), stop))
        t += dt.timedelta(seconds=30)
        k += 1


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 公示 from Mon 2026-11-16 to Tue 2026-11-24 on a screen that runs 08:00-18:00."""
    root = tmp_path_factory.mktemp("week")
    log = PlayLog(root / "state" / "playlog", SCREEN, TZ)
    _rotation(log, "2026-11-16", "08:00", "18:00")                      # covered
    _rotation(log, "2026-11-17", "08:00", "10:00")                      # player off 10:00-11:00
    _rotation(log, "2026-11-17", "11:00", "18:00")
    _rotation(log, "2026-11-18", "08:00", "12:00")                      # screen switched off
    log.gap("screen-off", at("2026-11-18", "12:00"), at("2026-11-18", "13:30"))
    _rotation(log, "2026-11-18", "13:30", "18:00")
    _rotation(log, "2026-11-19", "08:00", "14:00")                      # other notices only
    _rotation(log, "2026-11-19", "14:00", "15:00", other_only=True)
    _rotation(log, "2026-11-19", "15:00", "18:00")
    _rotation(log, "2026-11-20", "08:00", "09:00")                      # idle, then the player off
    log.gap("idle", at("2026-11-20", "09:00"), at("2026-11-20", "09:20"))
    _rotation(log, "2026-11-20", "09:40", "18:00")
    _rotation(log, "2026-11-21", "10:00", "10:30")                      # Saturday: not an office day
    _rotation(log, "2026-11-23", "08:00", "12:00")                      # Monday: "now" is 12:00
    log.flush()
    (root / "drop").mkdir()
    write_config(root, root / "drop", extra="playlog: {office_hours: '08:30-17:30', max_gap_minutes: 15}\n",
                 state=root / "state")
    return root


def _report(root: Path, *args: str, now: str = "2026-11-23T12:00:00+08:00") -> tuple[int, str]:
    out = io.StringIO()
    env = Environment(stdout=out, stderr=out, env={}, cwd=root, clock=FixedClock(dt.datetime.fromisoformat(now)))
    status = program(["playlog", "-c", str(root / "player.yaml"), *args], env)
    return int(status), out.getvalue()


def _gap(day: str, start: str, end: str, *parts: tuple[str, str, str]) -> dict:
    return {"start": f"{day}T{start}+08:00", "end": f"{day}T{end}+08:00",
            "parts": [{"cause": c, "start": f"{day}T{a}+08:00", "end": f"{day}T{b}+08:00"} for c, a, b in parts]}


def test_report_json_coverage_of_a_publicity_period(week: Path) -> None:
    status, out = _report(week, "--since", "2026-11-16", "--until", "2026-11-24", "--json")
    assert status == ExitStatus.PROBLEMS
    data = json.loads(out)
    assert data["screen"] == SCREEN and data["ok"] is False and data["now"] == "2026-11-23T12:00:00+08:00"
    assert data["settings"] == {"office_hours": [["08:30", "17:30"]], "office_days": [0, 1, 2, 3, 4],
                                "max_gap_minutes": 15}
    assert [n["notice"] for n in data["notices"]] == sorted([GONGSHI.id, GUIDE.id, NEWS.id])
    gongshi = next(n for n in data["notices"] if n["notice"] == GONGSHI.id)
    assert gongshi["title"] == "任前公示" and gongshi["kind"] == "公示" and gongshi["versions"] == ["a" * 64]
    assert gongshi["period"] == ["2026-11-16T00:00:00+08:00", "2026-11-24T23:59:59+08:00"]
    assert gongshi["days"][0] == {"day": "2026-11-16", "minutes": 300.0, "showings": 600,
                                  "first": "2026-11-16T08:00:30+08:00", "last": "2026-11-16T18:00:00+08:00"}
    assert [d["day"] for d in gongshi["days"]] == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19",
                                                    "2026-11-20", "2026-11-21", "2026-11-23"]
    coverage = {c["day"]: c for c in gongshi["coverage"]}
    assert [(c["day"], c["state"]) for c in gongshi["coverage"]] == [
        ("2026-11-16", "covered"), ("2026-11-17", "uncovered"), ("2026-11-18", "uncovered"),
        ("2026-11-19", "uncovered"), ("2026-11-20", "uncovered"), ("2026-11-23", "covered"),
        ("2026-11-24", "pending")]
    assert coverage["2026-11-16"]["gaps"] == [] and coverage["2026-11-16"]["shown_minutes"] == 270.0
    assert coverage["2026-11-16"]["windows"] == [["2026-11-16T08:30:00+08:00", "2026-11-16T17:30:00+08:00"]]
    assert coverage["2026-11-17"]["gaps"] == [_gap("2026-11-17", "10:00:00", "11:00:30",
                                                   ("player off", "10:00:00", "11:00:00"))]
    assert coverage["2026-11-18"]["gaps"] == [_gap("2026-11-18", "12:00:00", "13:30:30",
                                                   ("screen off", "12:00:00", "13:30:00"))]
    assert coverage["2026-11-19"]["gaps"] == [_gap("2026-11-19", "14:00:00", "15:00:30",
                                                   ("other notices only", "14:00:00", "15:00:30"))]
    assert coverage["2026-11-20"]["gaps"] == [_gap("2026-11-20", "09:00:00", "09:40:30",
                                                   ("idle", "09:00:00", "09:20:00"),
                                                   ("player off", "09:20:00", "09:40:00"))]
    assert coverage["2026-11-23"]["shown_minutes"] == 105.0  # 08:30-12:00, evaluated up to "now"
    assert coverage["2026-11-24"]["gaps"] == [] and gongshi["uncovered_days"] == 4
    guide = next(n for n in data["notices"] if n["notice"] == GUIDE.id)
    assert guide["coverage"] is None and guide["kind"] is None


def test_report_text_is_chinese_for_inspectors(week: Path) -> None:
    status, out = _report(week, "--since", "2026-11-16", "--until", "2026-11-24", "--notice", GONGSHI.id)
    assert status == ExitStatus.PROBLEMS
    for expected in ["公告播放记录", f"屏幕：{SCREEN}", "一、每日播放", "二、公示期覆盖情况（办公时间 08:30–17:30，周一至周五",
                     "公示期 2026-11-16 00:00 至 2026-11-24 23:59",
                     "  2026-11-16 周一  播放 300 分钟，600 次，首次 08:00:30，末次 18:00:00",
                     "  ✓ 2026-11-16 周一  已覆盖（显示 270 分钟）",
                     "  ✗ 2026-11-17 周二  未覆盖：缺口 10:00–11:00（未开机）",
                     "  ✗ 2026-11-18 周三  未覆盖：缺口 12:00–13:30（屏幕关闭）",
                     "  ✗ 2026-11-19 周四  未覆盖：缺口 14:00–15:00（仅显示其他公告）",
                     "  ✗ 2026-11-20 周五  未覆盖：缺口 09:00–09:40（无公告可显示 09:00–09:20，未开机 09:20–09:40）",
                     "  … 2026-11-24 周二  未到", "  结论：6 个办公日中 4 个未覆盖"]:
        assert expected in out, (expected, out)
    assert "2026-11-21 周六  已覆盖" not in out and "✗ 2026-11-21" not in out
    assert GUIDE.id not in out


def test_report_judges_the_whole_period_and_passes_a_covered_one(week: Path) -> None:
    # only Monday is listed, but the 公示 is judged over its whole period
    status, out = _report(week, "--since", "2026-11-23", "--until", "2026-11-23", "--json")
    data = json.loads(out)
    gongshi = next(n for n in data["notices"] if n["notice"] == GONGSHI.id)
    assert [d["day"] for d in gongshi["days"]] == ["2026-11-23"] and gongshi["uncovered_days"] == 4
    assert status == ExitStatus.PROBLEMS
    # a range with no 公示 shown: exit 0
    status, out = _report(week, "--since", "2026-11-22", "--until", "2026-11-22")
    assert status == ExitStatus.OK and "此范围内没有播放记录" in out


# --- the chain, as a property -----------------------------------------------------------

_step = st.tuples(st.sampled_from(["gongshi", "guide", "news", "idle", "screen-off"]),
                  st.floats(min_value=0.2, max_value=8 * 3600), st.booleans())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(_step, min_size=2, max_size=40), start=st.integers(0, 3 * 86400),
       victim=st.integers(min_value=0), delete=st.booleans())
def test_any_single_change_is_found_at_its_line(steps, start: int, victim: int, delete: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "playlog"
        log = PlayLog(folder, SCREEN, TZ)
        t = at("2026-11-20") + dt.timedelta(seconds=start)
        items = {"gongshi": GONGSHI, "guide": GUIDE, "news": NEWS}
        for what, seconds, restart in steps:
            end = t + dt.timedelta(seconds=seconds)
            if what in items:
                log.shown(items[what], t, end)
            else:
                log.gap(what, t, end)
            t = end
            if restart:  # flush now and then, sometimes from a new process
                log.flush()
                log = PlayLog(folder, SCREEN, TZ)
        log.flush()
        problems, count = verify_folder(folder)
        assert problems == [] and count == len(folder_lines(folder))
        located = [(p.name, n) for _, p in day_files(folder) for n in range(1, len(lines_of(p)) + 1)]
        assume(located)  # all intervals under a second: nothing written
        name, number = located[victim % len(located)]
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if delete:
            lines.pop(number - 1)
        else:
            record = json.loads(lines[number - 1])
            record["end"] = record["start"] if record["end"] != record["start"] else record["end"][:-6] + "+00:00"
            lines[number - 1] = playchain.encode(record)
        path.write_text("".join(lines), encoding="utf-8")
        problems, _ = verify_folder(folder)
        assert len(problems) == 1, problems
        if not delete:
            assert problems[0].startswith(f"{name}:{number}: line was changed")
        elif (name, number) == located[-1]:
            assert problems[0].startswith(f"{name}: ") and "head.json says" in problems[0]
        else:
            after = located[located.index((name, number)) + 1]
            where = f"{name}:{number}" if after[0] == name else f"{after[0]}:1"
            assert problems[0].startswith(where + ": ") and "missing" in problems[0], problems

"""Content parsing (DESIGN.md section 3): the sample content, encodings, front matter,
file-name end dates, library rules, limits, pictures and the text rules.

Content trees are real files in tmp_path, read by the real folder scanner.
"""

from __future__ import annotations

import hashlib

import codecs
import csv
import datetime as dt
import io
import os
import re
import shutil
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import CONTENT, SAMPLE_NOTICES, SEED, load_folder
from player.model import (
    Closing, ContentError, Heading, ImageBody, Library, Limits, ListItem, Paragraph, Priority,
    Problem, SourceFile, Span, TableBody, TextBody, build_library, is_ignored,
)
from player.model.encoding import decode_text
from player.model.notice import Picture
from player.model.imageinfo import image_info
from player.model.meta import parse_moment, split_end_marker
from player.model.textdoc import parse_spans, split_front_matter
from player.sources.folder import FolderScanner

REPORT_ID = "政务公开/马宫街道2022年政务公开工作情况报告"
GUIDE_ID = "办事指南/城乡居民医保参保登记办事指南"
DECISION_ID = "重要决策/关于实施2026年老旧小区改造项目的决定（示例）"
PUBLICITY_ID = "公示公告/任前公示"
FINANCE_ID = "财务公开/2026年第三季度街道财务收支公开表（示例数据）"
FEES_ID = "收费标准/便民服务收费标准（示例数据）"
IMAGE_ID = "民生实事/2026年民生实事项目进度"

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{4,}")


# --- helpers ------------------------------------------------------------------------------------

def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text as UTF-8, or bytes) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


def load(tmp_path: Path, files: dict[str, str | bytes], limits: Limits | None = None) -> Library:
    root = write_tree(tmp_path / "drop", files)
    if limits is None:
        return load_folder(root)
    return FolderScanner.once(root, limits).scan()


def one_notice(library: Library):
    assert library.problems == (), [p.format() for p in library.problems]
    assert len(library.notices) == 1, [n.id for n in library.notices]
    return library.notices[0]


def one_problem(library: Library, path: str | None = None) -> Problem:
    problems = [p for p in library.problems if path is None or p.path == path]
    assert len(problems) == 1, [p.format() for p in library.problems]
    return problems[0]


def assert_bilingual(message: str, hint_zh: str) -> None:
    assert ENGLISH.search(message), message
    assert "\n" not in message
    assert CJK.search(hint_zh), hint_zh
    assert "\n" not in hint_zh


def text_of(block) -> str:
    if isinstance(block, Closing):
        return block.text
    return "".join(s.text for s in block.spans)


def blocks_of(notice) -> tuple:
    assert isinstance(notice.body, TextBody)
    return notice.body.blocks


def png_bytes(width: int, height: int, pixels: bool = True) -> bytes:
    """A real grayscale PNG (or only its header when ``pixels`` is False)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    if pixels:
        raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
        out += chunk(b"IDAT", zlib.compress(raw))
    return out + chunk(b"IEND", b"")


def gif_header(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b";"


# --- the sample content ------------------------------------------------------------------------------

def test_sample_content_has_no_problems(sample_library: Library) -> None:
    assert sample_library.problems == ()


def test_sample_ids_titles_categories_and_bodies(sample_library: Library) -> None:
    expected = {
        PUBLICITY_ID: ("公示公告", "马宫街道干部任前公示", TextBody),
        GUIDE_ID: ("办事指南", "城乡居民基本医疗保险参保登记办事指南", TextBody),
        FEES_ID: ("收费标准", "便民服务收费标准（示例数据）", TableBody),
        REPORT_ID: ("政务公开", "马宫街道 2022 年政务公开工作情况报告", TextBody),
        IMAGE_ID: ("民生实事", "2026年民生实事项目进度（示例数据）", ImageBody),
        FINANCE_ID: ("财务公开", "马宫街道2026年第三季度财务收支公开表（示例数据）", TableBody),
        DECISION_ID: ("重要决策", "关于实施2026年老旧小区改造项目的决定（示例）", TextBody),
        # a Word document and an Excel workbook, read as notices like the others
        "重要决策/关于进一步做好政务公开工作的通知（示例）": (
            "重要决策", "马宫街道关于进一步做好政务公开工作的通知（示例）", TextBody),
        "财务公开/2026年第三季度马宫村村务收支公开表（示例数据）": (
            "财务公开", "马宫村2026年第三季度村务财务收支公开表（示例数据）", TableBody),
    }
    got = {n.id: (n.category, n.title, type(n.body)) for n in sample_library.notices}
    assert got == expected
    assert [n.id for n in sample_library.notices] == sorted(expected)
    assert all(n.source == "drop" and len(n.sha256) == 64 for n in sample_library.notices)
    assert set(sample_library.categories()) == {c for c, _, _ in expected.values()}


def test_sample_publicity_notice(sample_library: Library) -> None:
    notice = sample_library.get(PUBLICITY_ID)
    assert notice is not None
    assert notice.path == "公示公告/任前公示（至2026-12-02）.txt"
    assert "至" not in notice.id
    assert notice.meta.kind == "公示" and notice.meta.is_publicity
    assert notice.meta.start == dt.date(2026, 11, 26)
    assert notice.meta.end == dt.date(2026, 12, 2)      # from the file name
    assert notice.meta.issuer == "中共马宫街道工作委员会"
    assert notice.meta.date == dt.date(2026, 11, 25)
    blocks = blocks_of(notice)
    assert blocks[-2:] == (Closing("中共马宫街道工作委员会"), Closing("2026年11月25日"))
    assert text_of(blocks[0]).startswith("根据《党政领导干部选拔任用工作条例》")
    assert all(isinstance(b, Paragraph) for b in blocks[:-2])
    assert len(blocks) == 12


def test_sample_finance_csv_is_gbk_and_adds_up(sample_library: Library) -> None:
    raw = (CONTENT / "财务公开" / "2026年第三季度街道财务收支公开表（示例数据）.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")   # really GBK, as Excel on Chinese Windows writes it
    notice = sample_library.get(FINANCE_ID)
    assert isinstance(notice.body, TableBody)
    assert notice.body.header == ("序号", "项目", "类别", "年度预算（万元）", "前三季度支出（万元）", "执行率")
    rows = notice.body.rows
    assert len(rows) == 16
    assert rows[0] == ("1", "人员经费", "基本支出", "1268.40", "946.72", "74.6%")
    assert rows[-1] == ("", "合计", "", "3288.60", "2384.54", "72.5%")
    items = rows[:-1]
    assert [r[0] for r in items] == [str(i) for i in range(1, 16)]
    budget = sum(Decimal(r[3]) for r in items)
    spent = sum(Decimal(r[4]) for r in items)
    assert budget == Decimal(rows[-1][3])
    assert spent == Decimal(rows[-1][4])
    for row in rows:
        rate = (Decimal(row[4]) / Decimal(row[3]) * 100).quantize(Decimal("0.1"))
        assert f"{rate}%" == row[5], row
    # title and settings from the sidecar .yaml
    assert notice.meta.title == notice.title == "马宫街道2026年第三季度财务收支公开表（示例数据）"
    assert notice.meta.issuer == "马宫街道办事处"
    assert notice.meta.date == dt.date(2026, 10, 15)


def test_sample_fees_csv_is_utf8_with_bom(sample_library: Library) -> None:
    raw = (CONTENT / "收费标准" / "便民服务收费标准（示例数据）.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    notice = sample_library.get(FEES_ID)
    assert isinstance(notice.body, TableBody)
    assert notice.body.header == ("服务项目", "收费标准", "收费依据", "备注")  # no BOM in 服务项目
    rows = notice.body.rows
    expected = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1:]
    assert [list(r) for r in rows] == [r + [""] * (4 - len(r)) for r in expected]
    assert len(rows) == 7
    assert rows[3][:2] == ("复印（A4黑白）", "0.2元/页")
    assert rows[-1] == ("自助服务终端查询", "免费", "便民服务措施（示例）", "")
    assert all(len(r) == 4 for r in rows)
    assert notice.meta.title is None  # title from the file name (no sidecar)


def test_sample_image_and_its_sidecar(sample_library: Library) -> None:
    notice = sample_library.get(IMAGE_ID)
    assert isinstance(notice.body, ImageBody)
    assert (notice.body.width, notice.body.height) == (1600, 900)
    data = (CONTENT / "民生实事" / "2026年民生实事项目进度.png").read_bytes()
    assert notice.body.picture.sha256 == notice.sha256 == hashlib.sha256(data).hexdigest()
    assert notice.title == "2026年民生实事项目进度（示例数据）"
    assert notice.meta.issuer == "马宫街道办事处"
    assert notice.meta.date == dt.date(2026, 11, 20)


def test_sample_ticker(sample_library: Library) -> None:
    assert len(sample_library.ticker) == 5
    assert sample_library.ticker[0].startswith("马宫街道便民服务中心办公时间")
    assert sample_library.ticker[3].startswith("反诈提醒")
    assert all(m == m.strip() and m for m in sample_library.ticker)


def test_players_own_status_report_is_not_content(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "drop", ignore=shutil.ignore_patterns("_状态.txt"))
    (tmp_path / "drop" / "_状态.txt").write_text("告示屏状态\n【正在显示】\n", encoding="utf-8-sig")
    library = load_folder(tmp_path / "drop")
    assert len(library.notices) == SAMPLE_NOTICES and library.problems == ()
    assert all("_状态" not in n.path for n in library.notices)


def test_sample_report_structure(sample_library: Library) -> None:
    notice = sample_library.get(REPORT_ID)
    blocks = blocks_of(notice)
    assert notice.meta.issuer == "马宫街道办事处" and notice.meta.date == dt.date(2022, 12, 30)
    # closing lines at the very end
    assert blocks[-2:] == (Closing("马宫街道办事处"), Closing("2022年12月30日"))
    assert not any(isinstance(b, Closing) for b in blocks[:-2])
    # the title is not repeated in the body
    assert text_of(blocks[0]).startswith("2022 年以来")
    headings = [(b.level, text_of(b)) for b in blocks if isinstance(b, Heading)]
    assert headings == [
        (1, "一、主要做法"),
        (2, "（一）强化领导，健全政务公开的工作机构"),
        (2, "（二）抓好落实，确保事权财权人事权公开"),
        (2, "（三）结合实际，多措并举力促工作出成效"),
        (1, "二、存在的主要问题"),
        (1, "三、今后工作意见"),
    ]
    assert all(b.ladder for b in blocks if isinstance(b, Heading))
    leads = [b.spans[0].text for b in blocks
             if isinstance(b, Paragraph) and b.spans[0].bold]
    assert leads == [
        "1、抓事权公开。", "2、抓财权公开。", "3、抓人事权公开。", "4、抓热点、难点问题公开。",
        "1、三个结合，落实工作。", "2、多种载体，提升服务。", "3、加强协调，监督考核。",
        "（一）主动公开的意识还不够强。", "（二）统计数据公开实效性有待提升。",
        "（三）工作创新能力仍需进一步增强。", "（一）进一步提高对政务公开工作的认识。",
    ]
    first_lead = next(b for b in blocks if isinstance(b, Paragraph) and b.spans[0].bold)
    assert first_lead.spans[1] == Span(first_lead.spans[1].text, False)
    assert first_lead.spans[1].text.startswith("一是公开政府的重要决策事项。")
    # author's own **bold** inside paragraphs, marks removed
    bold = [s.text for b in blocks if not isinstance(b, Closing) for s in b.spans if s.bold]
    assert "四是强化监督。" in bold
    assert bold.count("一是") == 1 and bold.count("二是") == 1 and bold.count("三是") == 1
    assert not any("**" in text_of(b) for b in blocks)
    # a long （二） line without a short first sentence stays a plain paragraph
    last = blocks[-3]
    assert isinstance(last, Paragraph) and not last.spans[0].bold
    assert text_of(last).startswith("（三）进一步规范和完善政务公开的内容")


def test_sample_decision_structure(sample_library: Library) -> None:
    notice = sample_library.get(DECISION_ID)
    assert notice.meta.priority is Priority.HIGH
    blocks = blocks_of(notice)
    headings = [(b.level, text_of(b)) for b in blocks if isinstance(b, Heading)]
    assert headings == [(1, "一、改造范围"), (1, "二、改造内容"), (1, "三、实施步骤"), (1, "四、工作要求")]
    leads = [b.spans[0].text for b in blocks if isinstance(b, Paragraph) and b.spans[0].bold]
    assert "1. 方案设计阶段（2026年3月至4月）：" in leads
    assert "（一）基础类改造。" in leads
    assert blocks[-2:] == (Closing("马宫街道办事处"), Closing("2026年3月16日"))


def test_sample_markdown_guide(sample_library: Library) -> None:
    notice = sample_library.get(GUIDE_ID)
    blocks = blocks_of(notice)
    assert notice.meta.title is None  # title from the '# ' heading
    headings = [(b.level, text_of(b)) for b in blocks if isinstance(b, Heading)]
    assert headings[0] == (1, "办理对象")   # '##' under a '#' title is level 1
    assert len(headings) == 8 and {lvl for lvl, _ in headings} == {1}
    # two source lines joined into one paragraph
    assert text_of(blocks[1]) == ("具有本地户籍或持有本地居住证，且未参加职工基本医疗保险的城乡居民，"
                                  "包括未成年人、在校学生、灵活就业人员、老年居民等。")
    bullets = [b for b in blocks if isinstance(b, ListItem) and b.marker == "•"]
    numbered = [b.marker for b in blocks if isinstance(b, ListItem) and b.marker != "•"]
    assert len(bullets) == 5 and numbered == ["1.", "2.", "3.", "4."]
    assert bullets[3].spans == (Span("低保对象、特困人员、重度残疾人等"), Span("参保资助对象", True),
                                Span("，提供相关身份证明材料；"))
    assert blocks[-2:] == (Closing("马宫街道便民服务中心"), Closing("2026年9月1日"))


def test_sample_report_is_faithful_to_the_seed() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed text {SEED} is not available")
    def squash(text: str) -> str:
        return re.sub(r"\s+", "", text).replace("**", "")
    seed = squash(SEED.read_text(encoding="utf-8-sig"))
    sample = (CONTENT / "政务公开" / "马宫街道2022年政务公开工作情况报告.txt").read_text(encoding="utf-8")
    front, body, _ = split_front_matter(sample)
    assert front is not None
    paragraphs = [line for line in body.split("\n") if line.strip()]
    assert len(paragraphs) >= 20
    missing = [p for p in paragraphs if squash(p) not in seed]
    assert missing == []
    # and nothing of the seed was left out
    sample_text = squash(body)
    left_out = [p for p in SEED.read_text(encoding="utf-8-sig").split("\n")
                if p.strip() and squash(p) not in sample_text]
    assert left_out == []


# --- encodings -------------------------------------------------------------------------------------

NOTICE_TEXT = "关于停水的通知\n因管道维修，本周六停水一天。\n马宫街道办事处\n2026年12月5日\n"


@pytest.mark.parametrize("data", [
    NOTICE_TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + NOTICE_TEXT.encode("utf-8"),
    NOTICE_TEXT.encode("gbk"),
    NOTICE_TEXT.replace("\n", "\r\n").encode("gbk"),
    codecs.BOM_UTF16_LE + NOTICE_TEXT.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + NOTICE_TEXT.encode("utf-16-be"),
    NOTICE_TEXT.replace("\n", "\r\n").encode("utf-16"),
    NOTICE_TEXT.encode("gb18030"),
], ids=["utf8", "utf8-bom", "gbk", "gbk-crlf", "utf16le-bom", "utf16be-bom", "utf16-crlf", "gb18030"])
def test_decode_accepted_encodings(data: bytes) -> None:
    assert decode_text(data) == NOTICE_TEXT


def test_accepted_encodings_through_the_library(tmp_path: Path) -> None:
    library = load(tmp_path, {
        "通知/gbk.txt": NOTICE_TEXT.encode("gbk"),
        "通知/bom.txt": codecs.BOM_UTF8 + NOTICE_TEXT.encode("utf-8"),
        "通知/le.txt": codecs.BOM_UTF16_LE + NOTICE_TEXT.encode("utf-16-le"),
        "通知/be.txt": codecs.BOM_UTF16_BE + NOTICE_TEXT.encode("utf-16-be"),
        "表/gbk.csv": "项目,金额\n办公费,12.5\n".encode("gbk"),
        "表/utf16.csv": "项目,金额\r\n办公费,12.5\r\n".encode("utf-16"),
    })
    assert library.problems == ()
    for notice in library.notices:
        if isinstance(notice.body, TextBody):
            assert notice.title == "关于停水的通知"
            assert notice.body.blocks == (Paragraph((Span("因管道维修，本周六停水一天。"),)),
                                          Closing("马宫街道办事处"), Closing("2026年12月5日"))
        else:
            assert notice.body == TableBody(("项目", "金额"), (("办公费", "12.5"),))
    assert len(library.notices) == 6


def test_gb18030_only_character() -> None:
    text = "拟任人选：王䶮，男。"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert decode_text(text.encode("gb18030")) == text


def test_gb18030_only_character_in_a_file_title(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"公示公告/任前.txt": "关于王䶮同志的任前公示\n正文。\n".encode("gb18030")}))
    assert notice.title == "关于王䶮同志的任前公示"


@pytest.mark.parametrize(("data", "line", "words"), [
    ("第一行\n第二行\n坏\ufffd字\n".encode("utf-8"), 3, "garbled"),
    ("第一行\n锟斤拷锟斤拷\n".encode("utf-8"), 2, "garbled"),
    ("通知\n这是锟斤拷乱码\n".encode("gbk"), 2, "garbled"),
    ("标题\n锟斤拷".encode("gbk"), 2, "garbled"),   # these GBK bytes are UTF-8 for U+FFFD U+FFFD
    (b"PK\x03\x04\x14\x00\x06\x00binary", 1, "control character"),
    (b"text\nmore\x00\x00", 2, "control character"),
    ("铃声\x07".encode("utf-8"), 1, "control character"),
    (b"abc\x80\x80\xff", 1, "cannot decode"),
    (b"ok\nline two \x81\x30", 2, "cannot decode"),
    (codecs.BOM_UTF8 + b"\xff\xfe\xfd", 1, "cannot decode"),
], ids=["fffd", "kunjinkao-utf8", "kunjinkao-gbk", "kunjinkao-gbk-bytes", "zip", "nul", "bell",
        "undecodable", "undecodable-line2", "bad-after-bom"])
def test_decode_refusals_are_bilingual(data: bytes, line: int, words: str) -> None:
    with pytest.raises(ContentError) as info:
        decode_text(data)
    error = info.value
    assert words in error.message
    assert error.line == line
    assert_bilingual(error.message, error.hint_zh)


def test_refused_encodings_through_the_library(tmp_path: Path) -> None:
    library = load(tmp_path, {
        "公告/乱码.txt": "标题\n正文\n锟斤拷\n".encode("utf-8"),
        "公告/二进制.txt": b"\x00\x01\x02\x03",
        "公告/好.txt": "好标题\n",
        "表/乱码.csv": "项目,金额\n\ufffd,1\n".encode("utf-8"),
    })
    assert [n.id for n in library.notices] == ["公告/好"]
    problem = one_problem(library, "公告/乱码.txt")
    assert problem.line == 3
    assert problem.format().startswith("公告/乱码.txt:3: ")
    assert problem.format_zh().startswith("公告/乱码.txt 第3行：")
    assert "乱码" in problem.hint_zh
    assert "control character" in one_problem(library, "公告/二进制.txt").message
    assert one_problem(library, "表/乱码.csv").line == 2


# --- front matter ----------------------------------------------------------------------------------

def test_every_front_matter_key(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"公示公告/全部.txt": (
        "---\n"
        "title: 关于某某事项的公示\n"
        "issuer: 马宫街道办事处\n"
        "date: 2026年11月25日\n"
        "start: 2026/11/26\n"
        "end: 2026-12-05 17:30\n"
        "kind: 公示\n"
        "priority: 紧急\n"
        "duration: 15\n"
        "screens: [lobby, 二楼]\n"
        "order: -3\n"
        "hours: 08:30-12:00, 14:00-17:30\n"
        "days: 工作日\n"
        "---\n"
        "正文第一段。\n")}))
    meta = notice.meta
    assert notice.title == meta.title == "关于某某事项的公示"
    assert meta.issuer == "马宫街道办事处"
    assert meta.date == dt.date(2026, 11, 25)
    assert meta.start == dt.date(2026, 11, 26)
    assert meta.end == dt.datetime(2026, 12, 5, 17, 30)
    assert meta.kind == "公示" and meta.is_publicity
    assert meta.priority is Priority.URGENT
    assert meta.duration == 15.0
    assert meta.screens == ("lobby", "二楼")
    assert meta.order == -3
    assert meta.hours == ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 0), dt.time(17, 30)))
    assert meta.days == frozenset({0, 1, 2, 3, 4})
    # the body starts after the front matter; issuer and date become closing lines
    assert blocks_of(notice) == (Paragraph((Span("正文第一段。"),)), Closing("马宫街道办事处"),
                                 Closing("2026年11月25日"))


@pytest.mark.parametrize(("written", "expected"), [
    ("2026-12-05", dt.date(2026, 12, 5)),
    ("2026-12-5", dt.date(2026, 12, 5)),
    ("2026/12/5", dt.date(2026, 12, 5)),
    ("2026.12.05", dt.date(2026, 12, 5)),
    ("2026年12月5日", dt.date(2026, 12, 5)),
    ("2026 年 12 月 5 日", dt.date(2026, 12, 5)),
    ("20261205", dt.date(2026, 12, 5)),
    ("2026-12-05 08:30", dt.datetime(2026, 12, 5, 8, 30)),
    ("2026-12-05T08:30", dt.datetime(2026, 12, 5, 8, 30)),
    ("2026-12-05 08:30:15", dt.datetime(2026, 12, 5, 8, 30, 15)),
    ("2026/12/5 8:30", dt.datetime(2026, 12, 5, 8, 30)),
    ("2026年12月5日 08：30", dt.datetime(2026, 12, 5, 8, 30)),
    ("'2026-12-05'", dt.date(2026, 12, 5)),
])
def test_date_forms(tmp_path: Path, written: str, expected) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": f"---\nend: {written}\n---\n正文\n"}))
    assert notice.meta.end == expected
    assert type(notice.meta.end) is type(expected)


def test_date_key_keeps_only_the_day(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": "---\ndate: 2026-12-05 08:30\n---\n正文\n"}))
    assert notice.meta.date == dt.date(2026, 12, 5) and type(notice.meta.date) is dt.date


@pytest.mark.parametrize("written", ["2026-13-01", "2026-02-30", "明天", "12/05/2026", "2026-12-05 25:00",
                                     "[2026-12-05]"])
def test_bad_dates_are_refused_with_the_line(tmp_path: Path, written: str) -> None:
    library = load(tmp_path, {"a/x.txt": f"---\ntitle: t\nstart: {written}\n---\n正文\n"})
    problem = one_problem(library, "a/x.txt")
    assert library.notices == ()
    assert problem.line == 3
    assert "start" in problem.message and "2026-12-05" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


def test_parse_moment_directly() -> None:
    assert parse_moment(dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    assert parse_moment(dt.datetime(2026, 1, 2, 3, 4)) == dt.datetime(2026, 1, 2, 3, 4)
    with pytest.raises(ValueError):
        parse_moment("soon")


@pytest.mark.parametrize(("word", "expected"), [
    ("normal", Priority.NORMAL), ("普通", Priority.NORMAL), ("一般", Priority.NORMAL),
    ("high", Priority.HIGH), ("重要", Priority.HIGH), ("HIGH", Priority.HIGH),
    ("urgent", Priority.URGENT), ("紧急", Priority.URGENT), ("Urgent", Priority.URGENT),
])
def test_priority_words(tmp_path: Path, word: str, expected: Priority) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": f"---\npriority: {word}\n---\n正文\n"}))
    assert notice.meta.priority is expected


def test_priority_default_is_normal(tmp_path: Path) -> None:
    assert one_notice(load(tmp_path, {"a/x.txt": "正文\n"})).meta.priority is Priority.NORMAL


@pytest.mark.parametrize(("written", "expected"), [
    ('"08:30-12:00, 14:00-17:30"', ((dt.time(8, 30), dt.time(12)), (dt.time(14), dt.time(17, 30)))),
    ("08:30-12:00，14:00-17:30", ((dt.time(8, 30), dt.time(12)), (dt.time(14), dt.time(17, 30)))),
    ('["08:00-12:00", "14:00-18:00"]', ((dt.time(8), dt.time(12)), (dt.time(14), dt.time(18)))),
    ("8:30至12:00", ((dt.time(8, 30), dt.time(12)),)),
    ("08:30～17:30", ((dt.time(8, 30), dt.time(17, 30)),)),
    ("22:00-24:00", ((dt.time(22), dt.time.max),)),
])
def test_hours(tmp_path: Path, written: str, expected) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": f"---\nhours: {written}\n---\n正文\n"}))
    assert notice.meta.hours == expected


@pytest.mark.parametrize("written", ['"17:00-08:00"', '"8-12"', '"25:00-26:00"', '"08:00"', "3", '"08:00-08:00"'])
def test_bad_hours(tmp_path: Path, written: str) -> None:
    problem = one_problem(load(tmp_path, {"a/x.txt": f"---\ntitle: t\nhours: {written}\n---\n正文\n"}))
    assert problem.line == 3 and "hours" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


@pytest.mark.parametrize(("written", "expected"), [
    ("工作日", {0, 1, 2, 3, 4}),
    ("周末", {5, 6}),
    ("[周一, sat]", {0, 5}),
    ("[星期三, 星期天, 周日]", {2, 6}),
    ("[mon, Tuesday]", {0, 1}),
    ("每天", set()),
    ("weekdays", {0, 1, 2, 3, 4}),
])
def test_days(tmp_path: Path, written: str, expected: set[int]) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": f"---\ndays: {written}\n---\n正文\n"}))
    assert notice.meta.days == frozenset(expected)


@pytest.mark.parametrize("written", ["funday", "[周八]", "[1, 2]", "星期"])
def test_bad_days(tmp_path: Path, written: str) -> None:
    problem = one_problem(load(tmp_path, {"a/x.txt": f"---\ndays: {written}\n---\n正文\n"}))
    assert problem.line == 2 and "days" in problem.message


@pytest.mark.parametrize(("setting", "line", "words"), [
    ("duration: 0", 3, "duration"),
    ("duration: fast", 3, "duration"),
    ("order: first", 3, "order"),
    ("order: true", 3, "order"),
    ("title: [a, b]", 3, "title"),
    ("issuer: ''", 3, "issuer"),
    ("screens: [[a]]", 3, "screens"),
    ("priority: 1", 3, "priority"),
    ("priority: asap", 3, "priority"),
])
def test_bad_values_name_key_and_line(tmp_path: Path, setting: str, line: int, words: str) -> None:
    problem = one_problem(load(tmp_path, {"a/x.txt": f"---\nkind: 通知\n{setting}\n---\n正文\n"}))
    assert problem.line == line
    assert problem.message.startswith(f"front matter: {words}:")
    assert_bilingual(problem.message, problem.hint_zh)


def test_unknown_key_has_the_file_line_and_a_hint(tmp_path: Path) -> None:
    library = load(tmp_path, {"a/x.txt": "---\ntitle: 标题\nkind: 公示\ntitel: 另一个\n---\n正文\n"})
    problem = one_problem(library, "a/x.txt")
    assert library.notices == ()
    assert problem.line == 4   # file line: front matter starts on line 2
    assert "unknown key 'titel'" in problem.message and "did you mean 'title'?" in problem.message
    assert "titel" in problem.hint_zh and "标题" in problem.hint_zh


def test_unknown_key_with_a_block_value_names_the_key_line(tmp_path: Path) -> None:
    problem = one_problem(load(tmp_path, {"a/x.txt": "---\ntitle: 标题\nscreen:\n  - lobby\n---\n正文\n"}))
    assert problem.line == 3
    assert "did you mean 'screens'?" in problem.message


def test_unclosed_front_matter(tmp_path: Path) -> None:
    problem = one_problem(load(tmp_path, {"a/x.txt": "---\ntitle: 标题\n正文没有结束线\n"}))
    assert problem.line == 1
    assert "never closed" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


@pytest.mark.parametrize(("front", "line"), [
    ("title: 标题\nend: [2026-12-05\n", 3),
    ("title: 标题\n  end: 2026-12-01\n", 3),
    ("title: 标题\nkind: 公示\nend: 'x\n", 4),
])
def test_front_matter_yaml_error_line(tmp_path: Path, front: str, line: int) -> None:
    problem = one_problem(load(tmp_path, {"a/x.txt": f"---\n{front}---\n正文\n"}))
    assert problem.line == line
    assert "YAML" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


@pytest.mark.parametrize("value", ['!!python/object/apply:os.system ["touch MARK"]',
                                   '!!python/object/apply:os.system "touch MARK"',
                                   '!!python/name:os.system ""'])
def test_python_tag_in_front_matter_is_refused_and_not_run(tmp_path: Path, value: str) -> None:
    marker = tmp_path / "pwned"
    library = load(tmp_path, {"a/x.txt": f"---\nkind: 公示\ntitle: {value.replace('MARK', str(marker))}\n---\n正文\n"})
    problem = one_problem(library, "a/x.txt")
    assert library.notices == ()
    assert problem.line == 3 and "tag" in problem.message
    assert not marker.exists()


def test_front_matter_only_dashes_and_dots(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.md": "---\ntitle: 标题\n...\n正文\n"}))
    assert notice.title == "标题"
    assert [text_of(b) for b in blocks_of(notice)] == ["正文"]


def test_a_dash_line_later_is_not_front_matter(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": "标题\n---\n正文\n"}))
    assert notice.title == "标题" and notice.meta.title is None


# --- file-name end date ------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "stem", "day"), [
    ("任前公示（至2026-12-05）", "任前公示", dt.date(2026, 12, 5)),
    ("任前公示(至2026.12.5)", "任前公示", dt.date(2026, 12, 5)),
    ("任前公示（至20261205）", "任前公示", dt.date(2026, 12, 5)),
    ("任前公示 （至 2026年12月5日）", "任前公示", dt.date(2026, 12, 5)),
    ("任前公示（至2026/12/05)", "任前公示", dt.date(2026, 12, 5)),
    ("（至2026-12-05）补充公示", "补充公示", dt.date(2026, 12, 5)),
    ("任前公示（2026-12-05）", "任前公示（2026-12-05）", None),
    ("任前公示", "任前公示", None),
])
def test_split_end_marker(name: str, stem: str, day) -> None:
    assert split_end_marker(name) == (stem, day)


@pytest.mark.parametrize(("name", "notice_id"), [
    ("公示公告/任前公示（至2026-12-05）.txt", "公示公告/任前公示"),
    ("公示公告/任前公示(至2026.12.5).txt", "公示公告/任前公示"),
    ("公示公告/任前公示（至20261205）.md", "公示公告/任前公示"),
    ("公示公告/名单（至2026-12-05）.csv", "公示公告/名单"),
    ("公示公告/海报（至2026-12-05）.png", "公示公告/海报"),
])
def test_file_name_end_date(tmp_path: Path, name: str, notice_id: str) -> None:
    data: str | bytes = "标题\n正文\n"
    if name.endswith(".csv"):
        data = "姓名,职务\n王某某,主任\n"
    elif name.endswith(".png"):
        data = png_bytes(4, 3)
    notice = one_notice(load(tmp_path, {name: data}))
    assert notice.id == notice_id
    assert notice.path == name
    assert notice.meta.end == dt.date(2026, 12, 5)
    assert "至" not in notice.title


def test_file_name_with_an_impossible_date_is_refused(tmp_path: Path) -> None:
    library = load(tmp_path, {"公示公告/任前公示（至2026-13-45）.txt": "标题\n正文\n"})
    assert library.notices == ()
    problem = one_problem(library, "公示公告/任前公示（至2026-13-45）.txt")
    assert "not a real date" in problem.message and "（至2026-13-45）" in problem.message
    assert "（至2026-12-05）" in problem.hint_zh
    assert_bilingual(problem.message, problem.hint_zh)


def test_file_name_end_date_conflicting_with_front_matter_is_refused(tmp_path: Path) -> None:
    library = load(tmp_path, {
        "a/冲突（至2026-12-05）.txt": "---\nend: 2026-12-06\n---\n正文\n",
        "a/一致（至2026-12-05）.txt": "---\nend: 2026-12-05\n---\n正文\n",
    })
    assert [n.id for n in library.notices] == ["a/一致"]
    problem = one_problem(library, "a/冲突（至2026-12-05）.txt")
    assert "given twice" in problem.message
    assert "2026-12-06" in problem.message and "2026-12-05" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


def test_file_name_end_date_conflicting_with_sidecar_is_refused(tmp_path: Path) -> None:
    library = load(tmp_path, {"a/表（至2026-12-05）.csv": "a,b\n1,2\n",
                              "a/表（至2026-12-05）.yaml": "end: 2027-01-01\n"})
    assert library.notices == ()
    assert "given twice" in one_problem(library).message


# --- library rules ---------------------------------------------------------------------------------

JUNK = ["~$通知.docx", "a/~$报告.docx", ".DS_Store", "a/.DS_Store", "a/._通知.txt", "Thumbs.db",
        "a/Thumbs.db", "desktop.ini", "a/Desktop.ini", "x.tmp", "a/x.part", "a/下载.crdownload",
        "_状态.txt", ".hidden/通知.txt", "a/x.txt~"]


@pytest.mark.parametrize("path", JUNK)
def test_is_ignored(path: str) -> None:
    assert is_ignored(path)


@pytest.mark.parametrize("path", ["a/_状态.txt", "a/通知.txt", "ticker.txt", "a/thumbs.txt"])
def test_is_not_ignored(path: str) -> None:
    assert not is_ignored(path)


def test_junk_is_ignored_silently(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {path: b"\x00junk" for path in JUNK}
    files["a/通知.txt"] = "真的通知\n"
    library = load(tmp_path, files)
    assert library.problems == ()
    assert [n.id for n in library.notices] == ["a/通知"]


def test_status_report_only_ignored_at_the_root(tmp_path: Path) -> None:
    library = load(tmp_path, {"_状态.txt": "报告\n", "a/_状态.txt": "子文件夹里的同名文件\n"})
    assert [n.id for n in library.notices] == ["a/_状态"]


@pytest.mark.parametrize("name", ["a/报告.pptx", "a/压缩包.zip", "a/程序.exe", "a/无扩展名"])
def test_unknown_file_types_are_refused_listing_working_formats(tmp_path: Path, name: str) -> None:
    library = load(tmp_path, {name: b"PK\x03\x04 some bytes"})
    problem = one_problem(library, name)
    assert library.notices == ()
    assert "unsupported file type" in problem.message
    for fmt in (".txt", ".md", ".csv", ".jpg", ".png"):
        assert fmt in problem.message and fmt in problem.hint_zh
    assert_bilingual(problem.message, problem.hint_zh)


@pytest.mark.parametrize("name", ["a/空.txt", "a/空.md", "a/空.csv", "a/空.png"])
def test_empty_file_is_refused(tmp_path: Path, name: str) -> None:
    library = load(tmp_path, {name: b""})
    problem = one_problem(library, name)
    assert "empty" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


@pytest.mark.parametrize("data", ["\n\n  \n", "---\nkind: 公示\n---\n\n"])
def test_file_without_text_is_refused(tmp_path: Path, data: str) -> None:
    problem = one_problem(load(tmp_path, {"a/空白.txt": data}))
    assert "no text" in problem.message


def test_duplicate_ids_first_wins(tmp_path: Path) -> None:
    library = load(tmp_path, {"a/a.txt": "文本版\n", "a/a.md": "Markdown版\n", "a/b.txt": "别的\n"})
    assert [n.id for n in library.notices] == ["a/a", "a/b"]
    assert library.get("a/a").path == "a/a.md"        # first in path order
    problem = one_problem(library, "a/a.txt")
    assert "same notice id 'a/a'" in problem.message and "a/a.md" in problem.message
    assert "a/a.md" in problem.hint_zh


def test_duplicate_ids_through_the_end_marker(tmp_path: Path) -> None:
    library = load(tmp_path, {"a/公示.txt": "一\n", "a/公示（至2026-12-05）.txt": "二\n"})
    assert len(library.notices) == 1
    assert len(library.problems) == 1 and "same notice id 'a/公示'" in library.problems[0].message


def test_sidecar_applies_to_an_image(tmp_path: Path) -> None:
    image = png_bytes(8, 6)
    notice = one_notice(load(tmp_path, {
        "图片/照片.png": image,
        "图片/照片.yaml": "title: 社区活动照片\nend: 2026-12-31\nscreens: lobby\npriority: high\n",
    }))
    assert notice.id == "图片/照片" and notice.title == "社区活动照片"
    assert notice.meta.end == dt.date(2026, 12, 31)
    assert notice.meta.screens == ("lobby",) and notice.meta.priority is Priority.HIGH
    assert notice.body == ImageBody(Picture(hashlib.sha256(image).hexdigest(), 8, 6))


def test_image_title_defaults_to_file_name(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"图片/社区活动.gif": gif_header(20, 10)}))
    assert notice.title == "社区活动"
    assert (notice.body.width, notice.body.height) == (20, 10)


def test_sidecar_applies_to_a_csv(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {
        "表/收费.csv": "项目,标准\n复印,0.2元/页\n",
        "表/收费.yml": "title: 便民收费标准\norder: 5\n",
    }))
    assert notice.title == "便民收费标准" and notice.meta.order == 5
    assert notice.body == TableBody(("项目", "标准"), (("复印", "0.2元/页"),))


def test_front_matter_overrides_sidecar(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {
        "a/通知.txt": "---\ntitle: 文件里的标题\n---\n正文\n",
        "a/通知.yaml": "title: 设置文件的标题\nissuer: 某某单位\n",
    }))
    assert notice.title == "文件里的标题"
    assert notice.meta.issuer == "某某单位"


def test_orphan_sidecar_is_reported(tmp_path: Path) -> None:
    library = load(tmp_path, {"图片/照片.png": png_bytes(2, 2), "图片/照片.yaml": "title: x\n",
                              "图片/孤儿.yaml": "title: 没有图片\n"})
    assert [n.title for n in library.notices] == ["x"]
    problem = one_problem(library, "图片/孤儿.yaml")
    assert "no picture, table or text of the same name" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


def test_bad_sidecar_yaml_is_reported_with_the_sidecar_path(tmp_path: Path) -> None:
    library = load(tmp_path, {"表/收费.csv": "项目,标准\n复印,0.2\n",
                              "表/收费.yaml": "title: 收费\n  end: 2026-12-01\n"})
    assert library.notices == ()
    problem = one_problem(library)
    assert problem.path == "表/收费.yaml"
    assert problem.line == 2 and "YAML" in problem.message


def test_bad_sidecar_key_is_reported_with_the_sidecar_path(tmp_path: Path) -> None:
    library = load(tmp_path, {"图/照片.png": png_bytes(2, 2), "图/照片.yaml": "title: 照片\nexpires: 2026-12-05\n"})
    problem = one_problem(library)
    assert (problem.path, problem.line) == ("图/照片.yaml", 2)
    assert problem.message.startswith("sidecar: unknown key 'expires'")


def test_symlink_leaving_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("外面的文件\n", encoding="utf-8")
    root = write_tree(tmp_path / "drop", {"a/好.txt": "好\n"})
    os.symlink(outside, root / "a" / "链接.txt")
    os.symlink(tmp_path, root / "外部文件夹")
    library = load_folder(root)
    assert [n.id for n in library.notices] == ["a/好"]
    assert {p.path for p in library.problems} == {"a/链接.txt", "外部文件夹"}
    assert all("outside the content folder" in p.message for p in library.problems)


def test_ticker_with_front_matter_and_blank_lines(tmp_path: Path) -> None:
    library = load(tmp_path, {"ticker.txt": "---\ntitle: 滚动\n---\n\n  第一条  \n\n第二条\n\u3000第三条\n"})
    assert library.ticker == ("第一条", "第二条", "第三条")
    assert library.notices == () and library.problems == ()


def test_ticker_in_gbk_and_refused_ticker(tmp_path: Path) -> None:
    assert load(tmp_path / "a", {"ticker.txt": "一\r\n二\r\n".encode("gbk")}).ticker == ("一", "二")
    library = load(tmp_path / "b", {"ticker.txt": "一\n锟斤拷\n"})
    assert library.ticker == ()
    assert one_problem(library, "ticker.txt").line == 2


# --- limits and pictures ------------------------------------------------------------------------------

def test_oversize_text_is_refused_before_reading(tmp_path: Path) -> None:
    limits = Limits(text_bytes=1024, image_bytes=4096)
    library = load(tmp_path, {"a/长.txt": "字" * 1000, "a/短.txt": "短\n", "a/大.csv": "a\n" + "1\n" * 600},
                   limits=limits)
    assert [n.id for n in library.notices] == ["a/短"]
    for path in ("a/长.txt", "a/大.csv"):
        problem = one_problem(library, path)
        assert "text file" in problem.message and "limit" in problem.message
        assert "上限" in problem.hint_zh


def test_oversize_image_is_refused(tmp_path: Path) -> None:
    limits = Limits(text_bytes=1024, image_bytes=4096)
    big = png_bytes(2, 2) + b"\x00" * 5000
    library = load(tmp_path, {"图/大.png": big, "图/小.png": png_bytes(2, 2)}, limits=limits)
    assert [n.id for n in library.notices] == ["图/小"]
    problem = one_problem(library, "图/大.png")
    assert "picture" in problem.message and "limit" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


def test_limits_apply_in_build_library_too() -> None:
    limits = Limits(text_bytes=10, image_bytes=100)
    library = build_library([SourceFile("a/长.txt", "很长的一段文字".encode()),
                             SourceFile("a/图.png", png_bytes(2, 2) + b"\x00" * 200)], limits)
    assert library.notices == ()
    assert [p.path for p in library.problems] == ["a/图.png", "a/长.txt"]


def test_file_count_limit(tmp_path: Path) -> None:
    library = load(tmp_path, {f"a/{i}.txt": f"第{i}条\n" for i in range(5)}, limits=Limits(files=3))
    assert [n.id for n in library.notices] == ["a/0", "a/1", "a/2"]
    assert one_problem(library, ".").message.startswith("5 files, over the limit of 3")


@pytest.mark.parametrize(("name", "header"), [
    ("巨大.png", png_bytes(10000, 10000, pixels=False)),
    ("巨大.gif", gif_header(10000, 10000)),
])
def test_pixel_limit_is_checked_from_the_header(tmp_path: Path, name: str, header: bytes) -> None:
    assert len(header) < 100   # nothing to decode: only the header claims the size
    library = load(tmp_path, {f"图/{name}": header})
    assert library.notices == ()
    problem = one_problem(library)
    assert "10000x10000" in problem.message and "megapixel limit" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


def test_pixel_limit_is_configurable(tmp_path: Path) -> None:
    limits = Limits(image_pixels=100)
    library = load(tmp_path, {"图/小.png": png_bytes(10, 10), "图/大.png": png_bytes(11, 10)}, limits=limits)
    assert [n.id for n in library.notices] == ["图/小"]
    assert "11x10" in one_problem(library, "图/大.png").message


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n",                         # signature only
    png_bytes(4, 4)[:20],                         # cut inside IHDR
    png_bytes(0, 4, pixels=False),                # zero width
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01",  # JPEG cut before the frame header
    b"GIF8",
    b"this is not a picture at all",
    bytes(range(256)) * 4,
])
def test_truncated_or_garbage_image_is_refused(tmp_path: Path, data: bytes) -> None:
    problem = one_problem(load(tmp_path, {"图/坏.png": data}))
    assert "not a readable JPEG, PNG, GIF, BMP or WebP picture" in problem.message
    assert_bilingual(problem.message, problem.hint_zh)


def test_image_info_formats() -> None:
    jpeg = (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
            + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 900, 1600) + b"\x03" + b"\x00" * 9)
    assert image_info(jpeg).__dict__ == {"format": "jpeg", "width": 1600, "height": 900}
    bmp = b"BM" + b"\x00" * 16 + struct.pack("<ii", 640, -480) + b"\x00" * 30
    assert (image_info(bmp).width, image_info(bmp).height) == (640, 480)
    vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (799).to_bytes(3, "little") + (599).to_bytes(3, "little")
    assert (image_info(vp8x).format, image_info(vp8x).width, image_info(vp8x).height) == ("webp", 800, 600)
    assert image_info(png_bytes(3, 2)).__dict__ == {"format": "png", "width": 3, "height": 2}
    with pytest.raises(ContentError):
        image_info(b"")


# --- text rules ------------------------------------------------------------------------------------

def test_txt_one_line_one_paragraph(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": "标题\n第一行\n第二行\n\n\u3000\u3000第三行缩进\nhello\nworld\n"}))
    assert notice.title == "标题"
    assert [text_of(b) for b in blocks_of(notice)] == ["第一行", "第二行", "第三行缩进", "hello", "world"]
    assert all(isinstance(b, Paragraph) and b.indent for b in blocks_of(notice))


def test_md_joins_consecutive_lines(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.md": "标题\n\n第一行\n第二行\n\nhello\nworld\n2026\n\n最后一段\n"}))
    assert notice.title == "标题"
    assert [text_of(b) for b in blocks_of(notice)] == ["第一行第二行", "hello world 2026", "最后一段"]


def test_md_horizontal_rule_is_a_paragraph_break(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.md": "标题\n\n第一段\n***\n第二段\n"}))
    assert [text_of(b) for b in blocks_of(notice)] == ["第一段", "第二段"]


@pytest.mark.parametrize(("text", "spans"), [
    ("普通文字", (Span("普通文字"),)),
    ("**全部加粗**", (Span("全部加粗", True),)),
    ("前**粗**后", (Span("前"), Span("粗", True), Span("后"))),
    ("a **b** c **d** e", (Span("a "), Span("b", True), Span(" c "), Span("d", True), Span(" e"))),
    ("价格5**2", (Span("价格5**2"),)),                                   # unmatched: literal
    ("**粗** 与 **未闭合", (Span("粗", True), Span(" 与 **未闭合"))),
    ("****", ()),
])
def test_bold_spans(text: str, spans: tuple) -> None:
    assert parse_spans(text) == spans


def test_bold_in_txt_and_md_files(tmp_path: Path) -> None:
    library = load(tmp_path, {"a/x.txt": "**加粗的标题**\n请**按时**缴费。\n单价5**2元\n",
                              "a/y.md": "标题\n\n请**按时\n缴费**。\n"})
    x, y = library.notices
    assert x.title == "加粗的标题"
    assert blocks_of(x)[0].spans == (Span("请"), Span("按时", True), Span("缴费。"))
    assert blocks_of(x)[1].spans == (Span("单价5**2元"),)
    assert blocks_of(y)[0].spans == (Span("请"), Span("按时缴费", True), Span("。"))


def test_md_lists(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.md": (
        "# 标题\n\n说明：\n- 甲项\n* 乙项\n+ **丙**项\n\n1. 第一步\n2) 第二步\n10. 第十步\n")}))
    blocks = blocks_of(notice)
    assert blocks[0] == Paragraph((Span("说明："),))
    assert [(b.marker, text_of(b)) for b in blocks[1:]] == [
        ("•", "甲项"), ("•", "乙项"), ("•", "丙项"), ("1.", "第一步"), ("2.", "第二步"), ("10.", "第十步")]
    assert blocks[3].spans == (Span("丙", True), Span("项"))
    assert all(isinstance(b, ListItem) for b in blocks[1:])


def test_md_heading_levels_below_a_heading_title(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.md": "# 总标题\n\n## 一级\n\n### 二级\n\n#### 三级\n\n# 又一个一级\n"}))
    assert notice.title == "总标题"
    assert [(b.level, text_of(b)) for b in blocks_of(notice)] == [
        (1, "一级"), (2, "二级"), (3, "三级"), (1, "又一个一级")]
    assert not any(b.ladder for b in blocks_of(notice))


def test_md_heading_levels_with_a_title_setting(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.md": "---\ntitle: 设置的标题\n---\n# 一级\n\n## 二级 ##\n\n正文\n"}))
    assert notice.title == "设置的标题"
    blocks = blocks_of(notice)
    assert [(b.level, text_of(b)) for b in blocks[:2]] == [(1, "一级"), (2, "二级")]
    assert blocks[2] == Paragraph((Span("正文"),))


def test_md_title_from_first_plain_line(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.md": "关于停水的通知\n\n## 时间\n"}))
    assert notice.title == "关于停水的通知"
    assert blocks_of(notice) == (Heading((Span("时间"),), 2),)


def test_title_only_file(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": "---\ntitle: 只有标题\n---\n"}))
    assert notice.title == "只有标题" and blocks_of(notice) == ()


def test_chinese_heading_ladder_in_txt(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": (
        "标题\n一、总则\n（一）分项\n1. 细项\n2、细项二\n（1）小项\n(2)小项二\n十二、第十二部分\n"
        "1.5万元已拨付。\n2022 年以来工作。\n"
        "（一）强化领导。这是一个很长的段落，后面还有很多内容，说明具体的做法和取得的成效。\n")}))
    blocks = blocks_of(notice)
    assert [(type(b).__name__, getattr(b, "level", None), text_of(b)) for b in blocks[:7]] == [
        ("Heading", 1, "一、总则"), ("Heading", 2, "（一）分项"), ("Heading", 3, "1. 细项"),
        ("Heading", 3, "2、细项二"), ("Heading", 4, "（1）小项"), ("Heading", 4, "(2)小项二"),
        ("Heading", 1, "十二、第十二部分")]
    assert all(b.ladder for b in blocks[:7])
    assert blocks[7] == Paragraph((Span("1.5万元已拨付。"),))
    assert blocks[8] == Paragraph((Span("2022 年以来工作。"),))
    assert blocks[9].spans[0] == Span("（一）强化领导。", True)
    assert not blocks[9].spans[1].bold


def test_ladder_line_with_a_sentence_inside_is_a_paragraph(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": "标题\n一、总则。本办法适用于全街道\n（二）**作者加粗**。后面是正文内容。\n"}))
    first, second = blocks_of(notice)
    assert isinstance(first, Paragraph) and first.spans[0] == Span("一、总则。", True)
    assert isinstance(second, Paragraph)
    assert second.spans == (Span("（二）"), Span("作者加粗", True), Span("。后面是正文内容。"))


def test_title_from_front_matter_keeps_first_line_in_body(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": "---\ntitle: 设置标题\n---\n第一行\n第二行\n"}))
    assert notice.title == "设置标题"
    assert [text_of(b) for b in blocks_of(notice)] == ["第一行", "第二行"]


@pytest.mark.parametrize(("text", "closing"), [
    ("标题\n内容。\n马宫街道办事处\n2022年12月30日\n", ["马宫街道办事处", "2022年12月30日"]),
    ("标题\n内容。\n中共马宫街道工作委员会\n马宫街道办事处\n2022年12月30日\n",
     ["中共马宫街道工作委员会", "马宫街道办事处", "2022年12月30日"]),
    ("标题\n内容。\n某某单位\n二〇二二年十二月三十日\n", ["某某单位", "二〇二二年十二月三十日"]),
    ("标题\n内容。\n2022-12-30\n", ["2022-12-30"]),
    ("标题\n最后一句话说完了。\n2022年12月30日\n", ["2022年12月30日"]),
    ("标题\n内容。\n马宫街道办事处\n", []),
    ("标题\n内容。\n2022年12月30日之前完成\n", []),
], ids=["issuer-date", "two-issuers", "chinese-numerals", "iso-date", "sentence-not-issuer",
        "no-date", "date-in-sentence"])
def test_closing_detection_in_txt(tmp_path: Path, text: str, closing: list[str]) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": text}))
    blocks = blocks_of(notice)
    assert [b.text for b in blocks if isinstance(b, Closing)] == closing
    assert all(isinstance(b, Closing) for b in blocks[len(blocks) - len(closing):])
    assert text_of(blocks[0]).startswith("内容") or text_of(blocks[0]).startswith("最后")


@pytest.mark.parametrize("text", [
    "标题\n\n内容。\n\n马宫街道办事处\n\n2022年12月30日\n",
    "标题\n\n内容。\n\n马宫街道办事处\n2022年12月30日\n",
    "标题\n\n内容。\n马宫街道办事处\n2022年12月30日\n",
], ids=["blank-lines", "signature-lines-together", "no-blank-before-signature"])
def test_closing_detection_in_md(tmp_path: Path, text: str) -> None:
    blocks = blocks_of(one_notice(load(tmp_path, {"a/x.md": text})))
    assert blocks == (Paragraph((Span("内容。"),)), Closing("马宫街道办事处"), Closing("2022年12月30日"))


def test_md_date_inside_a_paragraph_is_not_split(tmp_path: Path) -> None:
    blocks = blocks_of(one_notice(load(tmp_path, {"a/x.md": "标题\n\n会议于\n2022年12月30日\n召开。\n"})))
    assert blocks == (Paragraph((Span("会议于2022年12月30日召开。"),)),)


def test_issuer_and_date_settings_add_closing_lines(tmp_path: Path) -> None:
    library = load(tmp_path, {
        "a/设置.txt": "---\nissuer: 马宫街道办事处\ndate: 2022-12-30\n---\n标题\n内容。\n",
        "a/重复.txt": "---\nissuer: 马宫街道办事处\ndate: 2022-12-30\n---\n标题\n内容。\n马宫街道办事处\n2022年12月30日\n",
        "a/补日期.txt": "---\ndate: 2022-12-30\n---\n标题\n内容。\n马宫街道办事处\n",
        "a/补落款.txt": "---\nissuer: 马宫街道办事处\n---\n标题\n内容。\n2022年12月30日\n",
    })
    assert library.problems == ()
    expected = (Paragraph((Span("内容。"),)), Closing("马宫街道办事处"), Closing("2022年12月30日"))
    for notice_id in ("a/设置", "a/重复", "a/补落款"):
        assert blocks_of(library.get(notice_id)) == expected, notice_id
    assert blocks_of(library.get("a/补日期")) == (
        Paragraph((Span("内容。"),)), Paragraph((Span("马宫街道办事处"),)), Closing("2022年12月30日"))


def test_char_count_counts_readable_text(tmp_path: Path) -> None:
    notice = one_notice(load(tmp_path, {"a/x.txt": "标题\n**五个字**啊\n某单位\n2022年1月1日\n"}))
    assert notice.body.char_count() == len("五个字啊") + len("某单位") + len("2022年1月1日")


# --- tables ----------------------------------------------------------------------------------------

def test_csv_rules(tmp_path: Path) -> None:
    library = load(tmp_path, {
        "表/短行.csv": "项目,金额,备注,,\n办公费,12.5\n\n,,\n\"含,逗号\",3,说明\n",
        "表/制表符.csv": "项目\t金额\n复印\t0.2\n",
        "表/分号.csv": "项目;金额\n复印;0.2\n",
        "表/太宽.csv": "项目,金额\n复印,0.2,多余\n",
        "表/空.csv": "\n,,\n",
        "表/引号.csv": "项目,金额\n\"未闭合,1\n",
    })
    assert library.get("表/短行").body == TableBody(
        ("项目", "金额", "备注"), (("办公费", "12.5", ""), ("含,逗号", "3", "说明")))
    assert library.get("表/制表符").body == TableBody(("项目", "金额"), (("复印", "0.2"),))
    assert library.get("表/分号").body == TableBody(("项目", "金额"), (("复印", "0.2"),))
    wide = one_problem(library, "表/太宽.csv")
    assert wide.line == 2 and "3 cells but the header has 2" in wide.message
    assert "empty" in one_problem(library, "表/空.csv").message
    assert "CSV cannot be read" in one_problem(library, "表/引号.csv").message
    for problem in library.problems:
        assert_bilingual(problem.message, problem.hint_zh)


def test_merging_a_bundle_and_a_drop_folder() -> None:
    from player.model.library import merge_libraries
    bundle = build_library([SourceFile("公示公告/停水.txt", "停水通知\n明日停水。\n".encode()),
                            SourceFile("公示公告/坏.txt", "坏通知\n锟斤拷锟斤拷\n".encode()),
                            SourceFile("ticker.txt", "区里的消息\n".encode())], Limits(), source="bundle")
    drop = build_library([SourceFile("公示公告/停水.txt", "冒名通知\n假的。\n".encode()),
                          SourceFile("办事指南/社保.txt", "社保指南\n带身份证。\n".encode()),
                          SourceFile("ticker.txt", "街道的消息\n".encode())], Limits())
    merged = merge_libraries(bundle, drop)
    assert [(n.id, n.source, n.title) for n in merged.notices] == [
        ("公示公告/停水", "bundle", "停水通知"), ("办事指南/社保", "drop", "社保指南")]
    assert merged.ticker == ("区里的消息", "街道的消息")
    problems = {p.path: p for p in merged.problems}
    assert set(problems) == {"bundle:公示公告/坏.txt", "公示公告/停水.txt"}
    assert "centrally published" in problems["公示公告/停水.txt"].message
    assert problems["bundle:公示公告/坏.txt"].hint_zh.endswith("（上级统一发布的文件，请联系发布单位）")
    assert merge_libraries(Library(), drop).notices == drop.notices

"""Word and Excel files through ingest_document, with a real sandbox worker."""

from __future__ import annotations

import io
import zipfile

import pytest

from docfiles import (
    DictStore, encrypt_office, fees_xls, finance_xlsx, notice_docx, tracked_changes_docx,
)
from player.model.limits import Limits
from player.model.notice import (
    Closing, Figure, Heading, ListItem, Merge, Paragraph, SheetsBody, TableBlock, TableBody, TextBody,
)
from player.model.problems import ContentError
from player.sources.documents import ingest_document
from player.sources.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    yield box
    box.close()


def ingest(sandbox, path: str, data: bytes, store: DictStore | None = None, limits: Limits = Limits()):
    store = store or DictStore()
    return ingest_document(path, data, sandbox=sandbox, keep=store.keep, box=(1920, 1080), limits=limits,
                           converter=None)


def texts(body: TextBody, kind) -> list[str]:
    return ["".join(s.text for s in b.spans) for b in body.blocks if isinstance(b, kind)]


def test_docx_becomes_a_notice_with_title_headings_lists_table_picture_and_closing(sandbox):
    store = DictStore()
    parsed = ingest(sandbox, "办事指南/通知.docx", notice_docx(), store)
    assert parsed.title == "关于开展政务公开日活动的通知"
    body = parsed.body
    assert isinstance(body, TextBody)
    everything = "".join(b.text if isinstance(b, Closing) else "".join(s.text for s in getattr(b, "spans", ()))
                         for b in body.blocks)
    assert "马宫街道办事处文件" not in everything and "5号" not in everything  # letterhead left out
    assert any("letterhead" in n.message for n in parsed.notes)
    first = body.blocks[0]
    assert isinstance(first, Paragraph) and not first.indent  # 主送机关 flush left
    bold = [s.text for b in body.blocks if isinstance(b, Paragraph) for s in b.spans if s.bold]
    assert "定于每月第一个星期五" in bold
    assert "二、活动内容。" in bold  # the ladder's run-in heading
    headings = {"".join(s.text for s in b.spans): b.level for b in body.blocks if isinstance(b, Heading)}
    assert headings["一、活动时间"] == 1 and headings["（一）上午场"] == 2 and headings["办理材料"] == 2
    items = [(b.marker, "".join(s.text for s in b.spans)) for b in body.blocks if isinstance(b, ListItem)]
    assert items == [("1.", "身份证"), ("2.", "户口簿"), ("•", "复印件一份")]
    table = next(b.table for b in body.blocks if isinstance(b, TableBlock))
    assert table.header == ("项目", "金额", "备注")
    assert table.rows[0] == ("办公费", "1,200.00", "按季度")
    assert Merge(1, 2, 2, 1) in table.merges and Merge(3, 0, 1, 2) in table.merges
    figure = next(b for b in body.blocks if isinstance(b, Figure))
    assert figure.caption == "图1 活动现场"
    assert (figure.picture.width, figure.picture.height) == (400, 300)
    assert figure.picture.sha256 in store.objects
    assert "图1 活动现场" not in texts(body, Paragraph)  # the caption is not repeated as text
    assert [b.text for b in body.blocks if isinstance(b, Closing)] == ["马宫街道办事处", "2022年12月30日"]


def test_docx_title_style_and_core_properties_fallback(sandbox):
    from docx import Document
    doc = Document()
    doc.add_paragraph("便民服务指南", style="Title")
    doc.add_paragraph("正文第一段。")
    out = io.BytesIO()
    doc.save(out)
    assert ingest(sandbox, "a.docx", out.getvalue()).title == "便民服务指南"
    doc = Document()
    doc.core_properties.title = "核心属性里的标题"
    doc.add_paragraph("正文第一段，没有居中的标题。")
    out = io.BytesIO()
    doc.save(out)
    parsed = ingest(sandbox, "b.docx", out.getvalue())
    assert parsed.title == "核心属性里的标题"
    assert texts(parsed.body, Paragraph) == ["正文第一段，没有居中的标题。"]


def test_docx_tracked_changes_shown_as_accepted_fields_and_breaks_ignored(sandbox):
    parsed = ingest(sandbox, "修订.docx", tracked_changes_docx())
    assert "办理时间为周一至周五，全天办理。" in texts(parsed.body, Paragraph)
    assert "周一至周三" not in "".join(texts(parsed.body, Paragraph))
    assert "PAGE" not in "".join(texts(parsed.body, Paragraph))


def test_docm_macros_never_run_the_text_is_read(sandbox):
    parsed = ingest(sandbox, "宏.docm", notice_docx(picture=False))
    assert parsed.title == "关于开展政务公开日活动的通知"
    assert any("macros" in n.message for n in parsed.notes)


def test_password_protected_docx_and_xlsx_are_refused(sandbox):
    for path, data in (("a.docx", notice_docx(picture=False)), ("b.xlsx", finance_xlsx())):
        with pytest.raises(ContentError) as caught:
            ingest(sandbox, path, encrypt_office(data))
        assert "密码" in caught.value.hint_zh


def test_corrupt_docx_is_refused(sandbox):
    data = notice_docx()
    with pytest.raises(ContentError) as caught:
        ingest(sandbox, "坏.docx", data[: len(data) // 2])
    assert "损坏" in caught.value.hint_zh


def _with_member(data: bytes, name: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, payload if item.filename == name else src.read(item.filename))
    return out.getvalue()


def test_zip_bomb_inside_docx_and_xlsx_is_refused_before_parsing(sandbox):
    bomb = b"<w:p/>" * (20 * 1024 * 1024 // 6)  # 20 MiB of XML that deflates ~1000 times
    for path, data, member in (("a.docx", notice_docx(picture=False), "word/document.xml"),
                               ("b.xlsx", finance_xlsx(), "xl/worksheets/sheet1.xml")):
        with pytest.raises(ContentError) as caught:
            ingest(sandbox, path, _with_member(data, member, bomb))
        assert "压缩炸弹" in caught.value.hint_zh
    with pytest.raises(ContentError) as caught:  # the total unpacked size is limited too
        ingest(sandbox, "c.docx", notice_docx(picture=False), limits=Limits(unzipped_bytes=10_000))
    assert "压缩炸弹" in caught.value.hint_zh


def test_a_document_over_the_size_limit_is_refused_before_reading(sandbox):
    with pytest.raises(ContentError) as caught:
        ingest(sandbox, "a.docx", b"x" * 2000, limits=Limits(document_bytes=1000))
    assert "上限" in caught.value.hint_zh


def test_xlsx_values_as_excel_shows_them_title_row_hidden_parts_left_out(sandbox):
    parsed = ingest(sandbox, "财务公开/收支.xlsx", finance_xlsx())
    assert parsed.title == "马宫街道2022年财务收支公开表"
    assert isinstance(parsed.body, SheetsBody)
    first, second = parsed.body.tables
    assert first.header == ("项目", "金额", "占比", "日期", "备注")
    assert first.rows[0] == ("项目1", "12,345.60", "25.0%", "2022年12月30日", "说明")
    assert first.rows[-1][:2] == ("合计", "37,039.80")
    assert "单位：元" in first.subtitle and "收支" in first.subtitle
    cells = "".join(first.cells())
    assert "不应显示" not in cells and "隐藏列" not in cells
    assert second.subtitle == "收费标准" and second.rows == (("复印", "元/页", "0.50"),)
    assert all(t.subtitle != "隐藏表" for t in parsed.body.tables)


def test_single_sheet_workbook_is_one_table(sandbox):
    parsed = ingest(sandbox, "a.xlsm", finance_xlsx(hidden=False, extra_sheet=False))
    assert isinstance(parsed.body, TableBody)
    assert parsed.body.subtitle == "单位：元"


def test_formulas_without_saved_values_are_refused(sandbox):
    with pytest.raises(ContentError) as caught:
        ingest(sandbox, "a.xlsx", finance_xlsx(formula_without_value=True))
    assert "请在 Excel 中打开并保存一次" in caught.value.hint_zh


def test_formulas_with_saved_values_show_the_values(sandbox):
    data = finance_xlsx(formula_without_value=True, hidden=False, extra_sheet=False)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        sheet = src.read("xl/worksheets/sheet1.xml")
    saved = sheet.replace(b"<f>SUM(B4:B6)</f><v></v>", b"<f>SUM(B4:B6)</f><v>37039.8</v>")
    assert saved != sheet
    parsed = ingest(sandbox, "a.xlsx", _with_member(data, "xl/worksheets/sheet1.xml", saved))
    assert parsed.body.rows[-1][:2] == ("合计", "37,039.80")


def test_external_links_are_ignored_with_a_note(sandbox):
    data = finance_xlsx(hidden=False, extra_sheet=False)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/externalLinks/externalLink1.xml", b'<?xml version="1.0"?><externalLink '
                     b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    parsed = ingest(sandbox, "a.xlsx", out.getvalue())
    assert parsed.body.rows[0][1] == "12,345.60"
    assert any("外部链接" in n.hint_zh for n in parsed.notes)


def test_xls_and_et_read_with_formats_merges_and_hidden_rows(sandbox):
    for path in ("收费标准.xls", "收费标准.et"):
        parsed = ingest(sandbox, path, fees_xls())
        assert parsed.title == "便民服务收费标准"
        assert parsed.body.header == ("项目", "单位", "价格")
        assert parsed.body.rows == (("复印", "页", "1,234.50"), ("打印", "页", "1.00"))


def test_et_that_is_an_xlsx_inside_is_read_as_one(sandbox):
    parsed = ingest(sandbox, "表.et", finance_xlsx(hidden=False, extra_sheet=False))
    assert parsed.title == "马宫街道2022年财务收支公开表"


def test_empty_workbook_is_refused(sandbox):
    from openpyxl import Workbook
    out = io.BytesIO()
    Workbook().save(out)
    with pytest.raises(ContentError) as caught:
        ingest(sandbox, "空.xlsx", out.getvalue())
    assert "没有数据" in caught.value.hint_zh


def test_doc_without_libreoffice_says_save_as_docx(sandbox):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(ContentError) as caught:
        ingest(sandbox, "旧.doc", ole2)
    assert "另存为 .docx" in caught.value.hint_zh

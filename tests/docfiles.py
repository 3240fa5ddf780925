"""Real document files for the document tests, written by the real libraries:
python-docx (Word), openpyxl and xlwt (Excel), reportlab (PDF, with an embedded
TrueType CJK font or the non-embedded Adobe font STSong-Light), scans as image-only PDFs
rendered by PDFium, and LibreOffice for .doc/.rtf/.odt (tests/test_documents_convert.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
from pathlib import Path

from player.sources.convert import find_soffice

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PARAGRAPH = ("为进一步推进政务公开工作，方便居民群众了解街道各项工作，街道办事处决定在便民服务中心"
             "设立政务公开日，每月第一个星期五开放，欢迎居民群众参加并提出意见和建议。")


class DictStore:
    """The ``keep`` callback of ingest_document, backed by a dict."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def keep(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.objects[sha] = data
        return sha


def png(width: int = 400, height: int = 300, color=(200, 30, 30)) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def notice_docx(paragraphs: int = 2, picture: bool = True, table: bool = True) -> bytes:
    """A 公文-style notice: letterhead, 文号, title, 主送, ladder, bold, list, table,
    picture with caption, 落款 and date right-aligned."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    doc = Document()
    doc.core_properties.title = "核心属性标题"
    head = doc.add_paragraph()
    head.add_run("马宫街道办事处文件").font.size = Pt(26)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("马街办〔2022〕5号").alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.add_run("关于开展政务公开日活动的通知").font.size = Pt(22)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("各社区居委会：")
    p = doc.add_paragraph("为进一步推进政务公开，")
    p.add_run("定于每月第一个星期五").bold = True
    p.add_run("开展政务公开日活动。")
    doc.add_paragraph("一、活动时间")
    doc.add_paragraph("（一）上午场")
    for _ in range(paragraphs):
        doc.add_paragraph(PARAGRAPH)
    doc.add_paragraph("二、活动内容。本次活动包括政策解读、现场答疑等多项内容，欢迎居民群众踊跃参加，共同监督。")
    doc.add_heading("办理材料", level=2)
    doc.add_paragraph("身份证", style="List Number")
    doc.add_paragraph("户口簿", style="List Number")
    doc.add_paragraph("复印件一份", style="List Bullet")
    if table:
        t = doc.add_table(rows=4, cols=3)
        for c, text in enumerate(("项目", "金额", "备注")):
            t.cell(0, c).text = text
        t.cell(1, 0).text, t.cell(1, 1).text, t.cell(1, 2).text = "办公费", "1,200.00", "按季度"
        t.cell(2, 0).text, t.cell(2, 1).text = "差旅费", "300.00"
        t.cell(1, 2).merge(t.cell(2, 2))
        t.cell(3, 0).merge(t.cell(3, 1)).text = "合计 1,500.00"
    if picture:
        doc.add_picture(io.BytesIO(png()))
        doc.add_paragraph("图1 活动现场").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("马宫街道办事处").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph("2022年12月30日").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _save(doc)


def long_docx(pages: int = 20) -> bytes:
    """About ``pages`` A4 pages of text with headings (for the benchmark and paging)."""
    from docx import Document
    doc = Document()
    doc.add_paragraph("马宫街道政务公开工作情况报告", style="Title")
    for section in range(pages):
        doc.add_heading(f"第{section + 1}部分", level=1)
        for _ in range(6):
            doc.add_paragraph(PARAGRAPH * 2)
    return _save(doc)


def _save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def tracked_changes_docx() -> bytes:
    """A paragraph with an insertion (w:ins) and a deletion (w:del), a comment marker,
    a field code and a page break, written into the XML as Word does."""
    from docx import Document
    from docx.oxml import parse_xml
    doc = Document()
    doc.add_paragraph("修订测试")
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    doc.element.body.insert(1, parse_xml(
        f'<w:p {ns}><w:r><w:t>办理时间为</w:t></w:r>'
        f'<w:del w:id="1" w:author="a" w:date="2022-01-01T00:00:00Z"><w:r><w:delText>周一至周三</w:delText></w:r></w:del>'
        f'<w:ins w:id="2" w:author="a" w:date="2022-01-01T00:00:00Z"><w:r><w:t>周一至周五</w:t></w:r></w:ins>'
        f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>，全天</w:t></w:r>'
        f'<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:br w:type="page"/></w:r>'
        f'<w:r><w:t>办理。</w:t></w:r></w:p>'))
    return _save(doc)


def finance_xlsx(rows: int = 3, formula_without_value: bool = False, hidden: bool = True,
                 extra_sheet: bool = True) -> bytes:
    """A 财务公开 workbook: merged title row, 单位 line, formats, hidden row/column/sheet."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "收支"
    sheet.append(["马宫街道2022年财务收支公开表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["单位：元"])
    sheet.append(["项目", "金额", "占比", "日期", "备注"])
    for i in range(rows):
        sheet.append([f"项目{i + 1}", 12345.6 + i, 0.25, dt.date(2022, 12, 30), "说明"])
        r = sheet.max_row
        sheet.cell(r, 2).number_format = "#,##0.00"
        sheet.cell(r, 3).number_format = "0.0%"
        sheet.cell(r, 4).number_format = "yyyy/m/d"
    if hidden:
        sheet.append(["不应显示", 1, 1, None, None])
        sheet.row_dimensions[sheet.max_row].hidden = True
        sheet["F3"] = "隐藏列"
        sheet.column_dimensions["F"].hidden = True
        secret = book.create_sheet("隐藏表")
        secret.append(["x", "y"])
        secret.sheet_state = "hidden"
    sheet.append(["合计", "=SUM(B4:B6)" if formula_without_value else 37039.8, None, None, None])
    sheet.cell(sheet.max_row, 2).number_format = "#,##0.00"
    if extra_sheet:
        second = book.create_sheet("收费标准")
        second.append(["项目", "单位", "价格"])
        second.append(["复印", "元/页", 0.5])
        second.cell(2, 3).number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def big_xlsx(rows: int = 5000) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "项目", "金额", "比例", "日期", "备注"])
    for i in range(rows):
        sheet.append([i + 1, f"项目{i}", 1234.5 * i, 0.123, dt.date(2022, 1, 1) + dt.timedelta(days=i % 365),
                      "说明文字"])
        r = i + 2
        sheet.cell(r, 3).number_format = "#,##0.00"
        sheet.cell(r, 4).number_format = "0.0%"
        sheet.cell(r, 5).number_format = "yyyy/m/d"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fees_xls() -> bytes:
    """An Excel 97 workbook (xlwt): merged title, a hidden row, a number format."""
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("收费标准")
    money = xlwt.easyxf(num_format_str="#,##0.00")
    sheet.write_merge(0, 0, 0, 2, "便民服务收费标准")
    for c, text in enumerate(("项目", "单位", "价格")):
        sheet.write(1, c, text)
    sheet.write(2, 0, "复印")
    sheet.write(2, 1, "页")
    sheet.write(2, 2, 1234.5, money)
    sheet.write(3, 0, "隐藏项")
    sheet.row(3).hidden = True
    sheet.write(4, 0, "打印")
    sheet.write(4, 1, "页")
    sheet.write(4, 2, 1, money)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def encrypt_office(data: bytes, password: str = "1234") -> bytes:
    """The file Office writes when a password is set (msoffcrypto-tool, ECMA-376 agile)."""
    from msoffcrypto.format.ooxml import OOXMLFile
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def text_pdf(pages: int = 3, font: str = "embedded", password: str | None = None,
             form: bool = False) -> bytes:
    """A 公文 as a text PDF: letterhead, title, indented paragraphs hard-broken at the
    line end, ladder headings, running header and page numbers, 落款 right-aligned."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas
    if font == "embedded":
        from reportlab.pdfbase.ttfonts import TTFont
        pdfmetrics.registerFont(TTFont("WQY", str(WQY), subfontIndex=0))
        name = "WQY"
    else:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        name = "STSong-Light"
    encrypt = None
    if password:
        from reportlab.lib.pdfencrypt import StandardEncryption
        encrypt = StandardEncryption(password, canPrint=1)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    width, height = A4

    def running(number: int) -> None:
        c.setFont(name, 9)
        c.drawString(72, height - 40, "马宫街道办事处文件汇编")
        c.drawCentredString(width / 2, 30, f"- {number} -")

    running(1)
    c.setFont(name, 30)
    c.drawCentredString(width / 2, height - 90, "马宫街道办事处文件")
    c.setFont(name, 20)
    c.drawCentredString(width / 2, height - 140, "关于开展政务公开日活动的通知")
    y = height - 190
    body = [("p", PARAGRAPH * 2)] + [("h", "一、活动安排")] + [("p", PARAGRAPH)] * 2 + [("h", "二、有关要求")]
    body += [("p", PARAGRAPH)] * (pages * 12)
    page = 1
    per_line = 30
    for kind, text in body:
        first = True
        while text:
            room = per_line - (2 if first and kind == "p" else 0)
            chunk, text = text[:room], text[room:]
            if y < 90:
                c.showPage()
                page += 1
                running(page)
                y = height - 80
            c.setFont(name, 14)
            c.drawString(72 + (28 if first and kind == "p" else 0), y, chunk)
            y -= 22
            first = False
        if page >= pages:
            break
    c.drawRightString(width - 72, y - 30, "马宫街道办事处")
    c.drawRightString(width - 72, y - 52, "2022年12月30日")
    if form:
        c.acroForm.textfield(name="name", x=72, y=60, width=200, height=20)
    c.save()
    return out.getvalue()


def scanned_pdf(pages: int = 2, source: bytes | None = None) -> bytes:
    """An image-only PDF: the pages of a text PDF rendered to JPEG at 200 dpi, as a
    scanner would produce them (no text layer at all)."""
    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    src = pdfium.PdfDocument(source or text_pdf(pages))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for index in range(min(pages, len(src))):
        image = src[index].render(scale=200 / 72, grayscale=True).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        buffer.seek(0)
        c.drawImage(ImageReader(buffer), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return out.getvalue()


def blank_pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    c = canvas.Canvas(out)
    for _ in range(pages):
        c.drawString(72, 72, "x")
        c.showPage()
    c.save()
    return out.getvalue()


def javascript_pdf() -> bytes:
    """A small PDF whose catalog runs JavaScript on opening (/OpenAction and /Names)."""
    text = b"BT /F1 14 Tf 72 760 Td (Water supply notice: the water is off on Friday from 9 to 12.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /Names << /JavaScript << /Names [(a) 4 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >> >>",
        b"<< /S /JavaScript /JS (app.alert\\('hello'\\);) >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def libreoffice_convert(docx: bytes, suffix: str, work: Path) -> bytes:
    """The docx saved as ``suffix`` (doc, rtf, odt) by the real LibreOffice."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "source.docx"
    source.write_bytes(docx)
    subprocess.run([find_soffice(), f"-env:UserInstallation={(work / 'profile').resolve().as_uri()}",
                    "--headless", "--convert-to", suffix, "--outdir", str(work), str(source)],
                   check=True, capture_output=True, timeout=180)
    return (work / f"source.{suffix}").read_bytes()

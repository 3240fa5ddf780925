"""Write the sample Word and Excel notices of content/ (drawn from the 2022 report in
../shared/seed): ``.venv/bin/python scripts/make-document-samples.py``.

The files are committed; this script documents how they were made and makes them
again after a change (python-docx and openpyxl write them, as Word and Excel would).
They are written to docs/samples/ until the player's ingestion reads documents; then
they move into content/ (``--into content``).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

import sys

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / (sys.argv[sys.argv.index("--into") + 1] if "--into" in sys.argv else "docs/samples")


def guide() -> None:
    doc = Document()
    title = doc.add_paragraph()
    title.add_run("马宫街道关于进一步做好政务公开工作的通知（示例）").font.size = Pt(22)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("各村（社区）、各办（中心）：")
    doc.add_paragraph("为推进行政决策公开、执行公开、管理公开、服务公开和结果公开，以公开促落实，以公开促规范，"
                      "以公开促服务，以公开促廉洁，现将有关事项通知如下。")
    doc.add_paragraph("一、公开内容")
    p = doc.add_paragraph("（一）事权公开。")
    p.runs[0].bold = True
    p.add_run("公开街道的经济社会发展规划、工作总体目标及重点项目建设等重大事项；公开办事程序、办事指南，"
              "让群众放心办事。")
    p = doc.add_paragraph("（二）财权公开。")
    p.runs[0].bold = True
    p.add_run("重点公开街道与村（社区）的财务收支情况，财政预决算、扶贫救济、民生项目建设、集体资产招投标等"
              "情况及时主动公开，上墙列榜公布。")
    p = doc.add_paragraph("（三）人事权公开。")
    p.runs[0].bold = True
    p.add_run("公务员、干部职工的录用、提干、晋升等全面实行任前公示，各类评优、绩效评定及年度考核都通过公示。")
    doc.add_paragraph("二、公开形式和时限")
    table = doc.add_table(rows=5, cols=3)
    table.style = "Table Grid"
    rows = [("公开事项", "公开形式", "公开时限"),
            ("重要决策事项", "公开栏、电子屏幕、政府网站", "作出决定后7个工作日内"),
            ("财务收支情况", "公开栏（上墙列榜）", "每季度结束后15日内"),
            ("办事程序和办事指南", "便民服务中心、电子屏幕", "长期公开，变化后及时更新"),
            ("任前公示、评优结果", "公开栏、电子屏幕", "公示期不少于5个工作日")]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.add_paragraph("三、工作要求")
    doc.add_paragraph("各单位要切实提高对政务公开工作的认识，把它作为加强廉政建设的一项重要措施；"
                      "对涉及人民群众关心的重大问题、重大决策应及时公开，及时关注舆情，回应社会关切。")
    doc.add_paragraph("联系电话：0000-12345678（示例）")
    doc.add_paragraph("马宫街道办事处").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph("2022年12月30日").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.core_properties.title = "马宫街道关于进一步做好政务公开工作的通知（示例）"
    (CONTENT / "重要决策").mkdir(parents=True, exist_ok=True)
    doc.save(CONTENT / "重要决策" / "关于进一步做好政务公开工作的通知（示例）.docx")


def finance() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "收支情况"
    sheet.append(["马宫村2026年第三季度村务财务收支公开表（示例数据）"])
    sheet.merge_cells("A1:E1")
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["单位：元"])
    sheet.append(["序号", "项目", "类别", "金额", "占比"])
    items = [("集体资产租赁收入", "收入", 186500.00), ("上级转移支付", "收入", 320000.00),
             ("村干部报酬", "支出", 96000.00), ("环境卫生整治", "支出", 58260.50),
             ("道路及路灯维修", "支出", 41380.00), ("困难群众临时救助", "支出", 12600.00),
             ("办公经费", "支出", 8745.30)]
    total_out = sum(v for _, kind, v in items if kind == "支出")
    for number, (name, kind, value) in enumerate(items, 1):
        share = value / total_out if kind == "支出" else None
        sheet.append([number, name, kind, value, share])
        row = sheet.max_row
        sheet.cell(row, 4).number_format = "#,##0.00"
        sheet.cell(row, 5).number_format = "0.0%"
    sheet.append([None, "合计", None, total_out, 1.0])
    sheet.cell(sheet.max_row, 4).number_format = "#,##0.00"
    sheet.cell(sheet.max_row, 5).number_format = "0.0%"
    sheet.append(["制表日期", None, None, None, None])
    sheet.cell(sheet.max_row, 2).value = __import__("datetime").date(2026, 10, 15)
    sheet.cell(sheet.max_row, 2).number_format = "yyyy/m/d"
    for column, width in zip("ABCDE", (8, 24, 8, 16, 10)):
        sheet.column_dimensions[column].width = width
    (CONTENT / "财务公开").mkdir(parents=True, exist_ok=True)
    book.save(CONTENT / "财务公开" / "2026年第三季度马宫村村务收支公开表（示例数据）.xlsx")


if __name__ == "__main__":
    guide()
    finance()

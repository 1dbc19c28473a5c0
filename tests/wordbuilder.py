"""Word documents made in the test with python-docx, in the shapes offices write summaries in."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.shared import Inches
from PIL import Image


def picture(colour: str = "red") -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (16, 10), colour).save(data, "PNG")
    data.seek(0)
    return data


def bold_paragraph(document, bold: str, rest: str = "") -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(bold).bold = True
    if rest:
        paragraph.add_run(rest)


def add_picture(document, alt: str | None, colour: str = "red") -> None:
    document.add_picture(picture(colour), width=Inches(1))
    if alt is not None:  # Word's "alt text" is the descr attribute of the drawing's docPr
        inline = document.inline_shapes[-1]._inline
        inline.docPr.set("descr", alt)


def agenda_docx(path: Path) -> Path:
    """公文 style: a title, bold 一、 sections, bold 一是 points, a table, a picture with alt text, a 注."""
    document = Document()
    document.add_heading("市教育局召开2024年第9次局长办公会", level=1)
    document.add_paragraph("9月2日上午，市教育局党组书记、局长张荷红主持召开2024年第9次局长办公会。"
                           "局领导赵小丁、齐晓兵出席。")
    add_picture(document, "局长办公会现场")
    bold_paragraph(document, "一、研究秋季学期开学工作")
    bold_paragraph(document, "一是做好开学安全检查。", "开学前对全市中小学校舍、食堂开展全面检查。")
    bold_paragraph(document, "二是保障教师配备。", "及时补充紧缺学科教师，确保开齐开足课程。")
    bold_paragraph(document, "二、听取2024年招生工作汇报")
    document.add_paragraph("会议听取了今年各学段招生情况汇报：")
    table = document.add_table(rows=3, cols=3)
    for row, cells in enumerate([("学段", "计划（人）", "实际（人）"), ("小学", "12000", "11860"),
                                 ("初中", "10500", "10622")]):
        for col, text in enumerate(cells):
            table.cell(row, col).text = text
    document.add_paragraph("注：实际招生人数截至8月31日。")
    document.save(path)
    return path


def headings_docx(path: Path) -> Path:
    """Word headings (Heading 1/2), （一） subsections, a picture without alt text, an 附件 line."""
    document = Document()
    document.add_heading("县卫健局召开疾病预防控制工作会议", level=1)
    document.add_paragraph("2024年7月10日，县卫健局局长孙建华主持召开疾病预防控制工作会议。副局长李明出席。")
    document.add_heading("一、夏季传染病防控", level=2)
    document.add_paragraph("（一）肠道传染病")
    document.add_paragraph("加强医疗机构肠道门诊管理，落实首诊负责制。")
    document.add_paragraph("（二）登革热")
    document.add_paragraph("开展爱国卫生运动，清除蚊媒孳生地。")
    add_picture(document, None, "blue")
    document.add_heading("二、基本公共卫生服务", level=2)
    paragraph = document.add_paragraph()
    paragraph.add_run("会议要求，")
    paragraph.add_run("各乡镇卫生院要在9月底前完成老年人健康体检。").italic = True
    document.add_paragraph("附件：2024年疾控工作任务清单")
    document.save(path)
    return path

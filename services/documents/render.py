"""Draw a :class:`~services.documents.model.Document` as PDF (Typst) or Word (python-docx).

The PDF compiler ships inside the ``typst`` wheel and is given only the fonts vendored beside
this module (Noto Serif, OFL, from the npm package ``@expo-google-fonts/noto-serif``), with
system fonts ignored: the output is the same on every machine and every Vietnamese glyph is
embedded. The Word file names Times New Roman, the font the form prescribes, which Word and
LibreOffice substitute metrically when it is missing; the PDF is the copy of record.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import docx
import typst
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from pypdf import PdfReader, PdfWriter

from services.documents.model import (
    Bullets,
    Document,
    Heading,
    Para,
    Run,
    Signatures,
    Table,
    canonical,
)

HERE = Path(__file__).parent
ROOT = HERE.parent.parent  # where ``services`` is importable from, installed or not
FONTS = HERE / "fonts"
DOCUMENT = "document.typ"
PAGE_NUMBERS = "page_numbers.typ"
TEMPLATE = HERE / "templates" / DOCUMENT
WORD_FONT = "Times New Roman"
FIXED_TIME = datetime(2000, 1, 1)  # the files' own timestamps: the content carries the dates


def to_pdf(doc: Document, footer: str = "") -> bytes:
    pdf = typst.compile(
        str(TEMPLATE),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,
        sys_inputs={"doc": canonical(doc), "footer": footer, "first_page": "0"},
    )
    assert isinstance(pdf, bytes)
    return pdf


def to_pdf_parts(parts: Sequence[Document], footer: str, out: BinaryIO) -> int:
    """One PDF from ``parts`` compiled one at a time, written to ``out``; its page count.

    Typst holds the layout of a whole document while compiling it, so a long report in one go
    needs memory in proportion to its pages (about 0.9 GiB for eight appendices of 2,000 rows).
    Compiled part by part (the first with the header), each in a child process (Typst's cache
    keeps about the last ten compiles, see :mod:`services.documents.typst_child`), the peak is
    that of the largest part; pypdf joins the parts' pages.

    The footer's "page/total" needs the total, known only once every part is compiled, so the
    parts are compiled without a footer and the footer is stamped on the joined pages: one more
    small compile (``templates/page_numbers.typ``) of empty pages of the same sizes carrying only
    the footer, each drawn over its page. Compiling every part twice (once to count) would
    double the time of the longest step instead.
    """
    writer = PdfWriter()
    for i, part in enumerate(parts):
        inputs = {"doc": canonical(part), "footer": footer, "first_page": str(i + 1)}
        writer.append(PdfReader(io.BytesIO(_in_child(DOCUMENT, inputs))))
    sizes = [[float(p.mediabox.width), float(p.mediabox.height)] for p in writer.pages]
    if sizes:
        stamps = PdfReader(
            io.BytesIO(_in_child(PAGE_NUMBERS, {"sizes": json.dumps(sizes), "footer": footer}))
        )
        for page, stamp in zip(writer.pages, stamps.pages, strict=True):
            page.merge_page(stamp)
    if parts:
        writer.add_metadata({"/Title": parts[0].title})
    writer.write(out)
    return len(sizes)


def to_docx(doc: Document, footer: str = "") -> bytes:
    word = docx.Document()
    _page(word, doc.landscape)
    normal = word.styles["Normal"]
    normal.font.name, normal.font.size = WORD_FONT, Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), WORD_FONT)
    word.core_properties.title = doc.title
    word.core_properties.created = word.core_properties.modified = FIXED_TIME
    _header(word, doc)
    for block in doc.blocks:
        if isinstance(block, Heading):
            p = word.add_paragraph()
            p.paragraph_format.space_before = Pt(8)
            p.add_run(block.text).bold = True
        elif isinstance(block, Para):
            p = word.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if block.center else WD_ALIGN_PARAGRAPH.JUSTIFY
            _runs(p, block.runs)
        elif isinstance(block, Bullets):
            for item in block.items:
                word.add_paragraph(f"- {item}").alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        elif isinstance(block, Table):
            _table(word, block)
        elif isinstance(block, Signatures):
            _signatures(word, block)
    if footer:
        p = word.sections[0].footer.paragraphs[0]
        p.add_run(footer).font.size = Pt(9)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _in_child(template: str, inputs: dict[str, str]) -> bytes:
    """``template`` (a file in ``templates/``) compiled by a child process, as PDF bytes."""
    # the arguments are this interpreter, this module and one of the two template constants
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "services.documents.typst_child", template],
        input=json.dumps(inputs).encode(),
        capture_output=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"typst child failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return done.stdout


def _page(word: WordDocument, landscape: bool) -> None:
    section = word.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_height, section.page_width = section.page_width, section.page_height
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)


def _header(word: WordDocument, doc: Document) -> None:
    """The HD 36 header as a borderless two-column table, then the title."""
    grid = word.add_table(rows=2, cols=2)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = grid.rows[0].cells
    _centred(left.paragraphs[0], doc.issuer_above)
    _centred(left.add_paragraph(), doc.issuer, bold=True)
    _centred(left.add_paragraph(), "*")
    party = right.paragraphs[0]
    _centred(party, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, size=14)
    _rule_below(party)
    _centred(grid.rows[1].cells[0].paragraphs[0], doc.number)
    _centred(grid.rows[1].cells[1].paragraphs[0], doc.place_date, italic=True)
    word.add_paragraph()
    _centred(word.add_paragraph(), doc.title.upper(), bold=True, size=15)
    if doc.subtitle:
        _centred(word.add_paragraph(), doc.subtitle, bold=True, size=14)


def _centred(
    p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, size: int = 13
) -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    r = p.add_run(text)
    r.bold, r.italic, r.font.size = bold, italic, Pt(size)


def _rule_below(p: Paragraph) -> None:
    """The short rule under "ĐẢNG CỘNG SẢN VIỆT NAM" (a bottom border on its paragraph)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(1.5)


def _runs(p: Paragraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        r = p.add_run(run.text)
        r.bold, r.italic = run.bold, run.italic


def _table(word: WordDocument, block: Table) -> None:
    table = word.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.paragraphs[0].add_run(text)
            if i in block.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(11)


def _signatures(word: WordDocument, block: Signatures) -> None:
    word.add_paragraph()
    table = word.add_table(rows=1, cols=len(block.blocks))
    for cell, sig in zip(table.rows[0].cells, block.blocks, strict=True):
        first = cell.paragraphs[0]
        if sig.above:
            _centred(first, sig.above, bold=True)
            first = cell.add_paragraph()
        _centred(first, sig.role, bold=True)
        for _ in range(4):
            cell.add_paragraph()
        _centred(cell.add_paragraph(), sig.name, bold=True)

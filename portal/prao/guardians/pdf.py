"""The guardian letter as an A4 PDF, from the same Letter the page and the email show."""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from portal.prao.guardians.letter import Letter
from portal.prao.pdf import FAMILY, Document


def letter_pdf(letter: Letter) -> bytes:
    doc = Document(letter.title, letter.lang, footer=f"{letter.title} – {letter.pupil_name}")
    doc.set_font(FAMILY, "", 10)
    for line in letter.sender:
        doc.cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.cell(0, 5, letter.dated, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(4)
    doc.title_block(letter.title, letter.recipient)
    doc.paragraph(letter.intro)
    for section in letter.sections:
        doc.heading(section.heading)
        for text in section.text:
            doc.paragraph(text)
        if section.link:
            doc.paragraph(section.link[1])
        doc.facts(section.facts)
    _reply_slip(doc, letter)
    return doc.to_bytes()


def _reply_slip(doc: Document, letter: Letter) -> None:
    """A slip to cut off and return: signed on paper where no email address is known."""
    if doc.get_y() > doc.h - 75:
        doc.add_page()
    doc.ln(4)
    doc.set_dash_pattern(dash=2, gap=1.5)
    doc.line(doc.l_margin, doc.get_y(), doc.w - doc.r_margin, doc.get_y())
    doc.set_dash_pattern()
    doc.ln(4)
    doc.heading(letter.slip_heading, size=11)
    doc.paragraph(letter.slip_text)
    for label in letter.slip_lines:
        doc.ln(7)
        y = doc.get_y()
        doc.line(doc.l_margin, y, doc.l_margin + 110, y)
        doc.set_font(FAMILY, "", 8)
        doc.cell(0, 4, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

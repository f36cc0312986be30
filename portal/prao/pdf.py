"""What the portal's PDFs share (the guardian letter and the certificate): A4, DejaVu Sans
embedded so every name prints (Nguyễn, Åsa, Ørjan), headings, paragraphs, label–value
tables and a vector QR code.

The fonts ship with the portal (portal/data/fonts, with their licence): a fresh server
need not have any font installed. fpdf2 subsets them, so a PDF stays small."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

# fontTools reports every subsetting step at INFO: dozens of lines per PDF in the app log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
FAMILY = "DejaVu"
LABEL_WIDTH = 48  # mm, the label column of a table
TEXT_COLOUR = (27, 27, 27)
MUTED_COLOUR = (85, 85, 85)
MISSING = "–"


class Document(FPDF):
    """An A4 page with the portal's fonts and a footer naming the document."""

    def __init__(self, title: str, lang: str, footer: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author("Praoportalen")
        self.set_creator("Praoportalen")
        self.set_lang(lang)
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.footer_text = footer
        self.set_text_color(*TEXT_COLOUR)
        self.add_page()

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        """Ragged right, never justified: justified lines stretch the gaps between words."""
        kwargs.setdefault("align", "L")
        return super().multi_cell(*args, **kwargs)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED_COLOUR)
        self.cell(0, 5, f"{self.footer_text}  ·  {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(*TEXT_COLOUR)

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(FAMILY, "B", 18)
        self.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FAMILY, "", 11)
            self.set_text_color(*MUTED_COLOUR)
            self.multi_cell(0, 6, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*TEXT_COLOUR)
        self.ln(3)

    def heading(self, text: str, size: int = 12) -> None:
        self.ln(2)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def paragraph(self, text: str, size: int = 10, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, 5.2, text or MISSING, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def facts(self, rows: Iterable[tuple[str, str]], size: int = 10) -> None:
        """Label–value rows; a long value wraps in its own column and may cross a page."""
        rows = list(rows)
        if not rows:
            return
        self.set_font(FAMILY, "", size)
        width = self.epw
        with self.table(col_widths=(LABEL_WIDTH, width - LABEL_WIDTH), borders_layout="NONE",
                        first_row_as_headings=False, text_align="LEFT", line_height=5.2,
                        padding=(0.8, 1, 0.8, 0), v_align="TOP") as table:
            for label, value in rows:
                row = table.row()
                row.cell(label, style=FontFace(emphasis="BOLD"))
                row.cell(value or MISSING)
        self.ln(1.5)

    def qr_code(self, data: str, x: float, y: float, size: float) -> None:
        """The QR code drawn as filled rectangles (crisp at any zoom, no image library);
        each run of dark modules in a row is one rectangle."""
        code = segno.make(data, error="m")
        matrix = [list(row) for row in code.matrix_iter(scale=1, border=0)]
        module = size / len(matrix)
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                self.rect(x + start * module, y + r * module, (c - start) * module, module,
                          style="F")

    def to_bytes(self) -> bytes:
        return bytes(self.output())

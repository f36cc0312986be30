"""The praointyg as an A4 PDF: what the certificate's snapshot says, its verification code
and a QR code leading to the public page that confirms it."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from fpdf.enums import XPos, YPos

from portal.prao.certificates.services import grouped, verification_url
from portal.prao.models import Certificate
from portal.prao.pdf import FAMILY, MUTED_COLOUR, TEXT_COLOUR, Document
from portal.templating import long_date

QR_SIZE = 34  # mm: scans from paper at arm's length


def _day(iso: str) -> str:
    return long_date(date.fromisoformat(iso))


def certificate_pdf(certificate: Certificate, lang: str) -> bytes:
    """In the current locale (the caller forces one); `lang` tags the document."""
    facts = certificate.snapshot
    title = _("Praointyg")
    # After the retention purge the snapshot keeps no name (portal.privacy.retention).
    name = str(facts["name"]) or _("(namnet är gallrat)")
    doc = Document(f"{title} – {name}", lang, footer=f"{title} – {name}")
    doc.title_block(title, _("Intyg om praktisk arbetslivsorientering (prao) i grundskolan"))
    doc.set_font(FAMILY, "B", 20)
    doc.multi_cell(0, 10, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.paragraph(_("har gjort prao i årskurs %(grade)s vid %(school)s.",
                    grade=facts["grade"], school=facts["school"]), size=11)
    doc.facts([
        (_("Arbetsplats"), f"{facts['workplace']}, {facts['city']}".strip(", ")),
        (_("Praoplats"), str(facts["placement"])),
        (_("Handledare"), str(facts["supervisor"])),
        (_("Period"), f"{_day(str(facts['first_day']))} – {_day(str(facts['last_day']))}"),
        (_("Närvaro"), ngettext("%(attended)s av %(num)s praodag",
                                "%(attended)s av %(num)s praodagar", int(facts["prao_days"]),
                                attended=facts["days_attended"])),
        *([(_("Arbetad tid"), str(facts["hours_text"]))] if hours_measured(facts) else []),
        (_("Skola"), f"{facts['school']}, {facts['municipality']}"),
    ], size=11)
    doc.heading(_("Arbetsuppgifter"))
    doc.paragraph(str(facts["tasks"]))
    if facts.get("statement"):
        doc.heading(_("Handledarens omdöme"))
        doc.paragraph(str(facts["statement"]))
    _verification(doc, certificate)
    return doc.to_bytes()


def hours_measured(facts: dict[str, object]) -> bool:
    """Whether the days were reported with their times: "Arbetad tid 0 min" beside ten
    days present says something false, so the line is left out without them."""
    return facts.get("worked_minutes") != 0


def _verification(doc: Document, certificate: Certificate) -> None:
    """The code, the address and the QR code in a box at the foot of the page."""
    needed = QR_SIZE + 12
    if doc.get_y() + needed > doc.h - doc.b_margin:
        doc.add_page()
    top = max(doc.get_y() + 6, doc.h - doc.b_margin - needed)
    doc.set_draw_color(*MUTED_COLOUR)
    doc.rect(doc.l_margin, top, doc.epw, QR_SIZE + 8)
    doc.qr_code(verification_url(certificate), doc.w - doc.r_margin - QR_SIZE - 4, top + 4,
                QR_SIZE)
    width = doc.epw - QR_SIZE - 14
    doc.set_xy(doc.l_margin + 4, top + 4)
    doc.set_font(FAMILY, "B", 10)
    doc.multi_cell(width, 5, _("Kontrollera intyget"), new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_font(FAMILY, "", 9)
    doc.multi_cell(width, 4.6, _("Skanna QR-koden eller gå till adressen nedan. Sidan visar "
                                 "vad intyget säger."), new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_font(FAMILY, "B", 10)
    doc.multi_cell(width, 6, _("Kontrollkod: %(code)s", code=grouped(certificate.code)),
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_font(FAMILY, "", 8)
    doc.multi_cell(width, 4, verification_url(certificate), new_x=XPos.LEFT, new_y=YPos.NEXT)
    issued = long_date(certificate.issued_at)
    doc.multi_cell(width, 4.6, _("Utfärdat %(day)s av %(school)s genom Praoportalen.",
                                 day=issued, school=certificate.snapshot["school"]),
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_text_color(*TEXT_COLOUR)

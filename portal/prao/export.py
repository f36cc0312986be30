"""Vem går vart: a period's pupils and their placements as CSV or XLSX. Every text cell is
neutralised with the pupil export's `safe_cell`, so a workplace called "=HYPERLINK(…)"
never becomes a live formula on the counsellor's computer."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit import audit_read
from portal.clock import today
from portal.extensions import db
from portal.prao.models import AssignmentSource, AssignmentState
from portal.prao.overview import period_placements
from portal.schools.imports.export import CSV_MIMETYPE, XLSX_MIMETYPE, Export, safe_cell
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, Student

# The file is written in the language of the counsellor who downloads it.
HEADERS = (_l("Förnamn"), _l("Efternamn"), _l("Klass"), _l("Läge"), _l("Arbetsgivare"),
           _l("Praoplats"), _l("Adress"), _l("Postnummer"), _l("Ort"), _l("Tider"),
           _l("Handledare"), _l("Handledarens telefon"), _l("Handledarens e-post"), _l("Källa"),
           _l("Arbetsgivarens svar"))
ENROLMENT_WORDS = {EnrolmentState.NEEDS_PLACEMENT: _l("behöver plats"),
                   EnrolmentState.OWN_PLACEMENT: _l("egen plats"),
                   EnrolmentState.ASSIGNED: _l("placerad"), EnrolmentState.EXEMPT: _l("befriad")}
SOURCE_WORDS = {AssignmentSource.MATCHING: _l("matchning"), AssignmentSource.MANUAL: _l("för hand"),
                AssignmentSource.OWN: _l("egen plats")}
STATE_WORDS = {AssignmentState.PROPOSED: _l("inte svarat"),
               AssignmentState.CONFIRMED: _l("bekräftad"),
               AssignmentState.IN_PROGRESS: _l("pågår"), AssignmentState.COMPLETED: _l("genomförd")}


def rows(period: PraoPeriod) -> list[list[str]]:
    enrolments = db.session.scalars(
        select(Enrolment).join(Student).where(Enrolment.period_id == period.id)
        .order_by(Student.class_name, Student.last_name, Student.first_name, Enrolment.id)
        .options(selectinload(Enrolment.student))).all()
    placed = period_placements(period)
    table = []
    for enrolment in enrolments:
        student = enrolment.student
        row = [student.first_name, student.last_name, student.class_name,
               str(ENROLMENT_WORDS[enrolment.state])]
        assignment = placed.get(enrolment.id)
        if assignment is None:
            row += [""] * (len(HEADERS) - len(row))
        else:
            p = assignment.placement
            row += [p.organisation.name, p.title, p.address, p.postal_code, p.city,
                    f"{p.day_start:%H:%M}–{p.day_end:%H:%M}", p.supervisor_name,
                    p.supervisor_phone, p.supervisor_email, str(SOURCE_WORDS[assignment.source]),
                    str(STATE_WORDS.get(assignment.state, ""))]
        table.append([safe_cell(value) for value in row])
    return table


def to_csv(table: list[list[str]]) -> bytes:
    """Semicolons and a BOM, like the pupil export: Swedish Excel opens it as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(header) for header in HEADERS])
    writer.writerows(table)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: list[list[str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Vem går vart"))
    sheet.append([str(header) for header in HEADERS])
    for row in table:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(period: PraoPeriod, fmt: str) -> Export:
    table = rows(period)
    content, mimetype = (to_xlsx(table), XLSX_MIMETYPE) if fmt == "xlsx" \
        else (to_csv(table), CSV_MIMETYPE)
    # Logged after the answer, in a transaction of its own: on SQLite a reading transaction
    # that turns into a writer fails at once when another request has written meanwhile.
    audit_read("placements_exported", period, detail=f"format={fmt} rows={len(table)}")
    return Export(content, mimetype, f"praoplatser-{period.id}-{today().isoformat()}.{fmt}")

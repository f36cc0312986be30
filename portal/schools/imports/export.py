"""Exportera elevlistan: a school's pupils as CSV or XLSX, safe to open in a spreadsheet.

Every text cell goes through `safe_cell`: a pupil named "=HYPERLINK(...)" in the school's
system must not become a live formula on the counsellor's computer (CSV injection). The
columns are the import's own headers, so an exported list can be imported again.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from portal.audit import audit_read
from portal.clock import today
from portal.employers.reference import feature_codes, features
from portal.extensions import db
from portal.schools.imports.columns import COLUMNS
from portal.schools.models import Gender, School, Student

# What a spreadsheet program reads as the start of a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The import's own headers, so an exported list can be imported again.
HEADERS = (*(column.label for column in COLUMNS), "Saknades i senaste importen")
GENDER_WORDS = {Gender.GIRL: "flicka", Gender.BOY: "pojke", Gender.OTHER: "annat",
                Gender.UNKNOWN: ""}

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Export:
    content: bytes
    mimetype: str
    filename: str


def _needs_text(mask: int) -> str:
    labels = {entry.code: entry.sv for entry in features()}
    return ", ".join(labels[code] for code in feature_codes(mask))


def _row(student: Student) -> list[str | int | None]:
    missing = student.missing_since.date().isoformat() if student.missing_since else ""
    texts = [student.external_id, student.first_name, student.last_name, student.class_name]
    tail = [GENDER_WORDS[student.gender], _needs_text(student.needs), student.email, missing]
    return [*map(safe_cell, texts), student.grade, *map(safe_cell, tail)]


def pupil_rows(school_id: int) -> list[list[str | int | None]]:
    students = db.session.scalars(
        select(Student).where(Student.school_id == school_id)
        .order_by(Student.class_name, Student.last_name, Student.first_name, Student.id))
    return [_row(student) for student in students]


def to_csv(rows: list[list[str | int | None]]) -> bytes:
    """Semicolons and a BOM: what Swedish Excel opens correctly with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: str | int | None) -> str | int | None:
    # XML cannot carry control characters; openpyxl would refuse the whole file.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(rows: list[list[str | int | None]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Elever")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(school: School, fmt: str, on: date | None = None) -> Export:
    """The school's pupil list; the export of personal data is written to the audit log."""
    rows = pupil_rows(school.id)
    content, mimetype = (to_xlsx(rows), XLSX_MIMETYPE) if fmt == "xlsx" \
        else (to_csv(rows), CSV_MIMETYPE)
    audit_read("pupils_exported", school, detail=f"format={fmt} rows={len(rows)}")  # as a read
    filename = f"elever-{school.unit_code}-{(on or today()).isoformat()}.{fmt}"
    return Export(content, mimetype, filename)

"""Pupil export files as schools' systems and Excel write them, built in memory for tests."""

from __future__ import annotations

import io
from collections.abc import Sequence

import openpyxl

HEADER = ("Elev-ID", "Förnamn", "Efternamn", "Klass", "Kön", "Behov", "E-post")

FIRST_NAMES = ("Åsa", "Ørjan", "Märta", "Björn", "Elin", "Oskar", "Saga", "Hugo", "Ebba",
               "Liam", "Tuva", "Måns", "Ängla", "Zoë", "Yusuf", "Aino")
LAST_NAMES = ("Öberg", "Åström", "Lindqvist", "Nilsson", "Pääkkönen", "Ekström", "Sandén",
              "Karlsson", "Jönsson", "Hägglund", "Lundström", "Niemi", "Ahmadi", "Bäckström")


def pupil(number: int, **overrides: str) -> dict[str, str]:
    """One pupil as a row of the export, with Swedish letters Windows-1252 can carry."""
    row = {
        "Elev-ID": f"E{number:05d}",
        "Förnamn": FIRST_NAMES[number % len(FIRST_NAMES)],
        "Efternamn": LAST_NAMES[number % len(LAST_NAMES)],
        "Klass": f"{8 + number % 2}{'ABCD'[number % 4]}",
        "Kön": ("flicka", "pojke", "F", "M", "")[number % 5],
        "Behov": "",
        "E-post": f"elev{number}@skola.lulea.se",
    }
    row.update(overrides)
    return row


def pupils(count: int, start: int = 1) -> list[dict[str, str]]:
    return [pupil(n) for n in range(start, start + count)]


def csv_bytes(rows: Sequence[dict[str, str]], *, sep: str = ";", encoding: str = "utf-8",
              header: Sequence[str] | None = None, newline: str = "\r\n") -> bytes:
    """As Excel or an export writes it: quoted only where a value holds the separator."""
    columns = list(header or (rows[0].keys() if rows else HEADER))

    def cell(value: str) -> str:
        if sep in value or '"' in value or "\n" in value:
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [sep.join(columns)]
    lines += [sep.join(cell(row.get(c, "")) for c in columns) for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """A workbook with one sheet holding the rows as given (the first row is the header)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_of(rows: Sequence[dict[str, str]]) -> bytes:
    columns = list(rows[0].keys())
    return xlsx_bytes([columns, *([row[c] for c in columns] for row in rows)])

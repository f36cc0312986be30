"""Reading a pupil import from the export of a school's own system (elevregistret).

Reading and checking are pure functions of the uploaded bytes: no Flask, no database, just
rows and problems (`read_upload`); `saving` compares the rows with the school's pupils and
saves them. The columns are defined once, in `columns`.

What is kept between preview and save is only what would be stored anyway (the checked rows
as JSON), never the uploaded file: an export may carry personnummer, guardians' phone numbers
or protected-identity flags, and none of that belongs in the portal's database.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from portal.employers.orgnr import luhn_ok
from portal.employers.reference import features, features_mask
from portal.schools.classnames import class_name
from portal.schools.gender import Gender
from portal.schools.imports.columns import (
    COLUMN_BY_FIELD,
    COLUMNS,
    FIELD_BY_KEY,
    Column,
    header_key,
    header_keys,
)
from portal.textrules import Problem, normalise, sendable_local_part, text_problem
from portal.texts import gettext as _
from portal.texts import language

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000  # a whole municipality's years 7-9 fit many times over
MAX_LINES = 4 * MAX_ROWS  # blank rows included: a sheet of a million empty rows is refused
MAX_XLSX_UNPACKED = 100 * 1024 * 1024  # a zip bomb is refused before openpyxl unpacks it
MAX_XLSX_COLUMNS = 200
HEADER_SEARCH_ROWS = 10  # exports sometimes start with a title line above the header
STORED_VERSION = 2  # 2: the file's columns are kept, so an absent one changes nothing


# --- problems --------------------------------------------------------------------------

class FileProblem(Exception):
    """The whole file is refused; each message is shown beside the file field."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


@dataclass
class ProblemRow:
    """A row that cannot be saved, numbered as Excel shows it (the header is row 1)."""

    row: int
    external_id: str
    name: str
    messages: list[str]


def _not_a_table() -> str:
    return _("Filen är varken en CSV-fil eller en Excel-fil (.xlsx). Spara elevlistan som CSV "
             "eller .xlsx i skolans elevsystem eller i Excel och ladda upp den igen.")


def _size_problem() -> str:
    return _("Filen är för stor. Portalen tar emot filer på högst %(mb)d MB; en elevlista "
             "brukar vara mycket mindre. Kontrollera att du valt rätt fil.",
             mb=MAX_UPLOAD_BYTES // (1024 * 1024))


def too_large_message() -> str:
    """For the view: the same words when the upload is stopped before it is read."""
    return _size_problem()


# --- what else the reader recognises -------------------------------------------------

# Any header containing one of these is a personnummer column: read never, stored never.
PERSONNUMMER_KEYS = ("personnummer", "personnr", "samordningsnummer", "personalidentity",
                     "socialsecurity")
PERSONNUMMER_EXACT = header_keys("Pnr", "SSN", "Civic number")
WHOLE_NAME_KEYS = header_keys("Namn", "Elevnamn", "Elevens namn", "Name", "Full name")

GENDER_BY_KEY: dict[str, Gender] = {
    **dict.fromkeys(header_keys("F", "K", "Flicka", "Tjej", "Kvinna", "Girl", "Female", "Woman"),
                    Gender.GIRL),
    **dict.fromkeys(header_keys("M", "P", "Pojke", "Kille", "Man", "Boy", "Male"), Gender.BOY),
    **dict.fromkeys(header_keys("X", "Annat", "Annan", "Icke-binär", "Other", "Non-binary"),
                    Gender.OTHER),
    # "-" and "?" are blank once punctuation is ignored.
    **dict.fromkeys(header_keys("", "Okänt", "Okänd", "Vill ej uppge", "Unknown"), Gender.UNKNOWN),
}

GRADE_RE = re.compile(r"^(?:åk|årskurs|grade)?\s*(\d{1,2})(?:\.0+)?$")
CLASS_GRADE_RE = re.compile(r"^(\d{1,2})(?!\d)")
ALL_FIELDS = frozenset(column.field for column in COLUMNS)
GRADES = range(0, 11)  # förskoleklass 0 up to year 10 of specialskolan
NEEDS_SPLIT_RE = re.compile(r"[,;\n|]+")
PERSONNUMMER_RE = re.compile(r"^(?:19|20)?(\d{2})(\d{2})(\d{2})[-+]?(\d{4})$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# UTF-8's two-byte letters read as Windows-1252: 'å' becomes 'Ã¥'. In a file that is not
# valid UTF-8 this means UTF-8 with a stray byte, which must not be stored as garbled names.
_CONTINUATION = bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")
MOJIBAKE_RE = re.compile(f"[\u00c2\u00c3][{re.escape(_CONTINUATION)}]")
# Plain ASCII addresses, as schools hand them out, pass this pattern; whatever it does not
# vouch for goes to email_validator, which has the last word but is ten times slower.
PLAIN_EMAIL_RE = re.compile(r"^(?=.{6,254}$)(?=[^@]{1,64}@)[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
                            r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                            r"[A-Za-z]{2,63}$")


def _need_codes() -> dict[str, str]:
    """Feature code, Swedish label or English label -> code."""
    table: dict[str, str] = {}
    for entry in features():
        for name in (entry.code, entry.sv, entry.en):
            table[header_key(name)] = entry.code
    return table


# --- reading the file into rows of text ------------------------------------------------

Table = list[tuple[int, list[str]]]  # (row number as Excel shows it, cells), blank rows left out


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else
    Windows-1252, which is what Swedish Excel writes for "CSV (semikolonavgränsad)"."""
    encodings = ["utf-8"]
    if content.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings.append("cp1252")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1252" and MOJIBAKE_RE.search(text):
            raise FileProblem(_("Filen blandar två teckenkodningar (till exempel står ”Ã¥” där "
                                "det ska stå ”å”). Spara den som ”CSV UTF-8” i Excel eller "
                                "elevsystemet och ladda upp den igen."))
        return text
    raise FileProblem(_not_a_table())


def _most_headers(lines: list[str], delimiter: str) -> int:
    known = 0
    for cells in csv.reader(lines, delimiter=delimiter):
        known = max(known, sum(1 for cell in cells if header_key(cell) in FIELD_BY_KEY))
    return known


def sniff_delimiter(text: str) -> str:
    """The separator that turns the first lines into the most known column names; the most
    frequent one when none does. Swedish Excel writes ';', most systems ','."""
    lines = text[:65536].splitlines()[:HEADER_SEARCH_ROWS + 10]
    sample = "\n".join(lines)
    return max((";", ",", "\t"),
               key=lambda d: (_most_headers(lines, d), sample.count(d)))


def _keep(rows: Iterable[list[str]]) -> Table:
    """Number every row as Excel does and leave out blank ones (trailing ';;;;' lines)."""
    table: Table = []
    for number, cells in enumerate(rows, start=1):
        if any(cell.strip() for cell in cells):
            table.append((number, cells))
        if len(table) > MAX_ROWS + HEADER_SEARCH_ROWS or number > MAX_LINES:
            raise FileProblem(_("Filen har fler än %(max)d rader. Dela upp den, till "
                                "exempel en fil per årskurs.", max=MAX_ROWS))
    return table


def _header_before(text: str, delimiter: str) -> bool:
    """Whether the whole lines of `text` hold a header the reader knows (as _header_index)."""
    lines = text[:text.rfind("\n") + 1].splitlines()[:HEADER_SEARCH_ROWS]
    return _most_headers(lines, delimiter) >= 2


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    delimiter = sniff_delimiter(text)
    control = CONTROL_RE.search(text)
    # An image or a program holds control characters from its first bytes on. A pupil list
    # whose header comes first has one in a row at most (a NUL from a broken export): that
    # row is read, and the row check names it.
    if control and not _header_before(text[:control.start()], delimiter):
        raise FileProblem(_not_a_table())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _keep(reader)
    except csv.Error as error:
        raise FileProblem(_("Filen kunde inte läsas som CSV (rad %(row)d). Spara den på nytt "
                            "från elevsystemet eller Excel.", row=reader.line_num)) from error


def _check_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise FileProblem(_not_a_table()) from error
    if "xl/workbook.xml" not in names:
        raise FileProblem(_not_a_table())
    if unpacked > MAX_XLSX_UNPACKED:
        raise FileProblem(_size_problem())


class DateCell(str):
    """A cell Excel holds as a date or a time, as ISO text. No column of the import is a
    date: one in the Elev-ID (or any) column is Excel's guess at what was typed (an id such
    as 1-2 becomes the 2nd of January), and what was typed cannot be read back from it, so
    the row check refuses it rather than store the date's text as an id or a name."""


def _date_text(value: datetime | date | time | timedelta) -> DateCell:
    if isinstance(value, datetime) and value.time() == time():
        value = value.date()  # how Excel shows a date without a time: 2020-01-01
    return DateCell(str(value))  # 2020-01-01, 2020-01-01 08:30:00, 08:30:00


def _cell_text(cell: Any) -> str:
    """A cell as text. A formula is returned as its own text, starting with '=', so that the
    row check refuses it: formulas are never evaluated and cached results never read. A
    date or a time is a DateCell, which the row check refuses too."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
        text = str(getattr(value, "text", None) or value)
        return text if text.startswith("=") else "=" + text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 12345.0 -> "12345", as the ID was typed
    if isinstance(value, datetime | date | time | timedelta):
        return _date_text(value)
    return str(value)


def _sheet_rows(workbook: Any) -> Iterable[list[str]]:
    sheet = workbook.worksheets[0]
    # Trust no stored dimension: a file claiming A1:XFD1048576 would be padded to that size.
    sheet.reset_dimensions()
    for cells in sheet.iter_rows(min_row=1):
        yield [_cell_text(cell) for cell in cells[:MAX_XLSX_COLUMNS]]


def _read_xlsx(content: bytes) -> Table:
    _check_zip(content)
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it drops; none of them matter here.
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True,
                                              data_only=False)
        except Exception as error:  # openpyxl raises many kinds for a broken workbook
            raise FileProblem(_("Excel-filen kunde inte läsas. Öppna den i Excel, spara den "
                                "som .xlsx eller CSV och försök igen.")) from error
        try:
            return _keep(_sheet_rows(workbook))
        except FileProblem:
            raise
        except Exception as error:
            raise FileProblem(_("Excel-filen kunde inte läsas. Öppna den i Excel, spara den "
                                "som .xlsx eller CSV och försök igen.")) from error
        finally:
            workbook.close()


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(content: bytes) -> tuple[str, Table]:
    """Decide by the content, never by the file name, and read the rows as text."""
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileProblem(_("Filen är tom."))
    if len(content) > MAX_UPLOAD_BYTES:
        raise FileProblem(_size_problem())
    if content.startswith(b"PK\x03\x04"):
        return "xlsx", _read_xlsx(content)
    if content.startswith(OLE2_MAGIC):
        raise FileProblem(_("Filen är i Excels gamla format (.xls). Spara den som .xlsx "
                            "eller CSV i Excel och ladda upp den igen."))
    return "csv", _read_csv(content)


# --- the header ------------------------------------------------------------------------

@dataclass(frozen=True)
class Header:
    row: int
    positions: dict[str, int]  # field -> column index
    names: dict[str, str]  # field -> the header as written in the file
    ignored: tuple[str, ...]
    personnummer: str | None

    def values(self, cells: list[str]) -> dict[str, str]:
        # Trimmed of surrounding space. Names are kept exactly as written; the other values
        # are NFKC-normalised as every form's text is: a full-width ９A is the class 9A.
        return {name: _trimmed(cells[index], name not in EXACT) if index < len(cells) else ""
                for name, index in self.positions.items()}


EXACT = frozenset({"first_name", "last_name"})


def _trimmed(cell: str, normalised: bool) -> str:
    if isinstance(cell, DateCell):
        return cell  # to be named as a date
    return (normalise(cell) if normalised else cell).strip()


def _is_personnummer_header(key: str) -> bool:
    return key in PERSONNUMMER_EXACT or any(word in key for word in PERSONNUMMER_KEYS)


def _header_index(table: Table) -> int:
    for index, (_number, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
        if sum(1 for cell in cells if header_key(cell) in FIELD_BY_KEY) >= 2:
            return index
    return 0


def _column_problems(positions: dict[str, list[int]], keys: set[str]) -> list[str]:
    problems = []
    if keys & WHOLE_NAME_KEYS and not {"first_name", "last_name"} <= positions.keys():
        problems.append(_("Filen har en kolumn med hela namnet. Portalen behöver förnamn och "
                          "efternamn i var sin kolumn: Förnamn och Efternamn."))
    for column in COLUMNS:
        found = positions.get(column.field, [])
        if not found and column.required:
            other = "sv" if language() == "en" else "en"
            problems.append(_("Kolumnen %(name)s saknas. Filen behöver en kolumn med rubriken "
                              "%(name)s (eller %(other)s).", name=column.header(language()),
                              other=column.header(other)))
        elif len(found) > 1:
            letters = ", ".join(get_column_letter(index + 1) for index in found)
            problems.append(_("Kolumnen %(name)s finns flera gånger (kolumn %(letters)s). "
                              "Ta bort den som inte ska användas.",
                              name=column.header(language()),
                              letters=letters))
    return problems


def map_header(number: int, cells: list[str]) -> Header:
    positions: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    personnummer = None
    for index, cell in enumerate(cells):
        key = header_key(cell)
        if key in FIELD_BY_KEY:
            positions.setdefault(FIELD_BY_KEY[key], []).append(index)
            names.setdefault(FIELD_BY_KEY[key], cell.strip())
        elif key and _is_personnummer_header(key):
            personnummer = personnummer or cell.strip()
        elif key:
            ignored.append(cell.strip())
    problems = _column_problems(positions, {header_key(cell) for cell in cells})
    if problems:
        raise FileProblem(*problems)
    return Header(number, {name: found[0] for name, found in positions.items()}, names,
                  tuple(ignored), personnummer)


# --- the rows --------------------------------------------------------------------------

@dataclass(frozen=True)
class PupilRow:
    """One checked pupil, ready to store."""

    row: int
    external_id: str
    first_name: str
    last_name: str
    class_name: str
    grade: int | None
    gender: Gender
    needs: int
    email: str

    def values(self) -> tuple[object, ...]:
        """What a stored Student is compared with."""
        return (self.first_name, self.last_name, self.class_name, self.grade, self.gender,
                self.needs, self.email)


Parsed = tuple[object, str | None]  # (value, problem)


def _parse_text(value: str, name: str) -> Parsed:
    return value, None


def _parse_class_name(value: str, name: str) -> Parsed:
    return class_name(value), None  # "8c" and "8C" are one class (portal.schools.classnames)


def _parse_external_id(value: str, name: str) -> Parsed:
    match = PERSONNUMMER_RE.match(value)
    if match and _plausible_personnummer(match):
        return value, _("%(column)s ser ut som ett personnummer. Portalen sparar aldrig "
                        "personnummer: använd elev-ID:t från skolans system.", column=name)
    return value, None


def _plausible_personnummer(match: re.Match[str]) -> bool:
    year, month, day, last = match.groups()
    day_ok = 1 <= int(day) <= 31 or 61 <= int(day) <= 91  # 61-91: samordningsnummer
    return 1 <= int(month) <= 12 and day_ok and luhn_ok(year + month + day + last)


def _parse_grade(value: str, name: str) -> Parsed:
    if not value:
        return None, None
    match = GRADE_RE.match(value.casefold())
    if match is None or int(match.group(1)) not in GRADES:
        return None, _("%(column)s: ”%(value)s” är ingen årskurs. Skriv ett tal, till exempel "
                       "8.", column=name, value=_short(value))
    return int(match.group(1)), None


def _parse_gender(value: str, name: str) -> Parsed:
    gender = GENDER_BY_KEY.get(header_key(value))
    if gender is None:
        return None, _("%(column)s: okänt värde ”%(value)s”. Skriv flicka, pojke, annat eller "
                       "lämna tomt.", column=name, value=_short(value))
    return gender, None


def _parse_needs(value: str, name: str, codes: dict[str, str]) -> Parsed:
    if not value:
        return 0, None
    wanted = [part.strip() for part in NEEDS_SPLIT_RE.split(value) if part.strip()]
    unknown = [part for part in wanted if header_key(part) not in codes]
    if unknown:
        return None, _("%(column)s: okänt behov ”%(value)s”. Använd koderna eller namnen i "
                       "portalens lista: %(known)s.", column=name,
                       value=_short(", ".join(unknown)),
                       known=", ".join(entry.label(language()) for entry in features()))
    return features_mask({codes[header_key(part)] for part in wanted}), None


def plain_email_ok(value: str) -> bool:
    """True only for addresses email_validator accepts too (tested side by side)."""
    if PLAIN_EMAIL_RE.match(value) is None:
        return False
    domain = value.rsplit("@", 1)[1].lower()
    return "--" not in domain and not any(
        domain == special or domain.endswith("." + special)
        for special in SPECIAL_USE_DOMAIN_NAMES)


def _parse_email(value: str, name: str) -> Parsed:
    if not value or plain_email_ok(value):
        return value, None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None, _("%(column)s: ”%(value)s” är ingen giltig e-postadress.", column=name,
                       value=_short(value))
    if not sendable_local_part(value):
        return None, _("%(column)s: ”%(value)s”: e-post kan inte skickas till en adress med "
                       "å, ä, ö eller andra specialtecken före @.", column=name,
                       value=_short(value))
    return value, None


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


ECHO_LENGTH = 80


def _echo(value: str) -> str:
    """A value of the file as the problem table shows it: a page of a 100,000-character
    cell helps nobody, and a control character is shown as the replacement mark."""
    return "".join("\ufffd" if text_problem(char) else char for char in _short(value, ECHO_LENGTH))


def _common_problem(column: Column, value: str, name: str) -> str | None:
    """Problems any column can have: a formula, a date, a control character, a missing or
    an over-long value."""
    if value.startswith("="):
        return _("%(column)s: cellen innehåller en formel (%(value)s). Formler räknas aldrig "
                 "ut: skriv in värdet i stället.", column=name, value=_short(value, 30))
    if isinstance(value, DateCell):
        return _("%(column)s: cellen är ett datum eller en tid i Excel (%(value)s). Formatera "
                 "kolumnen som text, skriv in värdet igen och ladda upp filen på nytt.",
                 column=name, value=value)
    # The rules of every form (portal.textrules): no NUL, which PostgreSQL cannot even store,
    # no tab or line break in a one-line value, no character that turns text around.
    problem = text_problem(value, multiline=column.field == "needs")
    if problem is Problem.UNREADABLE:
        return _("%(column)s innehåller ett tecken som inte kunde läsas (�). Skriv in värdet "
                 "igen och ladda upp filen på nytt.", column=name)
    if problem is not None:
        return _("%(column)s innehåller ett osynligt styrtecken (till exempel ett "
                 "nolltecken) som inte kan sparas. Skriv in värdet igen och ladda upp filen "
                 "på nytt.", column=name)
    if column.required and not value:
        return _("%(column)s saknas.", column=name)
    if column.max_length is not None and len(value) > column.max_length:
        # Not "för lång": the column names are "ett förnamn" and "en klass" alike.
        return _("%(column)s har för många tecken: %(length)d (högst %(max)d).", column=name,
                 length=len(value), max=column.max_length)
    return None


@dataclass
class _Checked:
    number: int
    values: dict[str, str]
    parsed: dict[str, Any]
    messages: list[str]


class RowChecker:
    """Checks one row at a time; built once per file so lookups are made once."""

    def __init__(self, header: Header) -> None:
        self.header = header
        codes = _need_codes()
        self.parsers: dict[str, Callable[[str, str], Parsed]] = {
            "external_id": _parse_external_id, "class_name": _parse_class_name,
            "grade": _parse_grade,
            "gender": _parse_gender, "email": _parse_email,
            "needs": lambda value, name: _parse_needs(value, name, codes),
        }

    def check(self, number: int, cells: list[str]) -> _Checked:
        values = self.header.values(cells)
        checked = _Checked(number, values, {}, [])
        for name, value in values.items():
            column, label = COLUMN_BY_FIELD[name], self.header.names[name]
            problem = _common_problem(column, value, label)
            if problem is None:
                parsed, problem = self.parsers.get(name, _parse_text)(value, label)
                checked.parsed[name] = parsed
            if problem is not None:
                checked.messages.append(problem)
        return checked


def _grade_of(parsed: dict[str, Any]) -> int | None:
    if parsed.get("grade") is not None:
        return parsed["grade"]
    match = CLASS_GRADE_RE.match(parsed.get("class_name", ""))
    grade = int(match.group(1)) if match else None
    return grade if grade in GRADES else None


def _pupil(checked: _Checked) -> PupilRow:
    parsed = checked.parsed
    return PupilRow(
        row=checked.number, external_id=parsed["external_id"],
        first_name=parsed["first_name"], last_name=parsed["last_name"],
        class_name=parsed["class_name"], grade=_grade_of(parsed),
        gender=parsed.get("gender") or Gender.UNKNOWN, needs=parsed.get("needs") or 0,
        email=parsed.get("email") or "")


@dataclass(frozen=True)
class RowWarning:
    """A row saved as it is, which the preview points out: it may not be what was meant."""

    row: int
    name: str
    message: str


def grade_warnings(rows: Iterable[PupilRow]) -> list[RowWarning]:
    """Rows whose pupil would join another grade's periods than the class says, or none.
    Warned, not refused: a class without a year in its name ("Lila") is a school's own."""
    found = []
    for row in rows:
        message = _grade_warning(row)
        if message is not None:
            found.append(RowWarning(row.row, f"{row.first_name} {row.last_name}", message))
    return found


def _grade_warning(row: PupilRow) -> str | None:
    if row.grade is None:
        return _("Ingen årskurs: klassen ”%(name)s” börjar inte med en siffra och kolumnen "
                 "Årskurs är tom eller saknas. Eleven kommer inte med i någon praoperiod.",
                 name=row.class_name)
    match = CLASS_GRADE_RE.match(row.class_name)
    if match and int(match.group(1)) != row.grade:
        return _("Klassen ”%(name)s” stämmer inte med årskurs %(grade)d. Eleven räknas till "
                 "årskurs %(grade)d.", name=row.class_name, grade=row.grade)
    return None


def _flag_duplicates(checked: list[_Checked], name: str) -> None:
    rows_by_id: dict[str, list[int]] = {}
    for item in checked:
        if item.values["external_id"]:
            rows_by_id.setdefault(item.values["external_id"], []).append(item.number)
    for item in checked:
        rows = rows_by_id.get(item.values["external_id"], [])
        if len(rows) > 1:
            others = ", ".join(str(row) for row in rows if row != item.number)
            item.messages.append(_("%(column)s %(id)s finns också på rad %(rows)s. Varje elev "
                                   "får bara finnas en gång i filen.", column=name,
                                   id=_short(item.values["external_id"]), rows=others))


@dataclass
class ReadResult:
    """What a file holds: checked rows, the rows with problems, the file's own problems."""

    kind: str | None = None
    rows: list[PupilRow] = field(default_factory=list)
    problem_rows: list[ProblemRow] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    personnummer_column: str | None = None
    # The fields whose column the file has. A column the file lacks says nothing about a
    # pupil: saving keeps what is stored (its PupilRow value is only a new pupil's default).
    columns: frozenset[str] = ALL_FIELDS

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.problem_rows


def _problem_row(item: _Checked) -> ProblemRow:
    name = f"{item.values.get('first_name', '')} {item.values.get('last_name', '')}".strip()
    return ProblemRow(item.number, _echo(item.values.get("external_id", "")), _echo(name),
                      item.messages)


def check_rows(header: Header, table: Table) -> tuple[list[PupilRow], list[ProblemRow]]:
    checker = RowChecker(header)
    checked = [checker.check(number, cells) for number, cells in table]
    _flag_duplicates(checked, header.names["external_id"])
    rows = [_pupil(item) for item in checked if not item.messages]
    problems = [_problem_row(item) for item in checked if item.messages]
    return rows, problems


def read_upload(content: bytes) -> ReadResult:
    """Read and check an uploaded export. Pure: bytes in, rows and problems out."""
    try:
        kind, table = read_table(content)
        start = _header_index(table)
        header = map_header(*table[start]) if table else None
        data = table[start + 1:]
        if header is None or not data:
            raise FileProblem(_("Filen har bara en rubrikrad och inga elever.") if header
                              else _("Filen är tom."))
    except FileProblem as problem:
        return ReadResult(file_problems=problem.messages)
    rows, problems = check_rows(header, data)
    return ReadResult(kind, rows, problems, [], header.ignored, header.personnummer,
                      frozenset(header.positions))


# --- what is kept between preview and save ---------------------------------------------

@dataclass(frozen=True)
class StoredFile:
    kind: str
    rows: list[PupilRow]
    ignored_columns: tuple[str, ...]
    personnummer_column: str | None
    columns: frozenset[str] = ALL_FIELDS


def encode(result: ReadResult) -> bytes:
    rows = [[r.row, r.external_id, r.first_name, r.last_name, r.class_name, r.grade,
             r.gender.value, r.needs, r.email] for r in result.rows]
    return json.dumps({"version": STORED_VERSION, "kind": result.kind, "rows": rows,
                       "ignored": list(result.ignored_columns),
                       "personnummer": result.personnummer_column,
                       "columns": sorted(result.columns)},
                      ensure_ascii=False).encode("utf-8")


def decode(content: bytes) -> StoredFile:
    data = json.loads(content.decode("utf-8"))
    # A preview read before class names were tidied is saved with them tidied.
    rows = [PupilRow(row, ext, first, last, class_name(cls), grade, Gender(gender), needs,
                     email)
            for row, ext, first, last, cls, grade, gender, needs, email in data["rows"]]
    # A preview stored before the columns were kept (version 1) is saved as its preview
    # showed it: every column as if in the file.
    columns = frozenset(data.get("columns", ALL_FIELDS))
    return StoredFile(data["kind"], rows, tuple(data["ignored"]), data["personnummer"],
                      columns)

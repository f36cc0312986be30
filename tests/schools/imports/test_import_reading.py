"""Reading a school's pupil export: encodings, separators, XLSX, headers, every row's
problems, formulas and files that are no pupil list at all. Pure functions, no database."""

from __future__ import annotations

import io
import random
import re
import zipfile
from datetime import datetime, time

import pytest

from portal.employers.reference import features_mask
from portal.schools.imports.export import safe_cell
from portal.schools.imports.reading import (
    MAX_UPLOAD_BYTES,
    decode,
    encode,
    grade_warnings,
    read_upload,
    sniff_delimiter,
)
from portal.schools.models import Gender
from tests.schools.import_files import csv_bytes, pupil, pupils, xlsx_bytes, xlsx_of


def problems_by_row(result) -> dict[int, list[str]]:
    return {p.row: p.messages for p in result.problem_rows}


def only_problem(result, row: int) -> str:
    assert not result.file_problems
    found = problems_by_row(result)
    assert list(found) == [row], found
    assert len(found[row]) == 1, found[row]
    return found[row][0]


# --- encodings and separators ------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_each_encoding_and_separator_reads_the_same_pupils(encoding, sep):
    rows = pupils(6)
    rows[0]["Förnamn"] = "Åsa-Märta"
    rows[1]["Efternamn"] = "Ørjansson, d.y."  # the separator inside a quoted value
    content = csv_bytes(rows, sep=sep, encoding=encoding)
    if encoding == "utf-8-sig":
        assert content.startswith(b"\xef\xbb\xbf")

    result = read_upload(content)

    assert result.ok, (result.file_problems, result.problem_rows)
    assert result.kind == "csv"
    assert [r.external_id for r in result.rows] == [f"E{n:05d}" for n in range(1, 7)]
    assert result.rows[0].first_name == "Åsa-Märta"
    assert result.rows[1].last_name == "Ørjansson, d.y."
    assert [r.row for r in result.rows] == [2, 3, 4, 5, 6, 7]  # the header is row 1


def test_windows_1252_is_not_mistaken_for_utf8():
    content = "Elevid;Förnamn;Efternamn;Klass\n1;Märta;Åström;8A\n".encode("cp1252")
    assert b"\xe4" in content  # ä as one byte, as Swedish Excel writes it
    result = read_upload(content)
    assert result.ok and result.rows[0].first_name == "Märta"
    assert result.rows[0].last_name == "Åström"


def test_utf16_from_excels_unicode_text_is_read():
    content = "Elev-ID\tFörnamn\tEfternamn\tKlass\r\n7\tSaga\tNiemi\t9C\r\n".encode("utf-16")
    result = read_upload(content)
    assert result.ok and result.rows[0].first_name == "Saga"


@pytest.mark.parametrize(("text", "expected"), [
    ("Elev-ID;Förnamn;Efternamn;Klass\n1;A;B;8A", ";"),
    ("Elev-ID,Förnamn,Efternamn,Klass\n1,A,B,8A", ","),
    ("Elev-ID\tFörnamn\tEfternamn\tKlass\n1\tA\tB\t8A", "\t"),
    # commas in the needs column of a semicolon file do not fool the sniffer
    ("ID;Förnamn;Efternamn;Klass;Behov\n1;A;B;8A;Hiss, Hörslinga, step_free, elevator", ";"),
])
def test_separator_is_sniffed(text, expected):
    assert sniff_delimiter(text) == expected


def test_lf_and_crlf_line_endings_and_blank_trailing_rows():
    content = csv_bytes(pupils(3), newline="\n") + b";;;;;;\n\n;;;\n"
    result = read_upload(content)
    assert result.ok and len(result.rows) == 3


# --- XLSX ---------------------------------------------------------------------------------

def test_xlsx_is_read_with_numbers_as_typed():
    content = xlsx_bytes([
        ["Elev-ID", "Förnamn", "Efternamn", "Klass", "Årskurs", "Kön"],
        [12345, "Åsa", "Nguyễn", "8B", 8, "F"],
        [12346.0, "Ørjan", "Öst", "9A", None, "pojke"],
    ])
    result = read_upload(content)
    assert result.ok, result.problem_rows
    assert result.kind == "xlsx"
    first, second = result.rows
    assert (first.external_id, first.first_name, first.last_name) == ("12345", "Åsa", "Nguyễn")
    assert first.grade == 8 and first.gender is Gender.GIRL
    assert second.external_id == "12346" and second.grade == 9 and second.gender is Gender.BOY


def test_xlsx_rows_are_numbered_as_excel_shows_them():
    content = xlsx_bytes([
        ["Elevlista Bergsskolan, vårterminen"],  # a title line above the header
        ["Elev-ID", "Förnamn", "Efternamn", "Klass"],
        [1, "Saga", "Niemi", "8A"],
        [None, None, None, None],  # an empty row in the middle
        [2, "Hugo", "", "8A"],
    ])
    result = read_upload(content)
    assert "Efternamn saknas" in only_problem(result, 5)
    assert [r.row for r in result.rows] == [3]


def test_xlsx_formula_cells_are_problems_and_never_evaluated():
    content = xlsx_bytes([
        ["Elev-ID", "Förnamn", "Efternamn", "Klass", "Anteckning"],
        [1, "=CONCAT(\"E\",\"ve\")", "Berg", "8A", "=1+1"],
        [2, "Saga", "Niemi", "=\"8\"&\"B\"", ""],
        [3, "Hugo", "Lind", "8A", ""],
    ])
    content = _with_cached_value(content, "B2", "Eve")
    result = read_upload(content)

    found = problems_by_row(result)
    assert list(found) == [2, 3]  # the formula in an unused column is never even read
    assert "formel" in found[2][0] and "CONCAT" in found[2][0]
    assert "formel" in found[3][0]
    assert [r.first_name for r in result.rows] == ["Hugo"]
    assert "Eve" not in repr(result)  # the cached result is never read


@pytest.mark.parametrize(("value", "shown"), [
    (datetime(2020, 1, 1), "2020-01-01"), (datetime(2020, 1, 1, 8, 30), "2020-01-01 08:30:00"),
    (time(8, 30), "08:30:00"),
])
def test_an_xlsx_date_is_a_problem_never_stored_as_its_iso_text(value, shown):
    """Excel turns an id such as 1-2 into a date; what was typed cannot be read back."""
    content = xlsx_bytes([
        ["Elev-ID", "Förnamn", "Efternamn", "Klass"],
        [value, "Saga", "Niemi", "8A"],
        [2, "Hugo", "Lind", "8A"],
    ])
    result = read_upload(content)
    message = only_problem(result, 2)
    assert message.startswith("Elev-ID: cellen är ett datum") and f"({shown})" in message
    assert [r.external_id for r in result.rows] == ["2"]
    assert "T00:00" not in repr(result)


def _with_cached_value(content: bytes, ref: str, value: str) -> bytes:
    """Write a cached result into a formula cell, as Excel does on save."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text, count = re.subn(rf'<c r="{ref}">(<f>[^<]*</f>)(<v\s*/>)?',
                                      rf'<c r="{ref}" t="str">\1<v>{value}</v>', text)
                assert count == 1
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def test_csv_text_starting_with_equals_is_a_formula_problem_never_a_value():
    rows = pupils(3)
    rows[1]["Förnamn"] = '=HYPERLINK("http://example.com","klicka")'
    result = read_upload(csv_bytes(rows))
    assert "formel" in only_problem(result, 3)


def test_xlsx_named_csv_and_csv_named_xlsx_are_told_apart_by_content():
    # The upload's name is never consulted; read_upload only sees bytes.
    assert read_upload(xlsx_of(pupils(2))).kind == "xlsx"
    assert read_upload(csv_bytes(pupils(2))).kind == "csv"


# --- columns ------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [
    ("Elev-ID", "Förnamn", "Efternamn", "Klass"),
    ("Elevid", "FÖRNAMN", " efternamn ", "klass"),
    ("ID", "First name", "Last name", "Class"),
    ("Extern id", "Förnamn", "Efternamn", "Klass"),
    ("student id", "first_name", "LAST NAME", "Class"),
])
def test_columns_are_found_by_swedish_or_english_names(header):
    content = (";".join(header) + "\n42;Elin;Ekström;9B\n").encode()
    result = read_upload(content)
    assert result.ok, result.file_problems
    row = result.rows[0]
    assert (row.external_id, row.first_name, row.last_name, row.class_name) == (
        "42", "Elin", "Ekström", "9B")


def test_columns_in_any_order_and_unknown_ones_ignored():
    content = "Klass;Telefon;Efternamn;Förnamn;Elev-ID\n8A;070-1;Berg;Ebba;9\n".encode()
    result = read_upload(content)
    assert result.ok
    assert result.rows[0].first_name == "Ebba"
    assert result.ignored_columns == ("Telefon",)


@pytest.mark.parametrize(("missing", "named"), [
    ("Elev-ID", "Elev-ID"), ("Förnamn", "Förnamn"), ("Efternamn", "Efternamn"),
    ("Klass", "Klass"),
])
def test_a_missing_required_column_is_a_file_problem_naming_it(missing, named):
    rows = [{k: v for k, v in row.items() if k != missing} for row in pupils(3)]
    result = read_upload(csv_bytes(rows))
    assert not result.rows
    assert len(result.file_problems) == 1
    assert f"Kolumnen {named} saknas" in result.file_problems[0]


def test_a_whole_name_column_is_explained():
    result = read_upload(b"Elev-ID;Namn;Klass\n1;Berg, Ebba;8A\n")
    assert any("hela namnet" in p for p in result.file_problems)


def test_a_column_given_twice_is_a_file_problem():
    result = read_upload("Elev-ID;Förnamn;Efternamn;Klass;First name\n1;A;B;8A;C\n".encode())
    assert any("Förnamn finns flera gånger" in p and "B, E" in p for p in result.file_problems)


def test_personnummer_column_is_never_read_nor_kept():
    rows = [pupil(1, Personnummer="20110101-1234"), pupil(2, Personnummer="201102021234")]
    result = read_upload(csv_bytes(rows))
    assert result.ok
    assert result.personnummer_column == "Personnummer"
    kept = encode(result)
    assert b"1234" not in kept and b"Personnummer" in kept  # only the column's name
    assert "1234" not in repr(result.rows)


@pytest.mark.parametrize("external_id", ["20100131-2386", "1001312386", "100131+2386"])
def test_an_external_id_that_is_a_personnummer_is_refused(external_id):
    result = read_upload(csv_bytes([pupil(1, **{"Elev-ID": external_id}), pupil(2)]))
    assert "personnummer" in only_problem(result, 2)


def test_a_ten_digit_id_that_is_no_personnummer_is_fine():
    # wrong check digit, and a month 13: ordinary ids of the school's system
    result = read_upload(csv_bytes([pupil(1, **{"Elev-ID": "1001312380"}),
                                    pupil(2, **{"Elev-ID": "1013312386"})]))
    assert result.ok


# --- every row's problems -----------------------------------------------------------------

@pytest.mark.parametrize(("column", "value", "words"), [
    ("Förnamn", "", "Förnamn saknas"),
    ("Elev-ID", "", "Elev-ID saknas"),
    ("Klass", "", "Klass saknas"),
    ("E-post", "inte-en-adress", "ingen giltig e-postadress"),
    ("E-post", "elev@", "ingen giltig e-postadress"),
    ("E-post", "kö@skola.se", "e-post kan inte skickas till en adress med å, ä, ö"),
    ("Kön", "kanske", "okänt värde ”kanske”"),
    ("Behov", "Hiss, flygande mattor", "okänt behov ”flygande mattor”"),
    ("Förnamn", "Å" * 101, "för många tecken: 101 (högst 100)"),
    ("Klass", "8" * 21, "för många tecken"),
    ("Elev-ID", "x" * 65, "för många tecken"),
])
def test_a_row_problem_is_named_with_its_row(column, value, words):
    rows = pupils(4)
    rows[2][column] = value
    message = only_problem(read_upload(csv_bytes(rows)), 4)
    assert words in message and message.startswith(column)


def test_a_huge_value_is_named_in_full_but_echoed_short():
    rows = pupils(3)
    rows[1].update({"Elev-ID": "x" * 100_000, "Förnamn": "y" * 100_000})
    problem = read_upload(csv_bytes(rows)).problem_rows[0]
    assert problem.row == 3
    assert problem.messages == ["Elev-ID har för många tecken: 100000 (högst 64).",
                                "Förnamn har för många tecken: 100000 (högst 100)."]
    assert problem.external_id == "x" * 80 + "…" and problem.name == "y" * 80 + "…"


def test_every_problem_of_every_row_is_listed():
    rows = pupils(5)
    rows[0].update({"Förnamn": "", "Kön": "kanske"})
    rows[3].update({"E-post": "nej", "Behov": "okänt"})
    found = problems_by_row(read_upload(csv_bytes(rows)))
    assert sorted(found) == [2, 5]
    assert len(found[2]) == 2 and len(found[5]) == 2


def test_duplicate_external_ids_are_named_on_every_row():
    rows = pupils(5)
    rows[4]["Elev-ID"] = rows[1]["Elev-ID"]
    result = read_upload(csv_bytes(rows))
    found = problems_by_row(result)
    assert sorted(found) == [3, 6]
    assert "också på rad 6" in found[3][0] and "också på rad 3" in found[6][0]
    assert len(result.rows) == 3


@pytest.mark.parametrize(("value", "gender"), [
    ("F", Gender.GIRL), ("flicka", Gender.GIRL), ("Kvinna", Gender.GIRL), ("girl", Gender.GIRL),
    ("M", Gender.BOY), ("pojke", Gender.BOY), ("man", Gender.BOY), ("Boy", Gender.BOY),
    ("annat", Gender.OTHER), ("Other", Gender.OTHER), ("X", Gender.OTHER),
    ("", Gender.UNKNOWN), ("-", Gender.UNKNOWN), ("okänt", Gender.UNKNOWN),
])
def test_gender_words(value, gender):
    result = read_upload(csv_bytes([pupil(1, Kön=value)]))
    assert result.ok and result.rows[0].gender is gender


def test_needs_as_codes_or_swedish_labels():
    result = read_upload(csv_bytes([pupil(1, Behov="Hiss, hörslinga; step_free")]))
    assert result.ok
    assert result.rows[0].needs == features_mask(["elevator", "hearing_loop", "step_free"])


@pytest.mark.parametrize(("klass", "arskurs", "grade"), [
    ("8B", None, 8), ("9 A", None, 9), ("Lila", None, None), ("8B", "9", 9), ("", "åk 8", 8),
])
def test_grade_from_the_grade_column_or_the_class(klass, arskurs, grade):
    row = pupil(1, Klass=klass or "Lila")
    if arskurs is not None:
        row["Årskurs"] = arskurs
    result = read_upload(csv_bytes([row]))
    assert result.ok and result.rows[0].grade == grade


@pytest.mark.parametrize(("klass", "arskurs", "warned"), [
    ("8A", "9", "Klassen ”8A” stämmer inte med årskurs 9."), ("ZZ", "", "Ingen årskurs"),
    ("Lila", None, "Ingen årskurs"), ("9A", "9", None), ("8B", None, None), ("Lila", "8", None),
])
def test_a_class_against_its_grade_or_no_grade_is_a_warning(klass, arskurs, warned):
    row = pupil(1, Klass=klass)
    if arskurs is not None:
        row["Årskurs"] = arskurs
    result = read_upload(csv_bytes([row]))
    assert result.ok  # saved as it is: the preview points it out
    found = grade_warnings(result.rows)
    if warned is None:
        assert found == []
    else:
        assert [(w.row, w.name) for w in found] == [(2, "Ørjan Åström")]
        assert found[0].message.startswith(warned)


def test_a_grade_that_is_no_grade_is_a_problem():
    assert "ingen årskurs" in only_problem(read_upload(csv_bytes([pupil(1, Årskurs="åtta")])),
                                           2)


def test_unicode_names_are_kept_exactly_only_trimmed():
    names = [" Åsa ", "Nguyễn", "Ørjan", "A\u030asa", "李小龍", "Zoë O’Brien-Lindqvist"]
    rows = [pupil(n, Förnamn=name) for n, name in enumerate(names, start=1)]
    result = read_upload(csv_bytes(rows))
    assert result.ok
    assert [r.first_name for r in result.rows] == [n.strip() for n in names]
    assert result.rows[3].first_name == "A\u030asa"  # not normalised to the composed Å


def test_checked_rows_survive_the_trip_to_storage_unchanged():
    result = read_upload(csv_bytes(pupils(20) + [pupil(21, Förnamn="Nguyễn",
                                                      Behov="Hiss")]))
    assert decode(encode(result)).rows == result.rows


# --- files that are not a pupil list --------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"   \r\n", b"\xef\xbb\xbf", b";;;;\r\n;;;\r\n"])
def test_an_empty_file_is_refused(content):
    assert read_upload(content).file_problems == ["Filen är tom."]


def test_a_file_with_only_the_header_is_refused():
    result = read_upload("Elev-ID;Förnamn;Efternamn;Klass\r\n".encode())
    assert result.file_problems == ["Filen har bara en rubrikrad och inga elever."]
    result = read_upload(xlsx_bytes([["Elev-ID", "Förnamn", "Efternamn", "Klass"]]))
    assert result.file_problems == ["Filen har bara en rubrikrad och inga elever."]


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _junk() -> bytes:
    return random.Random(4).randbytes(5000)


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,  # an image
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 >>\nstream\n\x00\x01\x02\nendstream",
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows program
    _docx(),  # a zip, but a Word document
    b"PK\x03\x04 this is no zip at all",
])
def test_files_that_are_neither_csv_nor_xlsx_are_refused(content):
    problems = read_upload(content).file_problems
    assert len(problems) == 1 and "varken en CSV-fil eller en Excel-fil" in problems[0]


@pytest.mark.parametrize("stray", ["\x00", "\x1b"])
def test_a_control_character_in_one_row_names_that_row(stray):
    rows = pupils(3)
    rows[0]["Förnamn"] = f"Å{stray}sa"
    result = read_upload(csv_bytes(rows))
    assert "styrtecken" in only_problem(result, 2)  # not "neither CSV nor Excel"
    assert result.problem_rows[0].name == "Å\ufffdsa Åström"  # shown, not sent to the page
    assert not result.ok  # refused as a whole: nothing is kept for the preview


@pytest.mark.parametrize("stray", ["\u202e", "\u2066", "\t", "\n"])
def test_a_name_that_turns_text_around_or_breaks_its_line_is_refused_as_in_a_form(stray):
    """The rules of every form: a right-to-left override would show "Ω\u202eabc" as another
    name, a tab or line break is no part of a one-line name. The problem table shows the
    character as a replacement mark, never itself."""
    rows = pupils(3)
    rows[0]["Efternamn"] = f"Ω{stray}abc"
    result = read_upload(csv_bytes(rows))
    assert "styrtecken" in only_problem(result, 2) and not result.ok
    assert stray not in result.problem_rows[0].name


def test_a_replacement_mark_in_a_file_is_a_character_that_could_not_be_read():
    rows = pupils(2)
    rows[1]["Förnamn"] = "M\ufffdrta"  # what another program made of a byte it could not read
    assert "inte kunde läsas" in only_problem(read_upload(csv_bytes(rows)), 3)


def test_full_width_digits_and_letters_are_read_as_a_form_reads_them():
    """NFKC, as in every form: a full-width ９A is the class 9A (the same class as the other
    pupils' 9A), and the year group ９ is 9."""
    rows = pupils(2)
    rows[0].update({"Klass": "９Ａ", "Årskurs": "９", "Elev-ID": "Ｅ００００１"})
    result = read_upload(csv_bytes(rows))
    assert result.ok
    assert (result.rows[0].class_name, result.rows[0].grade, result.rows[0].external_id) == (
        "9A", 9, "E00001")


def test_binary_junk_is_refused():
    problems = read_upload(_junk()).file_problems
    assert problems and "varken en CSV-fil eller en Excel-fil" in problems[0]


def test_old_excel_format_gets_its_own_advice():
    problems = read_upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600).file_problems
    assert ".xls" in problems[0] and ".xlsx" in problems[0]


def test_a_broken_xlsx_is_refused_in_swedish():
    content = xlsx_of(pupils(2))
    archive = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in archive.infolist():
            data = archive.read(item.filename)
            target.writestr(item, b"<not xml" if item.filename.endswith("sheet1.xml") else data)
    problems = read_upload(out.getvalue()).file_problems
    assert problems and "Excel-filen kunde inte läsas" in problems[0]


def test_an_xlsx_that_would_unpack_to_gigabytes_is_refused_unopened():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (210 * 1024 * 1024))
    problems = read_upload(out.getvalue()).file_problems
    assert problems and "för stor" in problems[0]


def test_a_file_over_the_limit_is_refused():
    content = csv_bytes(pupils(2)) + b" " * MAX_UPLOAD_BYTES
    problems = read_upload(content).file_problems
    assert problems and "högst 10 MB" in problems[0]


def test_utf8_with_a_stray_byte_is_refused_not_stored_garbled():
    content = csv_bytes(pupils(3)) + b"E9;Bj\xf6rn;Ek;8A;;;\r\n"  # one Windows-1252 line
    problems = read_upload(content).file_problems
    assert problems and "två teckenkodningar" in problems[0]


def test_a_million_blank_lines_are_refused():
    content = csv_bytes(pupils(2)) + b";\n" * 1_000_000
    problems = read_upload(content).file_problems
    assert problems and "fler än 50000 rader" in problems[0].replace("\xa0", "")


def test_a_single_enormous_cell_is_refused():
    content = csv_bytes(pupils(2)) + b'E3;"' + b"x" * 200_000 + b'";Ek;8A\r\n'
    problems = read_upload(content).file_problems
    assert problems and "kunde inte läsas som CSV" in problems[0]


# --- exports ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "safe"), [
    ('=HYPERLINK("http://x","klicka")', '\'=HYPERLINK("http://x","klicka")'),
    ("+46701234567", "'+46701234567"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Åsa", "Åsa"), ("8B", "8B"), ("", ""), ("a=b", "a=b"),
])
def test_safe_cell_neutralises_formula_starts(value, safe):
    assert safe_cell(value) == safe


@pytest.mark.parametrize("address", [
    "elev1@skola.lulea.se", "a.b-c_d+e%f@sub.domain.se", "x@y.se", "ELEV@SKOLA.SE",
    "a..b@skola.se", ".a@skola.se", "a.@skola.se", "a@-skola.se", "a@skola-.se", "a@skola..se",
    "a@skola.s", "a@skola.123", "a@localhost", "a@skola.local", "a@x.test", "a@xn--ls8h.se",
    "a@ab--cd.se", "a" * 65 + "@skola.se", "a@" + "b" * 64 + ".se", "åsa@skola.se",
    "a@skolå.se", "a b@skola.se", "a@skola.se.", "@skola.se", "a@", "a@@skola.se",
    "a\"b@skola.se", "a@[127.0.0.1]", "a@" + ".".join(["abcdefghij"] * 25) + ".se",
])
def test_the_fast_email_check_vouches_only_for_what_email_validator_accepts(address):
    from email_validator import EmailNotValidError, validate_email

    from portal.schools.imports.reading import plain_email_ok
    from portal.textrules import sendable_local_part

    try:
        validate_email(address, check_deliverability=False)
        valid = True
    except EmailNotValidError:
        valid = False
    assert not plain_email_ok(address) or valid
    result = read_upload(csv_bytes([pupil(1, **{"E-post": address})]))
    # What email_validator accepts, but for an address no email can go to (åsa@skola.se).
    assert result.ok is (valid and sendable_local_part(address))


# --- class names -----------------------------------------------------------------------

@pytest.mark.parametrize(("written", "stored"), [
    ("8c", "8C"), (" 8C ", "8C"), ("8 c", "8C"), ("８ｃ", "8C"), ("9ö", "9Ö"),
    ("Lila  grupp", "LILA GRUPP"), ("8ß", "8ß"),
])
def test_a_class_is_read_trimmed_and_in_capitals(written, stored):
    result = read_upload(csv_bytes([pupil(1, Klass=written)]))
    assert result.ok and [r.class_name for r in result.rows] == [stored]
    # A preview kept from before class names were tidied is saved tidied.
    kept = encode(result).replace(stored.encode(), written.encode())
    assert [r.class_name for r in decode(kept).rows] == [stored]


def test_the_reader_says_which_columns_the_file_has():
    only = read_upload(csv_bytes([pupil(1)],
                                         header=("Elev-ID", "Förnamn", "Efternamn", "Klass")))
    full = read_upload(csv_bytes([pupil(1)]))

    assert only.columns == {"external_id", "first_name", "last_name", "class_name"}
    assert full.columns == {"external_id", "first_name", "last_name", "class_name", "gender",
                            "needs", "email"}
    # Kept between preview and save.
    assert decode(encode(only)).columns == only.columns

"""The import pages as a counsellor uses them: upload, preview, save; bad files, oversized
uploads, another school's imports (404), and the exported pupil list."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.schools.imports import reading
from portal.schools.models import Enrolment, Gender, PupilImport, Student
from tests import factories
from tests.conftest import csrf_token, post_form
from tests.schools.import_files import HEADER, csv_bytes, pupil, pupils, xlsx_of

PREVIEW_RE = re.compile(r"/skolor/elevimporter/(\d+)$")


def upload_url(school) -> str:
    return f"/skolor/{school.id}/elever/importera"


def multipart(fields: dict) -> dict:
    """The body encoded in memory: the test client would spool a large one to a temporary
    file it never closes (a ResourceWarning, an error under filterwarnings=error)."""
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(client, school, content: bytes, filename: str = "elever.csv", *, token=True):
    fields = {"file": FileStorage(io.BytesIO(content), filename=filename)}
    if token:
        fields["csrf_token"] = csrf_token(client)
    return client.post(upload_url(school), **multipart(fields))


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def preview_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = PREVIEW_RE.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def save(client, import_id: int):
    return post_form(client, f"/skolor/elevimporter/{import_id}/spara", {})


def another_import(db, world, school) -> PupilImport:
    result = reading.read_upload(csv_bytes(pupils(2)))
    stored = PupilImport(school_id=school.id, uploaded_by_id=world.users["coordinator"].id,
                         filename="b.csv", content=reading.encode(result))
    db.session.add(stored)
    db.session.flush()
    return stored


# --- the happy path --------------------------------------------------------------------

def test_upload_page_has_a_labelled_file_field(client, world, login_as):
    login_as("counsellor")
    page = client.get(upload_url(world.school_a)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    field_id = re.search(r'<input[^>]*type="file"[^>]*id="([^"]+)"', page) or re.search(
        r'<input[^>]*id="([^"]+)"[^>]*type="file"', page)
    assert field_id and f'<label class="form-label" for="{field_id.group(1)}"' in page


def test_in_english_the_needs_column_is_named_needs(app):
    """"Behov" was one msgid for the pupils' needs and the calendar's missing places, and
    the import's problems and changes named the column by the calendar's "Shortfall"."""
    from flask_babel import force_locale, gettext

    from portal.schools.imports.columns import COLUMN_BY_FIELD

    with app.test_request_context(), force_locale("en"):
        assert gettext(COLUMN_BY_FIELD["needs"].label) == "Needs"


def test_upload_preview_save(client, db, world, login_as):
    login_as("counsellor")
    rows = pupils(12) + [pupil(13, Förnamn="Nguyễn", Personnummer="20100101-0000")]
    response = upload(client, world.school_a, csv_bytes(rows, header=(*HEADER, "Personnummer")))
    import_id = preview_id(response)
    assert count(db, Student) == 0

    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    assert "Nya elever" in page and ">13<" in page
    assert "Personnummer" in page and "sparar aldrig personnummer" in page
    assert "Nguyễn" in page
    stored = db.session.get(PupilImport, import_id)
    assert b"20100101" not in stored.content  # the personnummer never reached the database

    response = save(client, import_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(upload_url(world.school_a))
    assert count(db, Student) == 13
    page = client.get(upload_url(world.school_a)).get_data(as_text=True)
    assert "13 nya" in page and "13 elever finns i portalen" in page

    again = save(client, import_id)
    assert again.status_code == 302 and count(db, Student) == 13
    assert "redan sparad" in client.get(upload_url(world.school_a)).get_data(as_text=True)


def changes_cell(page: str, name: str) -> str:
    """The preview's "Vad som ändras" cell of the pupil of this name, spaces tidied."""
    found = re.search(rf"<th scope=\"row\">{re.escape(name)}</th><td>[^<]*</td>\s*<td>(.*?)</td>",
                      page, re.S)
    assert found, page[:3000]
    return re.sub(r"\s+", " ", found.group(1)).strip()


def test_the_preview_shows_a_removed_need_and_a_cleared_gender_and_email(
        client, db, world, login_as):
    login_as("counsellor")
    first = [pupil(1, Kön="flicka", Behov="Hiss", **{"E-post": "asa@skola.se"}),
             pupil(2, Behov="Hiss")]
    save(client, preview_id(upload(client, world.school_a, csv_bytes(first))))
    name = f"{first[0]['Förnamn']} {first[0]['Efternamn']}"

    cleared = [pupil(1, Kön="", Behov="", **{"E-post": ""}), pupil(2, Behov="Hiss")]
    import_id = preview_id(upload(client, world.school_a, csv_bytes(cleared)))
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    assert changes_cell(page, name) == (
        "Kön: flicka → okänt; Behov: Hiss → inga; E-post: asa@skola.se → ingen")

    client.get(f"/sprak/en?next=/skolor/elevimporter/{import_id}")
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    assert changes_cell(page, name) == (
        "Gender: girl → unknown; Needs: Lift → none; Email: asa@skola.se → none")


def test_the_preview_says_absent_columns_are_kept(client, db, world, login_as):
    login_as("counsellor")
    save(client, preview_id(upload(client, world.school_a, csv_bytes(
        [pupil(1, Behov="Hiss")]))))

    thin = csv_bytes([pupil(1), pupil(2)], header=HEADER[:4])
    import_id = preview_id(upload(client, world.school_a, thin))
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    assert ("Filen saknar kolumnerna Kön, Behov, E-post. De uppgifterna ändras inte för "
            "elever som redan finns i portalen.") in page
    assert re.search(r"Oförändrade</th><td[^>]*>1</td>", page)
    client.get(f"/sprak/en?next=/skolor/elevimporter/{import_id}")
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    assert ("The file has no columns Gender, Needs, Email. Those details are not changed for "
            "pupils already in the portal.") in page

    save(client, import_id)
    assert db.session.scalar(select(Student.needs).where(Student.external_id == "E00001"))


def test_reimport_through_the_pages_shows_counts_and_flags_missing(client, db, world,
                                                                  login_as):
    login_as("counsellor")
    save(client, preview_id(upload(client, world.school_a, csv_bytes(pupils(5)))))
    newer = pupils(3) + [pupil(4, Klass="9A")]
    import_id = preview_id(upload(client, world.school_a, xlsx_of(newer), "ny.xlsx"))

    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    for label, number in (("Nya elever", 0), ("Uppdateras", 1), ("Oförändrade", 3),
                          ("Saknas i filen (markeras, tas inte bort)", 1)):
        assert re.search(rf"{re.escape(label)}</th><td[^>]*>{number}</td>", page), label

    save(client, import_id)
    page = client.get(upload_url(world.school_a)).get_data(as_text=True)
    assert "Saknades i den senaste filen" in page
    assert count(db, Student) == 5


def test_an_older_preview_saved_after_a_newer_file_is_refused(client, db, world, login_as):
    """A probe saved a preview left open after a newer file had been saved: the newer
    file's pupils were marked missing and its changes undone, without a word."""
    login_as("counsellor")
    older = preview_id(upload(client, world.school_a, csv_bytes(pupils(3))))
    newer = preview_id(upload(client, world.school_a, csv_bytes(pupils(5))))
    save(client, newer)
    refused = save(client, older)
    assert refused.status_code == 302
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "En nyare elevlista sparades" in page and "Den här sparades inte" in page
    assert count(db, Student) == 5
    assert db.session.get(PupilImport, older).saved_at is None
    assert "Saknades i den senaste filen" not in page


def test_a_file_of_one_grade_flags_no_pupil_of_another_grade(client, db, world, login_as):
    login_as("counsellor")
    eights = [pupil(n, Klass="8A") for n in range(1, 5)]
    nines = [pupil(n, Klass="9A") for n in range(5, 9)]
    save(client, preview_id(upload(client, world.school_a, csv_bytes(eights + nines))))

    import_id = preview_id(upload(client, world.school_a, csv_bytes(eights[:3])))
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    assert "Filen gäller årskurs 8. Elever i andra årskurser jämförs inte" in page
    assert re.search(r"Saknas i filen \(markeras, tas inte bort\)</th><td[^>]*>1</td>", page)
    assert "Mer än hälften" not in page
    save(client, import_id)

    flagged = db.session.scalars(select(Student.external_id).where(
        Student.missing_since.is_not(None))).all()
    assert flagged == [eights[3]["Elev-ID"]]


def test_the_preview_warns_of_a_class_against_its_grade_and_of_no_grade(client, db, world,
                                                                        login_as):
    login_as("counsellor")
    rows = [pupil(1, Klass="8A", Årskurs="9"), pupil(2, Klass="ZZ", Årskurs=""),
            pupil(3, Klass="8B", Årskurs="8")]
    import_id = preview_id(upload(client, world.school_a, csv_bytes(rows)))
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    warned = re.search(r'id="importvarningar">(.*?)</div>', page, re.S)
    assert warned, page[:3000]
    items = [re.sub(r"\s+", " ", item).strip()
             for item in re.findall(r"<li>(.*?)</li>", warned.group(1), re.S)]
    assert items == [
        "Rad 2 (Ørjan Åström): Klassen ”8A” stämmer inte med årskurs 9. Eleven räknas "
        "till årskurs 9.",
        "Rad 3 (Märta Lindqvist): Ingen årskurs: klassen ”ZZ” börjar inte med en siffra och "
        "kolumnen Årskurs är tom eller saknas. Eleven kommer inte med i någon praoperiod."]
    assert "2 rader kan behöva rättas innan du sparar" in warned.group(1)
    save(client, import_id)  # a warning, not a refusal
    assert count(db, Student) == 3


def test_new_pupils_join_the_open_period_of_their_grade_on_save(client, db, world, login_as,
                                                                  set_clock):
    set_clock(datetime(2027, 1, 20, 12))  # the grade 8 period's wish window is open
    open_eight = factories.PraoPeriodFactory(school=world.school_a, grade=8)
    closed_eight = factories.PraoPeriodFactory(
        school=world.school_a, grade=8, name="Prao ht 2026", first_day=date(2027, 2, 1),
        last_day=date(2027, 2, 12), wishes_open=date(2026, 12, 1),
        wishes_close=date(2027, 1, 15))
    db.session.commit()
    login_as("counsellor")
    earlier = [pupil(n, Klass="8A") for n in range(1, 4)]
    save(client, preview_id(upload(client, world.school_a, csv_bytes(earlier))))
    client.get(upload_url(world.school_a))  # the first save's messages are read

    arrivals = [pupil(n, Klass="8B") for n in range(4, 6)]
    import_id = preview_id(upload(client, world.school_a, csv_bytes(earlier + arrivals)))
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    # Named as the counsellor named it, not only by its weeks (nor the closed period).
    assert ("2 nya elever läggs till i praoperioden ”Prao vt 2027 åk 8” (vecka 11–12 2027) "
            "när du sparar, eftersom önskefönstret inte har stängt.") in page
    assert "Prao ht 2026" not in page
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 3

    save(client, import_id)
    page = client.get(upload_url(world.school_a)).get_data(as_text=True)
    assert ("2 nya elever lades till i praoperioden ”Prao vt 2027 åk 8” (vecka 11–12 2027)."
            in page)

    def members(period) -> set[str]:
        return set(db.session.scalars(select(Student.external_id).join(Enrolment).where(
            Enrolment.period_id == period.id)))

    everyone = {row["Elev-ID"] for row in earlier + arrivals}
    assert members(open_eight) == everyone  # the earlier three came with the first save
    assert members(closed_eight) == set()  # its wishes are closed: the counsellor decides
    period_page = client.get(f"/perioder/{open_eight.id}").get_data(as_text=True)
    assert "Elever (5)" in period_page


def test_a_class_written_in_small_letters_or_with_spaces_is_the_same_class(
        client, db, world, login_as, set_clock):
    """"8c", " 8 c " and "8C" are one class: stored as 8C, a re-import in another case is
    no change in the preview, and the class list shows one 8C, also asked for as ?klass=8c."""
    set_clock(datetime(2027, 1, 20, 12))  # the grade 8 period's wish window is open
    period = factories.PraoPeriodFactory(school=world.school_a, grade=8)
    db.session.commit()
    login_as("counsellor")
    first = [pupil(1, Klass="8C"), pupil(3, Klass="8c"), pupil(5, Klass=" 8 c "),
             pupil(7, Klass="8b")]
    save(client, preview_id(upload(client, world.school_a, csv_bytes(first))))
    stored = dict(db.session.execute(select(Student.external_id, Student.class_name)).all())
    assert stored == {"E00001": "8C", "E00003": "8C", "E00005": "8C", "E00007": "8B"}

    again = [pupil(1, Klass="8c"), pupil(3, Klass="8 C"), pupil(5, Klass="8C"),
             pupil(7, Klass="8B")]
    import_id = preview_id(upload(client, world.school_a, csv_bytes(again)))
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    for label, number in (("Nya elever", 0), ("Uppdateras", 0), ("Oförändrade", 4)):
        assert re.search(rf"{re.escape(label)}</th><td[^>]*>{number}</td>", page), label

    links = client.get(f"/perioder/{period.id}/lankar").get_data(as_text=True)
    assert re.findall(r"klass=(\w+)", links) == ["8B", "8C"]  # one link per class
    chosen = client.get(f"/perioder/{period.id}/lankar?klass=8c").get_data(as_text=True)
    assert '<strong aria-current="page">8C</strong>' in chosen
    assert chosen.count("(8C)</span>") == 3 and "(8B)</span>" not in chosen


def test_a_file_with_bad_rows_lists_them_and_saves_nothing(client, db, world, login_as):
    login_as("counsellor")
    rows = pupils(10_000)
    rows[4_999]["Kön"] = "vet ej riktigt"
    response = upload(client, world.school_a, csv_bytes(rows, encoding="cp1252"))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "1 rad i filen behöver rättas. Ingenting har sparats." in page
    assert 'href="#rad-5001"' in page and 'id="rad-5001"' in page
    assert '<th scope="row">5001</th>' in page
    assert count(db, Student) == 0 and count(db, PupilImport) == 0


def test_a_row_with_a_nul_is_named_and_nothing_is_kept(client, db, world, login_as):
    login_as("counsellor")
    rows = pupils(3)
    rows[0]["Förnamn"] = "Å\x00sa"
    page = upload(client, world.school_a, csv_bytes(rows)).get_data(as_text=True)
    assert "Rad 2: Förnamn innehåller ett osynligt styrtecken" in page
    assert "varken en CSV-fil" not in page and "\x00" not in page
    assert count(db, Student) == 0 and count(db, PupilImport) == 0


def test_a_huge_value_is_echoed_shortened_in_the_problem_table(client, db, world, login_as):
    login_as("counsellor")
    rows = pupils(3)
    rows[1]["Elev-ID"] = "x" * 100_000
    response = upload(client, world.school_a, csv_bytes(rows))
    page = response.get_data(as_text=True)
    assert "Rad 3: Elev-ID har för många tecken: 100000 (högst 64)." in page
    assert f"<td>{'x' * 80}…</td>" in page and "x" * 81 not in page
    assert len(page) < 50_000
    assert count(db, PupilImport) == 0


# --- bad files ---------------------------------------------------------------------------

def _problem_beside_the_field(page: str) -> str:
    match = re.search(r'<div id="file-error" class="invalid-feedback d-block">(.*?)</div>',
                      page, re.S)
    assert match, page[:3000]
    return match.group(1)


@pytest.mark.parametrize(("content", "filename", "words"), [
    (b"", "elever.csv", "Filen är tom"),
    ("Elev-ID;Förnamn;Efternamn;Klass\n".encode(), "elever.csv", "bara en rubrikrad"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "elever.xlsx",
     "varken en CSV-fil eller en Excel-fil"),
    (b"%PDF-1.7\n\x00\x01\x02binary", "elever.csv", "varken en CSV-fil eller en Excel-fil"),
    ("Elev-ID;Förnamn;Klass\n1;Åsa;8A\n".encode(), "elever.csv", "Kolumnen Efternamn saknas"),
])
def test_bad_files_get_a_swedish_message_beside_the_file_field(client, db, world, login_as,
                                                              content, filename, words):
    login_as("counsellor")
    response = upload(client, world.school_a, content, filename)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert words in _problem_beside_the_field(page)
    assert 'aria-invalid="true"' in page and "Formuläret behöver rättas" in page
    assert count(db, PupilImport) == 0


def test_content_decides_not_the_extension(client, world, login_as):
    login_as("counsellor")
    preview_id(upload(client, world.school_a, csv_bytes(pupils(2)), "elever.xlsx"))
    preview_id(upload(client, world.school_a, xlsx_of(pupils(2)), "elever.csv"))


def test_no_file_chosen(client, world, login_as):
    login_as("counsellor")
    response = post_form(client, upload_url(world.school_a), {},
                         content_type="multipart/form-data")
    assert "Välj filen med elevlistan" in _problem_beside_the_field(
        response.get_data(as_text=True))


def test_a_50_mb_upload_is_refused_in_swedish_before_it_is_read(client, db, world, login_as):
    login_as("counsellor")
    response = upload(client, world.school_a, b"x" * (50 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "högst 10 MB" in _problem_beside_the_field(page)
    assert count(db, PupilImport) == 0


def test_a_file_just_over_the_limit_is_refused_beside_the_field(client, db, world, login_as):
    login_as("counsellor")
    content = csv_bytes(pupils(2)) + b" " * reading.MAX_UPLOAD_BYTES
    response = upload(client, world.school_a, content)
    assert response.status_code == 200
    assert "högst 10 MB" in _problem_beside_the_field(response.get_data(as_text=True))


def test_the_larger_limit_is_for_the_upload_only(client, world, login_as):
    login_as("counsellor")
    big = {"csrf_token": csrf_token(client), "pad": "x" * (3 * 1024 * 1024)}
    response = client.post("/skolor/elevimporter/1/spara", **multipart(big))
    assert response.status_code == 413
    assert "för stor" in response.get_data(as_text=True)  # the Swedish error page


def test_upload_without_csrf_token_is_refused(client, db, world, login_as):
    login_as("counsellor")
    response = upload(client, world.school_a, csv_bytes(pupils(2)), token=False)
    assert response.status_code == 400
    assert count(db, PupilImport) == 0


# --- another school's import -------------------------------------------------------------

def test_counsellor_gets_404_for_another_schools_import_pages(client, db, world, login_as):
    login_as("counsellor")
    school_b = world.school_b
    other = another_import(db, world, school_b)

    assert client.get(upload_url(school_b)).status_code == 404
    assert upload(client, school_b, csv_bytes(pupils(2))).status_code == 404
    assert client.get(f"/skolor/elevimporter/{other.id}").status_code == 404
    assert save(client, other.id).status_code == 404
    assert client.get(f"/skolor/{school_b.id}/elever/elevlista.csv").status_code == 404
    assert client.get(f"/skolor/{school_b.id}/elever/elevlista.xlsx").status_code == 404
    assert count(db, Student) == 0 and count(db, PupilImport) == 1


def test_a_50_mb_upload_to_another_school_is_404_not_read(client, db, world, login_as):
    login_as("counsellor")
    assert upload(client, world.school_b, b"x" * (50 * 1024 * 1024)).status_code == 404


def test_coordinator_may_import_for_any_school(client, db, world, login_as):
    login_as("coordinator")
    save(client, preview_id(upload(client, world.school_b, csv_bytes(pupils(2)))))
    assert db.session.scalar(select(func.count()).select_from(Student)
                             .where(Student.school_id == world.school_b.id)) == 2


# --- the exported pupil list -------------------------------------------------------------

HOSTILE = '=HYPERLINK("http://evil.example","klicka")'


def _add_pupils(db, world) -> None:
    db.session.add_all([
        Student(school_id=world.school_a.id, external_id="1", first_name=HOSTILE,
                last_name="+46701234567", class_name="@8A", grade=8, gender=Gender.GIRL,
                email="-x@skola.se"),
        Student(school_id=world.school_a.id, external_id="2", first_name="Åsa",
                last_name="Nguyễn", class_name="8B", grade=8, gender=Gender.UNKNOWN),
        Student(school_id=world.school_b.id, external_id="3", first_name="Annan",
                last_name="Skola", class_name="9A", grade=9),
    ])
    db.session.flush()


def test_csv_export_neutralises_formulas(client, db, world, login_as):
    _add_pupils(db, world)
    login_as("counsellor")
    response = client.get(f"/skolor/{world.school_a.id}/elever/elevlista.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Elev-ID", "Förnamn", "Efternamn", "Klass"]
    hostile = next(r for r in rows if r[0] == "1")
    assert hostile[1] == "'" + HOSTILE
    assert hostile[2] == "'+46701234567" and hostile[3] == "'@8A" and hostile[7] == "'-x@skola.se"
    assert ["2", "Åsa", "Nguyễn", "8B", "8", "", "", "", ""] in rows
    assert "Annan" not in body.decode("utf-8-sig")  # another school's pupil


def test_xlsx_export_neutralises_formulas(client, db, world, login_as):
    _add_pupils(db, world)
    login_as("coordinator")
    response = client.get(f"/skolor/{world.school_a.id}/elever/elevlista.xlsx")

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=False)
    cells = {row[0].value: row for row in workbook.active.iter_rows(min_row=2)}
    name = cells["1"][1]
    assert name.value == "'" + HOSTILE and name.data_type == "s"
    assert all(cell.data_type != "f" for row in cells.values() for cell in row)
    assert cells["2"][2].value == "Nguyễn" and cells["2"][4].value == 8


def test_an_export_imports_again_unchanged(client, db, world, login_as):
    login_as("counsellor")
    rows = pupils(6) + [pupil(7, Behov="Hiss, Hörslinga", Kön="annat")]
    save(client, preview_id(upload(client, world.school_a, csv_bytes(rows))))
    exported = client.get(f"/skolor/{world.school_a.id}/elever/elevlista.xlsx").data

    import_id = preview_id(upload(client, world.school_a, exported, "elevlista.xlsx"))
    page = client.get(f"/skolor/elevimporter/{import_id}").get_data(as_text=True)
    assert re.search(r"Oförändrade</th><td[^>]*>7</td>", page)

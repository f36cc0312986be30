"""Saving an import on the real database: all or nothing, idempotent by external id, pupils
missing from a newer file flagged (never deleted) and unflagged when they come back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.employers.reference import features_mask
from portal.schools.imports import reading, saving
from portal.schools.imports.saving import AlreadySaved, Counts, ImportRefused
from portal.schools.models import Gender, PupilImport, Student
from tests.schools.import_files import csv_bytes, pupil, pupils, xlsx_of


def run_import(world, content: bytes, school=None) -> Counts:
    """Upload, preview and save as the counsellor would, through the services."""
    school = school or world.school_a
    user = world.users["counsellor"]
    result = reading.read_upload(content)
    stored = saving.store_preview(school, user, "elever.csv", result)
    return saving.save(stored, user)


def students(db, school) -> dict[str, Student]:
    rows = db.session.scalars(select(Student).where(Student.school_id == school.id))
    return {s.external_id: s for s in rows}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_clean_file_is_saved_with_every_field(db, world):
    rows = [pupil(1, Förnamn="Åsa", Efternamn="Nguyễn", Klass="8B", Kön="F",
                  Behov="Hiss, step_free", **{"E-post": "asa@skola.se"}),
            pupil(2, Förnamn="Ørjan", Kön="pojke", **{"E-post": ""})]
    counts = run_import(world, csv_bytes(rows))

    assert counts == Counts(new=2, updated=0, unchanged=0, missing=0)
    saved = students(db, world.school_a)
    asa = saved["E00001"]
    assert (asa.first_name, asa.last_name, asa.class_name, asa.grade) == (
        "Åsa", "Nguyễn", "8B", 8)
    assert asa.gender is Gender.GIRL and asa.email == "asa@skola.se"
    assert asa.needs == features_mask(["elevator", "step_free"])
    assert asa.missing_since is None
    assert saved["E00002"].gender is Gender.BOY and saved["E00002"].email == ""
    assert not students(db, world.school_b)


def test_the_preview_counts_new_updated_unchanged_and_missing(db, world):
    run_import(world, csv_bytes(pupils(5)))
    newer = pupils(3) + [pupil(4, Klass="9D"), pupil(6)]  # 4 changes class, 5 gone, 6 new
    result = reading.read_upload(csv_bytes(newer))
    stored = saving.store_preview(world.school_a, world.users["counsellor"], "ny.csv",
                                  result)

    preview = saving.preview(stored)

    assert preview.plan.counts == Counts(new=1, updated=1, unchanged=3, missing=1)
    assert preview.plan.updated[0].fields == ("Klass", "Årskurs")
    assert [p.external_id for p in preview.plan.missing] == ["E00005"]
    assert count(db, Student) == 5  # a preview saves nothing


def test_reimporting_the_same_file_changes_nothing_and_makes_no_duplicates(db, world):
    content = csv_bytes(pupils(30))
    run_import(world, content)
    before = {k: (s.id, s.updated_at) for k, s in students(db, world.school_a).items()}

    counts = run_import(world, content)

    assert counts == Counts(new=0, updated=0, unchanged=30, missing=0)
    after = {k: (s.id, s.updated_at) for k, s in students(db, world.school_a).items()}
    assert after == before
    assert count(db, Student) == 30


def test_reimport_by_external_id_updates_in_place(db, world):
    run_import(world, csv_bytes(pupils(4)))
    ids = {k: s.id for k, s in students(db, world.school_a).items()}
    changed = pupils(4)
    changed[0].update({"Efternamn": "Nygren", "Klass": "9A", "Kön": "annat"})

    counts = run_import(world, xlsx_of(changed))  # the same pupils, now from Excel

    assert counts == Counts(new=0, updated=1, unchanged=3, missing=0)
    db.session.expire_all()
    saved = students(db, world.school_a)
    assert {k: s.id for k, s in saved.items()} == ids
    first = saved["E00001"]
    assert (first.last_name, first.class_name, first.grade, first.gender) == (
        "Nygren", "9A", 9, Gender.OTHER)


def test_pupils_missing_from_a_newer_file_are_flagged_and_unflagged_on_return(db, world):
    run_import(world, csv_bytes(pupils(5)))

    counts = run_import(world, csv_bytes(pupils(3)))

    assert counts.missing == 2
    db.session.expire_all()
    saved = students(db, world.school_a)
    assert len(saved) == 5  # never deleted
    assert {k for k, s in saved.items() if s.missing_since} == {"E00004", "E00005"}
    flagged_at = saved["E00004"].missing_since
    assert [s.external_id for s in saving.missing_pupils(world.school_a.id)] == [
        "E00004", "E00005"]

    # Still missing: the first day they went missing is kept.
    run_import(world, csv_bytes(pupils(3)))
    db.session.expire_all()
    assert students(db, world.school_a)["E00004"].missing_since == flagged_at

    counts = run_import(world, csv_bytes(pupils(4)))  # E00004 is back

    assert counts.updated == 1 and counts.missing == 1
    db.session.expire_all()
    saved = students(db, world.school_a)
    assert saved["E00004"].missing_since is None
    assert saved["E00005"].missing_since is not None


def test_another_schools_pupils_are_never_touched(db, world):
    run_import(world, csv_bytes(pupils(3)), school=world.school_b)
    run_import(world, csv_bytes(pupils(2)))  # the same ids at school A: other pupils

    assert len(students(db, world.school_b)) == 3
    assert all(s.missing_since is None for s in students(db, world.school_b).values())
    assert len(students(db, world.school_a)) == 2


def test_one_bad_row_among_ten_thousand_saves_nothing_and_names_the_row(db, world):
    rows = pupils(10_000)
    rows[7_340]["E-post"] = "elev7341(at)skola.se"  # row 7342 as Excel shows it
    result = reading.read_upload(csv_bytes(rows, encoding="cp1252"))

    assert [p.row for p in result.problem_rows] == [7_342]
    assert len(result.rows) == 9_999
    with pytest.raises(ImportRefused) as refused:
        saving.store_preview(world.school_a, world.users["counsellor"], "elever.csv",
                             result)
    assert refused.value.rows == [7_342]
    assert count(db, Student) == 0 and count(db, PupilImport) == 0


def test_ten_thousand_pupils_are_saved_and_reimported(db, world):
    rows = pupils(10_000)
    assert run_import(world, csv_bytes(rows, encoding="cp1252")).new == 10_000
    for row in rows:
        row["Klass"] = row["Klass"].replace("8", "9", 1)
    counts = run_import(world, csv_bytes(rows, encoding="cp1252"))
    assert counts.updated == 5_000 and counts.unchanged == 5_000
    assert count(db, Student) == 10_000


def test_unicode_names_are_stored_exactly(db, world):
    names = [("Åsa", "Öberg"), ("Nguyễn", "Thị Minh"), ("Ørjan", "Ødegård"),
             ("A\u030asa", "Decomposed"), ("李", "小龍"), ("Zoë", "O’Brien-Lindqvist")]
    rows = [pupil(n, Förnamn=f" {first} ", Efternamn=last)
            for n, (first, last) in enumerate(names, start=1)]
    run_import(world, csv_bytes(rows, encoding="utf-8-sig"))
    db.session.expire_all()
    saved = students(db, world.school_a)
    assert [(saved[f"E{n:05d}"].first_name, saved[f"E{n:05d}"].last_name)
            for n in range(1, len(names) + 1)] == names


def test_a_saved_preview_cannot_be_saved_twice_and_its_copy_is_dropped(db, world):
    user = world.users["counsellor"]
    stored = saving.store_preview(world.school_a, user, "elever.csv",
                                  reading.read_upload(csv_bytes(pupils(3))))
    saving.save(stored, user)

    with pytest.raises(AlreadySaved):
        saving.save(stored, user)
    assert stored.content == b"" and stored.saved_at is not None
    assert count(db, Student) == 3


def test_saving_is_audited(db, world):
    run_import(world, csv_bytes(pupils(2)))
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"pupils_import_previewed", "pupils_imported"} <= actions


def test_a_conflicting_write_saves_nothing_and_keeps_the_preview(db, world, monkeypatch):
    """Should another writer slip in between comparing and writing, the database's unique
    key stops the save whole (on PostgreSQL the COPY's own error), never half of it."""
    user = world.users["counsellor"]
    run_import(world, csv_bytes(pupils(2)))
    stored = saving.store_preview(world.school_a, user, "elever.csv",
                                  reading.read_upload(csv_bytes(pupils(5))))
    monkeypatch.setattr(saving, "existing_pupils", lambda school_id: {})

    with pytest.raises(saving.SaveConflict):
        saving.save(stored, user)

    assert count(db, Student) == 2
    db.session.refresh(stored)
    assert stored.saved_at is None and stored.content


REQUIRED_ONLY = ("Elev-ID", "Förnamn", "Efternamn", "Klass")


def test_columns_absent_from_a_later_file_keep_what_is_stored(db, world):
    """The upload page calls Kön, Behov, E-post and Årskurs optional: a file without them
    says nothing about them, so a pupil who needs a lift still needs one after it."""
    first = [pupil(1, Klass="8A", Kön="flicka", Behov="Hiss, Hörslinga",
                   **{"E-post": "asa@skola.se"}),
             pupil(2, Klass="Lila", Årskurs="8", Kön="pojke", Behov="Tyst rum att gå undan till")]
    run_import(world, csv_bytes(first, header=(*REQUIRED_ONLY, "Årskurs", "Kön", "Behov",
                                               "E-post")))
    saved = students(db, world.school_a)
    saved["E00001"].guardian_email = "foralder@hem.se"  # not a column of the import at all
    db.session.commit()

    later = [pupil(1, Klass="8A"), pupil(2, Klass="Lila"), pupil(3, Klass="8C")]
    counts = run_import(world, csv_bytes(later, header=REQUIRED_ONLY))

    assert counts == Counts(new=1, updated=0, unchanged=2, missing=0)
    db.session.expire_all()
    saved = students(db, world.school_a)
    asa, lila, newcomer = saved["E00001"], saved["E00002"], saved["E00003"]
    assert asa.needs == features_mask(["elevator", "hearing_loop"])
    assert (asa.gender, asa.email, asa.guardian_email) == (
        Gender.GIRL, "asa@skola.se", "foralder@hem.se")
    # A class without a year in its name keeps the grade the earlier file gave.
    assert (lila.grade, lila.gender, lila.needs) == (
        8, Gender.BOY, features_mask(["quiet_space"]))
    # A new pupil of a file without the columns gets the defaults.
    assert (newcomer.grade, newcomer.gender, newcomer.needs, newcomer.email) == (
        8, Gender.UNKNOWN, 0, "")


def test_an_absent_grade_column_still_reads_the_grade_from_the_class(db, world):
    run_import(world, csv_bytes([pupil(1, Klass="8A", Årskurs="8")],
                                header=(*REQUIRED_ONLY, "Årskurs")))

    run_import(world, csv_bytes([pupil(1, Klass="9A")], header=REQUIRED_ONLY))

    db.session.expire_all()
    assert students(db, world.school_a)["E00001"].grade == 9


def test_a_present_but_empty_cell_clears_the_stored_value(db, world):
    run_import(world, csv_bytes([pupil(1, Kön="F", Behov="Hiss",
                                       **{"E-post": "asa@skola.se"})]))

    preview = saving.preview(saving.store_preview(
        world.school_a, world.users["counsellor"], "elever.csv",
        reading.read_upload(csv_bytes([pupil(1, Kön="", Behov="", **{"E-post": ""})]))))
    [change] = preview.plan.updated
    assert [(c.field, c.old, c.new) for c in change.changes] == [
        ("gender", Gender.GIRL, Gender.UNKNOWN),
        ("needs", features_mask(["elevator"]), 0),
        ("email", "asa@skola.se", "")]

    saving.save(preview.pupil_import, world.users["counsellor"])
    db.session.expire_all()
    asa = students(db, world.school_a)["E00001"]
    assert (asa.gender, asa.needs, asa.email) == (Gender.UNKNOWN, 0, "")

"""The coordinator manages municipalities, schools and which counsellors work where."""

from __future__ import annotations

from sqlalchemy import select

from portal.schools.models import Municipality, School
from tests.conftest import post_form


def test_add_municipality_and_refuse_duplicate_code(client, login_as, db, world):
    login_as("coordinator")
    response = post_form(client, "/samordnare/kommuner", {"name": "Boden", "code": "2582"})
    assert response.status_code == 302
    assert db.session.scalars(select(Municipality).filter_by(code="2582")).one().name == "Boden"
    clash = post_form(client, "/samordnare/kommuner", {"name": "Annan", "code": "2580"})
    assert "Kommunkoden finns redan (Luleå)" in clash.get_data(as_text=True)
    bad = post_form(client, "/samordnare/kommuner", {"name": "X", "code": "25"})
    assert 'id="code-error"' in bad.get_data(as_text=True)


def test_add_school_with_counsellor(client, login_as, db, world):
    login_as("coordinator")
    counsellor = world.users["counsellor"]
    response = post_form(client, "/samordnare/skolor", {
        "name": "Nya skolan", "unit_code": "87654321", "address": "Vägen 1",
        "municipality": str(world.municipality_b.id), "counsellors": [str(counsellor.id)]})
    assert response.status_code == 302
    school = db.session.scalars(select(School).filter_by(unit_code="87654321")).one()
    assert [c.id for c in school.counsellors] == [counsellor.id]
    db.session.refresh(counsellor)
    assert {s.name for s in counsellor.schools} == {"Skola A", "Nya skolan"}


def test_school_unit_code_is_eight_digits_and_unique(client, login_as, world):
    login_as("coordinator")
    short = post_form(client, "/samordnare/skolor", {
        "name": "X", "unit_code": "1234", "municipality": str(world.municipality_a.id)})
    assert "Skolenhetskoden är åtta siffror." in short.get_data(as_text=True)
    dup = post_form(client, "/samordnare/skolor", {
        "name": "X", "unit_code": world.school_b.unit_code,
        "municipality": str(world.municipality_a.id)})
    assert "Skolenhetskoden finns redan (Skola B)" in dup.get_data(as_text=True)


def test_removing_a_counsellor_from_a_school(client, login_as, db, world):
    login_as("coordinator")
    school = world.school_a
    post_form(client, f"/samordnare/skolor/{school.id}", {
        "name": school.name, "unit_code": school.unit_code, "address": "",
        "municipality": str(school.municipality_id)})
    db.session.refresh(world.users["counsellor"])
    assert world.users["counsellor"].schools == []


def test_edit_a_municipality_keeps_what_was_typed_on_error(client, login_as, db, world):
    login_as("coordinator")
    url = f"/samordnare/kommuner/{world.municipality_a.id}"
    bad = post_form(client, url, {"name": "Luleå kommun", "code": "258"})
    assert 'value="Luleå kommun"' in bad.get_data(as_text=True)
    assert post_form(client, url, {"name": "Luleå kommun", "code": "2580"}).status_code == 302
    db.session.refresh(world.municipality_a)
    assert world.municipality_a.name == "Luleå kommun"

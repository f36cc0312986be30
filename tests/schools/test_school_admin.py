"""The coordinator manages municipalities, schools and which counsellors work where."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import Role
from portal.db import utcnow
from portal.schools.models import Municipality, School
from tests import factories
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


@pytest.mark.parametrize(("name", "code", "field", "message"), [
    ("Luleå", "0000", "code", "0000 är ingen kommunkod."),
    ("Luleå", "9999", "code", "9999 är ingen kommunkod."),
    ("Luleå", "2584", "name", "Kommunkoden 2584 är Kiruna kommun."),
    ("Boden", "2584", "name", "Kommunkoden 2584 är Kiruna kommun."),
])
def test_a_municipality_must_be_one_of_scbs(client, login_as, db, world, name, code, field,
                                           message):
    """Luleå (2580) is in the world already: a made-up code, or another municipality's,
    would put a second or a non-existent municipality in every list."""
    login_as("coordinator")
    before = db.session.scalar(select(func.count()).select_from(Municipality))
    page = post_form(client, "/samordnare/kommuner", {"name": name, "code": code}
                     ).get_data(as_text=True)
    assert message in page and f'id="{field}-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == before


def test_a_municipalitys_name_is_not_given_twice(client, login_as, db, world):
    """Markaryd (0767) holds the name of Mark (1463): the name check alone would let Mark's
    code in under Markaryd's name."""
    login_as("coordinator")
    assert post_form(client, "/samordnare/kommuner",
                     {"name": "Markaryd", "code": "0767"}).status_code == 302
    page = post_form(client, "/samordnare/kommuner", {"name": "markaryd", "code": "1463"}
                     ).get_data(as_text=True)
    assert "Det finns redan en kommun som heter markaryd." in page
    assert 'id="name-error"' in page
    assert post_form(client, "/samordnare/kommuner",
                     {"name": "Marks kommun", "code": "1463"}).status_code == 302
    url = f"/samordnare/kommuner/{world.municipality_a.id}"  # Luleå keeps its own name
    assert post_form(client, url, {"name": "Luleå", "code": "2580"}).status_code == 302


def test_a_municipality_added_again_is_said_to_exist(client, login_as, db, world, set_clock):
    """A double click gets the municipality it saved; the same one added again later is
    there already, and the coordinator is told so rather than that it was saved."""
    login_as("coordinator")
    boden = {"name": "Boden", "code": "2582"}
    for _click in range(2):
        page = post_form(client, "/samordnare/kommuner", boden, follow_redirects=True)
        assert "Kommunen är sparad." in page.get_data(as_text=True)
    set_clock(clock.now() + timedelta(minutes=5))
    for known in (boden, {"name": "Luleå", "code": "2580"}):
        response = post_form(client, "/samordnare/kommuner", known)
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Kommunen finns redan." in page and "Kommunen är sparad." not in page
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 3


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


@pytest.mark.parametrize("name", ["0", "-1", " 12 ", "4.5"])
def test_a_school_name_needs_a_letter(client, login_as, db, world, name):
    login_as("coordinator")
    school = world.school_a
    fields = {"name": name, "unit_code": "87654321", "address": "",
              "municipality": str(school.municipality_id)}
    for url in ("/samordnare/skolor", f"/samordnare/skolor/{school.id}"):  # add, edit
        page = post_form(client, url, fields).get_data(as_text=True)
        beside = re.search(r'id="name-error"[^>]*>(.*?)</div>', page, re.S)
        assert beside and "Skolans namn behöver minst en bokstav." in beside.group(1)
    db.session.expire_all()
    assert db.session.get(School, school.id).name == "Skola A"
    assert db.session.scalars(select(School).filter_by(unit_code="87654321")).first() is None


def test_a_school_name_of_letters_and_digits_is_fine(client, login_as, db, world):
    login_as("coordinator")
    response = post_form(client, "/samordnare/skolor", {
        "name": "Ö2 Friskola", "unit_code": "87654321",
        "municipality": str(world.municipality_a.id)})
    assert response.status_code == 302


def test_removing_a_counsellor_from_a_school(client, login_as, db, world):
    login_as("coordinator")
    school = world.school_a
    post_form(client, f"/samordnare/skolor/{school.id}", {
        "name": school.name, "unit_code": school.unit_code, "address": "",
        "municipality": str(school.municipality_id)})
    db.session.refresh(world.users["counsellor"])
    assert world.users["counsellor"].schools == []


def test_a_switched_off_counsellor_is_not_listed_or_offered_and_keeps_the_link(
        client, login_as, db, world):
    """Frida's account is switched off, another counsellor's is purged: neither is the
    school's counsellor on the lists or a choice on the forms; saving the school keeps
    Frida's link (she has her school back if her account is switched on again)."""
    school = world.school_a
    frida = factories.UserFactory(role=Role.COUNSELLOR, name="Frida Före",
                                  email="frida@exempel.se", active=False, schools=[school])
    factories.UserFactory(role=Role.COUNSELLOR, name="", email="gallrad-9@konto.invalid",
                          active=False, purged_at=utcnow())
    db.session.commit()
    login_as("coordinator")
    for url in ("/samordnare/skolor", f"/samordnare/skolor/{school.id}",
                f"/skolor/{school.id}"):
        page = client.get(url).get_data(as_text=True)
        assert world.users["counsellor"].name in page, url
        assert "Frida" not in page and "konto.invalid" not in page, url
    response = post_form(client, f"/samordnare/skolor/{school.id}", {
        "name": "Skola A-huset", "unit_code": school.unit_code, "address": "",
        "municipality": str(school.municipality_id),
        "counsellors": [str(world.users["counsellor"].id)]})
    assert response.status_code == 302
    db.session.refresh(frida)
    assert [s.id for s in frida.schools] == [school.id]
    crafted = post_form(client, f"/samordnare/skolor/{world.school_b.id}", {
        "name": "Skola B", "unit_code": world.school_b.unit_code, "address": "",
        "municipality": str(world.school_b.municipality_id), "counsellors": [str(frida.id)]})
    assert crafted.status_code == 200  # not one of the choices: the form is shown again
    db.session.refresh(frida)
    assert [s.id for s in frida.schools] == [school.id]


def test_edit_a_municipality_keeps_what_was_typed_on_error(client, login_as, db, world):
    login_as("coordinator")
    url = f"/samordnare/kommuner/{world.municipality_a.id}"
    bad = post_form(client, url, {"name": "Luleå kommun", "code": "258"})
    assert 'value="Luleå kommun"' in bad.get_data(as_text=True)
    assert post_form(client, url, {"name": "Luleå kommun", "code": "2580"}).status_code == 302
    db.session.refresh(world.municipality_a)
    assert world.municipality_a.name == "Luleå kommun"


def _listed(html: str) -> list[str]:
    """The school names in the list's table, in order."""
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'/samordnare/skolor/\d+">([^<]+)</a>', table)


def test_the_school_list_comes_a_page_at_a_time_and_finds_by_name_code_or_municipality(
        client, login_as, db, world):
    """A country has 1,400 schools: the list shows 50 a page, and the search finds a school
    by its name, its unit code or its municipality (Piteå's is Skola B)."""
    for n in range(58):
        factories.SchoolFactory(name=f"Norra skolan {n:02d}", municipality=world.municipality_a)
    factories.SchoolFactory(name="Kodskolan", unit_code="12345678",
                            municipality=world.municipality_a)
    db.session.commit()
    login_as("coordinator")
    first = client.get("/samordnare/skolor").get_data(as_text=True)
    assert len(_listed(first)) == 50 and _listed(first)[0] == "Kodskolan"
    assert "61 skolor" in first and "Sida 1 av 2" in first
    second = client.get("/samordnare/skolor?sida=2").get_data(as_text=True)
    assert _listed(second) == [f"Norra skolan {n}" for n in range(49, 58)] + [
        "Skola A", "Skola B"]
    assert _listed(client.get("/samordnare/skolor?q=pite").get_data(as_text=True)) == [
        "Skola B"]
    assert _listed(client.get("/samordnare/skolor?q=345").get_data(as_text=True)) == [
        "Kodskolan"]
    none = client.get("/samordnare/skolor?q=%25_x").get_data(as_text=True)
    assert "Ingen skola matchar sökningen." in none and "<tbody>" not in none
    for odd in ("sida=abc", "sida=%EF%BC%92", "sida=99999999999999", "q=" + "x" * 100_000):
        assert client.get(f"/samordnare/skolor?{odd}").status_code == 200

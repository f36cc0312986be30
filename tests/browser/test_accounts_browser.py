"""The coordinator's invite and access forms in Chromium: only the chosen role's field, and a
search box over a long list of schools."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from portal.accounts.models import User
from portal.extensions import db
from portal.schools.models import Municipality, School
from tests.browser.support import PHONE, assert_accessible, assert_fits_width

pytestmark = pytest.mark.browser


def test_the_invite_form_shows_only_the_chosen_roles_field(
        page_as: Callable[..., Page]) -> None:
    page = page_as("coordinator")
    page.goto("/anvandare/bjud-in")
    schools = page.get_by_role("group", name="Skolor (för studie- och yrkesvägledare)")
    municipality = page.get_by_label("Kommun (för samverkansrådet)")
    role = page.get_by_label("Roll", exact=True)
    # No role yet: both fields, each saying whom it is for.
    expect(schools).to_be_visible()
    expect(municipality).to_be_visible()

    role.select_option("counsellor")
    expect(schools).to_be_visible()
    expect(municipality).to_be_hidden()

    role.select_option("council")
    expect(schools).to_be_hidden()
    expect(municipality).to_be_visible()

    role.select_option("coordinator")
    expect(schools).to_be_hidden()
    expect(municipality).to_be_hidden()
    # Sent back with an error, the chosen role still shows only its own field.
    role.select_option("council")
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_role("alert")).to_contain_text("Fyll i namnet.")
    expect(schools).to_be_hidden()
    expect(municipality).to_be_visible()
    assert_accessible(page, "invite form, council chosen")


@pytest.fixture
def many_schools(live_app: Flask) -> Iterator[None]:
    """Fourteen more schools in the demo's first municipality, gone after the test."""
    with live_app.app_context():
        municipality = db.session.scalars(select(Municipality).order_by(Municipality.id)).first()
        assert municipality is not None
        db.session.add_all(School(municipality=municipality, name=f"Provskola {n}",
                                  unit_code=f"9{n:07d}") for n in range(1, 15))
        db.session.commit()
        db.session.remove()
    yield
    with live_app.app_context():
        db.session.execute(delete(School).where(School.name.like("Provskola %")))
        db.session.commit()
        db.session.remove()


def _counsellor_id(live_app: Flask) -> int:
    with live_app.app_context():
        found = db.session.scalar(select(User.id).where(
            User.email == "syv.bergsskolan@demo.praoportalen.se"))
        db.session.remove()
    assert found is not None
    return found


def _school(number: int) -> re.Pattern[str]:
    return re.compile(rf"^Provskola {number} \(")


@pytest.mark.usefixtures("many_schools")
def test_a_long_school_list_can_be_searched_on_a_phone_in_english(
        page_as: Callable[..., Page], live_app: Flask) -> None:
    page = page_as("coordinator", **PHONE)
    page.goto(f"/sprak/en?next=/anvandare/{_counsellor_id(live_app)}")
    schools = page.get_by_role("group", name="Schools (for careers counsellors)")
    expect(schools).to_be_visible()
    expect(page.get_by_label("Municipality (for the collaboration council)")).to_be_hidden()
    search = page.get_by_label("Find a school in the list")
    ticked = schools.get_by_label("Bergsskolan", exact=False)
    expect(ticked).to_be_checked()

    search.fill("provskola 1")
    for shown in (1, 10, 14):
        expect(schools.get_by_text(_school(shown))).to_be_visible()
    expect(schools.get_by_text(_school(2))).to_be_hidden()
    # The school already ticked stays in sight, whatever is typed.
    expect(ticked).to_be_visible()

    search.fill("")
    expect(schools.get_by_text(_school(2))).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page, "account page with a school search (phone, English)")

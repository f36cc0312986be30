"""The pupil's wish page on a phone in real Chromium: choose, reorder, no axe violation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.schools.models import Enrolment, Student
from portal.schools.pupils.services import make_link_token
from tests.browser.support import PHONE, assert_accessible

pytestmark = pytest.mark.browser


def _pupil_path(app: Flask, external_id: str) -> str:
    with app.test_request_context():
        enrolment = db.session.scalars(select(Enrolment).join(Student).where(
            Student.external_id == external_id)).one()
        path = "/elev/" + make_link_token(enrolment)
        db.session.remove()
    return path


def test_pupil_chooses_and_reorders_on_a_phone(new_page: Callable[..., Page],
                                               live_app: Flask) -> None:
    page = new_page(**PHONE)
    page.goto(_pupil_path(live_app, "D-1004"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hej Fatima!")
    assert_accessible(page, "pupil page, no wishes (phone)")

    page.get_by_role("button", name="Lägg till som val 1: Snickare på bygget").click()
    page.get_by_role("button", name="Lägg till som val 2: Undersköterska i hemtjänsten").click()
    choices = page.locator("#mina-val ol > li")
    expect(choices).to_have_count(2)
    expect(choices.first).to_contain_text("Snickare på bygget")

    page.get_by_role("button", name="Upp: Undersköterska i hemtjänsten").click()
    expect(page.locator("#mina-val ol > li").first).to_contain_text(
        "Undersköterska i hemtjänsten")
    expect(page.get_by_role("heading", name="Mina val (2 av 5)")).to_be_visible()
    assert_accessible(page, "pupil page with wishes (phone)")


def test_own_placement_form_is_accessible(new_page: Callable[..., Page],
                                          live_app: Flask) -> None:
    page = new_page(**PHONE)
    page.goto(_pupil_path(live_app, "D-1005") + "/egen-plats")
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_role("alert")).to_contain_text("Formuläret behöver rättas")
    assert_accessible(page, "own placement form with errors (phone)")

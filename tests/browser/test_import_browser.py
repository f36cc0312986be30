"""The pupil import on a phone in real Chromium: a file with a bad row, then a clean one to
preview, with no axe-core violation on either page. Nothing is saved, so the demo region the
other browser tests use stays as it is."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.schools.models import School
from tests.browser.support import PHONE, assert_accessible
from tests.schools.import_files import csv_bytes, pupils

pytestmark = pytest.mark.browser


def _school_id(app: Flask, unit_code: str = "12345678") -> int:
    with app.app_context():
        school_id = db.session.scalars(select(School.id).filter_by(unit_code=unit_code)).one()
        db.session.remove()
    return school_id


def _choose(page: Page, content: bytes, name: str = "elever.csv") -> None:
    page.get_by_label("Fil från skolans elevsystem").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Förhandsgranska").click()


def test_counsellor_uploads_and_previews_on_a_phone(page_as: Callable[..., Page],
                                                    live_app: Flask) -> None:
    page = page_as("counsellor", **PHONE)
    page.goto(f"/skolor/{_school_id(live_app)}/elever/importera")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importera elever")
    assert_accessible(page, "import upload page (phone)")

    rows = pupils(30, start=9000)
    rows[4]["E-post"] = "inte en adress"
    _choose(page, csv_bytes(rows, encoding="cp1252"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("1 rad i filen behöver rättas")
    alert.get_by_role("link", name="Rad 6").click()
    expect(page).to_have_url(re.compile(r"#rad-6$"))
    expect(page.locator("#rad-6")).to_contain_text("inte en adress")
    assert_accessible(page, "import with a bad row (phone)")

    _choose(page, csv_bytes(pupils(30, start=9000)))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Förhandsgranska")
    expect(page.get_by_role("row", name="Nya elever 30")).to_be_visible()
    expect(page.get_by_role("button", name="Spara elevlistan")).to_be_visible()
    assert_accessible(page, "import preview (phone)")

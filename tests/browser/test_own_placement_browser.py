"""A pupil's own placement at a known organisation, in real Chromium: the pupil asks, the
organisation's employer answers on a page of their own, and neither page has an axe
violation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.support import PHONE, ROLES, assert_accessible, log_in, pupil_path

pytestmark = pytest.mark.browser


def test_pupil_asks_a_known_organisation_which_declines(new_page: Callable[..., Page],
                                                         live_app: Flask) -> None:
    pupil = new_page(**PHONE)
    link = pupil_path(live_app, "D-1003")
    pupil.goto(link + "/egen-plats")
    for label, value in [("Arbetsplatsens namn", "Norrbottens Bygg"),
                         ("Organisationsnummer", "556677-8899"), ("Adress", "Industrigatan 4"),
                         ("Postnummer", "973 45"), ("Ort", "Luleå"),
                         ("Kontaktperson på arbetsplatsen", "Anders Byggare"),
                         ("Kontaktpersonens e-post", "anders@exempel.se"),
                         ("Kontaktpersonens telefon", "070-111 22 33"),
                         ("Vad ska du göra där?", "Bygga")]:
        pupil.get_by_label(label, exact=True).fill(value)
    pupil.get_by_role("button", name="Skicka").click()
    expect(pupil.get_by_text("vi har bett dem bekräfta")).to_be_visible()
    expect(pupil.get_by_text("Nu väntar vi på att de bekräftar det")).to_be_visible()
    assert_accessible(pupil, "pupil page, own placement waiting (phone)")

    employer = new_page()
    log_in(employer, ROLES["employer"].email)
    employer.goto("/arbetsgivare/egna-praoplatser")
    expect(employer.get_by_role("heading", level=2)).to_contain_text("Ørjan Nilsen")
    assert_accessible(employer, "own placement requests")
    employer.get_by_role("button", name="Avböj Ørjan Nilsen").click()
    expect(employer.get_by_text("Ni har avböjt.")).to_be_visible()
    expect(employer.get_by_text("Inga elever väntar på besked.")).to_be_visible()

    pupil.goto(link)
    expect(pupil.get_by_text("kunde inte bekräfta din egen praoplats")).to_be_visible()
    assert_accessible(pupil, "pupil page, own placement declined (phone)")

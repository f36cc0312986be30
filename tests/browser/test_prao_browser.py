"""The prao process on a phone in real Chromium: the employer confirms or declines on the
start page, the supervisor through the link, the pupil reads day one, the counsellor reads
the checklist; no axe violation anywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.prao.links import supervisor_token
from portal.schools.models import PraoPeriod, School
from portal.schools.pupils.services import make_link_token
from tests import factories
from tests.browser.support import PHONE, ROLES, assert_accessible, assert_fits_width

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Proposed:
    period_id: int
    supervisor_path: str
    pupil_path: str


def _propose(app: Flask, first_names: tuple[str, ...]) -> Proposed:
    """New pupils of the demo counsellor's school proposed to the demo employer, so the
    demo's own pupils keep their state for the other browser tests."""
    with app.test_request_context():
        employer = db.session.scalars(select(User).filter_by(
            email=ROLES["employer"].email)).one()
        period = db.session.scalars(select(PraoPeriod).join(School).where(
            School.unit_code == "12345678", PraoPeriod.name.startswith("Prao vt"))).one()
        placement = factories.PlacementFactory(organisation=employer.organisation,
                                               title=f"Lagret {first_names[0]}")
        offer = factories.PlacementOfferFactory(
            placement=placement, seats=len(first_names), seats_taken=len(first_names),
            first_week=period.first_day, last_week=period.last_day)
        made = [factories.AssignmentFactory(
            offer=offer, placement=placement, enrolment__period=period,
            enrolment__student__school=period.school,
            enrolment__student__first_name=name) for name in first_names]
        db.session.commit()
        token = supervisor_token(placement.id, [a.id for a in made], period.last_day)
        result = Proposed(period.id, f"/handledare/{token}",
                          "/elev/" + make_link_token(made[0].enrolment))
        db.session.remove()
    return result


def test_employer_confirms_and_declines_on_a_phone(page_as: Callable[..., Page],
                                                   live_app: Flask) -> None:
    _propose(live_app, ("Ines", "Oskar"))
    page = page_as("employer", **PHONE)
    page.goto("/arbetsgivare")
    ines = page.locator("li", has=page.get_by_role("heading", name="Ines Svensson"))
    expect(ines).to_contain_text("årskurs 8")
    assert_accessible(page, "employer start page with pupils (phone)")

    oskar = page.locator("li", has=page.get_by_role("heading", name="Oskar Svensson"))
    oskar.get_by_role("button", name=re.compile("Tacka nej.*Oskar Svensson")).click()
    expect(page.get_by_text("Skriv varför ni tackar nej")).to_be_visible()
    # Beside the field on the start page, where the employer was (not on the pupils' page).
    expect(page.get_by_role("heading", level=1)).to_have_text("Arbetsgivarens startsida")
    expect(page.get_by_label("Skäl om ni tackar nej").last).to_have_attribute(
        "aria-invalid", "true")
    assert_accessible(page, "decline without a reason (phone)")

    page.goto("/arbetsgivare")
    page.get_by_role("button", name=re.compile("Bekräfta.*Ines Svensson")).click()
    expect(page.get_by_text("Tack! Ines Svensson är bekräftad.")).to_be_visible()


def test_supervisor_pupil_and_checklist_pages_on_a_phone(new_page: Callable[..., Page],
                                                         page_as: Callable[..., Page],
                                                         live_app: Flask) -> None:
    proposed = _propose(live_app, ("Tove",))
    page = new_page(**PHONE)
    page.goto(proposed.supervisor_path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Praoelever till")
    assert_accessible(page, "supervisor link page (phone)")
    page.get_by_role("button", name=re.compile("Bekräfta.*Tove Svensson")).click()
    expect(page.get_by_text("Tack! Tove Svensson är bekräftad.")).to_be_visible()
    assert_accessible(page, "supervisor link page after confirming (phone)")

    page.goto(proposed.pupil_path)
    expect(page.get_by_role("heading", name="Din praoplats")).to_be_visible()
    assert_accessible(page, "pupil page with a placement (phone)")

    counsellor = page_as("counsellor", **PHONE)
    counsellor.goto(f"/perioder/{proposed.period_id}/checklista")
    expect(counsellor.get_by_role("row", name="Tove Svensson")).to_be_visible()
    assert_accessible(counsellor, "checklist (phone)")
    # The wide table scrolls in its own region; the page itself stays phone-wide.
    assert_fits_width(counsellor)


def test_a_tick_made_by_mistake_is_undone_from_the_checklist(page_as: Callable[..., Page],
                                                             live_app: Flask) -> None:
    proposed = _propose(live_app, ("Vera",))
    counsellor = page_as("counsellor")
    counsellor.goto(f"/perioder/{proposed.period_id}/checklista")
    tick = counsellor.get_by_role("button", name=re.compile(
        r"Bocka av\s*: Eleven förberedd i klassen, Vera Svensson"))
    tick.click()
    expect(counsellor.get_by_text("Steget är avbockat.")).to_be_visible()
    undo = counsellor.get_by_role("button", name=re.compile(
        r"Ångra\s*: Eleven förberedd i klassen, Vera Svensson"))
    undo.focus()
    assert_accessible(counsellor, "checklist with an undo on a green cell, focused")
    undo.click()
    expect(counsellor.get_by_text("Avbockningen är ångrad.")).to_be_visible()
    expect(tick).to_be_visible()

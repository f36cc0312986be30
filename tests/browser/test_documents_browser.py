"""The guardian's acknowledgement, the certificate's public verification and the
counsellor's letter and certificate pages on a 390 px phone in real Chromium, with no axe
violation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.prao.certificates import services as certificates
from portal.prao.guardians import services as guardians
from portal.prao.models import GuardianNotice, NoticeChannel
from portal.schools.models import School, Student
from tests.browser.support import PHONE, assert_accessible, assert_fits_width
from tests.conftest import World
from tests.prao.documents.support import PRAO_DAYS, make_assignment, report

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Documents:
    assignment_id: int
    code: str
    guardian_path: str


def _make(app: Flask) -> Documents:
    """A finished prao at the demo's Bergsskolan (Bo Berg's school) with its certificate,
    and a guardian letter sent by email."""
    with app.test_request_context():
        school = db.session.scalars(select(School).filter_by(unit_code="12345678")).one()
        world = World(school.municipality, None, school, None, None, None, {})
        assignment = make_assignment(world, first_name="Nguyễn", last_name="Dokument")
        # An address as long as real ones are: it must wrap on a phone, not widen the page.
        assignment.placement.supervisor_email = "johan.eker@cykelverkstaden-i-lulea.exempel.se"
        student = db.session.get(Student, assignment.enrolment.student_id)
        student.external_id = f"DOC-{assignment.id}"
        for day in PRAO_DAYS:
            report(assignment, day)
        notice = GuardianNotice(enrolment_id=assignment.enrolment_id,
                                assignment_id=assignment.id, channel=NoticeChannel.EMAIL,
                                email=student.guardian_email, sent_at=clock.now())
        db.session.add(notice)
        db.session.commit()
        clock.set_now(datetime(2027, 3, 29, 9, 0, tzinfo=clock.STOCKHOLM))
        try:
            certificate, _ = certificates.issue(assignment, _counsellor(), clock.today())
        finally:
            clock.set_now(None)
        made = Documents(assignment.id, certificate.code,
                         "/vardnadshavare/" + guardians.make_token(notice, "sv"))
        db.session.remove()
    return made


def _counsellor():  # noqa: ANN202 - a User
    from portal.accounts.models import User
    from tests.browser.support import ROLES

    return db.session.scalars(select(User).filter_by(email=ROLES["counsellor"].email)).one()


@pytest.fixture(scope="module")
def documents(live_app: Flask) -> Documents:
    return _make(live_app)


def test_a_guardian_acknowledges_on_a_phone(new_page: Callable[..., Page],
                                            documents: Documents) -> None:
    page = new_page(**PHONE)
    page.goto(documents.guardian_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Information till vårdnadshavare om prao")
    assert_accessible(page, "guardian letter with the acknowledge button (phone)")
    expect(page.get_by_text("johan.eker@cykelverkstaden-i-lulea.exempel.se")).to_be_visible()
    assert_fits_width(page)
    page.get_by_role("button", name="Jag har tagit del av riskinformationen").click()
    expect(page.get_by_role("status").filter(has_text="Tack!")).to_be_visible()
    assert_accessible(page, "guardian letter, acknowledged (phone)")


def test_anyone_checks_a_certificate_on_a_phone(new_page: Callable[..., Page],
                                                documents: Documents) -> None:
    page = new_page(**PHONE)
    page.goto("/intyg")
    assert_accessible(page, "verification form (phone)")
    page.get_by_label("Kontrollkod").fill(certificates.grouped(documents.code).lower())
    page.get_by_role("button", name="Kontrollera").click()
    expect(page.get_by_role("heading", name="Intyget är äkta")).to_be_visible()
    expect(page.get_by_text("Nguyễn Dokument")).to_be_visible()
    assert_accessible(page, "verified certificate (phone)")
    page.goto("/intyg/" + "A" * 26)
    expect(page.get_by_text("Det finns inget praointyg med den koden")).to_be_visible()
    assert_accessible(page, "unknown certificate code (phone)")


def test_the_counsellors_certificate_and_letter_pages_on_a_phone(
        page_as: Callable[..., Page], documents: Documents) -> None:
    page = page_as("counsellor", **PHONE)
    page.goto(f"/uppdrag/{documents.assignment_id}/intyg")
    expect(page.get_by_role("heading", level=1)).to_have_text("Praointyg: Nguyễn Dokument")
    expect(page.get_by_role("link", name="Ladda ner intyget som PDF")).to_be_visible()
    assert_accessible(page, "counsellor's certificate page (phone)")
    page.goto(f"/uppdrag/{documents.assignment_id}/vardnadshavarbrev")
    expect(page.get_by_role("button", name="Skriv ut brevet")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page, "counsellor's guardian letter (phone)")
    page.get_by_role("link", name="Tillbaka till vårdnadshavarbreven").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brev till vårdnadshavare")
    assert_accessible(page, "counsellor's guardian letters of the period (phone)")

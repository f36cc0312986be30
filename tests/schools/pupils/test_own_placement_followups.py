"""A pupil's own placement at a workplace new to the portal, after the coordinator's
approval: what its contact (who has no account) is emailed, what the counsellor is told when
the link goes out again, and what the employer's and the counsellor's pages offer."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from portal.notifications.models import OutboxEmail
from portal.notifications.worker import send_due
from tests.conftest import post_form
from tests.schools.pupils.test_own_placement_vouched import (
    CONTACT,
    IN_WINDOW,
    _approve,
    _enrolment_url,
    _register,
    _staff,
    pupil,  # noqa: F401  (a fixture)
)


def _emails_to(db, address: str) -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.recipient == address).order_by(OutboxEmail.id)))


@freeze_time(IN_WINDOW)
def test_the_contact_gets_one_email_on_approval_that_says_what_to_do(
        app, client, db, world, pupil, mailbox):  # noqa: F811
    _enrolment, link = pupil
    _counsellor, coordinator = _staff(app, world)
    _register(client, link)
    _approve(coordinator, db)
    send_due()
    # One email: the risk-assessment link, saying the workplace is approved; no "approved,
    # log in" beside it for a contact who has no account to log in to.
    (email,) = _emails_to(db, CONTACT)
    assert email.kind == "own_placement"
    body = email.body_text
    assert "har nu kontrollerat uppgifterna om Mormors bageri" in body
    assert "/egen-praoplats/" in body and "/logga-in" not in body
    assert "Mer behöver ni inte göra nu." in body and "/arbetsgivare/registrera" in body
    assert len(mailbox.to(CONTACT)) == 1


RECENT = ("Länken till riskbedömningen skickades till arbetsplatsen för en stund sedan, så den "
          "skickades inte igen nu.")
SENT_AGAIN = "Länken till riskbedömningen är skickad till arbetsplatsen igen."


@freeze_time(IN_WINDOW)
def test_sending_again_right_after_the_approval_says_it_went_a_moment_ago(
        app, client, db, world, pupil):  # noqa: F811
    enrolment, link = pupil
    counsellor, coordinator = _staff(app, world)
    _register(client, link)
    _approve(coordinator, db)
    # Within the minute of the approval's email: nothing is sent, and the page says so.
    page = post_form(counsellor, _enrolment_url(enrolment) + "/egen-plats",
                     {"action": "resend"}, follow_redirects=True).get_data(as_text=True)
    assert RECENT in page and SENT_AGAIN not in page
    assert [e.kind for e in _emails_to(db, CONTACT)] == ["own_placement"]
    # Later it goes, and the page says that.
    with freeze_time("2027-01-20 00:10"):
        page = post_form(counsellor, _enrolment_url(enrolment) + "/egen-plats",
                         {"action": "resend"}, follow_redirects=True).get_data(as_text=True)
    assert SENT_AGAIN in page and RECENT not in page
    assert [e.kind for e in _emails_to(db, CONTACT)] == ["own_placement", "own_placement"]

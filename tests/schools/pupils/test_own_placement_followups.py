"""A pupil's own placement at a workplace new to the portal, after the coordinator's
approval: what its contact (who has no account) is emailed, what the counsellor is told when
the link goes out again, and what the employer's and the counsellor's pages offer."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from portal.notifications.models import OutboxEmail
from portal.notifications.worker import send_due
from tests.schools.pupils.test_own_placement_vouched import (
    CONTACT,
    IN_WINDOW,
    _approve,
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


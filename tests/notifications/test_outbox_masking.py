"""The outbox never shows a live secret link: whoever reads it (a coordinator, or someone
holding a coordinator's session) sees that a link was sent and to whom, never the link."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.notifications.models import OutboxEmail
from portal.schools.pupils import services as schools
from tests import factories
from tests.conftest import post_form

LINK_RE = re.compile(r"http://portal\.test/\S+")


def _reset(app, world, client) -> None:
    post_form(client, "/losenord/glomt", {"email": world.users["council"].email})


def _invitation(app, world, client) -> None:
    with app.test_request_context():
        accounts.invite_user(world.users["coordinator"], email="ny@skola.se", name="Ny Person",
                             role=Role.COUNCIL)


def _verification(app, world, client) -> None:
    with app.test_request_context():
        accounts.send_verification(world.users["employer"])


def _pupil_link(app, world, client) -> None:
    period = factories.PraoPeriodFactory(school=world.school_a)
    factories.EnrolmentFactory(period=period, student__email="elev@skola.se")
    with app.test_request_context():
        schools.email_links(period, world.users["counsellor"], date(2027, 1, 20))


@pytest.mark.parametrize(("send", "kind", "path"), [
    (_reset, "password_reset", "/losenord/aterstall/"),
    (_invitation, "invitation", "/inbjudan/"),
    (_verification, "verify_email", "/arbetsgivare/bekrafta/"),
    (_pupil_link, "pupil_link", "/elev/"),
])
def test_secret_links_are_masked_in_the_outbox(app, client, db, world, login_as, send, kind,
                                               path):
    send(app, world, client)
    email = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind)).one()
    [link] = [link for link in LINK_RE.findall(email.body_text) if path in link]
    token = link.split(path, 1)[1]
    login_as("coordinator")
    for page in (client.get("/utkorg"), client.get(f"/utkorg/{email.id}")):
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert token not in html and path not in html
    detail = client.get(f"/utkorg/{email.id}").get_data(as_text=True)
    assert f"[personlig länk till {email.recipient} – visas inte i utkorgen]" in detail
    assert email.recipient in detail


def test_ordinary_links_stay_readable(client, db, login_as):
    email = factories.OutboxEmailFactory(
        body_text="Logga in på http://portal.test/logga-in och läs mer på "
                  "http://portal.test/praoplatser.")
    db.session.commit()
    login_as("coordinator")
    detail = client.get(f"/utkorg/{email.id}").get_data(as_text=True)
    assert "http://portal.test/logga-in" in detail and "http://portal.test/praoplatser" in detail
    assert "visas inte" not in detail

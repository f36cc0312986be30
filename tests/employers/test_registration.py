"""Employer self-registration: once, verified by email, never a duplicate organisation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from wtforms import StringField

from portal.accounts.models import Role, User
from portal.employers.models import JoinRequest, Organisation, OrganisationStatus
from portal.employers.orgnr import normalize_org_number, org_number_problem
from portal.formtools import PortalForm
from portal.notifications.models import OutboxEmail
from portal.notifications.worker import send_due
from tests import factories as factories_module
from tests.conftest import login, post_form, summary_and_page_order

PASSWORD = "kanelbullar och kaffe varje fredag"
VERIFY_RE = re.compile(r"http://portal\.test(/arbetsgivare/bekrafta/[^\s\"<]+)")


def _form(world, **overrides):
    return {"organisation_name": "Kaffe & Kaka AB", "org_number": "556123-4500",
            "sector": "hospitality", "visiting_address": "Storgatan 12", "postal_code": "972 31",
            "city": "Luleå", "municipality": str(world.municipality_a.id),
            "contact_name": "Karin Kaffe", "email": "karin@kaffe.se", "phone": "070-123 45 67",
            "password": PASSWORD, "confirm": PASSWORD, **overrides}


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("raw", "expected"), [
    ("556123-4500", "556123-4500"),
    ("5561234500", "556123-4500"),
    ("800101-1238", None),   # wrong check digit
    ("811218-9876", "811218-9876"),  # a sole trader's personnummer, valid check digit
])
def test_org_number_luhn(raw, expected):
    assert normalize_org_number(raw) == expected


@pytest.mark.parametrize(("raw", "problem"), [
    ("55612-34500", "format"), ("556123-450", "format"), ("abcdef-ghij", "format"),
    ("556123-4501", "check"), ("556123-4500", None),
])
def test_org_number_problems(raw, problem):
    assert org_number_problem(raw) == problem


def test_registration_creates_pending_organisation_and_verifies_by_email(client, world, db,
                                                                        mailbox):
    response = post_form(client, "/arbetsgivare/registrera", _form(world))
    assert response.status_code == 302
    organisation = db.session.scalars(select(Organisation).filter_by(
        org_number="556123-4500")).one()
    assert organisation.status is OrganisationStatus.PENDING
    assert organisation.name == "Kaffe & Kaka AB" and organisation.city == "Luleå"
    user = db.session.scalars(select(User).filter_by(email="karin@kaffe.se")).one()
    assert user.role is Role.EMPLOYER and user.organisation_id == organisation.id

    # Not yet verified: the right password gets a new link, not a session.
    refused = login(client, "karin@kaffe.se", PASSWORD)
    assert refused.status_code == 200
    assert "Bekräfta din e-postadress" in refused.get_data(as_text=True)

    send_due()
    link = VERIFY_RE.search(mailbox.to("karin@kaffe.se")[-1].get_body(
        preferencelist=("plain",)).get_content()).group(1)
    assert client.get(link).status_code == 302
    assert login(client, "karin@kaffe.se", PASSWORD).status_code == 302
    assert "Väntar på att samordnaren" in client.get("/arbetsgivare").get_data(as_text=True)


def test_known_org_number_becomes_a_join_request_not_a_duplicate(client, world, db, mailbox):
    existing = world.organisation_a
    member = world.users["employer"]
    response = post_form(client, "/arbetsgivare/registrera",
                         _form(world, org_number=existing.org_number.replace("-", ""),
                               organisation_name="Ett annat namn"))
    assert response.headers["Location"].endswith("typ=join")
    assert _count(db, Organisation) == 2
    join = db.session.scalars(select(JoinRequest)).one()
    assert join.organisation_id == existing.id and join.user.organisation_id is None
    send_due()
    [notice] = mailbox.to(member.email)
    assert "vill gå med i Arbetsgivare A" in notice["Subject"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("org_number", "556123-4501", "kontrollsiffran är fel"),
    ("org_number", "12345", "tio siffror"),
    ("postal_code", "9723", "123 45"),
    ("phone", "ring mig", "med siffror"),
    ("sector", "nonsense", "Välj ett av alternativen i listan."),
    ("organisation_name", "x" * 201, "Högst 200 tecken"),
    ("password", "sommar2024", "minst 12 tecken"),
    ("email", "inte-en-adress", "namn@exempel.se"),
    # The SMTP envelope carries only ASCII before the @: the welcome email could never go.
    ("email", "åsa@kaffe.se", "E-post kan inte skickas till en adress med å, ä, ö"),
])
def test_bad_input_is_explained_beside_the_field_and_nothing_is_saved(client, world, db,
                                                                     field, value, message):
    before = (_count(db, Organisation), _count(db, User), _count(db, OutboxEmail))
    response = post_form(client, "/arbetsgivare/registrera", _form(world, **{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html
    assert message in html
    assert (_count(db, Organisation), _count(db, User), _count(db, OutboxEmail)) == before


def test_typed_values_are_kept_after_an_error(client, world):
    response = post_form(client, "/arbetsgivare/registrera", _form(world, phone="x"))
    html = response.get_data(as_text=True)
    assert 'value="Kaffe &amp; Kaka AB"' in html and 'value="karin@kaffe.se"' in html


def test_html_in_the_name_is_shown_as_text(client, world, db, login_as):
    post_form(client, "/arbetsgivare/registrera",
              _form(world, organisation_name="<script>alert(1)</script>"))
    login_as("coordinator")
    html = client.get("/samordnare/granskning").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


def test_tampered_verification_link_is_refused(client, world):
    response = client.get("/arbetsgivare/bekrafta/inte-en-riktig-lank")
    assert response.status_code == 400
    assert "Länken är inte giltig" in response.get_data(as_text=True)


def test_the_contact_of_a_pupils_own_workplace_joins_it_directly(client, world, db):
    """A pupil registered the workplace; its named contact then registers with that address."""
    workplace = factories_module.OrganisationFactory(
        status=OrganisationStatus.PENDING, org_number="556123-4500",
        contact_email="karin@kaffe.se")
    db.session.commit()
    response = post_form(client, "/arbetsgivare/registrera", _form(world))
    assert response.headers["Location"].endswith("typ=new")
    user = db.session.scalars(select(User).filter_by(email="karin@kaffe.se")).one()
    assert user.organisation_id == workplace.id
    assert db.session.scalars(select(JoinRequest)).first() is None
    assert _count(db, Organisation) == 3  # no duplicate


def test_the_error_summary_of_an_empty_registration_follows_the_page(client, world):
    """The organisation's name comes first on the page, the password fields last: so in the
    list of what to correct."""
    response = post_form(client, "/arbetsgivare/registrera", {})
    page = response.get_data(as_text=True)
    listed, on_page = summary_and_page_order(page)
    assert listed == on_page
    assert listed[0] == "organisation_name" and listed[-2:] == ["password", "confirm"]
    start = page.index('id="felsammanfattning"')
    summary = page[start:page.index("</ul>", start)]
    assert summary.index("Organisationens namn") < summary.index("Nytt lösenord")


def test_a_field_order_names_only_fields_of_the_form(app):
    class Broken(PortalForm):
        name = StringField()
        field_order = ("nmae",)

    with app.test_request_context(), pytest.raises(TypeError, match="nmae"):
        Broken(meta={"csrf": False})

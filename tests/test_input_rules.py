"""Text from a browser is normalised in one place (portal/inputs.py, PortalForm in
portal/formtools.py): NFKC, so full-width digits are the same number; ASCII digits only in
codes; control characters, bidi overrides and undecodable bytes refused beside the field;
line breaks refused in single-line fields and kept out of every email."""

from __future__ import annotations

import io
import json
import urllib.parse
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.accounts.models import User
from portal.employers.models import JoinRequest, Organisation, Placement
from portal.employers.services import request_join
from portal.inputs import _decoded_pairs, unquote_plus
from portal.notifications.models import OutboxEmail
from portal.schools.models import Municipality, OwnPlacementRequest, PupilImport, School
from portal.textrules import Problem, normalise, text_problem
from tests import factories
from tests.conftest import csrf_token, post_form
from tests.employers.test_registration import _form as registration_form

FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789-"})
ARABIC_INDIC = str.maketrans({c: chr(0x0660 + int(c)) for c in "0123456789"})


def full_width(text: str) -> str:
    """'556677-8899' as typed on a Japanese or Chinese keyboard: '５５６６７７－８８９９'."""
    return text.translate(FULL_WIDTH)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the rules themselves ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "multiline", "problem"), [
    ("Kaffe & Kaka AB", False, None),
    ("Åsa Öberg-Ängström", False, None),
    ("rad ett\nrad två\tmed tabb", True, None),
    ("rad ett\nrad två", False, Problem.LINE_BREAK),
    ("rad ett\rrad två", False, Problem.LINE_BREAK),
    ("rad ett\u2028rad två", False, Problem.LINE_BREAK),
    ("namn\tefternamn", False, Problem.CONTROL),
    ("nul\x00byte", True, Problem.CONTROL),
    ("bell\x07", False, Problem.CONTROL),
    ("c1\x85control", True, None),  # NEL is a line break: allowed in multi-line text only
    ("c1\x9bcontrol", True, Problem.CONTROL),
    ("abc\u202egpj.exe", False, Problem.CONTROL),  # right-to-left override
    ("abc\u2066isolate", True, Problem.CONTROL),
    ("trasig \ufffd byte", False, Problem.UNREADABLE),
    ("lone \udcff surrogate", True, Problem.UNREADABLE),
    ("emoji 👩‍🍳 with a joiner", False, None),
])
def test_text_problem(text, multiline, problem):
    assert text_problem(text, multiline) is problem


@pytest.mark.parametrize(("typed", "multiline", "kept"), [
    (full_width("556677-8899"), False, "556677-8899"),
    ("ｋｏｃｋ", False, "kock"),
    ("ﬁska", False, "fiska"),
    ("972\u00a031", False, "972 31"),  # a no-break space
    ("rad ett\r\nrad två\rrad tre", True, "rad ett\nrad två\nrad tre"),
    ("Åsa", False, "Åsa"),
])
def test_normalise(typed, multiline, kept):
    assert normalise(typed, multiline) == kept


# --- full-width digits are the same number, not a look-alike --------------------------------

def test_full_width_org_number_of_a_known_organisation_is_a_join_request(client, world, db):
    existing = world.organisation_a
    response = post_form(client, "/arbetsgivare/registrera", registration_form(
        world, org_number=full_width(existing.org_number), organisation_name="Look-alike AB",
        postal_code=full_width("972 31"), phone=full_width("070-123 45 67")))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("typ=join")
    assert count(db, Organisation) == 2
    join = db.session.scalars(select(JoinRequest)).one()
    assert join.organisation_id == existing.id
    assert join.user.phone == "070-123 45 67"


def test_full_width_org_number_of_a_new_organisation_is_stored_in_ascii(client, world, db):
    response = post_form(client, "/arbetsgivare/registrera", registration_form(
        world, org_number=full_width("556123-4500"), postal_code=full_width("97231")))
    assert response.status_code == 302
    organisation = db.session.scalars(select(Organisation).filter_by(
        org_number="556123-4500")).one()
    assert organisation.postal_code == "97231"


def test_full_width_org_number_in_an_own_placement_finds_the_organisation(app, client, world,
                                                                          db):
    from portal.schools.pupils.services import make_link_token

    period = factories.PraoPeriodFactory(school=world.school_a)
    enrolment = factories.EnrolmentFactory(period=period)
    db.session.commit()
    with app.test_request_context():
        link = f"/elev/{make_link_token(enrolment)}/egen-plats"
    response = post_form(client, link, {
        "workplace": "Arbetsgivare A", "org_number": full_width(world.organisation_a.org_number),
        "address": "Gatan 1", "postal_code": full_width("972 31"), "city": "Luleå",
        "contact_name": "Kim", "contact_email": "kim@bageriet.se",
        "contact_phone": "070-123 45 67", "tasks": "Baka bröd."})
    assert response.status_code == 302
    assert count(db, Organisation) == 2  # no look-alike of organisation A
    own = db.session.scalars(select(OwnPlacementRequest)).one()  # its contacts decide
    assert own.organisation_id == world.organisation_a.id
    assert own.postal_code == "972 31"


def test_full_width_codes_are_stored_in_ascii(client, world, db, login_as):
    login_as("coordinator")
    response = post_form(client, "/samordnare/kommuner",
                         {"name": "Boden", "code": full_width("2582")})
    assert response.status_code == 302
    assert db.session.scalars(select(Municipality).filter_by(name="Boden")).one().code == "2582"
    response = post_form(client, "/samordnare/skolor", {
        "name": "Nya skolan", "unit_code": full_width("87654321"),
        "municipality": str(world.municipality_a.id)})
    assert response.status_code == 302
    assert db.session.scalars(select(School).filter_by(name="Nya skolan")).one().unit_code \
        == "87654321"


@pytest.mark.parametrize(("url", "data", "field", "message"), [
    ("/samordnare/kommuner", {"name": "Boden", "code": "2582"}, "code",
     "Kommunkoden är fyra siffror"),
    ("/samordnare/skolor", {"name": "Ny", "unit_code": "87654321"}, "unit_code",
     "Skolenhetskoden är åtta siffror"),
])
def test_digits_of_other_scripts_are_refused_in_codes(client, world, db, login_as, url, data,
                                                      field, message):
    login_as("coordinator")
    data = {**data, field: data[field].translate(ARABIC_INDIC),
            "municipality": str(world.municipality_a.id)}
    before = (count(db, Municipality), count(db, School))
    html = post_form(client, url, data).get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert (count(db, Municipality), count(db, School)) == before


def test_digits_of_other_scripts_are_refused_in_the_org_number(client, world, db):
    html = post_form(client, "/arbetsgivare/registrera", registration_form(
        world, org_number="556123-4500".translate(ARABIC_INDIC))).get_data(as_text=True)
    assert 'id="org_number-error"' in html and "tio siffror" in html
    assert count(db, Organisation) == 2


# --- control characters and line breaks: refused beside the field ---------------------------

@pytest.mark.parametrize(("field", "value", "message"), [
    ("contact_name", "Eve\r\nLogga in på http://evil.example", "en enda rad"),
    ("organisation_name", "Kaffe\x00AB", "osynligt tecken"),
    ("organisation_name", "Kaffe\u202eBA", "osynligt tecken"),
    ("city", "Lule\tå", "osynligt tecken"),
    ("password", "kanelbullar\x00och kaffe", "osynligt tecken"),
])
def test_refused_characters_are_explained_beside_the_field(client, world, db, field, value,
                                                           message):
    data = registration_form(world, **{field: value})
    if field == "password":
        data["confirm"] = value
    before = (count(db, User), count(db, Organisation), count(db, OutboxEmail))
    response = post_form(client, "/arbetsgivare/registrera", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html and message in html
    assert (count(db, User), count(db, Organisation), count(db, OutboxEmail)) == before


def test_english_speakers_read_the_message_in_english(client, world, db):
    client.get("/sprak/en?next=/")
    html = post_form(client, "/arbetsgivare/registrera", registration_form(
        world, contact_name="Eve\nEvil")).get_data(as_text=True)
    assert "This field must be a single line." in html


def test_a_textarea_keeps_its_lines_as_newlines(client, world, db, login_as):
    from tests.employers.placement_support import placement_form

    login_as("employer")
    response = post_form(client, "/arbetsgivare/praoplatser/ny", placement_form(
        world.municipality_a.id, description="Rad ett\r\nRad två\tmed tabb"))
    assert response.status_code == 302
    placement = db.session.scalars(select(Placement).filter_by(
        title="Kock i restaurangkök")).one()
    assert placement.description == "Rad ett\nRad två\tmed tabb"


@pytest.mark.parametrize("body", [b"\xff\xfe", b"%FF%FE", b"%C3"])
def test_undecodable_bytes_in_a_form_are_explained_beside_the_field(client, world, db, body):
    data = registration_form(world, organisation_name="PLACEHOLDER",
                             csrf_token=csrf_token(client))
    encoded = "&".join(f"{k}={v}" for k, v in data.items()).encode()
    encoded = encoded.replace(b"PLACEHOLDER", b"Kaffe" + body)
    response = client.post("/arbetsgivare/registrera", data=encoded,
                           content_type="application/x-www-form-urlencoded")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="organisation_name-error"' in html and "teckenkodning" in html
    assert count(db, Organisation) == 2 and count(db, User) == 4


# Bodies as a browser or an attacker sends them: escapes valid and broken, UTF-8 whole and
# cut, literal non-ASCII, and the separators.
FORM_BODIES = st.lists(st.one_of(
    st.sampled_from(["%", "%C3", "%96", "%c3%b6", "%FF", "%2", "%zz", "%25", "%2B", "%2b",
                     "+", "&", "=", ";", "a", "Ö", "\u202e", "%00", "%F0%9F%98%80", "%ED%A0%80",
                     "%١١", "%１１"]),
    st.binary(max_size=3)), max_size=30).map(
        lambda parts: b"".join(p if isinstance(p, bytes) else p.encode() for p in parts))


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(FORM_BODIES)
def test_a_form_body_reads_as_the_standard_library_reads_it(body):
    """portal.inputs decodes a run of escapes at once (a field of 100,000 escapes took the
    standard library 55 ms): the same pairs as parse_qsl, whatever the bytes."""
    expected = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True,
                         errors="replace")
    assert _decoded_pairs(body) == expected


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text())
def test_any_text_unquotes_as_the_standard_library_unquotes_it(text):
    assert unquote_plus(text) == urllib.parse.unquote_plus(text, errors="replace")


def test_a_json_body_is_no_form(client, world, db):
    token = csrf_token(client)
    response = client.post("/arbetsgivare/registrera", data=json.dumps(
        {**registration_form(world), "organisation_name": {"$gt": ""}, "csrf_token": token}),
        content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert count(db, Organisation) == 2
    listed = client.post("/arbetsgivare/registrera", data="[1, 2]",
                         content_type="application/json", headers={"X-CSRFToken": token})
    assert listed.status_code == 200


# A browser sends CR and LF in a file name as %0D and %0A: only these can arrive raw.
@pytest.mark.parametrize("filename", ["elever\x00.csv", "elever\x1b.csv", "elever\u202e.csv"])
def test_an_upload_whose_name_has_control_characters_is_refused(client, world, db, login_as,
                                                                filename):
    login_as("counsellor")
    content = "Elev-ID;Förnamn;Efternamn;Klass\n1;Åsa;Öberg;8A\n".encode()
    boundary, body = encode_multipart({
        "csrf_token": csrf_token(client),
        "file": FileStorage(io.BytesIO(content), filename=filename)})
    response = client.post(f"/skolor/{world.school_a.id}/elever/importera", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="file-error"' in html and "Filnamnet" in html
    assert count(db, PupilImport) == 0


# --- the query string ------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["sector=%00", "q=kock%0d%0a", "%00=1", "q=%FF", "okand=%1b"])
def test_a_query_with_control_characters_gets_the_portals_400_page(app, client, world, db,
                                                                   query):
    from portal.schools.pupils.services import make_link_token

    enrolment = factories.EnrolmentFactory(period=factories.PraoPeriodFactory(
        school=world.school_a))
    db.session.commit()
    with app.test_request_context():
        link = f"/elev/{make_link_token(enrolment)}"
    response = client.get(f"{link}?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "tecken som portalen inte kan läsa" in html
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(("query", "message"), [
    ("q=kock%00", "osynligt tecken"),
    ("q=kock%0Abagare", "en enda rad"),
    ("q=%FF", "teckenkodning"),
    ("vecka=11%E2%80%AE 2027", "osynligt tecken"),
])
def test_the_catalogue_search_explains_beside_the_field(client, world, db, query, message):
    response = client.get(f"/praoplatser?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    field = query.split("=")[0]
    assert f'id="{field}-error"' in html and message in html


def test_the_catalogue_reads_full_width_text(client, world, db):
    factories.PlacementOfferFactory(placement__title="Kock på hotell",
                                    placement__organisation=world.organisation_a)
    db.session.commit()
    html = client.get("/praoplatser?q=ｋｏｃｋ").get_data(as_text=True)
    assert "Kock på hotell" in html


# --- emails: a name never adds a line -------------------------------------------------------

def test_a_line_break_in_a_stored_name_never_reaches_an_email(db, world):
    """Defence in depth: a name written before the form rule (or by a future import)."""
    intruder = factories.UserFactory(role="employer", organisation=None,
                                     name="Eve\r\n\r\nLogga in på http://evil.example\r\n")
    request_join(intruder, world.organisation_a)
    db.session.commit()
    emails = db.session.scalars(select(OutboxEmail).filter_by(
        kind="join_request_received")).all()
    assert emails
    for email in emails:
        assert "Eve Logga in på http://evil.example (" in email.body_text
        assert "\r" not in email.body_text and "\r" not in email.body_html
        assert not any(line.startswith("Logga in på http://evil")
                       for line in email.body_text.splitlines())
        assert "\n" not in email.subject


def test_a_reason_keeps_its_lines_in_the_email(client, world, db, login_as):
    placement = factories.PlacementFactory(organisation=world.organisation_a, status="pending",
                                           published_at=None)
    db.session.commit()
    login_as("coordinator")
    response = post_form(client, f"/samordnare/praoplatser/{placement.id}/granska", {
        "decision": "reject", "reason": "Ändra rubriken.\r\nLägg till handledarens namn."})
    assert response.status_code == 302
    emails = db.session.scalars(select(OutboxEmail).filter_by(kind="placement_decided")).all()
    assert emails
    for email in emails:
        assert "Ändra rubriken.\nLägg till handledarens namn." in email.body_text

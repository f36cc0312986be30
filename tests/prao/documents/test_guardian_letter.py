"""The guardian letter: a printable page and a PDF in Swedish or English, sent by email
once, and acknowledged once through a signed link that refuses tampering and age."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from markupsafe import escape
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.notifications.models import OutboxEmail
from portal.prao.guardians import services
from portal.prao.models import AssignmentState, GuardianNotice, StepRecord
from portal.schools.pupils.services import make_link_token
from tests import factories
from tests.conftest import post_form
from tests.prao.documents.support import make_assignment, pdf_text, repeated_ids

LINK_RE = re.compile(r"http://portal\.test(/vardnadshavare/[^\s\"<]+)")


def _steps(db, assignment_id):
    return set(db.session.scalars(select(StepRecord.step).where(
        StepRecord.assignment_id == assignment_id)))


def _emails(db, kind="guardian_letter"):
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind)))


def _send(client, assignment, lang="sv"):
    return post_form(client, f"/uppdrag/{assignment.id}/vardnadshavarbrev/skicka",
                     {"lang": lang}, follow_redirects=True)


def test_the_printable_letter_says_everything_a_guardian_needs(client, login_as, placed):
    login_as("counsellor")
    html = client.get(f"/uppdrag/{placed.id}/vardnadshavarbrev").get_data(as_text=True)
    for text in ("Nguyễn Văn Åsa", "klass 8B", "Kafé Ørjan &amp; Łukasz AB – Kock i köket",
                 "Storgatan 7, 972 31 Luleå", "08:00–14:30, rast 30 minuter från 11:30",
                 "kom kl. 08:30, fråga efter Hanna i receptionen", "Hanna Handledare",
                 "Varma ytor och vassa knivar.", "Eleven arbetar inte vid spisen.",
                 "Frånvaro", "anmäl det samma morgon", "elevförsäkring (Luleå)",
                 "Mat och resor", "busskort", "15 mars 2027", "26 mars 2027", "9 dagar",
                 "Svarstalong"):
        assert text in html, text
    assert 'href="/static/css/letter.css?v=' in html and 'lang="sv"' in html


def test_the_letter_and_the_pupils_page_name_only_an_active_counsellor(client, db, world,
                                                                       login_as, placed):
    """A counsellor whose account is switched off is nobody's contact any more."""
    factories.UserFactory(role=Role.COUNSELLOR, name="Frida Före", email="frida@exempel.se",
                          active=False, schools=[world.school_a])
    db.session.commit()
    pupil_page = client.get(f"/elev/{make_link_token(placed.enrolment)}").get_data(
        as_text=True)
    login_as("counsellor")
    letter = client.get(f"/uppdrag/{placed.id}/vardnadshavarbrev").get_data(as_text=True)
    for page in (letter, pupil_page):
        assert "syv@exempel.se" in page
        assert "Frida" not in page and "frida@exempel.se" not in page


def test_the_counsellor_picks_english(client, login_as, placed):
    login_as("counsellor")
    html = client.get(f"/uppdrag/{placed.id}/vardnadshavarbrev?sprak=en").get_data(as_text=True)
    assert '<article class="letter" lang="en"' in html
    for text in ("Information for parents and guardians about prao", "Risks and safety",
                 "Insurance", "Food and travel", "15 March 2027"):
        assert text in html, text


def test_the_letter_pdf_reads_back_with_every_name(client, login_as, placed):
    login_as("counsellor")
    response = client.get(f"/uppdrag/{placed.id}/vardnadshavarbrev.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    for part in ("Nguyễn Văn Åsa", "Kafé Ørjan & Łukasz AB", "Storgatan 7",
                 "Varma ytor och vassa knivar.", "Hanna Handledare", "Försäkring",
                 "Mat och resor", "Svarstalong"):
        assert part in text, part
    english = pdf_text(client.get(f"/uppdrag/{placed.id}/vardnadshavarbrev.pdf?sprak=en").data)
    assert "Insurance" in english and "Nguyễn Văn Åsa" in english


def test_send_by_email_once_however_often_it_is_clicked(client, db, login_as, placed):
    login_as("counsellor")
    first = _send(client, placed)
    assert "skickas till mamma@hem.example.se" in first.get_data(as_text=True)
    second = _send(client, placed)
    assert "Brevet är redan skickat till mamma@hem.example.se" in second.get_data(as_text=True)
    emails = _emails(db)
    assert len(emails) == 1 and emails[0].recipient == "mamma@hem.example.se"
    assert "Nguyễn Văn Åsa" in emails[0].body_text and LINK_RE.search(emails[0].body_text)
    assert "guardians_informed" in _steps(db, placed.id)


def test_an_english_letter_goes_out_in_english(client, db, login_as, placed):
    login_as("counsellor")
    _send(client, placed, lang="en")
    email = _emails(db)[0]
    assert email.subject == "Information about the prao of Nguyễn Văn Åsa"
    assert 'lang="en"' in email.body_html and "INSURANCE" in email.body_text


def test_no_email_before_the_employer_confirmed_or_without_an_address(client, db, login_as,
                                                                      world):
    proposed = make_assignment(world, state=AssignmentState.PROPOSED)
    without = make_assignment(world, guardian_email=None)
    db.session.commit()
    login_as("counsellor")
    assert "inte bekräftat eleven" in _send(client, proposed).get_data(as_text=True)
    assert "ingen e-postadress" in _send(client, without).get_data(as_text=True)
    assert _emails(db) == []


def test_no_letter_to_hand_out_for_a_placement_not_confirmed_or_no_longer_valid(
        client, db, login_as, world):
    """A probe printed a letter naming a workplace that had declined the pupil, and one for
    a proposal the employer had not answered."""
    proposed = make_assignment(world, state=AssignmentState.PROPOSED)
    declined = make_assignment(world, state=AssignmentState.DECLINED)
    db.session.commit()
    login_as("counsellor")
    for assignment, warning in ((proposed, "inte bekräftat eleven än"),
                                (declined, "Platsen gäller inte längre")):
        page = client.get(f"/uppdrag/{assignment.id}/vardnadshavarbrev").get_data(as_text=True)
        assert warning in page and "vardnadshavarbrev.pdf" not in page
        pdf = client.get(f"/uppdrag/{assignment.id}/vardnadshavarbrev.pdf")
        assert pdf.status_code == 302 and pdf.mimetype != "application/pdf"
        assert warning in client.get(pdf.location).get_data(as_text=True)
    overview = client.get(f"/perioder/{proposed.enrolment.period_id}/vardnadshavare")
    assert f"/uppdrag/{proposed.id}/vardnadshavarbrev.pdf" not in overview.get_data(as_text=True)


def test_a_corrected_address_gets_the_letter_once(client, db, login_as, placed):
    login_as("counsellor")
    _send(client, placed)
    post_form(client, f"/uppdrag/{placed.id}/vardnadshavare/e-post",
              {"guardian_email": "Pappa@Hem.Example.se"})
    _send(client, placed)
    _send(client, placed)
    assert [e.recipient for e in _emails(db)] == ["mamma@hem.example.se",
                                                  "pappa@hem.example.se"]
    assert db.session.scalar(select(func.count()).select_from(GuardianNotice)) == 1


@pytest.mark.parametrize(("address", "message"), [
    ("inte en adress", "namn@exempel.se"),
    # Passes WTForms' Email check, but the SMTP envelope carries no ö: the letter would
    # never arrive, and nobody would know.
    ("kö@hem.se", "specialtecken före @"),
])
def test_a_bad_address_is_refused_beside_the_field(client, db, login_as, placed, address,
                                                   message):
    login_as("counsellor")
    response = post_form(client, f"/uppdrag/{placed.id}/vardnadshavare/e-post",
                         {"guardian_email": address})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="guardian_email-error"' in html and message in html
    db.session.expire_all()
    assert placed.enrolment.student.guardian_email == "mamma@hem.example.se"
    post_form(client, f"/uppdrag/{placed.id}/vardnadshavare/e-post", {"guardian_email": ""})
    db.session.expire_all()
    assert placed.enrolment.student.guardian_email is None


def test_a_domain_of_swedish_letters_is_taken(client, db, login_as, placed):
    """Only the part before the @ must be plain: the domain goes out in punycode."""
    login_as("counsellor")
    post_form(client, f"/uppdrag/{placed.id}/vardnadshavare/e-post",
              {"guardian_email": "mamma@åre.se"})
    db.session.expire_all()
    assert placed.enrolment.student.guardian_email == "mamma@åre.se"


def test_a_staff_or_workplace_address_is_questioned_beside_the_field(client, db, world,
                                                                     login_as, placed):
    """An employer's or a counsellor's address typed as the guardian's: letters and absence
    emails would go to the workplace. Told beside the field, whose address it is; saved only
    once the counsellor ticks that it really is the guardian's."""
    login_as("counsellor")
    url = f"/uppdrag/{placed.id}/vardnadshavare/e-post"
    employer = world.users["employer"]
    for address, whose in (
            (employer.email.upper(), f"kontaktpersonen för {escape(employer.organisation.name)}"),
            (world.users["counsellor"].email, "en studie- och yrkesvägledares konto"),
            (placed.placement.supervisor_email,
             f"arbetsplatsen {escape(placed.placement.organisation.name)}")):
        response = post_form(client, url, {"guardian_email": address})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        error = html.split('id="guardian_email-error"', 1)[1].split("</div>", 1)[0]
        assert f"Det är adressen till {whose} i portalen" in error
        assert 'name="staff_ok"' in html
        db.session.expire_all()
        assert placed.enrolment.student.guardian_email == "mamma@hem.example.se"
    client.get("/sprak/en")
    english = post_form(client, url, {"guardian_email": employer.email}).get_data(as_text=True)
    assert "the guardian letter and the absence emails would go there" in english
    response = post_form(client, url, {"guardian_email": employer.email, "staff_ok": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert placed.enrolment.student.guardian_email == employer.email.lower()


def _link(db) -> str:
    match = LINK_RE.search(_emails(db)[-1].body_text)
    assert match
    return match.group(1)


def test_the_guardian_acknowledges_once_with_the_time(client, db, login_as, placed, app,
                                                      set_clock):
    login_as("counsellor")
    _send(client, placed)
    link = _link(db)
    guardian = guardian_client(app)
    page = guardian.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Varma ytor och vassa knivar." in html and "Jag har tagit del av" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    set_clock(datetime(2027, 3, 8, 19, 5))
    done = post_form(guardian, link, {}, follow_redirects=True)
    assert "kvitterades den" in done.get_data(as_text=True)
    set_clock(datetime(2027, 3, 9, 7, 0))
    post_form(guardian, link, {})  # a second click changes nothing
    notice = db.session.scalars(select(GuardianNotice)).one()
    db.session.refresh(notice)
    assert notice.acknowledged_at == datetime(2027, 3, 8, 18, 5, tzinfo=UTC)
    assert {"guardians_informed", "guardians_acknowledged"} <= _steps(db, placed.id)
    overview = client.get(f"/perioder/{placed.enrolment.period_id}/vardnadshavare")
    assert "Ja, " in overview.get_data(as_text=True)


def test_the_guardians_letter_is_dated_the_day_it_was_sent(client, db, login_as, placed, app,
                                                          set_clock):
    """Opened a week later, the letter still carries the day the school sent it: just after
    midnight in Sweden, which is still the day before in UTC."""
    login_as("counsellor")
    set_clock(datetime(2027, 3, 1, 0, 30))
    _send(client, placed)
    assert "1 mars 2027" in _emails(db)[-1].body_text
    set_clock(datetime(2027, 3, 8, 19, 5))
    guardian = guardian_client(app)
    html = guardian.get(_link(db)).get_data(as_text=True)
    assert "1 mars 2027" in html and "8 mars 2027" not in html
    guardian.get("/sprak/en")
    english = guardian.get(_link(db)).get_data(as_text=True)
    assert "1 March 2027" in english and "8 March 2027" not in english


def guardian_client(app):
    from tests.conftest import new_client

    return new_client(app)


def test_the_link_sent_to_a_corrected_wrong_address_stops_working(client, db, login_as,
                                                                  placed, app):
    """The first address was wrong: whoever got that email must not acknowledge for the
    guardian the letter went to next."""
    login_as("counsellor")
    _send(client, placed)
    wrong = _link(db)
    post_form(client, f"/uppdrag/{placed.id}/vardnadshavare/e-post",
              {"guardian_email": "pappa@hem.example.se"})
    _send(client, placed)
    right = _link(db)
    stranger = guardian_client(app)
    refused = stranger.get(wrong)
    assert refused.status_code == 404
    assert "skickat brevet på nytt" in refused.get_data(as_text=True)
    assert post_form(stranger, wrong, {}).status_code == 404
    notice = db.session.scalars(select(GuardianNotice)).one()
    db.session.refresh(notice)
    assert notice.acknowledged_at is None
    assert "guardians_acknowledged" not in _steps(db, placed.id)
    assert guardian_client(app).get(right).status_code == 200


def test_the_guardian_page_is_in_the_letters_language(client, db, login_as, placed, app):
    login_as("counsellor")
    _send(client, placed, lang="en")
    guardian = guardian_client(app)
    html = guardian.get(_link(db)).get_data(as_text=True)
    assert '<html lang="en">' in html and "Acknowledge the risk information" in html
    # The guardian switches to Swedish: the whole page follows, the letter too.
    guardian.get("/sprak/sv")
    swedish = guardian.get(_link(db)).get_data(as_text=True)
    assert '<html lang="sv">' in swedish
    assert "Information till vårdnadshavare om prao" in swedish
    assert "Information for parents and guardians" not in swedish


def test_a_tampered_or_expired_link_is_refused(client, db, login_as, placed, app):
    login_as("counsellor")
    _send(client, placed)
    notice = db.session.scalars(select(GuardianNotice)).one()
    with freeze_time("2020-01-06 10:00:00"):  # a link made long ago: older than it may be
        old = "/vardnadshavare/" + services.make_token(notice, "sv")
    guardian = guardian_client(app)
    expired = guardian.get(old)
    assert expired.status_code == 404 and "för gammal" in expired.get_data(as_text=True)
    link = _link(db)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = guardian.get(tampered)
    assert response.status_code == 404 and "inte hel" in response.get_data(as_text=True)
    assert post_form(guardian, tampered, {}).status_code == 404
    assert post_form(guardian, old, {}).status_code == 404
    db.session.refresh(notice)
    assert notice.acknowledged_at is None
    assert guardian.get(link).status_code == 200


def test_a_cancelled_placement_cannot_be_acknowledged(client, db, login_as, placed, app):
    login_as("counsellor")
    _send(client, placed)
    placed.state = AssignmentState.CANCELLED
    db.session.commit()
    response = guardian_client(app).get(_link(db))
    assert response.status_code == 404 and "inte längre aktuell" in response.get_data(
        as_text=True)


def test_the_period_overview_and_sending_to_all(client, db, login_as, world, placed):
    second = make_assignment(world, first_name="Åsa", last_name="Öberg",
                             guardian_email="asa.hem@example.se")
    make_assignment(world, first_name="Utan", last_name="Adress", guardian_email=None)
    db.session.commit()
    login_as("counsellor")
    url = f"/perioder/{placed.enrolment.period_id}/vardnadshavare"
    html = client.get(url).get_data(as_text=True)
    assert "Nguyễn Văn Åsa" in html and "Skicka" in html
    other_url = f"/perioder/{second.enrolment.period_id}/vardnadshavare/skicka"
    done = post_form(client, other_url, {"lang": "sv"}, follow_redirects=True)
    # The three pupils share the period; the one without an address gets no email.
    assert "2 brev ligger i utkorgen" in done.get_data(as_text=True)
    assert sorted(e.recipient for e in _emails(db)) == ["asa.hem@example.se",
                                                        "mamma@hem.example.se"]
    again = post_form(client, other_url, {"lang": "sv"}, follow_redirects=True)
    assert "Inget brev skickades: de som kan skickas är redan skickade." in again.get_data(
        as_text=True)  # not "0 brev ligger i utkorgen"
    assert len(_emails(db)) == 2


def test_pages_with_several_forms_repeat_no_id(client, db, login_as, world, placed):
    """The overview has a form per pupil and the letter page two (the address, sending):
    the CSRF token goes in each without repeating the token field's id."""
    make_assignment(world, first_name="Åsa", last_name="Öberg", guardian_email="asa@example.se")
    db.session.commit()
    login_as("counsellor")
    overview = client.get(f"/perioder/{placed.enrolment.period_id}/vardnadshavare")
    html = overview.get_data(as_text=True)
    assert html.count("Skicka brevet till vårdnadshavare för") == 2
    assert repeated_ids(html) == []
    letter = client.get(f"/uppdrag/{placed.id}/vardnadshavarbrev").get_data(as_text=True)
    assert "Spara adressen" in letter and "Skicka brevet till mamma@hem.example.se" in letter
    assert repeated_ids(letter) == []
    sent = _send(client, placed).get_data(as_text=True)
    assert "Brevet ligger i utkorgen och skickas till mamma@hem.example.se" in sent


def test_another_schools_counsellor_gets_404_and_an_employer_403(client, db, login_as, world):
    other = make_assignment(world, school=world.school_b)
    db.session.commit()
    login_as("counsellor")
    for path in (f"/uppdrag/{other.id}/vardnadshavarbrev",
                 f"/uppdrag/{other.id}/vardnadshavarbrev.pdf",
                 f"/perioder/{other.enrolment.period_id}/vardnadshavare"):
        assert client.get(path).status_code == 404, path
    assert post_form(client, f"/uppdrag/{other.id}/vardnadshavarbrev/skicka",
                     {"lang": "sv"}).status_code == 404
    assert _emails(db) == []


def test_two_counsellors_sending_at_once_send_one_email(separate_app):
    """Two clicks at the same moment, on two connections: one email, one notice."""
    from portal.accounts.models import User
    from portal.extensions import db as database
    from portal.prao.models import Assignment

    with separate_app.app_context():
        assignment, counsellor = _separate_world()
        database.session.commit()
        ids = (assignment.id, counsellor.id)
        database.session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click() -> None:
        with separate_app.test_request_context():
            assignment = database.session.get(Assignment, ids[0])
            user = database.session.get(User, ids[1])
            _ = assignment.enrolment.student.guardian_email, assignment.state
            barrier.wait()
            try:
                services.send_letter(assignment, "sv", user)
                outcomes.append("sent")
            except services.GuardianError:
                outcomes.append("refused")
            finally:
                database.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "sent"]
    with separate_app.app_context():
        sent = database.session.scalar(select(func.count()).select_from(OutboxEmail).where(
            OutboxEmail.kind == "guardian_letter"))
        notices = database.session.scalar(select(func.count()).select_from(GuardianNotice))
        database.session.remove()
    assert (sent, notices) == (1, 1)


def _separate_world():
    from tests.conftest import World

    school = factories.SchoolFactory()
    counsellor = factories.UserFactory(role="counsellor", schools=[school])
    world = World(school.municipality, school.municipality, school, school, None, None, {})
    return make_assignment(world), counsellor

"""The pupil's personal link: no password, revocable, and it only opens the pupil's own page."""

from __future__ import annotations

import re
from datetime import date

from freezegun import freeze_time
from sqlalchemy import func, select

from portal.notifications.worker import send_due
from portal.schools.models import Enrolment, Wish
from portal.schools.pupils import services
from tests import factories
from tests.conftest import post_form


def _link(app, enrolment) -> str:
    with app.test_request_context():
        return "/elev/" + services.make_link_token(enrolment)


def test_link_opens_the_pupils_page(client, app, db, world):
    enrolment = factories.EnrolmentFactory(period__school=world.school_a,
                                           student__first_name="Åsa")
    db.session.commit()
    page = client.get(_link(app, enrolment))
    assert page.status_code == 200
    assert "Hej Åsa!" in page.get_data(as_text=True)


def test_tampered_link_is_refused(client, app, db, world):
    enrolment = factories.EnrolmentFactory(period__school=world.school_a)
    db.session.commit()
    link = _link(app, enrolment)
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    response = client.get(tampered)
    assert response.status_code == 404
    assert "Länken är inte hel" in response.get_data(as_text=True)


def test_expired_link_is_refused(client, app, db, world):
    enrolment = factories.EnrolmentFactory(period__school=world.school_a)
    db.session.commit()
    with freeze_time("2025-01-01"):
        link = _link(app, enrolment)
    response = client.get(link)
    assert response.status_code == 404
    assert "för gammal" in response.get_data(as_text=True)


def test_revoked_link_stops_and_a_new_one_works(client, app, db, world, login_as):
    enrolment = factories.EnrolmentFactory(period__school=world.school_a)
    db.session.commit()
    old = _link(app, enrolment)
    login_as("counsellor")
    url = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}/lank"
    post_form(client, url, {"action": "revoke"})
    assert "stängts av" in client.get(old).get_data(as_text=True)
    reissued = post_form(client, url, {"action": "reissue"})
    db.session.refresh(enrolment)
    assert client.get(old).status_code == 404
    new = _link(app, enrolment)
    assert client.get(new).status_code == 200
    # The counsellor is told where the new link is (a probe found no way to it), and the
    # pupil's page itself never shows it.
    page = client.get(reissued.location).get_data(as_text=True)
    assert f'href="/perioder/{enrolment.period_id}/lankar"' in page and new not in page


def test_class_list_prints_links_and_qr_codes(client, db, world, login_as):
    period = factories.PraoPeriodFactory(school=world.school_a)
    for name in ("Nguyễn", "Ørjan"):
        factories.EnrolmentFactory(period=period, student__first_name=name)
    db.session.commit()
    login_as("counsellor")
    html = client.get(f"/perioder/{period.id}/lankar").get_data(as_text=True)
    assert "Nguyễn" in html and "Ørjan" in html
    assert html.count("<svg") == 2 and len(re.findall(r"http://portal\.test/elev/", html)) >= 2


def test_links_are_emailed_to_school_addresses(client, db, world, login_as, mailbox):
    period = factories.PraoPeriodFactory(school=world.school_a)
    factories.EnrolmentFactory(period=period, student__email="elev1@skola.se")
    factories.EnrolmentFactory(period=period, student__email="")
    db.session.commit()
    login_as("counsellor")
    done = post_form(client, f"/perioder/{period.id}/skicka-lankar", {}, follow_redirects=True)
    page = done.get_data(as_text=True)
    # The pupil without an address is not forgotten: the class list is the way.
    assert "1 e-postmeddelande ligger i utkorgen." in page
    assert "1 elev har ingen e-postadress och fick inget mejl." in page
    send_due()
    [message] = mailbox.messages
    assert message["X-Envelope-To"] == "elev1@skola.se"
    assert "http://portal.test/elev/" in message.get_body(("plain",)).get_content()


@freeze_time("2027-01-20")  # the factory period's wish window is open
def test_reminder_goes_only_to_pupils_without_wishes(client, db, world, login_as, mailbox):
    period = factories.PraoPeriodFactory(school=world.school_a)
    offer = factories.PlacementOfferFactory()
    waiting = factories.EnrolmentFactory(period=period, student__email="utan@skola.se")
    done = factories.EnrolmentFactory(period=period, student__email="med@skola.se")
    db.session.add(Wish(enrolment=done, offer=offer, rank=1))
    db.session.commit()
    login_as("counsellor")
    post_form(client, f"/perioder/{period.id}/skicka-lankar", {"reminder": "1"})
    send_due()
    assert [m["X-Envelope-To"] for m in mailbox.messages] == ["utan@skola.se"]
    assert mailbox.messages[0]["Subject"] == "Påminnelse: välj dina praoplatser"
    assert waiting.id


def test_counsellor_at_school_a_gets_404_for_school_b(client, db, world, login_as):
    enrolment = factories.EnrolmentFactory(period__school=world.school_b)
    db.session.commit()
    login_as("counsellor")
    period_id = enrolment.period_id
    for url in (f"/perioder/{period_id}", f"/perioder/{period_id}/lankar",
                f"/perioder/{period_id}/elever/{enrolment.id}"):
        assert client.get(url).status_code == 404, url
    for url in (f"/perioder/{period_id}/skicka-lankar", f"/perioder/{period_id}/hamta-elever",
                f"/perioder/{period_id}/elever/{enrolment.id}/lank"):
        assert post_form(client, url, {}).status_code == 404, url


def test_a_period_that_is_over_takes_no_pupils_and_sends_no_links(client, db, world, login_as,
                                                                  mailbox):
    # Last year's period is a record: its pupils are counted in last year's report.
    period = factories.PraoPeriodFactory(school=world.school_a, first_day=date(2025, 10, 6),
                                         last_day=date(2025, 10, 17),
                                         wishes_open=date(2025, 8, 25),
                                         wishes_close=date(2025, 9, 12))
    factories.EnrolmentFactory(period=period, student__email="forra@skola.se")
    newcomer = factories.StudentFactory(school=world.school_a, grade=8)
    db.session.commit()
    login_as("counsellor")
    page = client.get(f"/perioder/{period.id}").get_data(as_text=True)
    assert "Perioden är slut." in page
    for hidden in ("Hämta in nya elever", "Mejla länkarna", "Påminn elever"):
        assert hidden not in page
    enrolled = post_form(client, f"/perioder/{period.id}/hamta-elever", {},
                         follow_redirects=True).get_data(as_text=True)
    assert "Perioden är slut, så den tar inte in fler elever" in enrolled
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.student_id == newcomer.id)) == 0
    for form in ({}, {"reminder": "1"}):
        sent = post_form(client, f"/perioder/{period.id}/skicka-lankar", form,
                         follow_redirects=True).get_data(as_text=True)
        assert "Perioden är slut" in sent
    send_due()
    assert mailbox.messages == []


def test_a_reminder_before_the_wish_window_opens_is_refused(client, db, world, login_as,
                                                            mailbox):
    period = factories.PraoPeriodFactory(school=world.school_a)  # opens 2027-01-11
    factories.EnrolmentFactory(period=period, student__email="tidig@skola.se")
    db.session.commit()
    login_as("counsellor")
    assert "Påminn elever" not in client.get(f"/perioder/{period.id}").get_data(as_text=True)
    page = post_form(client, f"/perioder/{period.id}/skicka-lankar", {"reminder": "1"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Önskefönstret är inte öppet" in page
    send_due()
    assert mailbox.messages == []


def test_the_class_list_prints_one_class_at_a_time(client, db, world, login_as):
    """A probe had no way to print one class: a period of 5,000 pupils made one page."""
    period = factories.PraoPeriodFactory(school=world.school_a)
    for name, klass in (("Nguyễn", "8A"), ("Ørjan", "8B"), ("Saga", "8A")):
        factories.EnrolmentFactory(period=period, student__first_name=name,
                                   student__class_name=klass)
    db.session.commit()
    login_as("counsellor")
    whole = client.get(f"/perioder/{period.id}/lankar").get_data(as_text=True)
    assert whole.count("<svg") == 3 and f"/perioder/{period.id}/lankar?klass=8B" in whole
    one = client.get(f"/perioder/{period.id}/lankar?klass=8A").get_data(as_text=True)
    assert "Nguyễn" in one and "Saga" in one and "Ørjan" not in one
    assert one.count("<svg") == 2 and '<strong aria-current="page">8A</strong>' in one
    unknown = client.get(f"/perioder/{period.id}/lankar?klass=9Z").get_data(as_text=True)
    assert unknown.count("<svg") == 3  # a class not in the period: every pupil

"""The evaluations as pupils and supervisors meet them: the pupil through the personal
link, the supervisor through the signed link or signed in; each evaluation once, the step
ticked, the statement on the certificate and the one-click roll-over."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback.links import evaluation_token
from portal.feedback.models import Audience, FeedbackAnswer, FeedbackResponse
from portal.prao.models import StepRecord
from portal.schools.pupils.services import make_link_token
from portal.weeks import monday_of
from tests import factories
from tests.conftest import CSRF_RE, login
from tests.feedback.support import (
    AFTER,
    EMPLOYER_ANSWERS,
    LAST_DAY,
    PUPIL_ANSWERS,
    finished,
    form_data,
)


def _csrf(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)
    return CSRF_RE.search(page.get_data(as_text=True)).group(1)


def _responses(audience: Audience) -> list[FeedbackResponse]:
    return list(db.session.scalars(select(FeedbackResponse).where(
        FeedbackResponse.audience == audience)))


def _steps(assignment_id: int) -> set[str]:
    return set(db.session.scalars(select(StepRecord.step).where(
        StepRecord.assignment_id == assignment_id)))


def test_the_pupil_evaluates_through_the_personal_link(client, db, world, set_clock):
    assignment = finished(factories.PlacementFactory(organisation=world.organisation_a),
                          world.school_a, first_name="Alva")
    db.session.commit()
    token = make_link_token(assignment.enrolment)
    set_clock(AFTER - timedelta(days=4))  # the period's last week: not yet
    home = client.get(f"/elev/{token}").get_data(as_text=True)
    assert "Utvärdera din prao" not in home
    assert client.get(f"/elev/{token}/utvardering").status_code == 404
    set_clock(AFTER)
    home = client.get(f"/elev/{token}").get_data(as_text=True)
    assert "Utvärdera din prao" in home
    url = f"/elev/{token}/utvardering"
    page = client.get(url).get_data(as_text=True)
    assert "<legend" in page and "Jag fick göra riktiga arbetsuppgifter" in page
    csrf = _csrf(client, url)
    missing = dict(form_data(Audience.PUPIL, PUPIL_ANSWERS, csrf))
    del missing["answers-0-score"]
    refused = client.post(url, data=missing)
    assert refused.status_code == 400
    assert 'id="answers-0-score-error"' in refused.get_data(as_text=True)
    assert _responses(Audience.PUPIL) == []
    done = client.post(url, data=form_data(Audience.PUPIL, PUPIL_ANSWERS, csrf),
                       follow_redirects=True).get_data(as_text=True)
    assert "Tack! Utvärderingen är sparad." in done and "Roligt i köket!" in done
    [response] = _responses(Audience.PUPIL)
    scores = dict(db.session.execute(select(FeedbackAnswer.question_key, FeedbackAnswer.score)
                                     .where(FeedbackAnswer.response_id == response.id)).all())
    assert scores["real_tasks"] == 5 and scores["imagine_sector"] == 2
    assert "pupil_evaluation" in _steps(assignment.id)
    home = client.get(f"/elev/{token}").get_data(as_text=True)
    assert "Dina svar på utvärderingen" in home and "Utvärdera din prao" not in home
    again = client.post(url, data=form_data(Audience.PUPIL, PUPIL_ANSWERS, csrf),
                        follow_redirects=True).get_data(as_text=True)
    assert "Utvärderingen var redan inskickad" in again
    assert len(_responses(Audience.PUPIL)) == 1


def test_a_text_too_long_and_the_unanswered_questions_are_named_at_once(client, db, world,
                                                                      set_clock):
    """A probe answered one question and wrote too long a comment: only "too long" was
    said, and the five unanswered statements were named only at the next sending."""
    assignment = finished(factories.PlacementFactory(organisation=world.organisation_a),
                          world.school_a)
    db.session.commit()
    set_clock(AFTER)
    url = f"/elev/{make_link_token(assignment.enrolment)}/utvardering"
    form = form_data(Audience.PUPIL, {"real_tasks": "5", "comment": "x" * 2001},
                     _csrf(client, url))
    refused = client.post(url, data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    comment = [k for k in form if k.endswith("-text")][0]
    beside = re.search(rf'id="{comment}-error"(.*?)</div>', html, re.S)
    assert beside and "Högst 2000 tecken. Texten är nu 2001 tecken." in beside.group(1)
    unanswered = [k.rsplit("-", 1)[0] for k in form_data(Audience.PUPIL, PUPIL_ANSWERS, "")
                  if k.endswith("-score") and k != "answers-0-score"]
    assert len(unanswered) == 5
    for prefix in unanswered:
        assert f'id="{prefix}-score-error"' in html
    assert 'id="answers-0-score-error"' not in html  # answered
    assert beside.group(1).count("Fel:") == 1  # the text's own message, nothing added
    assert _responses(Audience.PUPIL) == []


def test_a_proposal_never_confirmed_is_not_evaluated(client, db, world, set_clock):
    assignment = finished(factories.PlacementFactory(organisation=world.organisation_a),
                          world.school_a)
    assignment.state = "proposed"
    db.session.commit()
    set_clock(AFTER)
    assert client.get(f"/elev/{make_link_token(assignment.enrolment)}/utvardering"
                      ).status_code == 404


def test_the_supervisor_evaluates_through_the_signed_link(app, client, db, world, set_clock):
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           supervisor_name="Hanna")
    first = finished(placement, world.school_a, first_name="Alva")
    second = finished(placement, world.school_a, first_name="Bo",
                      period=first.enrolment.period)
    db.session.commit()
    set_clock(AFTER)
    with app.test_request_context():
        token = evaluation_token(placement.id, [first.id, second.id], LAST_DAY)
    listing = client.get(f"/handledare/utvardering/{token}").get_data(as_text=True)
    assert "Alva" in listing and "Bo" in listing
    url = f"/handledare/utvardering/{token}/{first.id}"
    csrf = _csrf(client, url)
    done = client.post(url, data=form_data(Audience.EMPLOYER, EMPLOYER_ANSWERS, csrf),
                       follow_redirects=True).get_data(as_text=True)
    assert "Tack! Utvärderingen är sparad." in done
    assert "Hanna (handledare, via länk)" in done
    [response] = _responses(Audience.EMPLOYER)
    assert response.statement == "Alva var nyfiken och hjälpsam."
    assert response.again_next_term is True
    assert "employer_evaluation" in _steps(first.id)
    assert "employer_evaluation" not in _steps(second.id)


LEGEND_RE = re.compile(r'<legend class="fs-5 fw-semibold">([^<]*)</legend>')


def _alva_for_her_supervisor(app, db, world, set_clock) -> tuple[Any, str]:
    """Alva's finished prao, after its last day: her assignment and her supervisor's form."""
    placement = factories.PlacementFactory(organisation=world.organisation_a)
    assignment = finished(placement, world.school_a, first_name="Alva")
    db.session.commit()
    set_clock(AFTER)
    with app.test_request_context():
        token = evaluation_token(placement.id, [assignment.id], LAST_DAY)
    return assignment, f"/handledare/utvardering/{token}/{assignment.id}"


def test_the_supervisors_statements_read_with_the_scale(app, client, db, world, set_clock):
    """Each 1–5 question is a statement that "stämmer inte alls … stämmer helt" answers,
    as on the pupil's form, in both languages."""
    _assignment, url = _alva_for_her_supervisor(app, db, world, set_clock)
    swedish = client.get(url).get_data(as_text=True)
    assert LEGEND_RE.findall(swedish) == [
        "Eleven kom i tid", "Eleven visade intresse för arbetet", "Eleven tog egna initiativ",
        "Eleven samarbetade bra med oss", "Skolan hade förberett eleven bra",
        "Kontakten med skolan fungerade bra",
        "Vill ni ta emot praoelever igen nästa termin?"]
    assert swedish.count("1 = stämmer inte alls") == 6
    client.get("/sprak/en")
    english = client.get(url).get_data(as_text=True)
    assert LEGEND_RE.findall(english)[:6] == [
        "The pupil was on time", "The pupil showed interest in the work",
        "The pupil took initiative", "The pupil worked well with us",
        "The school had prepared the pupil well", "The contact with the school worked well"]
    assert english.count("1 = not at all true") == 6


def test_tampered_expired_and_wrong_placement_links_are_refused(app, client, db, world,
                                                                  set_clock):
    placement = factories.PlacementFactory(organisation=world.organisation_a)
    other = factories.PlacementFactory(organisation=world.organisation_b)
    mine = finished(placement, world.school_a)
    elsewhere = finished(other, world.school_a, period=mine.enrolment.period)
    db.session.commit()
    set_clock(AFTER)
    with app.test_request_context():
        good = evaluation_token(placement.id, [mine.id], LAST_DAY)
        foreign = evaluation_token(placement.id, [elsewhere.id], LAST_DAY)
        from portal.prao.links import supervisor_token
        confirm_link = supervisor_token(placement.id, [mine.id], LAST_DAY)
    tampered = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    for token in (tampered, foreign, confirm_link):
        answer = client.get(f"/handledare/utvardering/{token}")
        assert answer.status_code == 404, token
        assert "Länken fungerar inte" in answer.get_data(as_text=True)
    # A pupil of another placement, through a good link: as if it did not exist.
    assert client.get(f"/handledare/utvardering/{good}/{elsewhere.id}").status_code == 404
    set_clock(AFTER + timedelta(days=40))
    expired = client.get(f"/handledare/utvardering/{good}")
    assert expired.status_code == 404 and "för gammal" in expired.get_data(as_text=True)


def test_the_signed_in_employer_evaluates_its_own_pupils_only(app, client, db, world,
                                                             set_clock):
    mine = finished(factories.PlacementFactory(organisation=world.organisation_a),
                    world.school_a, first_name="Alva")
    theirs = finished(factories.PlacementFactory(organisation=world.organisation_b),
                      world.school_a, first_name="Cecilia", period=mine.enrolment.period)
    db.session.commit()
    set_clock(AFTER)
    login(client, world.users["employer"].email)
    listing = client.get("/arbetsgivare/utvarderingar").get_data(as_text=True)
    assert "Alva" in listing and "Cecilia" not in listing
    assert client.get(f"/arbetsgivare/utvarderingar/{theirs.id}").status_code == 404
    url = f"/arbetsgivare/utvarderingar/{mine.id}"
    csrf = _csrf(client, url)
    done = client.post(url, data=form_data(Audience.EMPLOYER, EMPLOYER_ANSWERS, csrf),
                       follow_redirects=True).get_data(as_text=True)
    assert "Tack! Utvärderingen är sparad." in done
    assert _responses(Audience.EMPLOYER)[0].submitted_by_id == world.users["employer"].id


def test_the_statement_goes_on_a_certificate_issued_after_it(app, client, db, world,
                                                            set_clock):
    from portal.prao.certificates.services import attendance_of, snapshot

    assignment = finished(factories.PlacementFactory(organisation=world.organisation_a),
                          world.school_a)
    db.session.commit()
    set_clock(AFTER)
    assert snapshot(assignment, attendance_of(assignment))["statement"] == ""
    login(client, world.users["employer"].email)
    url = f"/arbetsgivare/utvarderingar/{assignment.id}"
    client.post(url, data=form_data(Audience.EMPLOYER, EMPLOYER_ANSWERS, _csrf(client, url)))
    assert snapshot(assignment, attendance_of(assignment))["statement"] == \
        "Alva var nyfiken och hjälpsam."


def test_yes_to_next_term_copies_the_placement_in_one_click(app, client, db, world,
                                                           set_clock):
    from portal.employers.models import PlacementOffer

    placement = factories.PlacementFactory(organisation=world.organisation_a)
    assignment = finished(placement, world.school_a)
    db.session.commit()
    set_clock(AFTER)
    with app.test_request_context():
        token = evaluation_token(placement.id, [assignment.id], LAST_DAY)
    url = f"/handledare/utvardering/{token}/{assignment.id}"
    csrf = _csrf(client, url)
    page = client.post(url, data=form_data(Audience.EMPLOYER, EMPLOYER_ANSWERS, csrf),
                       follow_redirects=True).get_data(as_text=True)
    assert "Erbjud samma veckor nästa år" in page
    done = client.post(url + "/nasta-termin", data={"csrf_token": csrf},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 erbjudande finns nu för VT 2028" in done
    weeks = sorted(db.session.scalars(select(PlacementOffer.first_week).where(
        PlacementOffer.placement_id == placement.id)))
    assert weeks == [date(2027, 3, 15), monday_of(date(2028, 3, 13))]
    again = client.post(url + "/nasta-termin", data={"csrf_token": csrf})
    assert "Det fanns inget nytt att kopiera" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PlacementOffer).where(
        PlacementOffer.placement_id == placement.id)) == 2  # a second click copies nothing


def test_no_roll_over_without_a_yes(app, client, db, world, set_clock):
    placement = factories.PlacementFactory(organisation=world.organisation_a)
    assignment = finished(placement, world.school_a)
    db.session.commit()
    set_clock(AFTER)
    login(client, world.users["employer"].email)
    url = f"/arbetsgivare/utvarderingar/{assignment.id}"
    csrf = _csrf(client, url)
    no = {**EMPLOYER_ANSWERS, "again_next_term": "no"}
    page = client.post(url, data=form_data(Audience.EMPLOYER, no, csrf),
                       follow_redirects=True).get_data(as_text=True)
    assert "Erbjud samma veckor nästa år" not in page
    refused = client.post(url + "/nasta-termin", data={"csrf_token": csrf},
                          follow_redirects=True).get_data(as_text=True)
    assert "Svara ja på frågan om nästa termin först." in refused


def test_the_issued_certificate_shows_the_statement(app, client, db, world, set_clock):
    from portal.prao.certificates.services import issue
    from portal.prao.days import prao_days
    from portal.prao.models import AttendanceDay, AttendanceStatus

    assignment = finished(factories.PlacementFactory(organisation=world.organisation_a),
                          world.school_a)
    period = assignment.enrolment.period
    for day in prao_days(period.first_day, period.last_day):
        db.session.add(AttendanceDay(assignment_id=assignment.id, day=day,
                                     status=AttendanceStatus.PRESENT, reported_by_label="t"))
    db.session.commit()
    set_clock(AFTER)
    login(client, world.users["employer"].email)
    url = f"/arbetsgivare/utvarderingar/{assignment.id}"
    client.post(url, data=form_data(Audience.EMPLOYER, EMPLOYER_ANSWERS, _csrf(client, url)))
    certificate, issued = issue(assignment, world.users["counsellor"], AFTER.date())
    assert issued
    page = client.get(f"/intyg/{certificate.code}").get_data(as_text=True)
    assert "Handledarens omdöme" in page and "Alva var nyfiken och hjälpsam." in page


def _scales_read_with_their_groups(page: str) -> int:
    """How many 1–5 groups name, in aria-describedby, the element saying what 1 and 5 mean."""
    tied = 0
    for described in re.findall(r'<fieldset class="likert[^"]*" aria-describedby="([^"]+)"',
                                page):
        for element_id in described.split():
            start = page.find(f'id="{element_id}"')
            is_paragraph = page.startswith("<p ", page.rfind("<", 0, start))
            if (start >= 0 and is_paragraph
                    and "1 = stämmer inte alls" in page[start:page.find("</p>", start)]):
                tied += 1
                break
    return tied


def test_the_scale_is_read_with_each_one_to_five_group(app, client, db, world, set_clock):
    """A screen reader hears "1" … "5": the explanation of the scale is the group's
    description, on the pupil's form and on the supervisor's, also after an error."""
    assignment, url = _alva_for_her_supervisor(app, db, world, set_clock)
    supervisor = client.get(url)
    assert _scales_read_with_their_groups(supervisor.get_data(as_text=True)) == 6
    pupil_url = f"/elev/{make_link_token(assignment.enrolment)}/utvardering"
    pupil = client.get(pupil_url).get_data(as_text=True)
    scales = pupil.count('<fieldset class="likert ')
    assert scales > 0 and _scales_read_with_their_groups(pupil) == scales
    csrf = CSRF_RE.search(pupil)
    assert csrf is not None
    refused = client.post(pupil_url, data={"csrf_token": csrf.group(1)}).get_data(as_text=True)
    assert "felsammanfattning" in refused
    assert _scales_read_with_their_groups(refused) == scales

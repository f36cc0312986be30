"""Versioned questions, the employer's aggregate (only from five answers, never text),
answer rates, free text for the coordinator only, and the employers to thank."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.feedback import services
from portal.feedback.models import Audience, FeedbackAnswer
from portal.prao.services import Actor
from portal.schools.pupils.services import make_link_token
from tests import factories
from tests.conftest import CSRF_RE, login
from tests.feedback.support import AFTER, PUPIL_ANSWERS, finished


def _answer(assignment, audience=Audience.PUPIL, answers=None, **changes):
    form = services.current_form(audience)
    return services.submit(assignment, audience, form, {**(answers or PUPIL_ANSWERS), **changes},
                           Actor(None, "test"))[0]


def _questions_form(version, rows):
    data = {"based_on": str(version)}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"questions-{index}-{name}"] = value
    return data


def test_editing_the_questions_makes_a_new_version_and_old_answers_keep_theirs(
        app, client, db, world, set_clock):
    assignment = finished(factories.PlacementFactory(organisation=world.organisation_a),
                          world.school_a)
    db.session.commit()
    set_clock(AFTER)
    old = _answer(assignment)
    first = services.current_form(Audience.PUPIL)
    login(client, world.users["coordinator"].email)
    url = "/samordnare/utvardering/fragor/pupil"
    page = client.get(url).get_data(as_text=True)
    csrf = CSRF_RE.search(page).group(1)
    rows = [dict(q) for q in first.questions]
    rows[0]["label_sv"] = "Jag fick göra riktiga saker på riktigt"
    rows[-1]["label_sv"] = ""  # the free text question goes
    rows.append({"key": "lunch", "kind": "likert", "label_sv": "Maten var god",
                 "label_en": "The food was good"})
    saved = client.post(url, data={"csrf_token": csrf, **_questions_form(first.version, rows)},
                        follow_redirects=True)
    assert "Frågorna är sparade som version 2" in saved.get_data(as_text=True)
    current = services.current_form(Audience.PUPIL)
    assert current.version == first.version + 1
    assert [q["key"] for q in current.questions][-1] == "lunch"
    assert "comment" not in [q["key"] for q in current.questions]
    db.session.refresh(first)
    assert first.questions[0]["label_sv"] == "Jag fick göra riktiga arbetsuppgifter"
    # The old answer is shown with the words it was given to, its text included.
    token = make_link_token(assignment.enrolment)
    shown = client.get(f"/elev/{token}/utvardering").get_data(as_text=True)
    assert "Jag fick göra riktiga arbetsuppgifter" in shown and "Roligt i köket!" in shown
    assert "Maten var god" not in shown
    assert old.form_id == first.id
    # A second edit based on the old version is refused: someone saved meanwhile.
    stale = client.post(url, data={"csrf_token": csrf,
                                   **_questions_form(first.version, rows)})
    assert stale.status_code == 400
    assert "Någon annan sparade frågorna under tiden" in stale.get_data(as_text=True)
    assert services.current_form(Audience.PUPIL).version == current.version


def test_a_key_that_is_not_a_key_is_refused_beside_its_field(client, db, world):
    login(client, world.users["coordinator"].email)
    url = "/samordnare/utvardering/fragor/employer"
    csrf = CSRF_RE.search(client.get(url).get_data(as_text=True)).group(1)
    current = services.current_form(Audience.EMPLOYER)
    rows = [dict(q) for q in current.questions]
    rows[1]["key"] = "Punkt lighet"
    answer = client.post(url, data={"csrf_token": csrf,
                                    **_questions_form(current.version, rows)})
    assert answer.status_code == 400
    assert 'id="questions-1-key-error"' in answer.get_data(as_text=True)
    assert services.current_form(Audience.EMPLOYER).version == current.version


def test_a_statement_keeps_its_kind_of_answer_across_versions(client, db, world):
    """real_tasks has been a 1–5 statement: asked as yes/no under the same key, its old
    scores would be averaged with the new answers. A new key is the way."""
    login(client, world.users["coordinator"].email)
    url = "/samordnare/utvardering/fragor/pupil"
    csrf = CSRF_RE.search(client.get(url).get_data(as_text=True)).group(1)
    current = services.current_form(Audience.PUPIL)
    rows = [dict(q) for q in current.questions]
    rows[0]["kind"] = "yesno"
    answer = client.post(url, data={"csrf_token": csrf,
                                    **_questions_form(current.version, rows)})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="questions-0-key-error"' in page and "Ge den en ny nyckel" in page
    assert services.current_form(Audience.PUPIL).version == current.version
    rows[0]["key"] = "real_tasks_yesno"
    saved = client.post(url, data={"csrf_token": csrf,
                                   **_questions_form(current.version, rows)},
                        follow_redirects=True)
    assert "Frågorna är sparade som version" in saved.get_data(as_text=True)


def test_a_double_submit_stores_one_response(db, world, set_clock):
    assignment = finished(factories.PlacementFactory(organisation=world.organisation_a),
                          world.school_a)
    db.session.commit()
    set_clock(AFTER)
    form = services.current_form(Audience.PUPIL)
    first, created = services.submit(assignment, Audience.PUPIL, form, PUPIL_ANSWERS,
                                     Actor(None, "a"))
    second, again = services.submit(assignment, Audience.PUPIL, form,
                                    {**PUPIL_ANSWERS, "real_tasks": "1"}, Actor(None, "b"))
    assert (created, again) == (True, False) and first.id == second.id
    assert db.session.scalar(select(FeedbackAnswer.score).where(
        FeedbackAnswer.response_id == first.id, FeedbackAnswer.question_key == "real_tasks")) == 5


def test_the_employer_sees_averages_from_five_answers_and_never_text(client, db, world,
                                                                    set_clock):
    placement = factories.PlacementFactory(organisation=world.organisation_a)
    pupils = [finished(placement, world.school_a)]
    pupils += [finished(placement, world.school_a, period=pupils[0].enrolment.period)
               for _ in range(4)]
    elsewhere = finished(factories.PlacementFactory(organisation=world.organisation_b),
                         world.school_a, period=pupils[0].enrolment.period)
    db.session.commit()
    set_clock(AFTER)
    for n, pupil in enumerate(pupils[:4]):
        _answer(pupil, real_tasks=str(n + 1), comment=f"Hemlig text {n}")
    _answer(elsewhere, real_tasks="1")
    login(client, world.users["employer"].email)
    page = client.get("/arbetsgivare/utvarderingar").get_data(as_text=True)
    assert "För få svar än" in page and "Medelvärde" not in page
    _answer(pupils[4], real_tasks="5")
    page = client.get("/arbetsgivare/utvarderingar").get_data(as_text=True)
    assert "Medelvärden av 5 elevers svar" in page
    # (1 + 2 + 3 + 4 + 5) / 5 = 3; the other organisation's 1 does not count
    assert "Jag fick göra riktiga arbetsuppgifter</th><td class=\"text-end\">3</td>" in page
    assert "Hemlig text" not in page


def test_answer_rates_per_school_for_the_counsellor_and_the_coordinator(client, db, world,
                                                                      set_clock):
    place = factories.PlacementFactory(organisation=world.organisation_a)
    a = [finished(place, world.school_a)]
    a += [finished(place, world.school_a, period=a[0].enrolment.period) for _ in range(3)]
    b = finished(place, world.school_b)
    db.session.commit()
    set_clock(AFTER)
    for pupil in a[:3]:
        _answer(pupil)
    login(client, world.users["counsellor"].email)
    page = client.get("/utvardering/svarsfrekvens?ar=2026").get_data(as_text=True)
    assert "Skola A" in page and "Skola B" not in page and "75 %" in page
    assert "Arbetsgivare A" not in page  # per employer: the coordinator's
    period = client.get(f"/perioder/{a[0].enrolment.period_id}").get_data(as_text=True)
    assert "3 av 4 elever har svarat (75 %" in period
    client.post("/logga-ut", data={"csrf_token": CSRF_RE.search(period).group(1)})
    login(client, world.users["coordinator"].email)
    page = client.get("/utvardering/svarsfrekvens?ar=2026").get_data(as_text=True)
    assert "Skola B" in page and "60 %" not in page  # per school: A 75 %, B 0 %
    employers = client.get("/utvardering/svarsfrekvens?ar=2026&per=arbetsgivare"
                           ).get_data(as_text=True)
    assert "Arbetsgivare A" in employers and "60 %" in employers and "Skola B" not in employers
    assert b.id


def test_the_coordinators_long_lists_come_a_page_at_a_time(client, db, world, set_clock,
                                                           monkeypatch):
    """A country has 30,000 employers and 190,000 answers: each list is paged, by name (the
    employers to thank best first), and a page's links keep the school year and the list."""
    monkeypatch.setattr(services, "RATES_PER_PAGE", 2)
    monkeypatch.setattr(services, "THANKS_PER_PAGE", 2)
    monkeypatch.setattr(services, "TEXTS_PER_PAGE", 2)
    names = ["Bageriet", "Cykelverkstaden", "Apoteket"]
    period = factories.PraoPeriodFactory(school=world.school_a)
    pupils = [finished(factories.PlacementFactory(
        organisation=factories.OrganisationFactory(name=name)), world.school_a, period=period)
        for name in names]
    db.session.commit()
    set_clock(AFTER)
    for pupil, score in zip(pupils, ("5", "4", "5"), strict=True):
        _answer(pupil, **dict.fromkeys(["real_tasks", "learnt_job", "safe_welcome",
                                         "prepared", "recommend", "imagine_sector"], score))
    login(client, world.users["coordinator"].email)
    rates = "/utvardering/svarsfrekvens?ar=2026&per=arbetsgivare"
    first = client.get(rates).get_data(as_text=True)
    assert "Apoteket" in first and "Bageriet" in first and "Cykelverkstaden" not in first
    assert "Sida 1 av 2" in first
    assert 'href="/utvardering/svarsfrekvens?ar=2026&amp;per=arbetsgivare&amp;sida=2"' in first
    second = client.get(rates + "&sida=2").get_data(as_text=True)
    assert "Cykelverkstaden" in second and "Apoteket" not in second
    thanks = client.get("/samordnare/utvardering/tacka?ar=2026").get_data(as_text=True)
    assert thanks.index("Apoteket") < thanks.index("Bageriet")  # 5.0 each, then by name
    assert "Cykelverkstaden" not in thanks and "Sida 1 av 2" in thanks
    assert "Cykelverkstaden" in client.get(
        "/samordnare/utvardering/tacka?ar=2026&sida=2").get_data(as_text=True)
    texts = client.get("/samordnare/utvardering/fritext?ar=2026").get_data(as_text=True)
    assert texts.count("<blockquote") == 2 and "Sida 1 av 2" in texts
    last = client.get("/samordnare/utvardering/fritext?ar=2026&sida=2").get_data(as_text=True)
    assert last.count("<blockquote") == 1
    past = client.get("/samordnare/utvardering/fritext?ar=2026&sida=99").get_data(as_text=True)
    assert past.count("<blockquote") == 1 and "Sida 2 av 2" in past  # the last page


def test_free_text_is_for_the_coordinator_and_thanks_list(client, db, world, set_clock):
    place = factories.PlacementFactory(organisation=world.organisation_a)
    earlier = factories.PraoPeriodFactory(school=world.school_a, first_day=date(2026, 3, 16),
                                          last_day=date(2026, 3, 20))
    finished(place, world.school_a, period=earlier)
    now = [finished(place, world.school_a)]
    now += [finished(place, world.school_a, period=now[0].enrolment.period) for _ in range(2)]
    low = finished(factories.PlacementFactory(organisation=world.organisation_b),
                   world.school_a, period=now[0].enrolment.period)
    db.session.commit()
    set_clock(AFTER)
    for pupil in now:
        _answer(pupil, **dict.fromkeys(["real_tasks", "learnt_job", "safe_welcome",
                                         "prepared", "recommend", "imagine_sector"], "5"))
    _answer(low, **dict.fromkeys(["real_tasks", "learnt_job"], "1"))
    from tests.feedback.support import EMPLOYER_ANSWERS
    _answer(now[0], Audience.EMPLOYER, EMPLOYER_ANSWERS)
    [row] = services.thanks(2026)
    assert (row.name, row.mean, row.answers, row.returning, row.again) == (
        "Arbetsgivare A", 5.0, 3, True, True)
    login(client, world.users["coordinator"].email)
    texts = client.get("/samordnare/utvardering/fritext?ar=2026").get_data(as_text=True)
    assert "Roligt i köket!" in texts and "Alva var nyfiken och hjälpsam." in texts
    thanks = client.get("/samordnare/utvardering/tacka?ar=2026").get_data(as_text=True)
    assert "Arbetsgivare A" in thanks and "Arbetsgivare B" not in thanks

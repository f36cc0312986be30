"""The register extract (registerutdrag, GDPR art. 15): every personal datum about one
pupil, as a PDF to hand out and as JSON, for the pupil's own school only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from tests import factories
from tests.conftest import World
from tests.prao.documents.support import pdf_text
from tests.privacy import support


@pytest.fixture
def region(db: Any, world: World, set_clock: Any) -> support.GdprRegion:
    set_clock(support.TODAY)
    return support.build(world)


def _json(client: Any, student_id: int) -> dict[str, Any]:
    response = client.get(f"/elever/{student_id}/registerutdrag.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    return json.loads(response.get_data(as_text=True))


def test_the_json_extract_holds_everything_about_the_pupil(client, db, region, login_as):
    login_as("counsellor")
    pupil = region.new[0]
    sections = _json(client, pupil.student_id)["sections"]
    student = sections["student"][0]
    assert (student["first_name"], student["last_name"], student["email"],
            student["guardian_email"]) == pupil.names[:4]
    assert [w["rank"] for w in sections["wishes"]] == [1, 2, 3]
    assert {w["placement"] for w in sections["wishes"]} == {
        "Plats hospitality", "Plats retail", "Plats health"}
    assert len(sections["attendance"]) == 5
    assert {d["status"] for d in sections["attendance"]} == {"present"}
    assert sections["assignments"][0]["state"] == "completed"
    assert sections["assignments"][0]["placement_reason"].startswith(pupil.names[0])
    assert {s["step"] for s in sections["steps"]} == {
        "employer_confirmed", "guardians_informed", "pupil_evaluation", "employer_evaluation"}
    assert sections["follow_ups"][0]["note"] == f"Ringde {pupil.names[0]} {pupil.names[1]}"
    assert sections["incidents"][0]["what"] == f"{pupil.names[0]} halkade"
    assert sections["guardian_notices"][0]["email"] == pupil.names[3]
    assert sections["certificates"][0]["name"] == f"{pupil.names[0]} {pupil.names[1]}"
    assert {e["recipient"] for e in sections["emails"]} == set(pupil.names[2:4])
    assert any(e["action"] == "placement_note" for e in sections["audit"])
    # Nothing about another pupil.
    other = region.new[1].names[0]
    assert other not in json.dumps(sections, ensure_ascii=False)


def test_the_extract_holds_the_reasons_about_the_pupils_enrolment(client, db, region,
                                                                   login_as):
    """Free text a counsellor wrote about the pupil: why exempt, why their own placement
    was not approved."""
    login_as("counsellor")
    pupil = region.new[-1]  # the pupil with an own placement
    enrolment = _json(client, pupil.student_id)["sections"]["enrolments"][0]
    assert (enrolment["exempt_reason"], enrolment["own_refusal"]) == pupil.names[2:4]


def test_the_pdf_extract_reads_back_in_swedish_and_english(client, db, region, login_as):
    login_as("counsellor")
    pupil = region.new[0]
    response = client.get(f"/elever/{pupil.student_id}/registerutdrag.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Registerutdrag" in text
    for name in pupil.names[:4]:
        assert name in text
    assert "Önskemål (3)" in text and "Närvaro (5)" in text and "närvarande" in text
    assert "Plats retail" in text
    client.get("/sprak/en?next=/")
    text = pdf_text(client.get(f"/elever/{pupil.student_id}/registerutdrag.pdf").data)
    assert "Register extract" in text and "Attendance (5)" in text and "present" in text


def test_the_extract_is_itself_logged(client, db, region, login_as):
    counsellor = login_as("counsellor")
    pupil = region.new[0]
    client.get(f"/elever/{pupil.student_id}/registerutdrag.json")
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "register_extract")).one()
    assert (event.user_id, event.student_id, event.detail) == (
        counsellor.id, pupil.student_id, "format=json")


def test_another_schools_pupil_is_not_found(client, db, world, login_as):
    elsewhere = factories.StudentFactory(school=world.school_b, first_name="Annanstans")
    db.session.commit()
    login_as("counsellor")
    for fmt in ("pdf", "json"):
        response = client.get(f"/elever/{elsewhere.id}/registerutdrag.{fmt}")
        assert response.status_code == 404
        assert "Annanstans" not in response.get_data(as_text=True)


def test_the_coordinator_may_take_any_pupils_extract(client, db, world, login_as):
    elsewhere = factories.StudentFactory(school=world.school_b, first_name="Annanstans")
    db.session.commit()
    login_as("coordinator")
    assert _json(client, elsewhere.id)["sections"]["student"][0]["first_name"] == "Annanstans"


def test_the_pupil_page_offers_the_extract(client, db, world, login_as):
    enrolment = factories.EnrolmentFactory(period__school=world.school_a)
    db.session.commit()
    login_as("counsellor")
    page = client.get(f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
                      ).get_data(as_text=True)
    assert f"/elever/{enrolment.student_id}/registerutdrag.pdf" in page
    assert "Logg för eleven" not in page  # the log is the coordinator's


def test_a_purged_pupils_extract_names_nobody(client, db, region, login_as):
    from portal.privacy.retention import purge

    purge(24)
    login_as("counsellor")
    pupil = region.old[0]
    sections = _json(client, pupil.student_id)["sections"]
    dumped = json.dumps(sections, ensure_ascii=False)
    assert not [name for name in pupil.names if name in dumped]
    assert sections["student"][0]["purged_at"] is not None
    assert len(sections["attendance"]) == 5  # the anonymous facts stay
    assert "(namnet är gallrat)" in pdf_text(
        client.get(f"/elever/{pupil.student_id}/registerutdrag.pdf").data)


def _by_evaluation(sections: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["evaluation"]: row for row in sections["evaluations"]}


def test_the_extract_holds_both_evaluations_and_their_reminders(client, db, region, login_as):
    login_as("counsellor")
    pupil = region.new[1]
    first, last = pupil.names[:2]
    sections = _json(client, pupil.student_id)["sections"]
    evaluations = _by_evaluation(sections)
    assert set(evaluations) == {"pupil", "employer"}
    own = evaluations["pupil"]
    answers = {a["question_key"]: a for a in own["answers"]}
    assert answers["real_tasks"]["question"] == "Jag fick göra riktiga arbetsuppgifter"
    assert (answers["real_tasks"]["score"], answers["learnt_job"]["score"]) == (4, 2)
    assert answers["comment"]["answer"] == f"{first} tyckte om kassan"
    assert [a["question_key"] for a in own["answers"]][0] == "real_tasks"  # as asked
    supervisor = evaluations["employer"]
    assert supervisor["statement"] == f"{first} {last} var punktlig"
    assert supervisor["again_next_term"] is True
    assert supervisor["submitted_by_label"] == "Hanna Handledare (handledare, via länk)"
    assert supervisor["version"] == 2 and supervisor["submitted_at"]  # statements (0029)
    assert {a["question_key"]: a["score"] for a in supervisor["answers"]}["punctuality"] == 5
    assert sorted((r["reminded"], r["day_number"]) for r in sections["evaluation_reminders"]
                  ) == [("employer", 1), ("pupil", 1)]
    [email] = sections["evaluation_emails"]
    assert email["subject"] == "Utvärdera era praoelever" and email["status"] == "sent"
    # Another pupil's evaluation or reminder is not in it.
    dumped = json.dumps(sections, ensure_ascii=False)
    assert region.new[0].names[0] not in dumped and region.new[2].names[0] not in dumped


def test_the_questions_are_in_the_readers_language(client, db, region, login_as):
    login_as("counsellor")
    pupil = region.new[1]
    client.get("/sprak/en?next=/")
    own = _by_evaluation(_json(client, pupil.student_id)["sections"])["pupil"]
    assert own["answers"][0]["question"] == "I did real tasks"
    text = " ".join(pdf_text(client.get(
        f"/elever/{pupil.student_id}/registerutdrag.pdf").data).split())
    assert "Evaluations (2)" in text and "I did real tasks" in text
    assert "the supervisor's evaluation of the pupil" in text
    assert "4 of 5" in text and f"{pupil.names[0]} tyckte om kassan" in text


def test_the_pdf_shows_the_evaluations_in_words(client, db, region, login_as):
    login_as("counsellor")
    pupil = region.new[1]
    # Words, not lines: a long question wraps in the label column.
    text = " ".join(pdf_text(client.get(
        f"/elever/{pupil.student_id}/registerutdrag.pdf").data).split())
    assert "Utvärderingar (2)" in text
    assert "elevens utvärdering av praoplatsen" in text
    assert "Jag fick göra riktiga arbetsuppgifter" in text and "4 av 5" in text
    assert f"{pupil.names[0]} {pupil.names[1]} var punktlig" in text
    assert "Vill ni ta emot praoelever igen nästa termin?" in text
    assert "Påminnelser om utvärderingen (2)" in text
    assert "Påminnelser till handledaren där eleven nämns (1)" in text


def test_a_purged_pupils_evaluations_keep_their_scores_only(client, db, region, login_as):
    from portal.privacy.retention import purge

    purge(24)
    login_as("counsellor")
    pupil = region.old[1]
    sections = _json(client, pupil.student_id)["sections"]
    evaluations = _by_evaluation(sections)
    assert {a["question_key"]: a["score"] for a in evaluations["pupil"]["answers"]
            }["real_tasks"] == 4
    assert evaluations["employer"]["statement"] == ""
    assert evaluations["employer"]["submitted_by_label"] == ""
    assert sections["evaluation_emails"] == []  # sent long ago: deleted with the old mail


def test_the_extract_holds_the_lottery_every_report_and_the_alerts(client, db, region,
                                                                   login_as):
    """Art. 15 covers what the matching drew for the pupil and why, every attendance report
    (also those a later one replaced) and the absence alerts about the pupil."""
    from datetime import time

    from portal.matching.models import MatchingRun, MatchResult, ResultSource, RunStatus
    from portal.prao.models import AlertKind, AttendanceAlert, AttendanceReport, AttendanceStatus

    pupil = region.new[0]
    counsellor = factories.UserFactory(role="counsellor")
    run = MatchingRun(created_by_id=counsellor.id, seed=7, status=RunStatus.PUBLISHED)
    db.session.add(run)
    db.session.flush()
    day = support.TODAY
    db.session.add_all([
        MatchResult(run_id=run.id, enrolment_id=pupil.enrolment_id, rank=1, lottery=4711,
                    source=ResultSource.FIRST_ROUND, explanation={"code": "first_choice"}),
        AttendanceReport(assignment_id=pupil.assignment_id, day=day,
                         status=AttendanceStatus.LATE, start_time=time(9, 15),
                         reported_by_label="Handledare (länk)"),
        AttendanceAlert(assignment_id=pupil.assignment_id, day=day, kind=AlertKind.ABSENT),
    ])
    db.session.commit()
    login_as("counsellor")
    sections = _json(client, pupil.student_id)["sections"]
    assert sections["match_results"] == [{
        "period": sections["enrolments"][0]["period"], "run_status": "published", "rank": 1,
        "lottery": 4711, "source": "first_round", "explanation": "Du fick ditt förstahandsval."}]
    assert [(r["status"], r["start_time"]) for r in sections["attendance_reports"]] == [
        ("late", "09:15:00")]
    assert [a["kind"] for a in sections["attendance_alerts"]] == ["absent"]
    text = pdf_text(client.get(f"/elever/{pupil.student_id}/registerutdrag.pdf").data)
    assert "Lottnummer" in text and "4711" in text and "Du fick ditt förstahandsval." in text
    assert "Larm om frånvaro (1)" in text and "kom sent" in text
    client.get("/sprak/en?next=/")
    text = pdf_text(client.get(f"/elever/{pupil.student_id}/registerutdrag.pdf").data)
    assert "Lottery number" in text and "You got your first choice." in text


def test_the_pdf_names_who_read_what_in_words_not_codes(client, db, region, login_as):
    """A probe found "read_period · PraoPeriod · 5 pupils" in the extract handed to a pupil."""
    login_as("counsellor")
    pupil = region.new[0]
    from portal.schools.models import Enrolment

    period_id = db.session.get(Enrolment, pupil.enrolment_id).period_id
    assert client.get(f"/perioder/{period_id}").status_code == 200  # the pupil's list, read
    text = " ".join(pdf_text(client.get(
        f"/elever/{pupil.student_id}/registerutdrag.pdf").data).split())
    assert "Läste en praoperiod" in text and "Praoperiod" in text
    for code in ("read_period", "PraoPeriod", " pupils"):
        assert code not in text


def test_a_list_read_before_the_pupil_was_on_it_is_not_in_their_extract(client, db, region,
                                                                       login_as):
    from datetime import timedelta

    from portal.audit import AuditEvent
    from portal.schools.models import Enrolment, Student

    pupil = region.new[0]
    period_id = db.session.get(Enrolment, pupil.enrolment_id).period_id
    imported = db.session.get(Student, pupil.student_id).created_at
    db.session.add(AuditEvent(at=imported - timedelta(hours=1), action="read_period",
                              object_type="PraoPeriod", object_id=str(period_id),
                              detail="4 pupils; earlier"))
    db.session.commit()
    login_as("counsellor")
    audit = _json(client, pupil.student_id)["sections"]["audit"]
    assert audit and not any(row["detail"] == "4 pupils; earlier" for row in audit)

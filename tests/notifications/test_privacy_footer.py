"""Every email the portal sends, of every kind, ends with the address of the privacy notice,
in its text part and as a link in its HTML part: a pupil, a guardian or a supervisor who
wonders why the portal writes to them finds out from the email itself (GDPR art. 13). A
new kind of email without a case here fails: its templates must name the notice too."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.employers.models import JoinRequest
from portal.extensions import db
from portal.feedback.models import Audience
from portal.feedback.reminders import Due
from portal.matching import explain
from portal.matching.models import MatchingRun, MatchResult, ResultSource
from portal.notifications import messages
from portal.notifications.models import OutboxEmail
from portal.prao.attendance.daily import AlertLine, MorningPupil
from portal.prao.attendance.reminders import ReminderLine
from portal.prao.attendance.services import IncidentFacts
from portal.prao.guardians.letter import build_letter
from portal.prao.models import AlertKind, IncidentKind, IncidentSeverity
from portal.prao.services import SupervisorLinkText
from portal.schools.models import OwnPlacementRequest
from tests import factories
from tests.conftest import World

NOTICE = "http://portal.test/integritet"
EMAILS = Path(__file__).resolve().parents[2] / "templates" / "emails"
DAY = date(2027, 3, 16)


def _assignment(world: World) -> Any:
    period = factories.PraoPeriodFactory(school=world.school_a)
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           supervisor_name="Hanna Handledare",
                                           supervisor_email="hanna@foretag.se")
    return factories.AssignmentFactory(
        enrolment=factories.EnrolmentFactory(period=period, state="assigned",
                                             student__guardian_email="vh@hem.se"),
        offer=factories.PlacementOfferFactory(placement=placement, seats_taken=1),
        placement=placement)


def _alert(world: World) -> AlertLine:
    return AlertLine(1, AlertKind.ABSENT, DAY, 1, "Alva", "Berg", world.school_a.id, "Skola A",
                     "Köket", "Arbetsgivare A", "vh@hem.se", "http://portal.test/uppdrag/1")


def _join(world: World) -> Any:
    newcomer = factories.UserFactory(role="employer", organisation=None)
    join = JoinRequest(organisation=world.organisation_a, user=newcomer)
    db.session.add(join)
    return join


def _user(world: World) -> Any:
    return world.users["counsellor"]


def _own_request(world: World) -> OwnPlacementRequest:
    enrolment = factories.EnrolmentFactory(period=factories.PraoPeriodFactory(
        school=world.school_a))
    return OwnPlacementRequest(enrolment=enrolment, organisation=world.organisation_a,
                               workplace="Pappas firma")


def _result(world: World) -> MatchResult:
    assignment = _assignment(world)
    run = MatchingRun(created_by_id=world.users["coordinator"].id, seed=1)
    return MatchResult(run=run, enrolment=assignment.enrolment, offer=assignment.offer,
                       lottery=1, source=ResultSource.FIRST_ROUND,
                       explanation=explain.moved_by_hand())


def _due(world: World) -> Due:
    return Due(1, Audience.EMPLOYER, 1, DAY, 1, "Köket", "Alva Berg", "Skola A",
               "alva@skola.se", "hanna@foretag.se")


SEND: dict[str, Callable[[World], Any]] = {
    "password_reset": lambda w: messages.password_reset(_user(w), "http://portal.test/x"),
    "invitation": lambda w: messages.invitation(_user(w), w.users["coordinator"],
                                                "http://portal.test/x"),
    "verify_email": lambda w: messages.verify_email(w.users["employer"], "http://portal.test/x"),
    "registration_attempted": lambda w: messages.registration_attempted(w.users["employer"]),
    "join_request_received": lambda w: messages.join_request_received("chef@exempel.se",
                                                                      _join(w)),
    "join_request_decided": lambda w: messages.join_request_decided(_join(w)),
    "organisation_decided": lambda w: messages.organisation_decided("chef@exempel.se",
                                                                    w.organisation_a),
    "placement_decided": lambda w: messages.placement_decided(
        "chef@exempel.se", factories.PlacementFactory(organisation=w.organisation_a), True, ""),
    "pupil_link": lambda w: messages.pupil_link(
        "elev@skola.se", "Alva", factories.PraoPeriodFactory(school=w.school_a),
        "http://portal.test/elev/x"),
    "own_placement": lambda w: messages.own_placement_registered(
        "pappa@hem.se", (a := _assignment(w)).enrolment, a.placement),
    "own_placement_request": lambda w: messages.own_placement_request("chef@exempel.se",
                                                                      _own_request(w)),
    "pupil_assigned": lambda w: messages.pupil_assigned("elev@skola.se", _result(w)),
    "employer_pupils_proposed": lambda w: messages.employer_pupils_proposed(
        "chef@exempel.se", w.organisation_a, [a := _assignment(w)],
        [SupervisorLinkText(a.placement, "http://portal.test/handledare/x", DAY)], True),
    "assignment_declined": lambda w: messages.assignment_declined("syv@exempel.se",
                                                                  _assignment(w)),
    "guardian_letter": lambda w: messages.guardian_letter(
        "vh@hem.se", build_letter(_assignment(w), "sv", DAY),
        "http://portal.test/vardnadshavare/x"),
    "attendance_morning": lambda w: messages.attendance_mornings(
        [("hanna@foretag.se", "Hanna", DAY, [MorningPupil(1, "Alva", "Berg", "Skola A",
                                                          "Köket")],
          "http://portal.test/narvaro/x")], time(10)),
    "attendance_alerts": lambda w: messages.attendance_alerts(
        [("syv@exempel.se", "Sara", [_alert(w)])]),
    "attendance_guardian": lambda w: messages.attendance_guardians([_alert(w)]),
    "attendance_corrected": lambda w: messages.attendance_corrected(
        [("syv@exempel.se", "Sara", [_alert(w)])]),
    "attendance_guardian_corrected": lambda w: messages.attendance_guardians_corrected(
        [_alert(w)]),
    "incident_reported": lambda w: messages.incident_reported("syv@exempel.se", "Sara",
                                                              IncidentFacts(
        "Alva Berg", "Skola A", "Köket", "Arbetsgivare A", IncidentKind.NEAR_MISS,
        IncidentSeverity.MINOR, datetime(2027, 3, 17, 9), "Halkade", "", "", "Hanna",
        "http://portal.test/uppdrag/1")),
    "step_reminders": lambda w: messages.step_reminders(
        "syv@exempel.se", [ReminderLine(1, "Alva Berg", "Skola A", "Köket",
                                        "Eleven har förberetts på lektion", DAY)]),
    "employer_proposal_withdrawn": lambda w: messages.employer_proposal_withdrawn(
        "chef@exempel.se", w.organisation_a, [_assignment(w)]),
    "pupil_proposal_withdrawn": lambda w: messages.pupil_proposal_withdrawn("elev@skola.se",
                                                                            _assignment(w)),
    "pupil_evaluation_reminder": lambda w: messages.pupil_evaluation_reminder(
        "elev@skola.se", "Alva", "Köket", "http://portal.test/elev/x/utvardering"),
    "supervisor_evaluation_reminder": lambda w: messages.supervisor_evaluation_reminder(
        "hanna@foretag.se", [_due(w)], [("Köket", "http://portal.test/handledare/x")]),
}


FROM_A_REQUEST = {"own_placement"}


def test_every_kind_of_email_has_a_case_here() -> None:
    kinds = {path.name.removesuffix(".subject.txt") for path in EMAILS.glob("*.subject.txt")}
    assert kinds == set(SEND)


@pytest.mark.parametrize("kind", sorted(SEND))
def test_the_email_links_to_the_privacy_notice(app: Flask, db: Any, world: World,
                                               kind: str) -> None:
    # Most kinds are sent by the jobs, without a request; the own placement's email builds
    # its risk link with url_for, so it is only ever sent from the pupil's request.
    with app.test_request_context() if kind in FROM_A_REQUEST else nullcontext():
        SEND[kind](world)
    db.session.flush()
    [email] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind)).all()
    text_footer = email.body_text.rstrip().splitlines()[-1]
    assert text_footer == f"Så använder vi dina uppgifter: {NOTICE}"
    assert f'<a href="{NOTICE}">Så använder vi dina uppgifter</a>' in email.body_html


def test_an_english_reader_gets_the_notice_in_english(db: Any, world: World) -> None:
    world.users["employer"].language = "en"
    messages.registration_attempted(world.users["employer"])
    db.session.flush()
    email = db.session.scalars(select(OutboxEmail)).one()
    assert email.body_text.rstrip().endswith(f"How we use your data: {NOTICE}")
    assert f'<a href="{NOTICE}">How we use your data</a>' in email.body_html

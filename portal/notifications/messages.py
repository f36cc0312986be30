"""One function per message the portal sends. Each only queues; the caller commits.
An email is written in its recipient's language: a user's own choice, Swedish for pupils,
and a guardian letter in the language the counsellor chose for it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from portal.notifications.outbox import Fill, enqueue, enqueue_many

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.employers.models import JoinRequest, Organisation, Placement
    from portal.feedback.reminders import Due
    from portal.matching.models import MatchResult
    from portal.notifications.models import OutboxEmail
    from portal.prao.guardians.letter import Letter
    from portal.prao.models import Assignment
    from portal.prao.services import SupervisorLinkText
    from portal.schools.models import Enrolment, OwnPlacementRequest, PraoPeriod

PUPIL_LANGUAGE = "sv"  # pupils read the portal's emails in Swedish


def password_reset(user: User, link: str) -> OutboxEmail:
    return enqueue(user.email, "password_reset", user.language, user=user, link=link)


def invitation(user: User, inviter: User, link: str) -> OutboxEmail:
    return enqueue(user.email, "invitation", user.language, user=user, inviter=inviter, link=link)


def verify_email(user: User, link: str) -> OutboxEmail:
    return enqueue(user.email, "verify_email", user.language, user=user, link=link)


def registration_attempted(user: User) -> OutboxEmail:
    return enqueue(user.email, "registration_attempted", user=user)


def join_request_received(recipient: str, join: JoinRequest) -> OutboxEmail:
    return enqueue(recipient, "join_request_received", join=join)


def join_request_decided(join: JoinRequest) -> OutboxEmail:
    return enqueue(join.user.email, "join_request_decided", join.user.language, join=join)


def organisation_decided(recipient: str, organisation: Organisation,
                         has_account: bool = True) -> OutboxEmail:
    """`has_account`: the recipient can sign in (a workplace registered from a pupil's own
    placement has only the contact the pupil typed, with no account)."""
    return enqueue(recipient, "organisation_decided", organisation=organisation,
                   has_account=has_account)


def placement_decided(recipient: str, placement: Placement, approved: bool,
                      reason: str) -> OutboxEmail:
    return enqueue(recipient, "placement_decided", placement=placement, approved=approved,
                   reason=reason)


def pupil_link(recipient: str, first_name: str, period: PraoPeriod, link: str,
               reminder: bool = False) -> OutboxEmail:
    return enqueue(recipient, "pupil_link", PUPIL_LANGUAGE, first_name=first_name,
                   period=period, link=link, reminder=reminder)


def own_placement_registered(recipient: str, enrolment: Enrolment, placement: Placement,
                             just_approved: bool = False) -> OutboxEmail:
    """`just_approved`: sent with the coordinator's approval of a workplace registered from
    the pupil's form; the one email its contact gets about it (no separate "approved")."""
    from portal.accounts.services import find_user
    from portal.prao.links import own_risk_url

    # The workplace completes the risk assessment through this link, without an account.
    link = own_risk_url(placement.id, enrolment.id, enrolment.period.last_day)
    return enqueue(recipient, "own_placement", enrolment=enrolment, placement=placement,
                   link=link, just_approved=just_approved,
                   has_account=find_user(recipient) is not None)


def own_placement_request(recipient: str, request: OwnPlacementRequest) -> OutboxEmail:
    return enqueue(recipient, "own_placement_request", request=request)


def pupil_assigned(recipient: str, result: MatchResult) -> OutboxEmail:
    return enqueue(recipient, "pupil_assigned", PUPIL_LANGUAGE, result=result)


def employer_pupils_proposed(recipient: str, organisation: Organisation,
                             assignments: list[Assignment],
                             supervisor_links: list[SupervisorLinkText],
                             has_account: bool) -> OutboxEmail:
    return enqueue(recipient, "employer_pupils_proposed", organisation=organisation,
                   assignments=assignments, supervisor_links=supervisor_links,
                   has_account=has_account)


def assignment_declined(recipient: str, assignment: Assignment) -> OutboxEmail:
    return enqueue(recipient, "assignment_declined", assignment=assignment)


def guardian_letter(recipient: str, letter: Letter, link: str) -> OutboxEmail:
    return enqueue(recipient, "guardian_letter", letter.lang, letter=letter, link=link)


# --- daily attendance, alerts, incidents and checklist reminders (issue 10) --------------

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date, time

    from portal.prao.attendance.daily import AlertLine, MorningPupil
    from portal.prao.attendance.reminders import ReminderLine
    from portal.prao.attendance.services import IncidentFacts


def attendance_mornings(emails: Iterable[tuple[str, str, date, Sequence[MorningPupil], str]],
                        deadline: time) -> int:
    """The morning links: (recipient, supervisor's name, day, pupils, link) each."""
    return enqueue_many("attendance_morning", (
        (recipient, {"supervisor_name": name, "day": day, "pupils": pupils, "link": link,
                     "deadline": deadline})
        for recipient, name, day, pupils, link in emails))


def attendance_alerts(digests: Iterable[tuple[str, str, Sequence[AlertLine]]]) -> int:
    """One digest per counsellor: (recipient, name, alerts)."""
    return enqueue_many("attendance_alerts", ((recipient, {"name": name, "lines": lines})
                                              for recipient, name, lines in digests))


def attendance_guardians(lines: Iterable[AlertLine]) -> int:
    """One email per guardian, about one pupil's day. The worst morning has thousands,
    alike but for the names: each kind of alert on a day is rendered once (Fill)."""
    return enqueue_many("attendance_guardian", ((line.guardian_email, {"line": line})
                                                for line in lines), fill=_GUARDIAN_FILL)


def attendance_corrected(digests: Iterable[tuple[str, str, Sequence[AlertLine]]]) -> int:
    """To each counsellor who had the alerts: these absences were corrected, and withdrawn."""
    return enqueue_many("attendance_corrected", ((recipient, {"name": name, "lines": lines})
                                                 for recipient, name, lines in digests))


def attendance_guardians_corrected(lines: Iterable[AlertLine]) -> int:
    """To each guardian told of an absence that the workplace then corrected."""
    return enqueue_many("attendance_guardian_corrected",
                        ((line.guardian_email, {"line": line}) for line in lines))


_GUARDIAN_FIELDS = ("first_name", "last_name", "school", "workplace", "organisation")
_GUARDIAN_FILL = Fill(
    key=lambda context: (context["line"].kind, context["line"].day),
    fields=lambda context: {name: getattr(context["line"], name) for name in _GUARDIAN_FIELDS},
    blank=lambda context, marks: {"line": replace(context["line"], **marks)})


def incident_reported(recipient: str, name: str, facts: IncidentFacts) -> OutboxEmail:
    return enqueue(recipient, "incident_reported", name=name, facts=facts)


def step_reminders(recipient: str, lines: Sequence[ReminderLine],
                   pupil_link: str = "") -> OutboxEmail:
    return enqueue(recipient, "step_reminders", lines=lines, pupil_link=pupil_link)


def employer_proposal_withdrawn(recipient: str, organisation: Organisation,
                                assignments: list[Assignment]) -> OutboxEmail:
    return enqueue(recipient, "employer_proposal_withdrawn", organisation=organisation,
                   assignments=assignments)


def pupil_proposal_withdrawn(recipient: str, assignment: Assignment) -> OutboxEmail:
    return enqueue(recipient, "pupil_proposal_withdrawn", PUPIL_LANGUAGE, assignment=assignment)


def pupil_evaluation_reminder(recipient: str, first_name: str, workplace: str,
                              link: str) -> OutboxEmail:
    return enqueue(recipient, "pupil_evaluation_reminder", PUPIL_LANGUAGE,
                   first_name=first_name, workplace=workplace, link=link)


def supervisor_evaluation_reminder(recipient: str, lines: Sequence[Due],
                                   links: Sequence[tuple[str, str]]) -> OutboxEmail:
    return enqueue(recipient, "supervisor_evaluation_reminder", lines=lines, links=links)

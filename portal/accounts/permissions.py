"""Who may do what to which object: the one place every view asks.

Two questions, answered in order:
1. May this role do this action at all?  No -> 403 (or the login page when anonymous).
2. Is this object inside the user's scope?  No -> 404, so nobody learns that it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from portal.accounts.models import Role, User
from portal.employers.models import (
    JoinRequest,
    Organisation,
    Placement,
    PlacementOffer,
)
from portal.extensions import db, login_manager
from portal.matching.models import MatchingRun
from portal.prao.models import Assignment
from portal.schools.models import (
    Enrolment,
    Municipality,
    OwnPlacementRequest,
    PraoPeriod,
    PupilImport,
    School,
    Student,
)

C, CO, E, R = Role.COORDINATOR, Role.COUNSELLOR, Role.EMPLOYER, Role.COUNCIL

# action -> roles that may perform it (scope is checked separately, per object)
ROLE_RULES: dict[str, frozenset[Role]] = {
    "start.coordinator": frozenset({C}),
    "start.counsellor": frozenset({CO}),
    "start.employer": frozenset({E}),
    "start.council": frozenset({R}),
    "user.list": frozenset({C}),
    "user.invite": frozenset({C}),
    "user.manage": frozenset({C}),
    "outbox.read": frozenset({C}),
    "outbox.retry": frozenset({C}),
    "school.view": frozenset({C, CO}),
    "organisation.view": frozenset({C, E}),
    "organisation.edit": frozenset({E}),
    "placement.create": frozenset({E}),
    "placement.view": frozenset({C, E}),
    "placement.edit": frozenset({E}),
    "placement.copy_term": frozenset({E}),
    "offer.edit": frozenset({E}),
    "calendar.view": frozenset({C, E}),
    "calendar.edit": frozenset({C}),
    "join.list": frozenset({C, E}),
    "join.decide": frozenset({C, E}),
    "own_request.decide": frozenset({E}),
    "review.queue": frozenset({C}),
    "review.decide": frozenset({C}),
    "settings.edit": frozenset({C}),
    "municipality.manage": frozenset({C}),
    "school.manage": frozenset({C}),
    "period.create": frozenset({C, CO}),
    "period.view": frozenset({C, CO}),
    "enrolment.manage": frozenset({C, CO}),
    "matching.run": frozenset({C, CO}),
    "pupils.import": frozenset({C, CO}),
    "pupils.export": frozenset({C, CO}),
    "assignment.respond": frozenset({E}),
    "first_day.edit": frozenset({E}),
    "assignment.place": frozenset({C, CO}),
    "checklist.view": frozenset({C, CO}),
    "checklist.tick": frozenset({C, CO}),
    "checklist.region": frozenset({C}),
    "placements.export": frozenset({C, CO}),
    "guardians.letter": frozenset({C, CO}),
    "certificate.issue": frozenset({C, CO}),
    "attendance.report": frozenset({E}),
    "attendance.follow": frozenset({C, CO}),
    "attendance.excuse": frozenset({C, CO}),
    "followup.record": frozenset({C, CO}),
    "incident.report": frozenset({C, CO}),
    "incident.employer": frozenset({E}),
    "audit.read": frozenset({C}),
    "pupil.extract": frozenset({C, CO}),
    "feedback.questions": frozenset({C}),
    "feedback.rates": frozenset({C, CO}),
    "feedback.texts": frozenset({C}),
    "feedback.thanks": frozenset({C}),
    "feedback.employer": frozenset({E}),
    "report.read": frozenset({C, R}),
    "target.edit": frozenset({C}),
    "report.refresh": frozenset({C}),
}

# The roles a coordinator may invite by email; employers register themselves.
INVITABLE_ROLES: tuple[Role, ...] = (Role.COUNSELLOR, Role.COUNCIL, Role.COORDINATOR)


def role_allows(user: User, action: str) -> bool:
    return user.role in ROLE_RULES[action]


def _school_in_scope(user: User, school: School) -> bool:
    if user.role is Role.COORDINATOR:
        return True
    return user.role is Role.COUNSELLOR and any(s.id == school.id for s in user.schools)


def _organisation_in_scope(user: User, organisation: Organisation) -> bool:
    if user.role is Role.COORDINATOR:
        return True
    return user.role is Role.EMPLOYER and user.organisation_id == organisation.id


def _placement_in_scope(user: User, placement: Placement) -> bool:
    # By id, not through the relationship: no query, and no lazy load of another employer's row.
    if user.role is Role.COORDINATOR:
        return True
    return user.role is Role.EMPLOYER and user.organisation_id == placement.organisation_id


def _offer_in_scope(user: User, offer: PlacementOffer) -> bool:
    return _placement_in_scope(user, offer.placement)


def _municipality_in_scope(user: User, municipality: Municipality) -> bool:
    if user.role is Role.COORDINATOR:
        return True
    return user.role is Role.COUNCIL and user.municipality_id in (None, municipality.id)


def _approved_member(user: User, organisation_id: int) -> bool:
    """A member of this organisation, approved by the coordinator. Until then anyone could
    have registered the organisation number first: the coordinator decides who joins, and
    a pupil's request waits. (The user's organisation comes with the user: no query.)"""
    return (user.role is Role.EMPLOYER and user.organisation_id == organisation_id
            and user.organisation is not None
            and user.organisation.approved)


def _join_request_in_scope(user: User, join: JoinRequest) -> bool:
    return user.role is Role.COORDINATOR or _approved_member(user, join.organisation_id)


def _own_request_in_scope(user: User, request: OwnPlacementRequest) -> bool:
    return _approved_member(user, request.organisation_id)


def _period_in_scope(user: User, period: PraoPeriod) -> bool:
    return _school_in_scope(user, period.school)


def _enrolment_in_scope(user: User, enrolment: Enrolment) -> bool:
    return _school_in_scope(user, enrolment.period.school)


def _student_in_scope(user: User, student: Student) -> bool:
    return _school_in_scope(user, student.school)


def _pupil_import_in_scope(user: User, pupil_import: PupilImport) -> bool:
    # By id: an uploaded file belongs to its school, whoever uploaded it.
    if user.role is Role.COORDINATOR:
        return True
    return (user.role is Role.COUNSELLOR
            and any(s.id == pupil_import.school_id for s in user.schools))


def _assignment_in_scope(user: User, assignment: Assignment) -> bool:
    # An employer sees only pupils placed at its own placements; a counsellor only pupils
    # of their own schools.
    if user.role is Role.EMPLOYER:
        return (user.organisation_id is not None
                and assignment.placement.organisation_id == user.organisation_id)
    return _school_in_scope(user, assignment.enrolment.period.school)


def _run_in_scope(user: User, run: MatchingRun) -> bool:
    # A round over several schools belongs to whoever may see every one of them; a round
    # that names no period (made outside the portal's own flow) is the coordinator's only.
    if not run.periods:
        return user.role is Role.COORDINATOR
    return all(_school_in_scope(user, period.school) for period in run.periods)


SCOPE_RULES: dict[type, Callable[[User, Any], bool]] = {
    Assignment: _assignment_in_scope,
    MatchingRun: _run_in_scope,
    PraoPeriod: _period_in_scope,
    Enrolment: _enrolment_in_scope,
    Student: _student_in_scope,
    PupilImport: _pupil_import_in_scope,
    JoinRequest: _join_request_in_scope,
    OwnPlacementRequest: _own_request_in_scope,
    School: _school_in_scope,
    Organisation: _organisation_in_scope,
    Placement: _placement_in_scope,
    PlacementOffer: _offer_in_scope,
    Municipality: _municipality_in_scope,
}


def in_scope(user: User, obj: object) -> bool:
    rule = SCOPE_RULES.get(type(obj))
    if rule is None:
        # An object type nobody wrote a rule for is closed, never open by accident.
        return user.role is Role.COORDINATOR
    return rule(user, obj)


def can(user: User | None, action: str, obj: object | None = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not role_allows(user, action):
        return False
    return obj is None or in_scope(user, obj)


def authorize(action: str, obj: object | None = None) -> None:
    """Abort the request unless the current user may do `action` to `obj`."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not role_allows(current_user, action):
        abort(403)
    if obj is None:
        abort(404)
    if not in_scope(current_user, obj):
        abort(404)


T = TypeVar("T")


def get_authorized(action: str, model: type[T], object_id: int) -> T:
    """Load `model` by primary key for `action`, answering exactly as authorize() does.

    The role is asked first (403), before anything is read; a missing row and a row outside
    the user's scope both answer 404, so nobody learns which ids exist.
    """
    authorize_role(action)
    found = db.session.get(model, object_id)
    if found is None or not in_scope(current_user, found):
        abort(404)
    return found


def authorize_role(action: str) -> None:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not role_allows(current_user, action):
        abort(403)


F = TypeVar("F", bound=Callable[..., Any])


def require(action: str) -> Callable[[F], F]:
    """Decorator: the view needs a signed-in user whose role may do `action`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            authorize_role(action)
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Mark a view as open to everyone, so the route audit knows it was meant to be."""
    view.public = True  # type: ignore[attr-defined]
    return view

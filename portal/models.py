"""Every domain's models in one import, so Alembic and `flask shell` see them all."""

from portal.accounts.models import Role, User, counsellor_school
from portal.audit import AuditEvent
from portal.employers.models import (
    CalendarEntry,
    JoinRequest,
    JoinStatus,
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
    RegionSettings,
)
from portal.matching.models import MatchingRun, MatchResult, ResultSource, RunStatus
from portal.notifications.models import OutboxEmail, OutboxStatus
from portal.prao.models import Assignment, AssignmentSource, AssignmentState
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    Gender,
    Municipality,
    OwnPlacementRequest,
    OwnPlacementStatus,
    PraoPeriod,
    PupilImport,
    School,
    Student,
    Wish,
)

__all__ = [
    "Assignment",
    "AssignmentSource",
    "AssignmentState",
    "MatchResult",
    "MatchingRun",
    "ResultSource",
    "RunStatus",
    "AuditEvent",
    "Enrolment",
    "EnrolmentState",
    "Gender",
    "OwnPlacementRequest",
    "OwnPlacementStatus",
    "PraoPeriod",
    "PupilImport",
    "Student",
    "Wish",
    "CalendarEntry",
    "JoinRequest",
    "JoinStatus",
    "Placement",
    "PlacementOffer",
    "PlacementStatus",
    "RegionSettings",
    "Municipality",
    "Organisation",
    "OrganisationStatus",
    "OutboxEmail",
    "OutboxStatus",
    "Role",
    "School",
    "User",
    "counsellor_school",
]

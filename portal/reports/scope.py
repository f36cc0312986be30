"""Which prao periods a report's scope covers, as a subquery every indicator joins on."""

from __future__ import annotations

from sqlalchemy import Select, select

from portal.reports.tables import Scope
from portal.schools.models import PraoPeriod, School


def periods_in(scope: Scope) -> Select[int]:
    """The ids of the periods whose first day falls in the scope's dates, at schools in the
    scope's municipality (every school for the region)."""
    stmt = (select(PraoPeriod.id)
            .join(School, School.id == PraoPeriod.school_id)
            .where(PraoPeriod.first_day >= scope.first_day,
                   PraoPeriod.first_day <= scope.last_day))
    if scope.municipality_id is not None:
        stmt = stmt.where(School.municipality_id == scope.municipality_id)
    return stmt

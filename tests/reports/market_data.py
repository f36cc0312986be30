"""Small builders for the market indicators' hand-made data sets (seats, gender, equity,
employers): a few periods in two municipalities and last year's, offers by sector and week,
pupils with wishes and assignments."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from portal.employers.models import PlacementOffer, PlacementStatus
from portal.extensions import db
from portal.prao.models import Assignment, AssignmentSource, AssignmentState
from portal.reports.tables import Cell, Table
from portal.schools.gender import Gender
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, School, Wish
from tests import factories
from tests.conftest import statements_sent

SPRING = (date(2027, 3, 15), date(2027, 3, 26))  # weeks 11–12 2027, school year 2026/27
SPRING_B = (date(2027, 4, 12), date(2027, 4, 16))  # week 15 2027
AUTUMN = (date(2026, 10, 5), date(2026, 10, 9))  # week 41 2026, school year 2026/27
LAST_YEAR = (date(2026, 3, 16), date(2026, 3, 27))  # weeks 11–12 2026, school year 2025/26
NEXT_YEAR = (date(2027, 10, 4), date(2027, 10, 8))  # week 40 2027, school year 2027/28


def period(school: School, days: tuple[date, date]) -> PraoPeriod:
    first, last = days
    return factories.PraoPeriodFactory(school=school, first_day=first, last_day=last,
                                       wishes_open=date(first.year - 1, 12, 1),
                                       wishes_close=date(first.year - 1, 12, 20))


def offer(sector: str, first_week: date, last_week: date | None = None, seats: int = 5,
          status: PlacementStatus = PlacementStatus.PUBLISHED, **placement: Any
          ) -> PlacementOffer:
    return factories.PlacementOfferFactory(
        first_week=first_week, last_week=last_week or first_week, seats=seats,
        placement__sector=sector, placement__status=status, **{
            f"placement__{key}": value for key, value in placement.items()})


def pupil(in_period: PraoPeriod, gender: Gender = Gender.GIRL, *wished: PlacementOffer,
          state: EnrolmentState = EnrolmentState.NEEDS_PLACEMENT) -> Enrolment:
    """A pupil in the period with wishes ranked in the order given."""
    enrolment = factories.EnrolmentFactory(period=in_period, student__gender=gender,
                                           state=state)
    for rank, wanted in enumerate(wished, start=1):
        db.session.add(Wish(enrolment=enrolment, offer=wanted, rank=rank))
    db.session.flush()
    return enrolment


def place(enrolment: Enrolment, at: PlacementOffer | None = None, *,
          placement: Any = None, source: AssignmentSource = AssignmentSource.MATCHING,
          state: AssignmentState = AssignmentState.CONFIRMED) -> Assignment:
    """An assignment at an offer, or (own placements) at a placement without an offer."""
    return factories.AssignmentFactory(
        enrolment=enrolment, offer=at, placement=placement if at is None else at.placement,
        source=source, state=state)


def figures(table: Table, row_key: str) -> tuple[float | None, ...]:
    """The values of one row (or of the total row, key "total"), rounded for comparing."""
    row = table.total if row_key == "total" else next(r for r in table.rows if r.key == row_key)
    assert row is not None
    return tuple(None if c.value is None else round(c.value, 2) for c in row.cells)


def shares(cell: Cell) -> tuple[int | None, int | None]:
    return cell.n, cell.base


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """Every statement sent on the test's connection (savepoints aside)."""
    with statements_sent(db.session.connection(),
                         leaving_out=("SAVEPOINT", "RELEASE", "ROLLBACK")) as statements:
        yield statements

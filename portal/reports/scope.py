"""Which prao periods a report's scope covers, as a subquery every indicator joins on, and
the scopes of one school year's term computed together (`Batch`): the region alone, or
its municipalities, whose rows a query tells apart by the period's municipality."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, Subquery, literal_column, select

from portal.reports.tables import Scope, Term
from portal.schools.models import PraoPeriod, School

T = TypeVar("T")


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


@dataclass(frozen=True)
class Batch:
    """Scopes of one school year and term whose figures one query counts at once: the
    region alone (`municipality_ids` None), or municipalities. A query joins `periods()`
    and groups by its `place` column (the period's municipality; 0 for the region), and
    `split` hands each scope its rows: a country's year is then a few dozen queries, not
    two dozen per municipality."""

    school_year: int
    term: Term | None = None
    municipality_ids: tuple[int, ...] | None = None

    @classmethod
    def of(cls, scope: Scope) -> Batch:
        ids = None if scope.municipality_id is None else (scope.municipality_id,)
        return cls(scope.school_year, scope.term, ids)

    @property
    def region(self) -> Scope:
        """The region's scope of the same dates (for what only the dates decide)."""
        return Scope(self.school_year, None, self.term)

    @property
    def scopes(self) -> list[Scope]:
        if self.municipality_ids is None:
            return [self.region]
        return [Scope(self.school_year, m, self.term) for m in self.municipality_ids]

    def periods(self, name: str = "scope_period") -> Subquery:
        """The batch's periods (`id`) and each one's place (`place`), as periods_in."""
        region = self.region
        place = (literal_column("0") if self.municipality_ids is None
                 else School.municipality_id)
        stmt: Select[int, Any] = (select(PraoPeriod.id.label("id"), place.label("place"))
                .join(School, School.id == PraoPeriod.school_id)
                .where(PraoPeriod.first_day >= region.first_day,
                       PraoPeriod.first_day <= region.last_day))
        if self.municipality_ids is not None:
            stmt = stmt.where(School.municipality_id.in_(self.municipality_ids))
        return stmt.subquery(name)

    def scope_of(self, place: int) -> Scope:
        return self.region if self.municipality_ids is None else \
            Scope(self.school_year, place, self.term)

    def split(self, rows: Iterable[Sequence[Any]]) -> dict[Scope, list[tuple[Any, ...]]]:
        """Rows whose first column is the place, by scope and in their order, without it;
        every scope of the batch is there, with no rows when none were found."""
        found: dict[Scope, list[tuple[Any, ...]]] = {scope: [] for scope in self.scopes}
        for row in rows:
            found[self.scope_of(row[0])].append(tuple(row[1:]))
        return found


class PerScope(Generic[T]):
    """A figure counted for every scope of a batch at once (`each`), and for one scope
    when called with it: the report computes a school year batch by batch, a test or a
    target list asks for one scope."""

    def __init__(self, each: Callable[[Batch], dict[Scope, T]]) -> None:
        self.each = each
        functools.update_wrapper(self, each)

    def __call__(self, scope: Scope) -> T:
        return self.each(Batch.of(scope))[scope]


def per_scope(each: Callable[[Batch], dict[Scope, T]]) -> PerScope[T]:
    return PerScope(each)


def year_batches(scopes: Iterable[Scope]) -> list[Batch]:
    """The scopes of one school year as batches: per term (and the whole year), the
    region, and the municipalities together."""
    batches = []
    scopes = list(scopes)
    for term in (None, *Term):
        here = [s for s in scopes if s.term is term]
        ids = tuple(s.municipality_id for s in here if s.municipality_id is not None)
        if any(s.municipality_id is None for s in here):
            batches.append(Batch(here[0].school_year, term))
        if ids:
            batches.append(Batch(here[0].school_year, term, ids))
    return batches

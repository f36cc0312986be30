"""Which prao periods a report's scope covers, as a subquery every indicator joins on, and
the scopes computed together: of one school year's term (`Batch`: the region alone, or its
municipalities, whose rows a query tells apart by the period's municipality), or every
scope of the school year at once (`YearBatch`: by municipality and term)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, Subquery, literal_column, select, union_all

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


TERMS: tuple[Term | None, ...] = (None, *Term)


@dataclass(frozen=True)
class YearBatch(Batch):
    """Every scope of a school year in one batch (`year_scopes`): the year and each term, the
    region and municipalities, told apart by `place` (3 × the municipality id, 0 for the
    region, plus 0 for the year, 1 for the autumn, 2 for the spring). A period counts in
    each scope it falls in, so one query counts a whole year's report: six fewer round
    trips for each indicator whose rows depend on the periods alone. An indicator that
    reads the batch's own dates (`region`, `term`) takes the term batches instead
    (PerScope.dated)."""

    year_scopes: tuple[Scope, ...] = ()

    @classmethod
    def of_year(cls, scopes: Iterable[Scope]) -> YearBatch:
        scopes = tuple(scopes)
        return cls(scopes[0].school_year, year_scopes=scopes)

    @property
    def region(self) -> Scope:
        raise TypeError("a year's batch has the dates of three scopes, not one")

    @property
    def scopes(self) -> list[Scope]:
        return list(self.year_scopes)

    def periods(self, name: str = "scope_period") -> Subquery:
        parts = [self._part(term, ids) for term in TERMS
                 for ids in self._places(term)]
        return union_all(*parts).subquery(name)

    def _places(self, term: Term | None) -> list[tuple[int, ...] | None]:
        here = [s.municipality_id for s in self.year_scopes if s.term is term]
        ids = tuple(m for m in here if m is not None)
        return ([None] if None in here else []) + ([ids] if ids else [])

    def _part(self, term: Term | None, ids: tuple[int, ...] | None) -> Select[int, int]:
        dates = Scope(self.school_year, None, term)
        code: ColumnElement[int] = literal_column(str(TERMS.index(term)))
        place = code if ids is None else School.municipality_id * 3 + code
        stmt = (select(PraoPeriod.id.label("id"), place.label("place"))
                .join(School, School.id == PraoPeriod.school_id)
                .where(PraoPeriod.first_day >= dates.first_day,
                       PraoPeriod.first_day <= dates.last_day))
        return stmt if ids is None else stmt.where(School.municipality_id.in_(ids))

    def scope_of(self, place: int) -> Scope:
        municipality, term = divmod(place, 3)
        return Scope(self.school_year, municipality or None, TERMS[term])


class PerScope(Generic[T]):
    """A figure counted for every scope of a batch at once (`each`), and for one scope
    when called with it: the report computes a school year in one batch, a test or a
    target list asks for one scope. `dated`: it reads the batch's dates (Batch.region),
    so a year is counted term by term (year_batches), never in one YearBatch."""

    def __init__(self, each: Callable[[Batch], dict[Scope, T]], dated: bool = False) -> None:
        self.each = each
        self.dated = dated
        functools.update_wrapper(self, each)

    def __call__(self, scope: Scope) -> T:
        return self.each(Batch.of(scope))[scope]

    def of_year(self, scopes: list[Scope]) -> dict[Scope, T]:
        """Every scope of one school year (the report's), in as few queries as it can."""
        if not self.dated:
            return self.each(YearBatch.of_year(scopes))
        found: dict[Scope, T] = {}
        for batch in year_batches(scopes):
            found.update(self.each(batch))
        return found


def per_scope(each: Callable[[Batch], dict[Scope, T]]) -> PerScope[T]:
    return PerScope(each)


def dated_per_scope(each: Callable[[Batch], dict[Scope, T]]) -> PerScope[T]:
    """per_scope for a figure that reads its batch's dates (PerScope.dated)."""
    return PerScope(each, dated=True)


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

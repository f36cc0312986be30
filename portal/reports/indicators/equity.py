"""Equity between schools: per school the placement rate, the first-wish rate and the share
placed through the pupils' own network, and how far apart the schools are.

Per school, of the pupils enrolled in the scope's periods who are not exempt:
- placement rate: pupils with a live assignment (proposed, confirmed, in progress or
  completed) / pupils;
- first-wish rate: pupils placed at the offer they wished first / pupils with a first wish;
- own-network share: pupils placed at their own placement (source "own") / placed pupils.

The spread between schools (highest − lowest, and the interquartile range) is taken over the
schools whose value the per-school table shows (suppression: at least five pupils in the
count and in its base, and not hidden to protect another cell): a school of three pupils
swings by 33 points with one pupil, and a hidden rate must not come back from the spread.
The report suppresses the per-school table with every other scope of its school year
(snapshots.compute_year), which may hide more than the table suppressed alone: it takes
the spread (the headline and the spread table) again from the table as finally shown
(`as_shown`). The indicators below take it from the table suppressed alone, which is all
they know.

Satisfaction per school comes from the evaluations (another module): pass a
`SatisfactionBySchool` to `per_school` / `spread` and it becomes a column and a spread row."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import and_, case, func, select

from portal.extensions import db
from portal.prao.models import ACTIVE_STATES, Assignment, AssignmentSource
from portal.reports.scope import Batch
from portal.reports.suppression import Shown, suppress
from portal.reports.tables import (
    FIRST,
    OWN,
    PLACED,
    SCHOOL,
    SCHOOL_PUPILS,
    Cell,
    Chart,
    Column,
    Counts,
    Row,
    Scope,
    Table,
    Unit,
)
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, School, Wish
from portal.texts import mark as _l

# The evaluations' hook: school id -> the pupils' mean satisfaction (Cell.average), and under
# the key None the mean over all the scope's schools (the total row); `SatisfactionEach`
# gives it for every scope of a batch at once.
SatisfactionBySchool = Callable[[Scope], Mapping[int | None, Cell]]
SatisfactionEach = Callable[[Batch], Mapping[Scope, Mapping[int | None, Cell]]]


@dataclass(frozen=True)
class SchoolCounts:
    school_id: int
    name: str
    pupils: int
    placed: int
    first_wished: int  # pupils with a first wish
    on_first_wish: int
    own: int

    def cells(self) -> tuple[Cell, Cell, Cell, Cell]:
        return (Cell.pupils(self.pupils), Cell.share(self.placed, self.pupils),
                Cell.share(self.on_first_wish, self.first_wished),
                Cell.share(self.own, self.placed))


def school_counts(batch: Batch) -> dict[Scope, list[SchoolCounts]]:
    """One grouped query: a pupil has at most one live assignment and one first wish, so
    the outer joins never double a pupil."""
    first = Wish.__table__.alias("first_wish")
    periods = batch.periods()
    stmt = (select(periods.c.place, School.id, School.name, func.count(Enrolment.id),
                   func.count(Assignment.id), func.count(first.c.id),
                   func.sum(case((Assignment.offer_id == first.c.offer_id, 1), else_=0)),
                   func.sum(case((Assignment.source == AssignmentSource.OWN, 1), else_=0)))
            .select_from(Enrolment)
            .join(periods, periods.c.id == Enrolment.period_id)
            .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
            .join(School, School.id == PraoPeriod.school_id)
            .outerjoin(Assignment, and_(Assignment.enrolment_id == Enrolment.id,
                                        Assignment.state.in_(ACTIVE_STATES)))
            .outerjoin(first, and_(first.c.enrolment_id == Enrolment.id, first.c.rank == 1))
            .where(Enrolment.state != EnrolmentState.EXEMPT)
            .group_by(periods.c.place, School.id, School.name)
            .order_by(School.name, School.id))
    return {scope: [SchoolCounts(school_id, name, int(pupils), int(placed), int(wished),
                                 int(on_first or 0), int(own or 0))
                    for school_id, name, pupils, placed, wished, on_first, own in rows]
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


COLUMNS = (
    Column("pupils", _l("Elever"), Unit.PUPILS, counts=Counts(SCHOOL, SCHOOL_PUPILS)),
    Column("placement_rate", _l("Andel placerade"), Unit.SHARE, of=("pupils",),
           counts=Counts(SCHOOL, PLACED, SCHOOL_PUPILS)),
    # Its base, pupils with a first wish, is counted nowhere on the page; its numerator is
    # the wishes table's first wishes.
    Column("first_wish_rate", _l("Andel som fått sitt förstahandsönskemål"), Unit.SHARE,
           counts=Counts(SCHOOL, (FIRST,), ("first_wished",))),
    # Of the placed pupils: the placement rate's numerator.
    Column("own_network_share", _l("Andel med egen kontakt"), Unit.SHARE,
           of=("placement_rate",), counts=Counts(SCHOOL, (OWN,), PLACED)),
)
# A school's mean is of answers no table counts; the total row's is of every pupil's
# answer, which the pupils' distribution counts.
SATISFACTION = Column("satisfaction", _l("Nöjdhet (medel 1–5)"), Unit.AVERAGE,
                      counts=None, mean_of="evaluation_pupil_distribution")


@dataclass(frozen=True)
class Spread:
    schools: int  # how many schools the spread is taken over
    lowest: float | None
    highest: float | None
    interquartile_range: float | None

    @property
    def range(self) -> float | None:
        if self.lowest is None or self.highest is None:
            return None
        return self.highest - self.lowest


def spread_of(values: list[float]) -> Spread:
    """Highest − lowest and the interquartile range (inclusive quartiles) of the schools'
    values; nothing to compare with fewer than two schools."""
    if len(values) < 2:
        return Spread(len(values), None, None, None)
    q1, _median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(len(values), min(values), max(values), q3 - q1)


def _shown_values(shown: Shown, key: str) -> list[float]:
    """A column's values as the per-school table shows them to the council. A school whose
    cell it hides ("<5", or hidden to protect another) is left out: as the lowest or the
    highest value of the spread, its figure came back (Strömbackaskolan's 7.14 % own
    network beside its "<5")."""
    j = shown.table.column(key)
    return [value for i, row in enumerate(shown.table.rows)
            if (value := row.cells[j].value) is not None and not shown.is_hidden(i, j)]


def _headline(schools: Shown) -> Cell:
    """The spread of the placement rate over the schools whose rate `schools` shows."""
    return Cell.count(spread_of(_shown_values(schools, "placement_rate")).range)


def _totals(schools: list[SchoolCounts]) -> SchoolCounts:
    return SchoolCounts(0, "", *(sum(getattr(s, f) for s in schools) for f in
                                 ("pupils", "placed", "first_wished", "on_first_wish", "own")))


def _each(hook: SatisfactionBySchool | None) -> SatisfactionEach | None:
    """A hook for one scope, asked for each scope of a batch (tests pass such hooks)."""
    if hook is None:
        return None
    return lambda batch: {scope: hook(scope) for scope in batch.scopes}


def per_school(scope: Scope, satisfaction: SatisfactionBySchool | None = None) -> Table:
    """The scope's per-school table (per_school_each)."""
    return per_school_each(Batch.of(scope), _each(satisfaction))[scope]


def per_school_each(batch: Batch, satisfaction: SatisfactionEach | None = None,
                    ) -> dict[Scope, Table]:
    """Placement rate, first-wish rate and own-network share per school. Headline: the
    spread of the placement rate between schools (highest − lowest, in percentage points,
    over the schools whose rate the table shows); lower is better."""
    answers = satisfaction(batch) if satisfaction is not None else None
    return {scope: _per_school(schools, None if answers is None else answers[scope])
            for scope, schools in school_counts(batch).items()}


def _per_school(schools: list[SchoolCounts], answers: Mapping[int | None, Cell] | None,
                ) -> Table:
    extra = (lambda s: (answers.get(s.school_id, Cell.average(None, 0)),)) \
        if answers is not None else (lambda s: ())
    rows = tuple(Row(s.name, s.cells() + extra(s), key=str(s.school_id)) for s in schools)
    table = Table(
        key="equity_schools",
        title=_l("Likvärdighet mellan skolor"),
        description=_l("Andelen elever som fått en praoplats, som fått sitt "
                       "förstahandsönskemål och som ordnat platsen via egen kontakt, per "
                       "skola. Nyckeltalet är skillnaden i procentenheter mellan skolan med "
                       "högst och lägst andel placerade."),
        row_header=_l("Skola"),
        columns=COLUMNS + ((SATISFACTION,) if answers is not None else ()),
        rows=rows,
        total=Row(_l("Alla skolor"), _totals(schools).cells()
                  + ((answers.get(None, Cell.average(None, 0)),) if answers is not None
                     else ()),
                  key="total", translate=True),
        chart=Chart.BAR,
        headline_unit=Unit.COUNT,
        higher_is_better=False,
        headline_label=_l("Skillnad i andel placerade mellan skolor (procentenheter)"),
    )
    return replace(table, headline=_headline(suppress(table)))


SPREAD_COLUMNS = (
    Column("schools", _l("Skolor som jämförs"), Unit.COUNT),
    Column("lowest", _l("Lägst"), Unit.COUNT),
    Column("highest", _l("Högst"), Unit.COUNT),
    Column("range", _l("Skillnad högst–lägst"), Unit.COUNT),
    Column("interquartile_range", _l("Kvartilavstånd"), Unit.COUNT),
)
_MEASURES = (
    ("placement_rate", _l("Andel placerade, procent")),
    ("first_wish_rate", _l("Andel som fått sitt förstahandsönskemål, procent")),
    ("own_network_share", _l("Andel med egen kontakt, procent")),
)


# The spread table's figures are rounded as the page shows what they are taken from: the
# shares' in whole percentage points (a rate reads "67 %", the headline "23"), the mean
# satisfaction's to one decimal ("4,2"). The page, the charts and the exports read the same
# cells.
_PLACES = {"satisfaction": 1}


def _rounded(value: float | None, places: int) -> Cell:
    return Cell.count(None if value is None else round(value, places))


def _spread_row(key: str, label: str, values: list[float]) -> Row:
    found = spread_of(values)
    places = _PLACES.get(key, 0)
    return Row(label, (Cell.count(found.schools), _rounded(found.lowest, places),
                       _rounded(found.highest, places), _rounded(found.range, places),
                       _rounded(found.interquartile_range, places)), key=key, translate=True)


def spread_table(schools: Shown) -> Table:
    """The spread between schools of each measure, over the schools whose value the
    per-school table `schools` shows. No headline: the per-school table carries the
    placement rate's spread. Nothing in it is ever hidden (Unit.COUNT): every figure is
    one the per-school table shows, or the difference of two it shows."""
    keys = {column.key for column in schools.table.columns}
    measures = _MEASURES + ((("satisfaction", _l("Nöjdhet (medel 1–5)")),)
                            if "satisfaction" in keys else ())
    return Table(
        key="equity_spread",
        title=_l("Spridning mellan skolor"),
        description=_l("Lägsta och högsta värde bland de skolor vars värde tabellen per "
                       "skola visar, skillnaden mellan dem och kvartilavståndet. Andelar i "
                       "hela procentenheter."),
        row_header=_l("Mått"),
        columns=SPREAD_COLUMNS,
        rows=tuple(_spread_row(key, label, _shown_values(schools, key))
                   for key, label in measures),
        chart=Chart.NONE,
    )


def spread(scope: Scope, satisfaction: SatisfactionBySchool | None = None) -> Table:
    """The spread table of the scope (spread_each)."""
    return spread_each(Batch.of(scope), _each(satisfaction))[scope]


def spread_each(batch: Batch, satisfaction: SatisfactionEach | None = None,
                ) -> dict[Scope, Table]:
    """The spread table of each scope, over its per-school table suppressed alone."""
    return {scope: spread_table(suppress(table))
            for scope, table in per_school_each(batch, satisfaction).items()}


def as_shown(schools: Table, shown: Shown) -> tuple[Table, Table]:
    """The per-school table with its headline, and the spread table, taken again from the
    per-school table as it is finally shown (`shown`: suppressed with the school year's
    other scopes, which may hide a rate the table suppressed alone showed). Only the schools
    whose rate the page shows are compared; with fewer than two there is no spread ("–").
    Pure: no database."""
    return replace(schools, headline=_headline(shown)), spread_table(shown)

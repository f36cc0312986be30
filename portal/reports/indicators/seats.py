"""Seats offered against seats wished, per sector and per ISO week.

Seats are the capacity (`PlacementOffer.seats`) of placements that are published, or were
published and have since been archived (a finished school year keeps the seats it had), whose
offer weeks overlap a week in which at least one of the scope's prao periods runs. Seats are
the region's: a pupil may go to a workplace in any municipality, so a municipality's report
counts every seat offered while its pupils are at prao. Wishes are those of the pupils
enrolled in the scope's periods: "wishing" counts a pupil once per sector (or week) however
many of their wishes fall there; "first wishes" counts each pupil's rank-1 wish.

A fixed number of queries (four for the sectors, three for the weeks, one fewer each while
the seats are kept), whatever the number of pupils, offers or municipalities in the batch.
The seats are the region's whatever the scope, so they are summed per sector and block of
weeks once for the scope's dates and kept (SHARED_FIGURES_MAX_AGE): the report asks for
the region's and the municipalities' batches of each term, and a target list for one scope
at a time; each scope's own prao weeks then pick among those few hundred blocks here."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from portal.employers.models import Placement, PlacementOffer, PlacementStatus
from portal.employers.reference import sectors
from portal.extensions import db
from portal.kept import Kept
from portal.reports.scope import Batch, dated_per_scope
from portal.reports.tables import Cell, Chart, Column, Row, Scope, Table, Unit
from portal.schools.models import Enrolment, PraoPeriod, Wish
from portal.texts import mark as _l
from portal.weeks import monday_of, week_label

# A period starting on the scope's last day still runs for a few weeks after it.
_TAIL = timedelta(weeks=8)

COLUMNS = (
    Column("seats", _l("Platser"), Unit.COUNT),
    # Per sector (or week), counted by no other indicator.
    Column("wishing", _l("Elever som önskat"), Unit.PUPILS, counts=None),
    Column("first_wishes", _l("Förstahandsönskemål"), Unit.PUPILS, counts=None),
)


def _mondays(scope: Scope) -> list[date]:
    """Every ISO week a period of the scope can touch, by its Monday."""
    first = monday_of(scope.first_day)
    count = ((scope.last_day + _TAIL) - first).days // 7 + 1
    return [first + timedelta(weeks=n) for n in range(count)]


def _weeks(scope: Scope) -> Subquery:
    """The scope's weeks as (monday, sunday) rows: the dates are computed here, so no query
    needs date arithmetic, which SQLite and PostgreSQL spell differently."""
    return union_all(*(select(literal(m, Date).label("monday"),
                              literal(m + timedelta(days=6), Date).label("sunday"))
                       for m in _mondays(scope))).subquery("week")


def _prao_mondays(batch: Batch) -> dict[Scope, list[date]]:
    """The weeks in which at least one of the scope's periods has a day, by their Monday."""
    periods = batch.periods()
    found = batch.split(db.session.execute(
        select(periods.c.place, PraoPeriod.first_day, PraoPeriod.last_day).distinct()
        .join(periods, periods.c.id == PraoPeriod.id)))
    mondays = _mondays(batch.region)
    return {scope: [monday for monday in mondays
                    if any(first <= monday + timedelta(days=6) and last >= monday
                           for first, last in dates)]
            for scope, dates in found.items()}


def _offered() -> ColumnElement[bool]:
    return or_(Placement.status == PlacementStatus.PUBLISHED,
               and_(Placement.status == PlacementStatus.ARCHIVED,
                    Placement.published_at.is_not(None)))


class _Block(NamedTuple):
    """The seats offered in one sector over one block of weeks (both weeks included)."""

    sector: str
    first_week: date
    last_week: date
    seats: int

    def covers(self, monday: date) -> bool:
        return self.first_week <= monday <= self.last_week


def _read_blocks(first: date, last: date) -> list[_Block]:
    """The seats offered per sector and block of weeks, of the offers touching first–last."""
    stmt = (select(Placement.sector, PlacementOffer.first_week, PlacementOffer.last_week,
                   func.sum(PlacementOffer.seats))
            .join(PlacementOffer.placement)
            .where(_offered(), PlacementOffer.first_week <= last,
                   PlacementOffer.last_week >= first)
            .group_by(Placement.sector, PlacementOffer.first_week, PlacementOffer.last_week))
    return [_Block(sector, first_week, last_week, int(seats))
            for sector, first_week, last_week, seats in db.session.execute(stmt)]


# The same for every municipality of a school year's term (see the module's docstring).
_blocks: Kept[list[_Block]] = Kept(size=16, name="seat_blocks")


def _seat_blocks(scope: Scope) -> list[_Block]:
    """The blocks of every offer that can cover one of the scope's weeks."""
    first, last = monday_of(scope.first_day), scope.last_day + _TAIL
    return _blocks.get((first, last), partial(_read_blocks, first, last))


def _seats_per_sector(blocks: list[_Block], mondays: list[date]) -> dict[str, int]:
    seats: dict[str, int] = {}
    for block in blocks:
        if any(block.covers(monday) for monday in mondays):
            seats[block.sector] = seats.get(block.sector, 0) + block.seats
    return seats


def _scope_wishes(batch: Batch) -> Select[int, int, int, str]:
    periods = batch.periods()
    return (select(periods.c.place.label("place"), Wish.enrolment_id, Wish.rank,
                   Placement.sector)
            .select_from(Wish)
            .join(PlacementOffer, PlacementOffer.id == Wish.offer_id)
            .join(Placement, Placement.id == PlacementOffer.placement_id)
            .join(Enrolment, Enrolment.id == Wish.enrolment_id)
            .join(periods, periods.c.id == Enrolment.period_id))


def _wishes_per_sector(batch: Batch) -> dict[Scope, dict[str, tuple[int, int]]]:
    wish = _scope_wishes(batch).subquery("scope_wish")
    stmt = (select(wish.c.place, wish.c.sector, func.count(wish.c.enrolment_id.distinct()),
                   func.sum(case((wish.c.rank == 1, 1), else_=0)))
            .group_by(wish.c.place, wish.c.sector))
    return {scope: {sector: (int(wishing), int(first or 0)) for sector, wishing, first in rows}
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


def _wishing_pupils(batch: Batch) -> dict[Scope, tuple[int, int]]:
    """Pupils with at least one wish, and with a first wish, across all sectors (no sector
    needed, so no join beyond the enrolment)."""
    periods = batch.periods()
    stmt = (select(periods.c.place, func.count(Wish.enrolment_id.distinct()),
                   func.sum(case((Wish.rank == 1, 1), else_=0)))
            .select_from(Wish)
            .join(Enrolment, Enrolment.id == Wish.enrolment_id)
            .join(periods, periods.c.id == Enrolment.period_id)
            .group_by(periods.c.place))
    found = batch.split(db.session.execute(stmt))
    return {scope: (int(rows[0][0]), int(rows[0][1] or 0)) if rows else (0, 0)
            for scope, rows in found.items()}


def _sector_order(codes: set[str]) -> list[str]:
    known = [entry.code for entry in sectors() if entry.code in codes]
    return known + sorted(codes - set(known))


def fitting_first_wishes(first_wishes: dict[str, int], seats: dict[str, int]) -> int:
    """How many first wishes fit within their sector's seats: per sector the smaller of the
    two. An upper bound on the first wishes that can be met, since it ignores weeks, place
    and needs."""
    return sum(min(count, seats.get(sector, 0)) for sector, count in first_wishes.items())


@dated_per_scope
def per_sector(batch: Batch) -> dict[Scope, Table]:
    """Seats against wishes per sector. Headline: the share of first wishes that fit within
    their sector's seats (sum over sectors of min(first wishes, seats) / all first wishes),
    the best a perfect matching could do if weeks, distance and needs did not matter. Below
    100 % the region lacks seats in the sectors pupils want most."""
    blocks = _seat_blocks(batch.region)
    mondays, wishes, pupils = (_prao_mondays(batch), _wishes_per_sector(batch),
                               _wishing_pupils(batch))
    return {scope: _per_sector(_seats_per_sector(blocks, mondays[scope]), wishes[scope],
                               *pupils[scope]) for scope in batch.scopes}


def _per_sector(seats: dict[str, int], wishes: dict[str, tuple[int, int]], wishing: int,
                first_total: int) -> Table:
    rows = tuple(
        Row(code or _l("Bransch saknas"),
            (Cell.count(seats.get(code, 0)), Cell.pupils(wishes.get(code, (0, 0))[0]),
             Cell.pupils(wishes.get(code, (0, 0))[1])),
            key=code, translate=not code, sector=bool(code))
        for code in _sector_order(set(seats) | set(wishes)))
    first = {code: pair[1] for code, pair in wishes.items()}
    return Table(
        key="seats_per_sector",
        title=_l("Platser och önskemål per bransch"),
        description=_l("Erbjudna praoplatser under veckorna då elevernas prao pågår, och hur "
                       "många elever som önskat en plats i varje bransch (alla önskemål och "
                       "förstahandsönskemål). Nyckeltalet är andelen förstahandsönskemål som "
                       "ryms i platserna i sin bransch: hundra procent betyder att varje "
                       "bransch har minst lika många platser som elever som önskar den i "
                       "första hand."),
        row_header=_l("Bransch"),
        columns=COLUMNS,
        rows=rows,
        total=Row(_l("Totalt"), (Cell.count(sum(seats.values())), Cell.pupils(wishing),
                                 Cell.pupils(first_total)), key="total", translate=True),
        chart=Chart.BAR,
        headline=Cell.share(fitting_first_wishes(first, seats), first_total),
        headline_label=_l("Förstahandsönskemål som ryms i branschens platser"),
    )


def _seats_per_week(blocks: list[_Block], mondays: list[date]) -> dict[date, int]:
    return {monday: sum(block.seats for block in blocks if block.covers(monday))
            for monday in mondays}


def _period_weeks(batch: Batch) -> Subquery:
    """The scope's periods with each week they have a day in. DISTINCT keeps this a query
    of its own, planned from the scope's few periods: joined in with the wishes,
    PostgreSQL walked every period of the country once per week."""
    week = _weeks(batch.region)
    periods = batch.periods()
    return (select(periods.c.place, PraoPeriod.id.label("period_id"), week.c.monday)
            .distinct()
            .join(PraoPeriod, and_(PraoPeriod.first_day <= week.c.sunday,
                                   PraoPeriod.last_day >= week.c.monday))
            .join(periods, periods.c.id == PraoPeriod.id)
            .subquery("period_week"))


def _wishes_per_week(batch: Batch) -> dict[Scope, dict[date, tuple[int, int]]]:
    """Per week: pupils wishing a seat that covers the week while their own period runs.
    The offer is joined by its key alone and whether it covers the week is counted, not
    joined on: joined on the week, PostgreSQL walked the offers' week index once per week
    and period (60,000 offers each time, 25 s for a country) instead of looking up each
    wish's offer."""
    period_week = _period_weeks(batch)
    monday = period_week.c.monday
    covers = and_(PlacementOffer.first_week <= monday, PlacementOffer.last_week >= monday)
    stmt = (select(period_week.c.place, monday,
                   func.count(case((covers, Wish.enrolment_id)).distinct()),
                   func.count(case((and_(covers, Wish.rank == 1), Wish.enrolment_id))))
            .select_from(period_week)
            .join(Enrolment, Enrolment.period_id == period_week.c.period_id)
            .join(Wish, Wish.enrolment_id == Enrolment.id)
            .join(PlacementOffer, PlacementOffer.id == Wish.offer_id)
            .group_by(period_week.c.place, monday))
    return {scope: {_as_date(day): (int(any_rank), int(first)) for day, any_rank, first in rows}
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


def _as_date(value: date | str) -> date:
    """A date from a union of literals: SQLite hands back the stored text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


@dated_per_scope
def per_week(batch: Batch) -> dict[Scope, Table]:
    """Seats against wishes per ISO week in which the scope's pupils are at prao. A pupil is
    counted in a week when a wished offer covers it and their own period has a day in it;
    an offer's seats count in every week of its block. No headline: the per-sector table
    carries it."""
    blocks = _seat_blocks(batch.region)
    mondays, wishes = _prao_mondays(batch), _wishes_per_week(batch)
    return {scope: _per_week(_seats_per_week(blocks, mondays[scope]), wishes[scope])
            for scope in batch.scopes}


def _per_week(seats: dict[date, int], wishes: dict[date, tuple[int, int]]) -> Table:
    rows = tuple(
        Row(week_label(monday),
            (Cell.count(seats[monday]), Cell.pupils(wishes.get(monday, (0, 0))[0]),
             Cell.pupils(wishes.get(monday, (0, 0))[1])),
            key=monday.isoformat())
        for monday in sorted(seats))
    return Table(
        key="seats_per_week",
        title=_l("Platser och önskemål per vecka"),
        description=_l("Erbjudna praoplatser varje vecka då elever har prao, och hur många "
                       "elever som önskat en plats den veckan (alla önskemål och "
                       "förstahandsönskemål)."),
        row_header=_l("Vecka"),
        columns=COLUMNS,
        rows=rows,
        chart=Chart.BAR,
        headline=None,
    )

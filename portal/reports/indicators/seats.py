"""Seats offered against seats wished, per sector and per ISO week.

Seats are the capacity (`PlacementOffer.seats`) of placements that are published, or were
published and have since been archived (a finished school year keeps the seats it had), whose
offer weeks overlap a week in which at least one of the scope's prao periods runs. Seats are
the region's: a pupil may go to a workplace in any municipality, so a municipality's report
counts every seat offered while its pupils are at prao. Wishes are those of the pupils
enrolled in the scope's periods: "wishing" counts a pupil once per sector (or week) however
many of their wishes fall there; "first wishes" counts each pupil's rank-1 wish.

A fixed number of queries (three for the sectors, two for the weeks), whatever the number
of pupils or offers."""

from __future__ import annotations

from datetime import date, timedelta

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
from portal.reports.scope import periods_in
from portal.reports.tables import Cell, Chart, Column, Row, Scope, Table, Unit
from portal.schools.models import Enrolment, PraoPeriod, Wish
from portal.texts import mark as _l
from portal.weeks import monday_of, week_label

# A period starting on the scope's last day still runs for a few weeks after it.
_TAIL = timedelta(weeks=8)

COLUMNS = (
    Column("seats", _l("Platser"), Unit.COUNT),
    Column("wishing", _l("Elever som önskat"), Unit.PUPILS),
    Column("first_wishes", _l("Förstahandsönskemål"), Unit.PUPILS),
)


def _weeks(scope: Scope) -> Subquery:
    """Every ISO week a period of the scope can touch, as (monday, sunday) rows: the dates
    are computed here, so no query needs date arithmetic, which SQLite and PostgreSQL
    spell differently."""
    first = monday_of(scope.first_day)
    count = ((scope.last_day + _TAIL) - first).days // 7 + 1
    mondays = [first + timedelta(weeks=n) for n in range(count)]
    return union_all(*(select(literal(m, Date).label("monday"),
                              literal(m + timedelta(days=6), Date).label("sunday"))
                       for m in mondays)).subquery("week")


def _prao_weeks(scope: Scope) -> Subquery:
    """The weeks in which at least one of the scope's periods has a day."""
    week = _weeks(scope)
    return (select(week.c.monday).distinct()
            .join(PraoPeriod, and_(PraoPeriod.first_day <= week.c.sunday,
                                   PraoPeriod.last_day >= week.c.monday))
            .where(PraoPeriod.id.in_(periods_in(scope)))
            .subquery("prao_week"))


def _offered() -> ColumnElement[bool]:
    return or_(Placement.status == PlacementStatus.PUBLISHED,
               and_(Placement.status == PlacementStatus.ARCHIVED,
                    Placement.published_at.is_not(None)))


def _covers(prao_week: Subquery) -> ColumnElement[bool]:
    return and_(PlacementOffer.first_week <= prao_week.c.monday,
                PlacementOffer.last_week >= prao_week.c.monday)


def _seats_per_sector(scope: Scope) -> dict[str, int]:
    prao_week = _prao_weeks(scope)
    overlaps = select(prao_week.c.monday).where(_covers(prao_week)).exists()
    stmt = (select(Placement.sector, func.sum(PlacementOffer.seats))
            .join(PlacementOffer.placement)
            .where(_offered(), overlaps,
                   PlacementOffer.first_week <= scope.last_day + _TAIL,
                   PlacementOffer.last_week >= monday_of(scope.first_day))
            .group_by(Placement.sector))
    return {sector: int(seats) for sector, seats in db.session.execute(stmt)}


def _scope_wishes(scope: Scope) -> Select[int, int, str]:
    return (select(Wish.enrolment_id, Wish.rank, Placement.sector)
            .join(PlacementOffer, PlacementOffer.id == Wish.offer_id)
            .join(Placement, Placement.id == PlacementOffer.placement_id)
            .join(Enrolment, Enrolment.id == Wish.enrolment_id)
            .where(Enrolment.period_id.in_(periods_in(scope))))


def _wishes_per_sector(scope: Scope) -> dict[str, tuple[int, int]]:
    wish = _scope_wishes(scope).subquery("scope_wish")
    stmt = (select(wish.c.sector, func.count(wish.c.enrolment_id.distinct()),
                   func.sum(case((wish.c.rank == 1, 1), else_=0)))
            .group_by(wish.c.sector))
    return {sector: (int(wishing), int(first or 0))
            for sector, wishing, first in db.session.execute(stmt)}


def _wishing_pupils(scope: Scope) -> tuple[int, int]:
    """Pupils with at least one wish, and with a first wish, across all sectors (no sector
    needed, so no join beyond the enrolment)."""
    stmt = (select(func.count(Wish.enrolment_id.distinct()),
                   func.sum(case((Wish.rank == 1, 1), else_=0)))
            .join(Enrolment, Enrolment.id == Wish.enrolment_id)
            .where(Enrolment.period_id.in_(periods_in(scope))))
    wishing, first = db.session.execute(stmt).one()
    return int(wishing), int(first or 0)


def _sector_order(codes: set[str]) -> list[str]:
    known = [entry.code for entry in sectors() if entry.code in codes]
    return known + sorted(codes - set(known))


def fitting_first_wishes(first_wishes: dict[str, int], seats: dict[str, int]) -> int:
    """How many first wishes fit within their sector's seats: per sector the smaller of the
    two. An upper bound on the first wishes that can be met, since it ignores weeks, place
    and needs."""
    return sum(min(count, seats.get(sector, 0)) for sector, count in first_wishes.items())


def per_sector(scope: Scope) -> Table:
    """Seats against wishes per sector. Headline: the share of first wishes that fit within
    their sector's seats (sum over sectors of min(first wishes, seats) / all first wishes),
    the best a perfect matching could do if weeks, distance and needs did not matter. Below
    100 % the region lacks seats in the sectors pupils want most."""
    seats = _seats_per_sector(scope)
    wishes = _wishes_per_sector(scope)
    wishing, first_total = _wishing_pupils(scope)
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
                       "förstahandsönskemål)."),
        row_header=_l("Bransch"),
        columns=COLUMNS,
        rows=rows,
        total=Row(_l("Totalt"), (Cell.count(sum(seats.values())), Cell.pupils(wishing),
                                 Cell.pupils(first_total)), key="total", translate=True),
        chart=Chart.BAR,
        headline=Cell.share(fitting_first_wishes(first, seats), first_total),
    )


def _seats_per_week(scope: Scope) -> dict[date, int]:
    prao_week = _prao_weeks(scope)
    offered = (select(PlacementOffer.first_week, PlacementOffer.last_week, PlacementOffer.seats)
               .join(PlacementOffer.placement).where(_offered()).subquery("offered"))
    stmt = (select(prao_week.c.monday, func.coalesce(func.sum(offered.c.seats), 0))
            .select_from(prao_week)
            .outerjoin(offered, and_(offered.c.first_week <= prao_week.c.monday,
                                     offered.c.last_week >= prao_week.c.monday))
            .group_by(prao_week.c.monday))
    return {_as_date(monday): int(seats) for monday, seats in db.session.execute(stmt)}


def _wishes_per_week(scope: Scope) -> dict[date, tuple[int, int]]:
    """Per week: pupils wishing a seat that covers the week while their own period runs.
    The offer is joined by its key alone and whether it covers the week is counted, not
    joined on: joined on the week, PostgreSQL walked the offers' week index once per week
    and period (60,000 offers each time, 25 s for a country) instead of looking up each
    wish's offer."""
    week = _weeks(scope)
    covers = and_(PlacementOffer.first_week <= week.c.monday,
                  PlacementOffer.last_week >= week.c.monday)
    stmt = (select(week.c.monday, func.count(case((covers, Wish.enrolment_id)).distinct()),
                   func.count(case((and_(covers, Wish.rank == 1), Wish.enrolment_id))))
            .join(PraoPeriod, and_(PraoPeriod.first_day <= week.c.sunday,
                                   PraoPeriod.last_day >= week.c.monday))
            .join(Enrolment, Enrolment.period_id == PraoPeriod.id)
            .join(Wish, Wish.enrolment_id == Enrolment.id)
            .join(PlacementOffer, PlacementOffer.id == Wish.offer_id)
            .where(PraoPeriod.id.in_(periods_in(scope)))
            .group_by(week.c.monday))
    return {_as_date(monday): (int(any_rank), int(first))
            for monday, any_rank, first in db.session.execute(stmt)}


def _as_date(value: date | str) -> date:
    """A date from a union of literals: SQLite hands back the stored text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def per_week(scope: Scope) -> Table:
    """Seats against wishes per ISO week in which the scope's pupils are at prao. A pupil is
    counted in a week when a wished offer covers it and their own period has a day in it;
    an offer's seats count in every week of its block. No headline: the per-sector table
    carries it."""
    seats = _seats_per_week(scope)
    wishes = _wishes_per_week(scope)
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

"""The regional prao calendar: per week, the schools holding prao and the region's seats;
the coordinator's calendar entries for schools without periods yet. The rules and the commit
live here; never `request` or `flash`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import Date, Row, and_, func, literal, select, union_all
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import CTE, Subquery

from portal import clock
from portal.accounts.models import User
from portal.audit import audit
from portal.concurrency import first_wins
from portal.employers.models import (
    CalendarEntry,
    Organisation,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.employers.placements.services import FieldProblems, OfferSeats, _future_weeks
from portal.extensions import db
from portal.kept import Kept
from portal.prao.models import ACTIVE_STATES, Assignment
from portal.schools.models import Enrolment, EnrolmentState, PraoPeriod, School
from portal.schools.services import county_of
from portal.weeks import monday_of, week_label

MAX_CALENDAR_WEEKS = 6
MAX_PUPILS = 1000
CALENDAR_WEEKS = 52
SHORT_WEEKS_SHOWN = 5


# --- the regional calendar ---------------------------------------------------------

@dataclass(frozen=True)
class CalendarWeek:
    monday: date
    schools: int  # schools holding prao this week
    pupils: int  # pupils those schools still have to place (not those holding a seat)
    seats: int  # seats of the region's published offers covering this week
    seats_free: int
    own_seats: int = 0  # the employer's own offers (any placement not archived)

    @property
    def label(self) -> str:
        return week_label(self.monday)

    @property
    def shortage(self) -> int:
        return max(self.pupils - self.seats_free, 0) if self.schools else 0


def _weeks(start: date, count: int) -> CTE:
    """`count` Mondays from `start` as rows of a CTE, written the same on SQLite and PostgreSQL."""
    rows = [select(literal(start + timedelta(weeks=n), Date).label("week")) for n in range(count)]
    return union_all(*rows).cte("weeks")


def _covers(weeks: CTE, first: ColumnElement[date],
            last: ColumnElement[date]) -> ColumnElement[bool]:
    return and_(first <= weeks.c.week, last >= weeks.c.week)


def _county(organisation: Organisation | None) -> tuple[int, ...] | None:
    """The municipalities of the organisation's county: the schools and seats an employer's
    calendar counts. None (the whole region) for the coordinator, and for an organisation
    without a municipality. Read first, so the placements and schools come from their
    municipality indexes."""
    if organisation is None or organisation.municipality_id is None:
        return None
    return county_of(organisation.municipality_id)


def _school_counts(start: date, end: date,
                   county: tuple[int, ...] | None) -> dict[date, tuple[int, int]]:
    """Schools holding prao per week and the pupils they still have to place: from the schools'
    own prao periods, and from the coordinator's calendar for a school that has no period
    that week. Two queries over the shown weeks; the weeks are expanded here."""
    per_week: dict[date, dict[int, int]] = defaultdict(dict)
    for school_id, first, last, pupils in _period_rows(start, end, county):
        for week in _mondays_between(max(monday_of(first), start), min(monday_of(last), end)):
            per_week[week][school_id] = per_week[week].get(school_id, 0) + pupils
    stmt = (select(CalendarEntry.school_id, CalendarEntry.first_week, CalendarEntry.last_week,
                   CalendarEntry.pupils)
            .where(CalendarEntry.last_week >= start, CalendarEntry.first_week <= end))
    if county is not None:
        stmt = stmt.join(School, School.id == CalendarEntry.school_id).where(
            School.municipality_id.in_(county))
    entries = db.session.execute(stmt).all()
    for school_id, first, last, expected in entries:
        for week in _mondays_between(max(first, start), min(last, end)):
            per_week[week].setdefault(school_id, expected or 0)
    return {week: (len(schools), sum(schools.values())) for week, schools in per_week.items()}


def _period_rows(start: date, end: date, county: tuple[int, ...] | None
                 ) -> Sequence[Row[int, date, date, int]]:
    """Per period in the weeks shown: its pupils still waiting. One grouped query over the
    waiting enrolments (a partial index holds just those), not over every pupil."""
    # Only pupils still waiting: a placed pupil's seat is already out of the free seats, so
    # counting them too would report the same pupil short twice.
    holds_seat = select(Assignment.id).where(Assignment.enrolment_id == Enrolment.id,
                                             Assignment.state.in_(ACTIVE_STATES)).exists()
    shown = (select(PraoPeriod.id, PraoPeriod.school_id, PraoPeriod.first_day,
                    PraoPeriod.last_day)
             .where(PraoPeriod.last_day >= start, PraoPeriod.first_day <= end + timedelta(days=6)))
    if county is not None:
        shown = shown.join(School, School.id == PraoPeriod.school_id).where(
            School.municipality_id.in_(county))
    periods = shown.cte("shown")
    waiting = (select(Enrolment.period_id, func.count().label("pupils"))
               .where(Enrolment.period_id.in_(select(periods.c.id)),
                      Enrolment.state == EnrolmentState.NEEDS_PLACEMENT, ~holds_seat)
               .group_by(Enrolment.period_id).subquery())
    return db.session.execute(
        select(periods.c.school_id, periods.c.first_day, periods.c.last_day,
               func.coalesce(waiting.c.pupils, 0))
        .outerjoin(waiting, waiting.c.period_id == periods.c.id)).all()


def _mondays_between(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _region_seats(weeks: CTE, start: date, end: date,
                  county: tuple[int, ...] | None) -> dict[date, tuple[int, int]]:
    """Seats and free seats per week of the published offers (in the county's
    municipalities when there is one). Offers are summed per block of weeks first, so the
    join to the weeks touches a few hundred blocks, not every offer of the region."""
    published = Placement.status == PlacementStatus.PUBLISHED
    if county is not None:
        published = and_(published, Placement.municipality_id.in_(county))
    blocks = (select(PlacementOffer.first_week, PlacementOffer.last_week,
                     func.sum(PlacementOffer.seats).label("seats"),
                     func.sum(PlacementOffer.seats - PlacementOffer.seats_taken).label("free"))
              .join(Placement)
              .where(PlacementOffer.last_week >= start, PlacementOffer.first_week <= end,
                     published)
              .group_by(PlacementOffer.first_week, PlacementOffer.last_week)
              .subquery())
    return {week: (seats, free) for week, seats, free in _per_week(weeks, blocks)}


def _own_seats(start: date, end: date, organisation: Organisation | None) -> dict[date, int]:
    """The employer's own seats per week, wherever they are (any placement not archived):
    its offers summed per block of weeks in SQL, spread over the weeks here."""
    if organisation is None:
        return {}
    blocks = db.session.execute(
        select(PlacementOffer.first_week, PlacementOffer.last_week, func.sum(PlacementOffer.seats))
        .join(Placement)
        .where(Placement.organisation_id == organisation.id,
               Placement.status != PlacementStatus.ARCHIVED,
               PlacementOffer.last_week >= start, PlacementOffer.first_week <= end)
        .group_by(PlacementOffer.first_week, PlacementOffer.last_week)).all()
    return _seats_per_week(blocks, start, end)


def _per_week(weeks: CTE, blocks: Subquery) -> Sequence[Row[date, int, int]]:
    return db.session.execute(
        select(weeks.c.week, func.coalesce(func.sum(blocks.c.seats), 0),
               func.coalesce(func.sum(blocks.c.free), 0))
        .select_from(weeks)
        .join(blocks, _covers(weeks, blocks.c.first_week, blocks.c.last_week), isouter=True)
        .group_by(weeks.c.week)).all()


RegionWeeks = tuple[dict[date, tuple[int, int]], dict[date, tuple[int, int]]]
# The same for every employer of a county, and most of an employer's start page at national
# scale (a county's periods, waiting pupils and offers).
_region_weeks: Kept[RegionWeeks] = Kept(size=256, name="region_weeks")


def _read_region_weeks(start: date, count: int, county: tuple[int, ...] | None
                       ) -> RegionWeeks:
    """(schools and waiting pupils, seats and free seats) per week."""
    end = start + timedelta(weeks=count - 1)
    return (_school_counts(start, end, county),
            _region_seats(_weeks(start, count), start, end, county))


def regional_calendar(organisation: Organisation | None = None, today: date | None = None,
                      count: int = CALENDAR_WEEKS, kept: bool = False,
                      own_offers: Iterable[PlacementOffer | OfferSeats] | None = None,
                      prao_weeks_only: bool = False) -> list[CalendarWeek]:
    """Per ISO week from this week on: schools holding prao and the region's seats (for an
    employer with a municipality: its county's), and the employer's own seats. Four queries
    (five with a county) whatever the number of schools, periods and offers. When `kept`,
    the county's part may be as old as SHARED_FIGURES_MAX_AGE (the employer's start page,
    which also passes the offers of its placements not archived, just read, as
    `own_offers`); the employer's own seats are always current. `prao_weeks_only` leaves
    out the weeks no school holds prao in, which are never short (the start page's short
    weeks: it need not build a year of weeks on every reading)."""
    start = monday_of(today or clock.today())
    end = start + timedelta(weeks=count - 1)
    county = _county(organisation)
    read = partial(_read_region_weeks, start, count, county)
    key = (start, count, county)
    schools, seats = _region_weeks.get(key, read) if kept else read()
    own = (_own_seats(start, end, organisation) if own_offers is None else _seats_per_week(
        ((o.first_week, o.last_week, o.seats) for o in own_offers), start, end))
    mondays = [start + timedelta(weeks=n) for n in range(count)]
    if prao_weeks_only:
        mondays = [day for day in mondays if day in schools]
    return [CalendarWeek(day, *schools.get(day, (0, 0)), *seats.get(day, (0, 0)),
                         own.get(day, 0))
            for day in mondays]


def _seats_per_week(blocks: Iterable[tuple[date, date, int]], start: date, end: date
                    ) -> dict[date, int]:
    """Seats per week from `start` to `end` (Mondays), of (first week, last week, seats)."""
    per_week: dict[date, int] = defaultdict(int)
    for first_week, last_week, seats in blocks:
        first, last = max(first_week, start), min(last_week, end)
        if first <= last:
            for week in _mondays_between(first, last):
                per_week[week] += seats
    return per_week


def short_weeks(calendar: list[CalendarWeek], limit: int = SHORT_WEEKS_SHOWN) -> list[CalendarWeek]:
    """The weeks where schools expect more pupils than there are free seats, worst first."""
    short = sorted((w for w in calendar if w.shortage), key=lambda w: (-w.shortage, w.monday))
    return sorted(short[:limit], key=lambda w: w.monday)


def upcoming_calendar_entries(today: date | None = None, limit: int = 500) -> list[CalendarEntry]:
    this_week = monday_of(today or clock.today())
    stmt = (select(CalendarEntry).where(CalendarEntry.last_week >= this_week)
            .order_by(CalendarEntry.first_week, CalendarEntry.id).limit(limit)
            .options(selectinload(CalendarEntry.school).selectinload(School.municipality)))
    return list(db.session.scalars(stmt))


def add_calendar_entry(school: School, weeks: str, pupils: int, actor: User,
                       today: date | None = None) -> CalendarEntry:
    """The coordinator enters a school's prao weeks until the schools' own periods exist.
    The same entry sent twice (a double click, even at the same moment) is saved once."""
    first, last = _future_weeks(weeks, today or clock.today(), MAX_CALENDAR_WEEKS)
    if not 1 <= pupils <= MAX_PUPILS:
        raise FieldProblems({"pupils": [_("Skriv ett antal elever mellan 1 och %(max)d.",
                                          max=MAX_PUPILS)]})
    entry = first_wins(lambda: _new_calendar_entry(school, first, last, pupils, actor))
    db.session.commit()
    return entry


def _new_calendar_entry(school: School, first: date, last: date, pupils: int,
                        actor: User) -> CalendarEntry:
    # One school's entries are checked one request at a time (PostgreSQL), so two entries
    # that overlap without starting the same week cannot both pass the check.
    db.session.execute(select(School.id).where(School.id == school.id).with_for_update())
    clash = db.session.scalars(select(CalendarEntry).where(
        CalendarEntry.school_id == school.id, CalendarEntry.first_week <= last,
        CalendarEntry.last_week >= first).limit(1)).first()
    if clash is not None and (clash.first_week, clash.last_week, clash.pupils) == (
            first, last, pupils):
        return clash  # a repeat of the form that saved it
    if clash is not None:
        raise FieldProblems({"weeks": [_(
            "%(school)s har redan prao vecka %(weeks)s. Ta bort den raden först om den är fel.",
            school=school.name, weeks=week_label(clash.first_week, clash.last_week))]})
    entry = CalendarEntry(school=school, first_week=first, last_week=last, pupils=pupils)
    db.session.add(entry)
    db.session.flush()
    audit(actor, "calendar_entry_added", entry, detail=week_label(first, last))
    return entry


def remove_calendar_entry(entry: CalendarEntry, actor: User) -> None:
    audit(actor, "calendar_entry_removed", entry,
          detail=f"{entry.school_id}: {week_label(entry.first_week, entry.last_week)}")
    db.session.delete(entry)
    db.session.commit()

"""School use cases: municipalities and schools, prao periods. Pupils (enrolments, links,
wishes, own placements) are in `pupils`. Each function that changes something commits its
own work."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import Role, User, counsellor_school
from portal.audit import audit
from portal.concurrency import first_wins
from portal.db import utcnow
from portal.extensions import db
from portal.kept import Kept
from portal.prao.days import count_prao_days, holiday_name, is_prao_day
from portal.schools.models import (
    Enrolment,
    Municipality,
    PraoPeriod,
    School,
    Student,
)
from portal.schools.periods import MIN_PRAO_DAYS
from portal.schools.reference import official_municipalities
from portal.texts import language
from portal.weeks import monday_of, week_label

# A prao period is two weeks, sometimes a few more; anything longer or further ahead is a
# mistyped year, which would count years of working days as prao days.
MAX_PERIOD_WEEKS = 8
MAX_YEARS_AHEAD = 2
# A repeat of the form that saved a municipality (a double click, a second tab) comes within
# seconds of it; the same municipality added again later is one the user did not see.
REPEAT_WINDOW = timedelta(minutes=1)


Problems = list[tuple[str, object]]  # (form field, message), in the form's order


class SchoolError(ValueError):
    """A rule was broken; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message

    @property
    def problems(self) -> Problems:
        """(field, message) of each thing to put right: this one, or several at once."""
        return [(self.field, self.message)]


class PeriodRefused(SchoolError):
    """A period's dates broke several rules (or one rule beside two fields): nothing saved."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(*problems[0])
        self._problems = problems

    @property
    def problems(self) -> Problems:
        return self._problems


class ShortPeriod(Exception):  # noqa: N818 - a situation the user is told about
    """The period has fewer prao days than the ten every pupil is owed. A warning, not a
    refusal: a pupil's prao days count across periods (years 8 and 9), so a school may give
    them in two; the period is created once the counsellor accepts it."""

    def __init__(self, days: int) -> None:
        super().__init__(f"{days} prao days")
        self.days = days


class MunicipalityExists(Exception):  # noqa: N818 - a situation the user is told about
    """The municipality was in the portal before this form: nothing was changed."""


# --- municipalities and schools -------------------------------------------------------

def municipalities() -> list[Municipality]:
    stmt = select(Municipality).order_by(Municipality.name).options(
        selectinload(Municipality.schools))  # the list shows each one's number of schools
    return list(db.session.scalars(stmt))


def county_of(municipality_id: int) -> tuple[int, ...]:
    """The municipalities of the county the municipality lies in (the first two digits of
    the kommunkod), by id: what a pupil can travel to and an employer's calendar counts.
    Kept (portal/kept.py): it changes only when a municipality is added or recoded."""
    return _counties.get(municipality_id, lambda: _read_county(municipality_id))


_counties: Kept[tuple[int, ...]] = Kept(size=512, name="counties")


def _read_county(municipality_id: int) -> tuple[int, ...]:
    own = (select(func.substr(Municipality.code, 1, 2))
           .where(Municipality.id == municipality_id).scalar_subquery())
    return tuple(db.session.scalars(select(Municipality.id).where(
        func.substr(Municipality.code, 1, 2) == own).order_by(Municipality.id)))


def save_municipality(municipality: Municipality | None, name: str, code: str,
                      user: User) -> Municipality:
    """Add (None) or change a municipality. The same new municipality sent twice, even at
    the same moment, is saved once: the repeat gets the one already saved. One added earlier
    than that raises MunicipalityExists."""
    saved = first_wins(lambda: _save_municipality(municipality, name.strip(), code, user))
    db.session.commit()
    return saved


def _save_municipality(municipality: Municipality | None, name: str, code: str,
                       user: User) -> Municipality:
    clash = db.session.scalars(select(Municipality).where(Municipality.code == code)).first()
    if clash is not None and municipality is None and clash.name == name:
        return _repeat(clash)
    if clash is not None and clash is not municipality:
        raise SchoolError("code", _l("Kommunkoden finns redan (%(name)s).", name=clash.name))
    _check_official(name, code)
    namesake = _same_name(municipality, name)
    if namesake is not None and municipality is None and namesake.code == code:
        return _repeat(namesake)  # its twin committed between our two reads
    if namesake is not None:
        raise SchoolError("name", _l("Det finns redan en kommun som heter %(name)s.", name=name))
    municipality = municipality or Municipality()
    municipality.name, municipality.code = name, code
    db.session.add(municipality)
    audit(user, "municipality_saved", municipality, detail=code)
    return municipality


def _repeat(existing: Municipality) -> Municipality:
    """A repeat of the form that saved it gets it back; an older one is news to the user."""
    if existing.created_at < utcnow() - REPEAT_WINDOW:
        raise MunicipalityExists
    return existing


def _check_official(name: str, code: str) -> None:
    """The code is one of SCB's and the name is its municipality's ("Luleå kommun" for
    2580), so that no list offers a municipality that does not exist."""
    official = official_municipalities().get(code)
    if official is None:
        raise SchoolError("code", _l("%(code)s är ingen kommunkod. Skriv kommunens kod från "
                                     "SCB:s lista, till exempel 2580 för Luleå.", code=code))
    if official.casefold() not in name.casefold():
        raise SchoolError("name", _l("Kommunkoden %(code)s är %(name)s kommun. Skriv kommunens "
                                     "namn eller rätta koden.", code=code, name=official))


def _same_name(municipality: Municipality | None, name: str) -> Municipality | None:
    """Another municipality of this name (in any case): no list may offer one twice."""
    others = select(Municipality)
    if municipality is not None and municipality.id is not None:
        others = others.where(Municipality.id != municipality.id)
    return next((other for other in db.session.scalars(others)
                 if other.name.casefold() == name.casefold()), None)


def schools(page: int, query: str = "", per_page: int = 50) -> Pagination:
    """One page of the region's schools by name; `query` finds a school by its name, its
    unit code or its municipality (a country has 1,400 schools, a region some dozens)."""
    stmt = (select(School).join(Municipality, Municipality.id == School.municipality_id)
            .order_by(School.name, Municipality.name, School.id)
            .options(selectinload(School.municipality), selectinload(School.counsellors)))
    words = query.strip().lower()
    if words:
        stmt = stmt.where(func.lower(School.name).contains(words, autoescape=True)
                          | School.unit_code.contains(words, autoescape=True)
                          | func.lower(Municipality.name).contains(words, autoescape=True))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def municipality_choices() -> list[tuple[int, str]]:
    """(id, name) of every municipality by name, for a form's list."""
    return [(id_, name) for id_, name in db.session.execute(
        select(Municipality.id, Municipality.name).order_by(Municipality.name))]


def counsellors() -> list[User]:
    """The counsellors a school form offers: the active ones (a purged account is
    switched off too)."""
    stmt = select(User).where(User.role == Role.COUNSELLOR, User.active).order_by(User.name)
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class SchoolData:
    name: str
    unit_code: str
    address: str
    municipality_id: int
    counsellor_ids: list[int]


def save_school(school: School | None, data: SchoolData, user: User) -> School:
    """Add (None) or change a school; a new school sent twice at once is saved once."""
    saved = first_wins(lambda: _save_school(school, data, user))
    db.session.commit()
    return saved


def _save_school(school: School | None, data: SchoolData, user: User) -> School:
    clash = db.session.scalars(select(School).where(School.unit_code == data.unit_code)).first()
    if clash is not None and school is None and _same_school(clash, data):
        return clash  # a repeat of the form that saved it
    if clash is not None and clash is not school:
        raise SchoolError("unit_code", _l("Skolenhetskoden finns redan (%(name)s).",
                                          name=clash.name))
    school = school or School()
    school.name, school.unit_code = data.name.strip(), data.unit_code
    school.address, school.municipality_id = data.address.strip(), data.municipality_id
    db.session.add(school)
    db.session.flush()
    _set_counsellors(school, data.counsellor_ids)
    audit(user, "school_saved", school, detail=data.unit_code)
    return school


def _same_school(school: School, data: SchoolData) -> bool:
    return (school.name, school.address, school.municipality_id) == (
        data.name.strip(), data.address.strip(), data.municipality_id)


def _set_counsellors(school: School, counsellor_ids: list[int]) -> None:
    """Link the checked counsellors and unlink the unchecked, among those the form offers.
    A switched-off counsellor is not offered, and keeps their link: switching the account
    on again gives them back their schools (as it does their sign-in), and the purge of
    the account removes the link; an edit of the school's name must not decide that."""
    wanted = set(counsellor_ids)
    for counsellor in counsellors():
        has = any(s.id == school.id for s in counsellor.schools)
        if counsellor.id in wanted and not has:
            counsellor.schools.append(school)
        elif counsellor.id not in wanted and has:
            counsellor.schools.remove(school)


# --- periods ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodData:
    name: str
    grade: int
    first_day: date
    last_day: date
    wishes_open: date
    wishes_close: date


def period_problems(data: PeriodData, today: date) -> Problems:
    """Everything wrong with the period's dates at once, each beside its own field. A rule
    that needs another date to be right first (a length needs the last day after the
    first) is checked only then."""
    problems: Problems = []
    first, last = data.first_day, data.last_day
    if first < today:
        problems.append(("first_day", _l("Perioden kan inte börja i det förflutna.")))
    elif first > today + timedelta(days=365 * MAX_YEARS_AHEAD):
        problems.append(("first_day", _l("Perioden kan börja högst %(n)d år fram i tiden.",
                                         n=MAX_YEARS_AHEAD)))
    problems += [("first_day", message) for message in _not_a_prao_day(first)]
    if last < first:
        problems.append(("last_day", _l("Sista dagen kan inte vara före första dagen.")))
    elif last - first >= timedelta(weeks=MAX_PERIOD_WEEKS):
        problems.append(("last_day", _l("En period kan vara högst %(n)d veckor lång.",
                                        n=MAX_PERIOD_WEEKS)))
    problems += [("last_day", message) for message in _not_a_prao_day(last)]
    if data.wishes_open < first - timedelta(days=365):
        problems.append(("wishes_open", _l("Önskefönstret kan öppna högst ett år före "
                                           "perioden.")))
    if data.wishes_close < data.wishes_open:
        problems.append(("wishes_close", _l("Önskefönstret måste stänga efter att det "
                                            "öppnar.")))
    elif data.wishes_close >= first:
        problems.append(("wishes_close",
                         _l("Önskefönstret måste stänga före periodens första dag.")))
    return problems


def short_period_days(first_day: date, last_day: date) -> int | None:
    """The period's prao days when fewer than ten (None when ten or more, or when the days
    are in the wrong order, which period_problems tells)."""
    if last_day < first_day:
        return None
    days = count_prao_days(first_day, last_day)
    return days if days < MIN_PRAO_DAYS else None


def _not_a_prao_day(day: date) -> list[object]:
    """A period starts and ends on a prao day: a Saturday, a Sunday or a holiday (the
    eves included, portal.prao.days) as its first or last day is a slip of the date picker."""
    if is_prao_day(day):
        return []
    shown = day.isoformat()  # as the period's form and pages write days
    if day.weekday() == 5:
        return [_l("%(day)s är en lördag. En praoperiod börjar och slutar på en vardag.",
                   day=shown)]
    if day.weekday() == 6:
        return [_l("%(day)s är en söndag. En praoperiod börjar och slutar på en vardag.",
                   day=shown)]
    return [_l("%(day)s är en helgdag (%(name)s). En praoperiod börjar och slutar på en "
               "vardag som inte är en helgdag.", day=shown, name=holiday_name(day, language()))]


def create_period(school: School, data: PeriodData, user: User, today: date,
                  short_accepted: bool = False) -> PraoPeriod:
    """A school has one period per grade starting on a given day. The same form sent again
    (a double click, even at the same moment) gets the period already created; a different
    period starting that day is refused beside the first day. Every problem of the dates,
    an overlap with another period included, is raised at once (PeriodRefused). A period
    of fewer than ten prao days waits for the counsellor to accept it (ShortPeriod)."""
    problems = period_problems(data, today)
    if data.first_day <= data.last_day:  # told now with the rest; checked again under the lock
        problems += _overlap_problems(school, data)
    if problems:
        raise PeriodRefused(_in_form_order(problems))
    days = short_period_days(data.first_day, data.last_day)
    if days is not None and not short_accepted:
        raise ShortPeriod(days)
    period = first_wins(lambda: _new_period(school, data, user))
    db.session.commit()
    return period


def _in_form_order(problems: Problems) -> Problems:
    order = ("first_day", "last_day", "wishes_open", "wishes_close")
    return sorted(problems, key=lambda problem: order.index(problem[0]))


def _new_period(school: School, data: PeriodData, user: User) -> PraoPeriod:
    # Two different periods over the same days sent at the same moment would each find no
    # overlap: the school's new periods are made one at a time (NO KEY UPDATE: the school's
    # pupils can still be imported meanwhile). SQLite's BEGIN IMMEDIATE queues them already.
    db.session.execute(select(School.id).where(School.id == school.id)
                       .with_for_update(key_share=True))
    existing = db.session.scalars(select(PraoPeriod).where(
        PraoPeriod.school_id == school.id, PraoPeriod.grade == data.grade,
        PraoPeriod.first_day == data.first_day)).first()
    if existing is not None:
        if _same_period(existing, data):
            return existing  # a repeat of the form that created it
        raise SchoolError("first_day", _l(
            "Skolan har redan en period för årskurs %(grade)d som börjar den dagen: %(name)s.",
            grade=data.grade, name=existing.name))
    overlap = _overlap_problems(school, data)
    if overlap:
        raise PeriodRefused(overlap)
    period = PraoPeriod(school=school, name=data.name.strip(), grade=data.grade,
                        first_day=data.first_day, last_day=data.last_day,
                        wishes_open=data.wishes_open, wishes_close=data.wishes_close,
                        created_by_id=user.id)
    db.session.add(period)
    db.session.flush()
    _enrol_grade(period)
    audit(user, "period_created", period)
    return period


def _overlap_problems(school: School, data: PeriodData) -> Problems:
    """A year group is at prao in one period at a time: a second period over the same days
    would enrol the pupils who are at their workplaces now again, as needing a place. The
    message is beside the date that lies in the other period (both, when neither or both
    do: the new period covers the other one, or lies inside it)."""
    # One starting the same day is the unique key's (a repeat, or refused by first_wins):
    # committed by a double click's twin meanwhile, it must not read as an overlap.
    other = db.session.scalars(select(PraoPeriod).where(
        PraoPeriod.school_id == school.id, PraoPeriod.grade == data.grade,
        PraoPeriod.first_day != data.first_day,
        PraoPeriod.first_day <= data.last_day, PraoPeriod.last_day >= data.first_day)
        .order_by(PraoPeriod.first_day).limit(1)).first()
    if other is None:
        return []
    message = _l(
        "Årskurs %(grade)d har redan en period de dagarna: %(name)s, %(first)s–%(last)s.",
        grade=data.grade, name=other.name, first=other.first_day.isoformat(),
        last=other.last_day.isoformat())  # as the period's form and pages write days
    first_inside = other.first_day <= data.first_day <= other.last_day
    last_inside = other.first_day <= data.last_day <= other.last_day
    if first_inside != last_inside:
        return [("first_day" if first_inside else "last_day", message)]
    return [("first_day", message), ("last_day", message)]


def _same_period(period: PraoPeriod, data: PeriodData) -> bool:
    return (period.name, period.last_day, period.wishes_open, period.wishes_close) == (
        data.name.strip(), data.last_day, data.wishes_open, data.wishes_close)


def _enrol_grade(period: PraoPeriod) -> int:
    """Every present pupil of the school in the period's grade, not enrolled yet."""
    enrolled = select(Enrolment.student_id).where(Enrolment.period_id == period.id)
    students = db.session.scalars(select(Student.id).where(
        Student.school_id == period.school_id, Student.grade == period.grade,
        Student.missing_since.is_(None), Student.id.not_in(enrolled))).all()
    db.session.add_all(Enrolment(period_id=period.id, student_id=sid) for sid in students)
    return len(students)


def open_periods(school_id: int, grades: Collection[int], today: date) -> list[PraoPeriod]:
    """The school's periods of these grades whose wish window has not closed yet (open, or
    not yet opened): a pupil who arrives now can still wish and be placed."""
    if not grades:
        return []
    return list(db.session.scalars(
        select(PraoPeriod).where(PraoPeriod.school_id == school_id,
                                 PraoPeriod.grade.in_(sorted(grades)),
                                 PraoPeriod.wishes_close >= today)
        .order_by(PraoPeriod.first_day, PraoPeriod.id)))


def enrol_open_periods(school_id: int, grades: Collection[int], user: User,
                       today: date) -> list[tuple[PraoPeriod, int]]:
    """Enrol the present pupils of each open period's grade who are not in it yet (after an
    import, the new ones); the caller commits. Returns each period with how many joined."""
    joined = []
    for period in open_periods(school_id, grades, today):
        added = _enrol_grade(period)
        if added:
            audit(user, "period_enrolled", period, detail=str(added))
        joined.append((period, added))
    return joined


def period_is_over(period: PraoPeriod, today: date) -> bool:
    """Its last day has passed: the period is a school year's record (the council's reports
    count its pupils), no longer one to add pupils to or send links for."""
    return period.last_day < today


PERIOD_OVER = _l("Perioden är slut, så den tar inte in fler elever och skickar inga länkar. "
                 "Lägg nya elever i en kommande period.")


def enrol_grade(period: PraoPeriod, user: User, today: date) -> int:
    if period_is_over(period, today):
        raise SchoolError("period", PERIOD_OVER)
    added = _enrol_grade(period)
    audit(user, "period_enrolled", period, detail=str(added))
    db.session.commit()
    return added


def schools_of(user: User) -> list[School]:
    """A counsellor's schools by name, each with its municipality: one query, where the
    relationship and then each school's municipality would take one each."""
    return list(db.session.scalars(
        select(School).join(counsellor_school, counsellor_school.c.school_id == School.id)
        .where(counsellor_school.c.user_id == user.id).order_by(School.name)
        .options(joinedload(School.municipality))))


class PeriodLine(NamedTuple):
    """A period as the counsellor's start page lists it."""

    id: int
    school_id: int
    name: str
    grade: int
    first_day: date
    last_day: date


def period_lines(school_ids: list[int]) -> list[PeriodLine]:
    """The schools' periods, latest first, as plain values: one query."""
    return [PeriodLine._make(row) for row in db.session.execute(
        select(PraoPeriod.id, PraoPeriod.school_id, PraoPeriod.name, PraoPeriod.grade,
               PraoPeriod.first_day, PraoPeriod.last_day)
        .where(PraoPeriod.school_id.in_(school_ids)).order_by(PraoPeriod.first_day.desc()))]


def periods_of(school_ids: list[int]) -> list[PraoPeriod]:
    stmt = (select(PraoPeriod).where(PraoPeriod.school_id.in_(school_ids))
            .order_by(PraoPeriod.first_day.desc()).options(selectinload(PraoPeriod.school)))
    return list(db.session.scalars(stmt))


def periods_for(user: User, limit: int = 500) -> list[PraoPeriod]:
    """The periods a user works with: the coordinator every school's (latest first), a
    counsellor their own schools'."""
    if user.role is Role.COORDINATOR:
        return list(db.session.scalars(select(PraoPeriod).order_by(PraoPeriod.first_day.desc())
                                       .limit(limit)))
    return periods_of([s.id for s in user.schools])


def period_weeks(period: PraoPeriod) -> tuple[date, date]:
    return monday_of(period.first_day), monday_of(period.last_day)


def period_week_label(period: PraoPeriod) -> str:
    """'11–12 2027': the period's weeks as the school year names them."""
    return week_label(*period_weeks(period))

"""A national data set: the portal at the size of Sweden (`flask demo national`).

At scale 1.0: Sweden's 290 municipalities (their real kommunkoder, portal/data/
municipalities.csv), 1,400 schools with a counsellor each, 120,000 pupils in each of grades 8
and 9, 30,000 approved organisations (valid organisationsnummer) with an employer account
each, 60,000 published placements with offers of seats in two-week blocks. Dated from
`today`:

- grade 9: every school's period is over (eight cohorts of schools, two weeks each, the last
  ending the week before last). The pupils wished (ranked, 3–5 wishes), a matching round per
  period was published (each pupil's first wish with a free seat in lottery order, else a
  free seat nearby: the explanation says which), the employers confirmed (the assignments
  are completed now), the checklist's steps are recorded (some after-steps still open) and
  every prao day has its attendance
  (about 1.2 million days; a few absent or late, each absence with its alert);
- grade 8: the periods come in six to twelve weeks, the wish window is open today, and most
  pupils have wished.

Evaluations (portal/feedback/) come last, from the assignments: `add_evaluations`.

How it is written: one transaction. Rows made in Python (with a seeded random generator, so a
seed gives the same data) go in with COPY on PostgreSQL and executemany on SQLite; the two
largest tables, attendance days and checklist steps, are made by the database itself with
INSERT … SELECT from the assignments and a small temporary table of each period's prao days
or steps. Every column the models fill in Python is filled here too (see `_complete`), and
the rows respect every unique key and check constraint of the models; the catalogue's search
text is `search_document`'s, and the search indexes are kept by the database (PostgreSQL's
generated column and GIN indexes, SQLite's FTS5 triggers).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Time,
    bindparam,
    func,
    insert,
    select,
    text,
)

import portal.models  # noqa: F401 - every table in Base.metadata
from portal import clock
from portal.db import Base, UTCDateTime
from portal.employers.catalogue.services import search_document
from portal.employers.reference import features
from portal.nationalwords import (
    BOY_NAMES,
    FIRST_NAMES,
    GIRL_NAMES,
    LAST_NAMES,
    SCHOOL_WORDS,
    SECTORS,
    STREETS,
    SURNAMES,
    description,
    org_number,
)
from portal.prao import checklist, days
from portal.schools.reference import official_municipalities
from portal.weeks import monday_of

# The country at scale 1.0.
NATIONAL_SCHOOLS = 1400
NATIONAL_PUPILS_PER_GRADE = 120_000
NATIONAL_ORGANISATIONS = 30_000
PLACEMENTS_PER_ORGANISATION = 2
# Grade 9's periods are over, in eight cohorts of two weeks; grade 8's come, in four.
GRADE_9_BLOCKS = 8
GRADE_8_BLOCKS = 4
OFFERS_GRADE_9 = 3  # blocks a placement taking grade 9 offers seats in
OFFERS_GRADE_8 = 2
CLASS_SIZE = 25
EXEMPT_EVERY = 97  # about one pupil in a hundred is exempt from prao
DOMAIN = "nationell.praoportalen.se"
BATCH = 10_000

# The biggest municipalities have the most schools; the rest by whether the code marks a
# town (…80–…99, SCB's numbers for the larger municipalities of a county) or not.
_WEIGHTS = {"0180": 45, "1480": 28, "1280": 17, "0380": 11, "0580": 8, "1880": 8, "1980": 8,
            "1283": 7, "0581": 7, "0680": 7, "2480": 6, "1281": 6}


@dataclass(frozen=True)
class Sizes:
    schools: int
    pupils_per_grade: int
    organisations: int

    @property
    def placements(self) -> int:
        return self.organisations * PLACEMENTS_PER_ORGANISATION

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(schools=max(2, round(NATIONAL_SCHOOLS * scale)),
                   pupils_per_grade=max(20, round(NATIONAL_PUPILS_PER_GRADE * scale)),
                   organisations=max(10, round(NATIONAL_ORGANISATIONS * scale)))


@dataclass(frozen=True)
class Block:
    """Two prao weeks of one grade: a period's days and the offers of seats that fit it."""

    grade: int
    monday: date

    @property
    def last_day(self) -> date:
        return self.monday + timedelta(days=11)  # the Friday of the second week

    @property
    def last_week(self) -> date:
        return self.monday + timedelta(weeks=1)


def blocks(today: date) -> tuple[list[Block], list[Block]]:
    """(grade 9's finished blocks, grade 8's coming ones), seen from `today`."""
    this_monday = monday_of(today)
    nine = [Block(9, this_monday - timedelta(weeks=3 + 2 * k)) for k in range(GRADE_9_BLOCKS)]
    eight = [Block(8, this_monday + timedelta(weeks=6 + 2 * k)) for k in range(GRADE_8_BLOCKS)]
    return nine, eight


def municipalities() -> list[tuple[str, str]]:
    """(kommunkod, name) of Sweden's 290 municipalities."""
    return list(official_municipalities().items())


def _weight(code: str) -> int:
    return _WEIGHTS.get(code, 3 if code[2:] >= "80" else 1)


@dataclass
class Counts:
    """What was written, table by table."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count


# --- writing rows --------------------------------------------------------------------------

def copy_into(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
              progress: Callable[[int], None] | None = None) -> int:
    """COPY rows into a PostgreSQL table through a psycopg cursor; returns how many."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
            if progress is not None and count % BATCH == 0:
                progress(BATCH)
    if progress is not None:
        progress(count % BATCH)
    return count


def _complete(table: Table, columns: Sequence[str]) -> tuple[list[str], list[Callable[..., Any]]]:
    """The columns to write: the given ones and every other one the model fills in Python
    (a default without a server default), so COPY leaves no NOT NULL column empty."""
    names: list[str] = list(columns)
    makers: list[Callable[..., Any]] = []
    for column in table.columns:
        default = column.default
        if column.name in columns or default is None or column.server_default is not None:
            continue
        if getattr(default, "is_scalar", False):
            makers.append(lambda value=default.arg: value)  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            makers.append(lambda make=default.arg: make(None))  # type: ignore[attr-defined]
        else:
            continue
        names.append(column.name)
    return names, makers


class Writer:
    """Puts rows into a table of the models, in the connection's transaction."""

    def __init__(self, connection: Connection, progress: Callable[[int], None]) -> None:
        self.connection = connection
        self.progress = progress
        self.postgres = connection.dialect.name == "postgresql"
        self.counts = Counts()

    def put(self, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        table = Base.metadata.tables[name]
        names, makers = _complete(table, columns)
        full: Iterable[Sequence[Any]] = (
            (*row, *(make() for make in makers)) for row in rows) if makers else rows
        if self.postgres:
            count = self._copy(table, names, full)
        else:
            count = self._executemany(table, names, full)
        self.counts.add(name, count)
        return count

    def _copy(self, table: Table, names: list[str], rows: Iterable[Sequence[Any]]) -> int:
        as_json = [i for i, n in enumerate(names) if table.c[n].type.__class__.__name__ == "JSON"]
        if as_json:
            rows = ([json.dumps(v) if i in as_json else v for i, v in enumerate(row)]
                    for row in rows)
        driver = self.connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            return copy_into(cursor, table.name, names, rows, self.progress)

    def _executemany(self, table: Table, names: list[str], rows: Iterable[Sequence[Any]]) -> int:
        count, batch = 0, []
        for row in rows:
            batch.append(dict(zip(names, row, strict=True)))
            if len(batch) == BATCH:
                count += self._send(table, batch)
                batch = []
        return count + (self._send(table, batch) if batch else 0)

    def _send(self, table: Table, batch: list[dict[str, Any]]) -> int:
        self.connection.execute(insert(table), batch)
        self.progress(len(batch))
        return len(batch)

    def run(self, name: str, sql: str, estimate: int, **values: Any) -> int:
        """One INSERT … SELECT; `values` are bound with the column types they go into."""
        statement = text(sql).bindparams(*(_typed(key, value) for key, value in values.items()))
        count = self.connection.execute(statement).rowcount
        self.counts.add(name, count)
        self.progress(estimate)
        return count


def _typed(key: str, value: Any) -> Any:
    kinds: dict[type, Any] = {time: Time(), datetime: UTCDateTime(), bool: Boolean(),
                              date: Date()}
    return bindparam(key, value, type_=kinds.get(type(value)))


# --- the plan: everything made in Python before a row is written --------------------------

@dataclass
class Plan:
    sizes: Sizes
    today: date
    now: datetime
    rng: random.Random
    dialect: str
    nine: list[Block]
    eight: list[Block]
    munis: list[tuple[str, str]] = field(default_factory=list)
    # school j (0-based): municipality index, block of grade 9, block of grade 8
    school_muni: list[int] = field(default_factory=list)
    org_muni: list[int] = field(default_factory=list)
    org_sector: list[str] = field(default_factory=list)
    placement_grades: list[tuple[bool, bool]] = field(default_factory=list)
    # offers: (placement index, grade, block index, seats); taken filled by the matching
    offers: list[tuple[int, int, int, int]] = field(default_factory=list)
    taken: list[int] = field(default_factory=list)
    pools: dict[tuple[int, int, str], list[int]] = field(default_factory=dict)
    # grade 9's round: enrolment id -> (offer index or None, rank or None, lottery, missed)
    results: dict[int, tuple[int | None, int | None, int, list[int]]] = field(
        default_factory=dict)
    wishes_9: dict[int, list[int]] = field(default_factory=dict)

    @property
    def schools(self) -> int:
        return self.sizes.schools

    def pupils_at(self, school: int) -> int:
        share, rest = divmod(self.sizes.pupils_per_grade, self.schools)
        return share + (1 if school < rest else 0)

    def first_student(self, grade: int) -> int:
        return 1 if grade == 9 else 1 + self.sizes.pupils_per_grade

    def county(self, muni: int) -> str:
        return self.munis[muni][0][:2]

    def counsellor_id(self, school: int) -> int:
        return 3 + school  # 1 coordinator, 2 council

    def employer_id(self, org: int) -> int:
        return 3 + self.schools + org

    def period_id(self, school: int, grade: int) -> int:
        return 1 + school + (0 if grade == 9 else self.schools)


def _schools_per_municipality(plan: Plan) -> None:
    """One school in every municipality (when there are enough), the rest by weight."""
    count = len(plan.munis)
    weights = [_weight(code) for code, _name in plan.munis]
    first = list(range(count)) if plan.schools >= count else plan.rng.sample(
        range(count), plan.schools)
    rest = plan.rng.choices(range(count), weights=weights, k=plan.schools - len(first))
    plan.school_muni = sorted(first + rest)


def _organisations_and_offers(plan: Plan) -> None:
    """Workplaces where the pupils are: an organisation lies in the municipality of a school
    drawn at random (schools have about as many pupils each)."""
    rng, sectors = plan.rng, list(SECTORS)
    plan.org_muni = [plan.school_muni[rng.randrange(plan.schools)]
                     for _ in range(plan.sizes.organisations)]
    plan.org_sector = [rng.choice(sectors) for _ in range(plan.sizes.organisations)]
    for p in range(plan.sizes.placements):
        grades = rng.choice([(True, True), (True, True), (True, False), (False, True)])
        plan.placement_grades.append(grades)
        muni = plan.org_muni[p // PLACEMENTS_PER_ORGANISATION]
        for grade, accepted, blocks_, per in ((8, grades[0], GRADE_8_BLOCKS, OFFERS_GRADE_8),
                                              (9, grades[1], GRADE_9_BLOCKS, OFFERS_GRADE_9)):
            if not accepted:
                continue
            for block in sorted(rng.sample(range(blocks_), per)):
                index = len(plan.offers)
                plan.offers.append((p, grade, block, rng.randint(1, 3)))
                for where in (str(muni), plan.county(muni), "SE"):
                    plan.pools.setdefault((grade, block, where), []).append(index)
    plan.taken = [0] * len(plan.offers)


def _pool(plan: Plan, grade: int, block: int, muni: int, wanted: int) -> list[int]:
    """Offers near the school: the municipality's if it has enough, else the county's, else
    the country's."""
    for where in (str(muni), plan.county(muni), "SE"):
        found = plan.pools.get((grade, block, where), [])
        if len(found) >= wanted or where == "SE":
            return found
    return []


def _wish_list(plan: Plan, rng: random.Random, grade: int, block: int, muni: int,
               count: int) -> list[int]:
    pool = _pool(plan, grade, block, muni, count)
    return rng.sample(pool, min(count, len(pool)))


def _free_seat(plan: Plan, grade: int, block: int, muni: int) -> int | None:
    """A free seat near the school (the second round): a bounded look from a random start."""
    for where in (str(muni), plan.county(muni), "SE"):
        pool = plan.pools.get((grade, block, where), [])
        if not pool:
            continue
        start = plan.rng.randrange(len(pool))
        for k in range(min(len(pool), 500)):
            offer = pool[(start + k) % len(pool)]
            if plan.taken[offer] < plan.offers[offer][3]:
                return offer
    return None


def grade_9_enrolments(plan: Plan) -> Iterator[tuple[int, int]]:
    """(enrolment id, school) of every grade 9 pupil, in id order (enrolment id = pupil id)."""
    n = plan.first_student(9)
    for school in range(plan.schools):
        for _ in range(plan.pupils_at(school)):
            yield n, school
            n += 1


def is_exempt(enrolment_id: int) -> bool:
    return enrolment_id % EXEMPT_EVERY == 0


def _match_grade_9(plan: Plan) -> None:
    """Each pupil's first wish with a free seat, pupils in lottery order (what a round of
    the portal's engine gives when no offer is contested by priority), else a free seat
    near the school, else unplaced."""
    rng = plan.rng
    pupils = [(rng.randrange(1, 1_000_000), e, s) for e, s in grade_9_enrolments(plan)
              if not is_exempt(e)]
    for lottery, enrolment, school in sorted(pupils):
        muni, block = plan.school_muni[school], school % GRADE_9_BLOCKS
        wishes = _wish_list(plan, rng, 9, block, muni, rng.choice((3, 4, 5, 5)))
        plan.wishes_9[enrolment] = wishes
        got = next((i for i, o in enumerate(wishes) if plan.taken[o] < plan.offers[o][3]), None)
        offer = wishes[got] if got is not None else _free_seat(plan, 9, block, muni)
        missed = wishes[:got] if got is not None else wishes
        if offer is not None:
            plan.taken[offer] += 1
        plan.results[enrolment] = (offer, None if got is None else got + 1, lottery,
                                   [plan.offers[o][3] for o in missed])


def make_plan(scale: float, seed: int, today: date, dialect: str) -> Plan:
    nine, eight = blocks(today)
    rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, no secret
    plan = Plan(Sizes.at(scale), today, clock.now(), rng, dialect, nine, eight, municipalities())
    _schools_per_municipality(plan)
    _organisations_and_offers(plan)
    _match_grade_9(plan)
    return plan


# --- rows, table by table -------------------------------------------------------------------

def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Swedish wall-clock time on a day, in UTC as stored."""
    return datetime(day.year, day.month, day.day, hour, minute,
                    tzinfo=clock.STOCKHOLM).astimezone(UTC)


def _municipality_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i, (code, name) in enumerate(plan.munis, 1):
        yield i, code, name


def _school_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    unit_codes = plan.rng.sample(range(10_000_000, 100_000_000), plan.schools)
    seen: dict[int, int] = defaultdict(int)
    for school, muni in enumerate(plan.school_muni):
        k = seen[muni]
        seen[muni] += 1
        word = SCHOOL_WORDS[k % len(SCHOOL_WORDS)]
        name = f"{word}skolan" + (f" {k // len(SCHOOL_WORDS) + 1}" if k >= len(SCHOOL_WORDS)
                                  else "")
        town = plan.munis[muni][1]
        yield (school + 1, muni + 1, name, str(unit_codes[school]),
               f"Skolvägen {k + 1}, {town}", f"Ring skolans expedition, 0{muni % 900 + 100}-"
               f"{school % 90 + 10} 00 00, före 08:00.", school % 2 == 0)


def _organisation_name(plan: Plan, org: int) -> str:
    words = SECTORS[plan.org_sector[org]][3]
    town = plan.munis[plan.org_muni[org]][1]
    return f"{town}s {words[org % len(words)]} {('AB', 'AB', 'HB')[org % 3]}"


def _organisation_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    rng = plan.rng
    for org, (muni, sector) in enumerate(zip(plan.org_muni, plan.org_sector, strict=True)):
        town = plan.munis[muni][1]
        yield (org + 1, _organisation_name(plan, org), org_number(org + 1), "approved", sector,
               f"{rng.choice(STREETS)} {rng.randint(1, 80)}", f"{rng.randint(100, 989)} "
               f"{rng.randint(10, 99)}", town, muni + 1,
               f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
               f"kontakt{org + 1}@{DOMAIN}",
               f"0{rng.randint(10, 99)}-{rng.randint(100000, 999999)}",
               plan.now - timedelta(days=300))


def _user_rows(plan: Plan, password_hash: str) -> Iterator[tuple[Any, ...]]:
    since = plan.now - timedelta(days=300)
    yield 1, f"samordnare@{DOMAIN}", "Samordnare Sverige", "coordinator", password_hash, None, since
    yield 2, f"rad@{DOMAIN}", "Samverkansrådet", "council", password_hash, None, since
    for school in range(plan.schools):
        yield (plan.counsellor_id(school), f"syv{school + 1}@{DOMAIN}",
               f"SYV {school + 1}", "counsellor", password_hash, None, since)
    for org in range(plan.sizes.organisations):
        yield (plan.employer_id(org), f"arbetsgivare{org + 1}@{DOMAIN}",
               f"Kontakt {org + 1}", "employer", password_hash, org + 1, since)


def _period_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for grade, blocks_ in ((9, plan.nine), (8, plan.eight)):
        for school in range(plan.schools):
            block = blocks_[school % len(blocks_)]
            if grade == 9:
                opens, closes = block.monday - timedelta(weeks=10), block.monday - timedelta(
                    weeks=6)
            else:
                opens, closes = plan.today - timedelta(days=7), plan.today + timedelta(days=21)
            yield (plan.period_id(school, grade), school + 1, f"Prao åk {grade}", grade,
                   block.monday, block.last_day, opens, closes, plan.counsellor_id(school))


def _placement_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    rng, feature_count = plan.rng, len(features())
    for p, grades in enumerate(plan.placement_grades):
        org = p // PLACEMENTS_PER_ORGANISATION
        sector, muni = plan.org_sector[org], plan.org_muni[org]
        titles, _about, tasks, _words = SECTORS[sector]
        title, town = rng.choice(titles), plan.munis[muni][1]
        about = description(rng, sector)
        task_text = " ".join(rng.sample(tasks, k=min(3, len(tasks))))
        supervisor = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        bits = sum(1 << bit for bit in range(feature_count) if rng.random() < 0.3)
        yield (p + 1, org + 1, "published", title, sector, about, task_text,
               f"{rng.choice(STREETS)} {rng.randint(1, 80)}", f"{rng.randint(100, 989)} "
               f"{rng.randint(10, 99)}", town, muni + 1, supervisor, "070-123 45 67",
               f"handledare{p + 1}@{DOMAIN}", time(8, 0), time(14, 30), time(11, 30), 30,
               time(8, 0), supervisor, "Oömma kläder och matsäck.", grades[0], grades[1],
               "svenska", bits, "Skyddsskor lånas ut.", "Inga särskilda risker.",
               "Handledaren går igenom arbetsplatsen första dagen.", "Rundvandring.",
               supervisor, plan.now - timedelta(days=200), plan.now - timedelta(days=200),
               search_document(title, _organisation_name(plan, org), about, task_text, town,
                               plan.dialect, sector=sector))


def _offer_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i, (placement, grade, block, seats) in enumerate(plan.offers):
        monday = (plan.nine if grade == 9 else plan.eight)[block].monday
        yield i + 1, placement + 1, monday, monday + timedelta(weeks=1), seats, plan.taken[i]


def _student_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    rng, n = plan.rng, 1
    for grade in (9, 8):
        for school in range(plan.schools):
            for i in range(plan.pupils_at(school)):
                gender = rng.choices(("girl", "boy", "other", "unknown"), (49, 49, 1, 1))[0]
                first = rng.choice(GIRL_NAMES if gender == "girl" else BOY_NAMES if
                                   gender == "boy" else GIRL_NAMES + BOY_NAMES)
                yield (n, school + 1, f"E{n}", first, rng.choice(SURNAMES),
                       f"{grade}{'ABCDEFGHIJ'[min(9, i // CLASS_SIZE)]}", grade, gender,
                       1 if rng.random() < 0.03 else 0,
                       f"vardnadshavare{n}@{DOMAIN}" if rng.random() < 0.6 else None)
                n += 1


def _enrolment_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for enrolment, school in grade_9_enrolments(plan):
        result = plan.results.get(enrolment)
        state = ("exempt" if result is None else "assigned" if result[0] is not None
                 else "needs_placement")
        yield (enrolment, plan.period_id(school, 9), enrolment, state,
               "Går i särskild undervisningsgrupp med egen arbetslivsorientering."
               if state == "exempt" else "")
    n = plan.first_student(8)
    for school in range(plan.schools):
        for _ in range(plan.pupils_at(school)):
            yield n, plan.period_id(school, 8), n, "needs_placement", ""
            n += 1


def _wish_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    """Grade 9's wishes as the round used them; most of grade 8 has wished too."""
    wish_id = 0
    for enrolment, wishes in sorted(plan.wishes_9.items()):
        for rank, offer in enumerate(wishes, 1):
            wish_id += 1
            yield wish_id, enrolment, offer + 1, rank
    rng = random.Random(plan.rng.random())  # noqa: S311 - made-up data
    n = plan.first_student(8)
    for school in range(plan.schools):
        muni, block = plan.school_muni[school], school % GRADE_8_BLOCKS
        for _ in range(plan.pupils_at(school)):
            if rng.random() < 0.85:
                for rank, offer in enumerate(
                        _wish_list(plan, rng, 8, block, muni, rng.randint(1, 5)), 1):
                    wish_id += 1
                    yield wish_id, n, offer + 1, rank
            n += 1


def _published(plan: Plan, school: int) -> datetime:
    block = plan.nine[school % GRADE_9_BLOCKS]
    return _at(block.monday - timedelta(weeks=5), 14)


def _run_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    by_period: dict[int, list[tuple[int | None, int | None]]] = defaultdict(list)
    for enrolment, school in grade_9_enrolments(plan):
        if enrolment in plan.results:
            offer, rank, _lottery, _missed = plan.results[enrolment]
            by_period[school].append((offer, rank))
    for school in range(plan.schools):
        results = by_period[school]
        ranks: dict[str, int] = defaultdict(int)
        for _offer, rank in results:
            if rank is not None:
                ranks[str(rank)] += 1
        placed = sum(1 for offer, _rank in results if offer is not None)
        stats = {"placed": placed, "unplaced": len(results) - placed, "by_rank": dict(ranks),
                 "second_round": sum(1 for o, r in results if o is not None and r is None)}
        yield (plan.period_id(school, 9), plan.counsellor_id(school), "published",
               plan.rng.randrange(1, 2**40), "none", "second", json.dumps(stats),
               _published(plan, school))


def _explanation(rank: int | None, placed: bool, lottery: int,
                 missed_seats: list[int]) -> dict[str, Any]:
    """What portal.matching.explain writes for the same outcome."""
    missed = [{"rank": r, "why": "lottery", "seats": s} for r, s in enumerate(missed_seats, 1)]
    if rank == 1:
        return {"code": "first_choice", "params": {}}
    if rank is not None:
        return {"code": "got_choice", "params": {"rank": rank, "missed": missed,
                                                  "lottery": lottery}}
    if placed:
        return {"code": "free_seat", "params": {"had_wishes": bool(missed), "sector_wished":
                                                False, "missed": missed, "lottery": lottery}}
    return {"code": "unplaced", "params": {"missed": missed, "lottery": lottery}}


def _result_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for enrolment, school in grade_9_enrolments(plan):
        if enrolment not in plan.results:
            continue
        offer, rank, lottery, missed = plan.results[enrolment]
        source = ("first_round" if rank is not None else "second_round" if offer is not None
                  else "none")
        yield (plan.period_id(school, 9), enrolment, None if offer is None else offer + 1, rank,
               lottery, 0, source, _explanation(rank, offer is not None, lottery, missed))


def _assignment_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    """Confirmed by the employer two days after the round; completed, as the period is over
    (what the jobs' calendar step makes of a confirmed assignment the day after its last day)."""
    assignment = 0
    for enrolment, school in grade_9_enrolments(plan):
        offer = plan.results.get(enrolment, (None,))[0]
        if offer is None:
            continue
        assignment += 1
        placement = plan.offers[offer][0]
        org = placement // PLACEMENTS_PER_ORGANISATION
        published = _published(plan, school)
        yield (assignment, enrolment, placement + 1, offer + 1, plan.period_id(school, 9),
               "completed", "matching", published + timedelta(days=2), plan.employer_id(org),
               published)


# --- the big tables, made by the database ---------------------------------------------------

_SCRATCH = MetaData()
PRAO_DAY = Table("national_prao_day", _SCRATCH, Column("period_id", Integer), Column("n", Integer),
                 Column("day", Date), Column("reported_at", UTCDateTime()),
                 prefixes=["TEMPORARY"])
PERIOD_STEP = Table("national_period_step", _SCRATCH, Column("period_id", Integer),
                    Column("step", String(40)), Column("share", Integer),
                    Column("salt", Integer), Column("done_at", UTCDateTime()),
                    Column("done_by_id", Integer), Column("done_by_label", String(200)),
                    prefixes=["TEMPORARY"])

# How often a step of a finished period is done (per cent); the evaluations' steps are the
# feedback hook's. The certificate waits for the counsellor (no Certificate rows here).
STEP_SHARES = {"risk_assessment": 100, "employer_confirmed": 100, "pupil_prepared": 100,
               "pupil_contacted": 96, "guardians_informed": 100, "attendance": 100,
               "follow_up": 92, "class_reflection": 70}

# One report a day per pupil; (id * 7 + day * 13) % 100 picks the day's status.
ATTENDANCE_SQL = """
INSERT INTO attendance_day (assignment_id, day, status, start_time, end_time, break_minutes,
                            reported_at, reported_by_label, excused)
SELECT a.id, d.day,
       CASE WHEN (a.id * 7 + d.n * 13) % 100 < 3 THEN 'absent'
            WHEN (a.id * 7 + d.n * 13) % 100 < 5 THEN 'late' ELSE 'present' END,
       CASE WHEN (a.id * 7 + d.n * 13) % 100 < 3 THEN NULL
            WHEN (a.id * 7 + d.n * 13) % 100 < 5 THEN :late ELSE :start END,
       CASE WHEN (a.id * 7 + d.n * 13) % 100 < 3 THEN NULL ELSE :end END,
       CASE WHEN (a.id * 7 + d.n * 13) % 100 < 3 THEN 0 ELSE 30 END,
       d.reported_at, :label,
       CASE WHEN (a.id * 7 + d.n * 13) % 100 < 3 THEN (a.id % 3 > 0) END
FROM assignment a
JOIN enrolment e ON e.id = a.enrolment_id
JOIN national_prao_day d ON d.period_id = e.period_id
WHERE a.state = 'completed'
"""

ALERT_SQL = """
INSERT INTO attendance_alert (assignment_id, day, kind, created_at, sent_at)
SELECT assignment_id, day, 'absent', reported_at, reported_at
FROM attendance_day WHERE status = 'absent'
"""

STEP_SQL = """
INSERT INTO step_record (assignment_id, step, done_at, done_by_id, done_by_label)
SELECT a.id, s.step, s.done_at, s.done_by_id, s.done_by_label
FROM assignment a
JOIN enrolment e ON e.id = a.enrolment_id
JOIN national_period_step s ON s.period_id = e.period_id
WHERE a.state = 'completed' AND (a.id * 37 + s.salt) % 100 < s.share
"""


def _prao_day_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for school in range(plan.schools):
        block = plan.nine[school % GRADE_9_BLOCKS]
        for n, day in enumerate(days.prao_days(block.monday, block.last_day)):
            rows.append({"period_id": plan.period_id(school, 9), "n": n, "day": day,
                         "reported_at": _at(day, 9, 5 + n)})
    return rows


def _period_step_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for school in range(plan.schools):
        block = plan.nine[school % GRADE_9_BLOCKS]
        for salt, step in enumerate(checklist.steps_for()):
            if step.key not in STEP_SHARES:
                continue
            due = step.due(block.monday, block.last_day)
            by_counsellor = checklist.Owner.COUNSELLOR in step.ticked_by or (
                step.owner is checklist.Owner.COUNSELLOR)
            rows.append({"period_id": plan.period_id(school, 9), "step": step.key,
                         "share": STEP_SHARES[step.key], "salt": salt * 11,
                         # On the due day, or yesterday if that is still to come.
                         "done_at": _at(min(due, plan.today - timedelta(days=1)), 10),
                         "done_by_id": plan.counsellor_id(school) if by_counsellor else None,
                         "done_by_label": "" if by_counsellor else "Arbetsgivaren"})
    return rows


def _derived(plan: Plan, writer: Writer) -> None:
    connection = writer.connection
    for table, rows in ((PRAO_DAY, _prao_day_rows(plan)), (PERIOD_STEP, _period_step_rows(plan))):
        table.create(connection)
        connection.execute(insert(table), rows)
    assignments = sum(1 for r in plan.results.values() if r[0] is not None)
    writer.run("attendance_day", ATTENDANCE_SQL, assignments * 10, start=time(8, 0),
               late=time(8, 40), end=time(14, 30), label="Handledare (länk)")
    writer.run("attendance_alert", ALERT_SQL, assignments * 10 // 33)
    writer.run("step_record", STEP_SQL, assignments * len(STEP_SHARES), )
    for table in (PRAO_DAY, PERIOD_STEP):
        table.drop(connection)


# --- evaluations, made by the database like the steps --------------------------------------

EVAL_QUESTION = Table("national_question", _SCRATCH, Column("audience", String(20)),
                      Column("key", String(40)), Column("kind", String(20)),
                      Column("salt", Integer), prefixes=["TEMPORARY"])
EVAL_PHRASE = Table("national_phrase", _SCRATCH, Column("audience", String(20)),
                    Column("n", Integer), Column("phrase", String(300)), prefixes=["TEMPORARY"])
EVAL_PERIOD = Table("national_eval_period", _SCRATCH, Column("period_id", Integer),
                    Column("pupil_at", UTCDateTime()), Column("employer_at", UTCDateTime()),
                    prefixes=["TEMPORARY"])

EVALUATION_SHARE = 80  # per cent of finished assignments answered, by each audience
PUPIL_COMMENT_SHARE = 15  # of the pupils' answers with a free-text comment
STATEMENT_SHARE = 40  # of the supervisors' answers with a statement for the certificate
AGAIN_SHARE = 75  # of the supervisors who would take prao pupils again

PHRASES = {
    "pupil": ["Jättekul, alla var snälla mot mig.", "Jag fick hjälpa till på riktigt.",
              "Lite tråkigt ibland, mest att titta på.", "Bra handledare som förklarade allt.",
              "Jag vill jobba med det här sen!", "Långa dagar men roligt."],
    "employer": ["Punktlig, nyfiken och hjälpsam.", "Tog egna initiativ och frågade mycket.",
                 "Lugn och noggrann, samarbetade bra med alla.",
                 "Visade stort intresse för yrket.", "Blyg i början men växte under veckorna."],
}

# Each audience answers 80 % of the finished assignments; `mix`/`salt` choose the two
# audiences' 80 % apart from each other (and from the steps' choice).
EVAL_PUPIL_SQL = """
INSERT INTO feedback_response (assignment_id, audience, form_id, submitted_at,
                               submitted_by_label, statement)
SELECT a.id, 'pupil', :form, p.pupil_at, :label, ''
FROM assignment a
JOIN enrolment e ON e.id = a.enrolment_id
JOIN national_eval_period p ON p.period_id = e.period_id
WHERE a.state = 'completed' AND (a.id * 61 + 17) % 100 < :share
"""

EVAL_EMPLOYER_SQL = """
INSERT INTO feedback_response (assignment_id, audience, form_id, submitted_at,
                               submitted_by_label, statement, again_next_term)
SELECT a.id, 'employer', :form, p.employer_at, pl.supervisor_name || :suffix,
       CASE WHEN (a.id * 29) % 100 < :statements THEN ph.phrase ELSE '' END,
       (a.id * 43) % 100 < :again
FROM assignment a
JOIN enrolment e ON e.id = a.enrolment_id
JOIN placement pl ON pl.id = a.placement_id
JOIN national_eval_period p ON p.period_id = e.period_id
JOIN national_phrase ph ON ph.audience = 'employer' AND ph.n = a.id % :phrases
WHERE a.state = 'completed' AND (a.id * 71 + 5) % 100 < :share
"""

# Likert scores lean to the top (as evaluations do) and differ by placement: its bias moves
# the answers up or down by up to ten of the hundred points the score is cut from.
_H = "((r.id * 7919 + q.salt * 613) % 100 + (a.placement_id * 13) % 21 - 10)"
EVAL_ANSWER_SQL = f"""
INSERT INTO feedback_answer (response_id, question_key, score, text)
SELECT r.id, q.key,
       CASE WHEN q.kind = 'likert' THEN
            CASE WHEN {_H} < 4 THEN 1 WHEN {_H} < 11 THEN 2 WHEN {_H} < 28 THEN 3
                 WHEN {_H} < 62 THEN 4 ELSE 5 END END,
       CASE WHEN q.kind = 'likert' THEN ''
            WHEN q.kind = 'yesno' THEN CASE WHEN r.again_next_term THEN 'yes' ELSE 'no' END
            WHEN r.audience = 'employer' THEN r.statement
            ELSE coalesce(ph.phrase, '') END
FROM feedback_response r
JOIN assignment a ON a.id = r.assignment_id
JOIN national_question q ON q.audience = r.audience
LEFT JOIN national_phrase ph ON ph.audience = 'pupil' AND ph.n = r.id % :phrases
    AND (r.id * 53) % 100 < :comments
WHERE q.kind <> 'text'
   OR (r.audience = 'employer' AND r.statement <> '')
   OR (r.audience = 'pupil' AND ph.phrase IS NOT NULL)
"""  # noqa: S608 - _H is the fixed expression above

EVAL_STEP_SQL = """
INSERT INTO step_record (assignment_id, step, done_at, done_by_id, done_by_label)
SELECT assignment_id,
       CASE WHEN audience = 'pupil' THEN 'pupil_evaluation' ELSE 'employer_evaluation' END,
       submitted_at, submitted_by_id, submitted_by_label
FROM feedback_response
"""


def _current_forms(connection: Connection) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """audience -> (id, questions) of its newest form version (migration 0015 seeds the
    first)."""
    from portal.feedback.models import FeedbackForm

    found: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    rows = connection.execute(select(FeedbackForm.__table__.c.audience, FeedbackForm.id,
                                     FeedbackForm.questions).order_by(FeedbackForm.version))
    for audience, form_id, questions in rows:
        found[str(audience)] = (form_id, questions)
    return found


def _eval_period_rows(plan: Plan) -> list[dict[str, Any]]:
    """The pupils answer some days after the period's last day, the supervisors a few days
    after them; never later than yesterday."""
    yesterday = plan.today - timedelta(days=1)
    rows = []
    for school in range(plan.schools):
        last = plan.nine[school % GRADE_9_BLOCKS].last_day
        pupil = min(last + timedelta(days=school % 4), yesterday)
        employer = min(last + timedelta(days=3 + school % 5), yesterday)
        rows.append({"period_id": plan.period_id(school, 9),
                     "pupil_at": _at(pupil, 10 + school % 6, school % 60),
                     "employer_at": _at(employer, 8 + school % 8, school % 60)})
    return rows


def add_evaluations(connection: Connection, plan: Plan,
                    progress: Callable[[int], None] = lambda n: None) -> Counts:
    """The pupils' and the supervisors' evaluations of grade 9's finished prao on the newest
    form of each kind (80 % of the assignments answered by each; Likert scores, some free
    text, the supervisors' statements and again-next-term), and their checklist steps
    (pupil_evaluation, employer_evaluation), set-based like `_derived`."""
    writer = Writer(connection, progress)
    forms = _current_forms(connection)
    questions = [{"audience": audience, "key": question["key"], "kind": question["kind"],
                  "salt": salt} for audience, (_, asked) in forms.items()
                 for salt, question in enumerate(asked)]
    phrases = [{"audience": audience, "n": n, "phrase": phrase}
               for audience, texts in PHRASES.items() for n, phrase in enumerate(texts)]
    tables = ((EVAL_QUESTION, questions), (EVAL_PHRASE, phrases),
              (EVAL_PERIOD, _eval_period_rows(plan)))
    for table, rows in tables:
        table.create(connection)
        connection.execute(insert(table), rows)
    assignments = sum(1 for r in plan.results.values() if r[0] is not None)
    answered = assignments * EVALUATION_SHARE // 100
    writer.run("feedback_response", EVAL_PUPIL_SQL, answered, form=forms["pupil"][0],
               label="Eleven (länk)", share=EVALUATION_SHARE)
    writer.run("feedback_response", EVAL_EMPLOYER_SQL, answered, form=forms["employer"][0],
               suffix=" (handledare, via länk)", statements=STATEMENT_SHARE, again=AGAIN_SHARE,
               phrases=len(PHRASES["employer"]), share=EVALUATION_SHARE)
    writer.run("feedback_answer", EVAL_ANSWER_SQL, answered * 14,
               phrases=len(PHRASES["pupil"]), comments=PUPIL_COMMENT_SHARE)
    writer.run("step_record", EVAL_STEP_SQL, answered * 2)
    for table, _ in tables:
        table.drop(connection)
    return writer.counts


# --- putting it together --------------------------------------------------------------------

def expected_rows(sizes: Sizes) -> int:
    """About how many rows a run writes: the progress bar's length."""
    pupils = sizes.pupils_per_grade
    return (sizes.placements * 6 + pupils * 2 * 2 + pupils * 4 + int(pupils * 0.85 * 3)
            + pupils * 2 + pupils * 10 + pupils * 10 // 33 + pupils * len(STEP_SHARES)
            + sizes.organisations * 2 + sizes.schools * 4
            + pupils * EVALUATION_SHARE // 100 * 16)


def database_is_empty(connection: Connection) -> bool:
    from portal.schools.models import Municipality, School

    return not any(connection.scalar(select(func.count()).select_from(m)) for m in (
        Municipality, School))


def generate(connection: Connection, scale: float = 1.0, seed: int = 2027,
             today: date | None = None, progress: Callable[[int], None] = lambda n: None,
             password_hash: str | None = None) -> Counts:
    """Write the national data set in `connection`'s transaction (the caller commits).
    Every account's password is the demo's unless `password_hash` is given."""
    if password_hash is None:
        from werkzeug.security import generate_password_hash

        from portal.demo import DEMO_PASSWORD

        password_hash = generate_password_hash(DEMO_PASSWORD)
    plan = make_plan(scale, seed, today or clock.today(), connection.dialect.name)
    writer = Writer(connection, progress)
    w = writer.put
    w("municipality", ["id", "code", "name"], _municipality_rows(plan))
    w("school", ["id", "municipality_id", "name", "unit_code", "address", "absence_contact",
                 "alert_guardians_on_absence"], _school_rows(plan))
    w("organisation", ["id", "name", "org_number", "status", "sector", "visiting_address",
                       "postal_code", "city", "municipality_id", "contact_name", "contact_email",
                       "contact_phone", "decided_at"], _organisation_rows(plan))
    w("user_account", ["id", "email", "name", "role", "password_hash", "organisation_id",
                      "email_verified_at"],
      _user_rows(plan, password_hash))
    w("counsellor_school", ["user_id", "school_id"],
      ((plan.counsellor_id(s), s + 1) for s in range(plan.schools)))
    w("prao_period", ["id", "school_id", "name", "grade", "first_day", "last_day", "wishes_open",
                      "wishes_close", "created_by_id"], _period_rows(plan))
    w("placement", ["id", "organisation_id", "status", "title", "sector", "description", "tasks",
                    "address", "postal_code", "city", "municipality_id", "supervisor_name",
                    "supervisor_phone", "supervisor_email", "day_start", "day_end",
                    "break_start", "break_minutes", "first_day_start", "first_day_ask_for",
                    "bring_and_wear", "accepts_grade_8", "accepts_grade_9", "languages",
                    "features", "protective_equipment", "risk_hazards", "risk_measures",
                    "risk_introduction", "risk_supervisor", "risk_confirmed_at", "published_at",
                    "search_text"], _placement_rows(plan))
    w("placement_offer", ["id", "placement_id", "first_week", "last_week", "seats",
                          "seats_taken"], _offer_rows(plan))
    w("student", ["id", "school_id", "external_id", "first_name", "last_name", "class_name",
                  "grade", "gender", "needs", "guardian_email"], _student_rows(plan))
    w("enrolment", ["id", "period_id", "student_id", "state", "exempt_reason"],
      _enrolment_rows(plan))
    w("wish", ["id", "enrolment_id", "offer_id", "rank"], _wish_rows(plan))
    w("matching_run", ["id", "created_by_id", "status", "seed", "priority_policy", "last_step",
                       "stats", "published_at"], _run_rows(plan))
    w("matching_run_period", ["run_id", "period_id"],
      ((plan.period_id(s, 9),) * 2 for s in range(plan.schools)))
    w("match_result", ["run_id", "enrolment_id", "offer_id", "rank", "lottery", "priority",
                       "source", "explanation"], _result_rows(plan))
    w("assignment", ["id", "enrolment_id", "placement_id", "offer_id", "run_id", "state",
                     "source", "decided_at", "decided_by_id", "created_at"],
      _assignment_rows(plan))
    _derived(plan, writer)
    for table, count in add_evaluations(connection, plan, progress).rows.items():
        writer.counts.add(table, count)
    _finish(connection)
    return writer.counts


SEQUENCED = ("municipality", "school", "organisation", "user_account", "prao_period",
             "placement", "placement_offer", "student", "enrolment", "wish", "matching_run",
             "match_result", "assignment", "attendance_day", "attendance_alert", "step_record",
             "feedback_response", "feedback_answer")


def _finish(connection: Connection) -> None:
    """PostgreSQL: the id sequences continue after the rows written with their ids, and the
    planner knows the new sizes."""
    if connection.dialect.name != "postgresql":
        connection.execute(text("ANALYZE"))
        return
    for table in SEQUENCED:
        # The table names are the fixed ones above.
        connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
    connection.execute(text("ANALYZE"))

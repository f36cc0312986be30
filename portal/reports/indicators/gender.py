"""Gender per sector, and how often pupils wish for and get placements across gender lines,
beside the national gender split of the matching upper-secondary programmes
(portal/data/gender_split_upper_secondary.csv, with its source in its header).

A wish or placement is gender-atypical when the sector's national programme split is at
least 60/40 the other way: a girl in a sector whose programmes have at least 60 % boys, a
boy in one with at least 60 % girls. Sectors without a matching programme are never
atypical. Pupils whose gender is "other" or unknown are counted in the per-sector table but
left out of every split and share. Placements are the live assignments (proposed, confirmed,
in progress, completed) of the pupils enrolled in the scope's periods."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from portal.employers.models import Placement, PlacementOffer
from portal.employers.reference import sectors
from portal.extensions import db
from portal.prao.models import ACTIVE_STATES, Assignment
from portal.reports.scope import Batch, per_scope
from portal.reports.tables import Cell, Chart, Column, Row, Scope, Table, Unit
from portal.schools.gender import Gender
from portal.schools.models import Enrolment, Student, Wish
from portal.texts import mark as _l

ATYPICAL_THRESHOLD = 60.0  # per cent of the other gender in the national programmes
SPLIT = (Gender.GIRL, Gender.BOY)


@dataclass(frozen=True)
class NationalSplit:
    sector: str
    programmes: str
    girls: int
    boys: int
    share_girls: float
    share_boys: float


@cache
def national_splits() -> dict[str, NationalSplit]:
    """Sector code -> the national split of its upper-secondary programme(s)."""
    text = resources.files("portal.data").joinpath("gender_split_upper_secondary.csv") \
        .read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return {row["sector"]: NationalSplit(row["sector"], row["programmes"], int(row["girls"]),
                                         int(row["boys"]), float(row["share_girls"]),
                                         float(row["share_boys"]))
            for row in csv.DictReader(lines)}


def atypical_sectors(gender: Gender) -> frozenset[str]:
    """The sectors in which a pupil of this gender goes against the national split."""
    if gender is Gender.GIRL:
        return frozenset(s.sector for s in national_splits().values()
                         if s.share_boys >= ATYPICAL_THRESHOLD)
    if gender is Gender.BOY:
        return frozenset(s.sector for s in national_splits().values()
                         if s.share_girls >= ATYPICAL_THRESHOLD)
    return frozenset()


def _atypical() -> ColumnElement[bool]:
    return or_(*(and_(Student.gender == gender,
                      Placement.sector.in_(sorted(atypical_sectors(gender))))
                 for gender in SPLIT))


def _placed(batch: Batch) -> dict[Scope, dict[tuple[str, Gender], int]]:
    """(sector, gender) -> pupils placed, in one grouped query."""
    periods = batch.periods()
    stmt = (select(periods.c.place, Placement.sector, Student.gender, func.count())
            .select_from(Assignment)
            .join(Placement, Placement.id == Assignment.placement_id)
            .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
            .join(periods, periods.c.id == Enrolment.period_id)
            .join(Student, Student.id == Enrolment.student_id)
            .where(Assignment.state.in_(ACTIVE_STATES))
            .group_by(periods.c.place, Placement.sector, Student.gender))
    return {scope: {(sector, gender): int(count) for sector, gender, count in rows}
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


def _sector_order(codes: set[str]) -> list[str]:
    known = [entry.code for entry in sectors() if entry.code in codes]
    return known + sorted(codes - set(known))


COLUMNS = (
    # Per sector, counted by no other indicator.
    Column("girls", _l("Flickor"), Unit.PUPILS, counts=None),
    Column("boys", _l("Pojkar"), Unit.PUPILS, counts=None),
    Column("other", _l("Annat eller okänt kön"), Unit.PUPILS, counts=None),
    # Girls among girls and boys: with either count hidden, the share gives it back.
    Column("girls_share", _l("Andel flickor"), Unit.SHARE, of=("girls", "boys"),
           only_of=True, counts=None),
    # A published national figure, not a count of the region's pupils: never suppressed.
    Column("national_girls_share",
           _l("Andel flickor på motsvarande gymnasieprogram i riket, procent"), Unit.COUNT),
)


def _sector_cells(counts: dict[Gender, int], national: NationalSplit | None) -> tuple[Cell, ...]:
    girls, boys = counts.get(Gender.GIRL, 0), counts.get(Gender.BOY, 0)
    other = counts.get(Gender.OTHER, 0) + counts.get(Gender.UNKNOWN, 0)
    return (Cell.pupils(girls), Cell.pupils(boys), Cell.pupils(other),
            Cell.share(girls, girls + boys),
            Cell.count(national.share_girls if national else None))


@per_scope
def per_sector(batch: Batch) -> dict[Scope, Table]:
    """Placed pupils per sector by gender, the share of girls among girls and boys, and the
    share of girls on the matching national upper-secondary programmes. No headline: the
    atypical table carries it."""
    return {scope: _per_sector(placed) for scope, placed in _placed(batch).items()}


def _per_sector(placed: dict[tuple[str, Gender], int]) -> Table:
    by_sector: dict[str, dict[Gender, int]] = defaultdict(dict)
    totals: dict[Gender, int] = defaultdict(int)
    for (sector, gender), count in placed.items():
        by_sector[sector][gender] = count
        totals[gender] += count
    national = national_splits()
    rows = tuple(Row(code or _l("Bransch saknas"),
                     _sector_cells(by_sector[code], national.get(code)), key=code,
                     translate=not code, sector=bool(code))
                 for code in _sector_order(set(by_sector)))
    return Table(
        key="gender_per_sector",
        title=_l("Flickor och pojkar per bransch"),
        description=_l("Placerade elever per bransch och kön, andelen flickor bland flickor "
                       "och pojkar, och andelen flickor på motsvarande gymnasieprogram i "
                       "hela Sverige (SCB/Skolverket)."),
        row_header=_l("Bransch"),
        columns=COLUMNS,
        rows=rows,
        total=Row(_l("Totalt"), _sector_cells(totals, None), key="total", translate=True),
        chart=Chart.BAR,
    )


def _wished(batch: Batch) -> dict[Scope, dict[Gender, tuple[int, int, int, int]]]:
    """Gender -> (pupils with a wish, with a first wish, with an atypical first wish, with
    at least one atypical wish): one row per pupil inside, one per gender outside."""
    atypical = _atypical()
    periods = batch.periods()
    pupil = (select(periods.c.place.label("place"), Student.gender.label("gender"),
                    func.max(case((Wish.rank == 1, 1), else_=0)).label("first"),
                    func.max(case((and_(Wish.rank == 1, atypical), 1), else_=0))
                    .label("first_atypical"),
                    func.max(case((atypical, 1), else_=0)).label("any_atypical"))
             .select_from(Wish)
             .join(PlacementOffer, PlacementOffer.id == Wish.offer_id)
             .join(Placement, Placement.id == PlacementOffer.placement_id)
             .join(Enrolment, Enrolment.id == Wish.enrolment_id)
             .join(periods, periods.c.id == Enrolment.period_id)
             .join(Student, Student.id == Enrolment.student_id)
             .where(Student.gender.in_(SPLIT))
             .group_by(periods.c.place, Enrolment.id, Student.gender)
             .subquery("pupil_wish"))
    stmt = (select(pupil.c.place, pupil.c.gender, func.count(), func.sum(pupil.c.first),
                   func.sum(pupil.c.first_atypical), func.sum(pupil.c.any_atypical))
            .group_by(pupil.c.place, pupil.c.gender))
    return {scope: {Gender(gender): (int(wishing), int(first), int(first_atypical),
                                     int(any_atypical))
                    for gender, wishing, first, first_atypical, any_atypical in rows}
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


ATYPICAL_COLUMNS = (
    # Per gender, of girls' and boys' wishes and placements: counted nowhere else.
    Column("first_wish", _l("Förstahandsönskemål i könsotypisk bransch"), Unit.SHARE,
           counts=None),
    Column("any_wish", _l("Minst ett önskemål i könsotypisk bransch"), Unit.SHARE,
           counts=None),
    Column("placement", _l("Placerade i könsotypisk bransch"), Unit.SHARE, counts=None),
)
_GENDER_LABELS = {Gender.GIRL: _l("Flickor"), Gender.BOY: _l("Pojkar")}


@per_scope
def atypical(batch: Batch) -> dict[Scope, Table]:
    """The share of girls and boys who wish for, and are placed in, a gender-atypical
    sector. Headline: the share of placed girls and boys whose placement is atypical
    (higher is better: the council works against choices along gender lines)."""
    wished, placed = _wished(batch), _placed(batch)
    return {scope: _atypical_table(wished[scope], placed[scope]) for scope in batch.scopes}


def _atypical_table(wished: dict[Gender, tuple[int, int, int, int]],
                    placed: dict[tuple[str, Gender], int]) -> Table:
    counts: dict[Gender, tuple[int, int, int, int, int, int]] = {}
    for gender in SPLIT:
        wishing, first, first_atypical, any_atypical = wished.get(gender, (0, 0, 0, 0))
        unusual = atypical_sectors(gender)
        in_gender = {sector: n for (sector, g), n in placed.items() if g is gender}
        counts[gender] = (first_atypical, first, any_atypical, wishing,
                          sum(n for sector, n in in_gender.items() if sector in unusual),
                          sum(in_gender.values()))
    both = tuple(sum(values) for values in zip(*counts.values(), strict=True))

    def cells(c: tuple[int, ...]) -> tuple[Cell, ...]:
        return Cell.share(c[0], c[1]), Cell.share(c[2], c[3]), Cell.share(c[4], c[5])

    return Table(
        key="gender_atypical",
        title=_l("Könsotypiska val"),
        description=_l("Andelen flickor och pojkar som önskat och fått prao i en bransch där "
                       "minst 60 procent av eleverna på motsvarande gymnasieprogram i riket "
                       "är av det andra könet."),
        row_header=_l("Kön"),
        columns=ATYPICAL_COLUMNS,
        rows=tuple(Row(_GENDER_LABELS[g], cells(counts[g]), key=g.value, translate=True)
                   for g in SPLIT),
        total=Row(_l("Flickor och pojkar"), cells(both), key="total", translate=True),
        chart=Chart.BAR,
        headline=Cell.share(both[4], both[5]),
    )

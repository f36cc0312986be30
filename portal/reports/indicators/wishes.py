"""Wishes met: did the portal give pupils what they asked for, and pupils with needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.matching.engine import Step
from portal.matching.models import MatchResult
from portal.matching.services import STEP_SOURCES
from portal.prao.models import ACTIVE_STATES, Assignment, AssignmentSource
from portal.reports.scope import Batch, per_scope
from portal.reports.sql import count_if, counted
from portal.reports.tables import (
    FIRST,
    SCHOOL,
    SEEKING,
    UNPLACED,
    Cell,
    Column,
    Counts,
    Row,
    Scope,
    Table,
    Unit,
)
from portal.schools.models import Enrolment, EnrolmentState, School, Student, Wish
from portal.texts import mark as _l

# How the stored results name the matching engine's second step.
SECOND_STEP = STEP_SOURCES[Step.SECOND]


def _placed() -> Any:
    """The enrolment's live assignment (at most one, by a unique index)."""
    return aliased(Assignment, name="placed")


def _school_rows(batch: Batch, columns: tuple[Any, ...], stmt: Any,
                 ) -> dict[Scope, list[tuple[Any, ...]]]:
    """The statement over the batch's counted enrolments (`select_from(Enrolment)`, its
    own joins and conditions), per school: (school id, name, *columns) by scope."""
    periods = batch.periods()
    return batch.split(db.session.execute(
        stmt.add_columns(periods.c.place, School.id, School.name, *columns)
        .join(periods, periods.c.id == Enrolment.period_id)
        .join(Student, Student.id == Enrolment.student_id)
        .join(School, School.id == Student.school_id)
        .where(counted())
        .group_by(periods.c.place, School.id, School.name)
        .order_by(School.name, School.id)))


# Of the pupils seeking through the portal (those placed through it and those without a
# place). Placed on their first wish are the equity table's too; on one of the top three or
# by the second step are counted nowhere else.
WISHES_COLUMNS = (
    Column("first", _l("Första önskemålet"), Unit.SHARE, counts=Counts(SCHOOL, (FIRST,), SEEKING)),
    Column("top3", _l("Bland de tre första"), Unit.SHARE,
           counts=Counts(SCHOOL, ("top3",), SEEKING)),
    Column("second", _l("Först i andra steget"), Unit.SHARE,
           counts=Counts(SCHOOL, ("second",), SEEKING)),
    Column("unplaced", _l("Utan plats"), Unit.SHARE, counts=Counts(SCHOOL, (UNPLACED,), SEEKING)),
)


@per_scope
def wishes_met(batch: Batch) -> dict[Scope, Table]:
    """Of the pupils placed through the portal or still waiting (own placements and exempt
    pupils are not counted): placed on their first wish, on one of their top three, placed
    only by the second round of matching, and not placed."""
    a = _placed()
    result = aliased(MatchResult)
    stmt = (select()
            .select_from(Enrolment)
            .outerjoin(a, and_(a.enrolment_id == Enrolment.id, a.state.in_(ACTIVE_STATES)))
            .outerjoin(Wish, and_(Wish.enrolment_id == Enrolment.id, Wish.offer_id == a.offer_id))
            .outerjoin(result, and_(result.run_id == a.run_id,
                                    result.enrolment_id == Enrolment.id))
            .where(Enrolment.state != EnrolmentState.OWN_PLACEMENT,
                   (a.id.is_(None)) | (a.source != AssignmentSource.OWN)))
    columns = (func.count(), count_if(Wish.rank == 1), count_if(Wish.rank <= 3),
               count_if(result.source == SECOND_STEP), count_if(a.id.is_(None)))
    return {scope: _wishes_met(rows)
            for scope, rows in _school_rows(batch, columns, stmt).items()}


def _wishes_met(rows: list[tuple[Any, ...]]) -> Table:
    sums = [sum(r[i] for r in rows) for i in range(2, 7)]

    def cells(base: int, first: int, top3: int, second: int, unplaced: int) -> tuple[Cell, ...]:
        return tuple(Cell.share(part, base) for part in (first, top3, second, unplaced))

    return Table(
        key="wishes_met",
        title=_l("Önskemål som uppfylldes"),
        description=_l("Av eleverna som söker plats genom portalen: andelen som fick sitt "
                       "förstahandsönskemål, ett av sina tre första önskemål, en plats först i "
                       "matchningens andra steg, och andelen utan plats, per skola."),
        row_header=_l("Skola"),
        columns=WISHES_COLUMNS,
        rows=tuple(Row(r[1], cells(*r[2:]), key=str(r[0])) for r in rows),
        total=Row(_l("Totalt"), cells(*sums), key="total", translate=True),
        headline=Cell.share(sums[1], sums[0]),
    )


@per_scope
def needs_met(batch: Batch) -> dict[Scope, Table]:
    """Pupils with needs (a workplace feature they need, never a diagnosis): placed at all,
    and placed on one of their own wishes."""
    a = _placed()
    stmt = (select()
            .select_from(Enrolment)
            .outerjoin(a, and_(a.enrolment_id == Enrolment.id, a.state.in_(ACTIVE_STATES)))
            .outerjoin(Wish, and_(Wish.enrolment_id == Enrolment.id, Wish.offer_id == a.offer_id))
            .where(Student.needs != 0))
    columns = (func.count(), count_if(a.id.is_not(None)), count_if(Wish.id.is_not(None)))
    return {scope: _needs_met(rows)
            for scope, rows in _school_rows(batch, columns, stmt).items()}


def _needs_met(rows: list[tuple[Any, ...]]) -> Table:
    pupils, placed, on_wish = (sum(r[i] for r in rows) for i in (2, 3, 4))

    def cells(n: int, p: int, w: int) -> tuple[Cell, ...]:
        return (Cell.pupils(n), Cell.share(p, n), Cell.share(w, n))

    return Table(
        key="needs_met",
        title=_l("Elever med behov"),
        description=_l("Elever som behöver något särskilt av arbetsplatsen, till exempel "
                       "tillgänglighet: hur många de är, andelen som fick en plats och andelen "
                       "som fick en plats de själva önskat, per skola."),
        row_header=_l("Skola"),
        # Pupils with needs, a part of the school's pupils no other indicator counts.
        columns=(Column("pupils", _l("Elever med behov"), Unit.PUPILS, counts=None),
                 Column("placed", _l("Placerade"), Unit.SHARE, of=("pupils",),
                        counts=None),
                 Column("on_wish", _l("Placerade på ett önskemål"), Unit.SHARE,
                        of=("pupils",), counts=None)),
        rows=tuple(Row(r[1], cells(*r[2:]), key=str(r[0])) for r in rows),
        total=Row(_l("Totalt"), cells(pupils, placed, on_wish), key="total", translate=True),
        headline=Cell.share(placed, pupils),
        headline_column="placed",
        headline_label=_l("Elever med behov som fick en plats"),
    )

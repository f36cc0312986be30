"""SQL pieces the indicators share: the pupils a report counts, date arithmetic that reads the
same on PostgreSQL and SQLite, and counting rows that meet a condition."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, case, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.schools.models import Enrolment, EnrolmentState


class plus_days(FunctionElement[Any]):  # noqa: N801 - an SQL function, named like one
    """`day + n` for a date column and an integer: PostgreSQL adds days to a date,
    SQLite needs date(day, 'n days')."""

    type = Date()
    inherit_cache = True


@compiles(plus_days)
def _plus_days_default(element: plus_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(days, **kw)})"


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return (f"date({compiler.process(day, **kw)}, "
            f"CAST({compiler.process(days, **kw)} AS TEXT) || ' days')")


class local_day(FunctionElement[Any]):  # noqa: N801 - an SQL function, named like one
    """The calendar day of a stored moment. PostgreSQL reads it in Stockholm time; SQLite
    stores UTC text, whose day is at most an hour or two earlier, i.e. never later than the
    day a person saw: a step done just after midnight counts on the earlier day there,
    which only ever favours "on time" by those hours in tests on SQLite."""

    type = Date()
    inherit_cache = True


@compiles(local_day)
def _local_day_default(element: local_day, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    return f"CAST(({compiler.process(moment, **kw)} AT TIME ZONE 'Europe/Stockholm') AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    return f"date({compiler.process(moment, **kw)})"


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """COUNT of the rows where the condition holds (portable: no FILTER clause)."""
    return func.count(case((condition, literal(1, Integer))))


def counted() -> ColumnElement[bool]:
    """The enrolments a report counts of its periods' (Batch.periods): not exempt from prao."""
    return Enrolment.state != EnrolmentState.EXEMPT

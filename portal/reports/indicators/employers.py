"""Employers active, new and returning, per municipality of the organisation.

- active: the organisation had at least one live assignment (proposed, confirmed, in
  progress or completed) of a pupil enrolled in the scope's periods;
- new: active, and none of its live assignments anywhere in the region is in a period that
  starts before the scope (its first pupil ever is in the scope);
- returning: active, and it had a live assignment in a period of an earlier school year.

History counts every school of the region, whatever the scope's municipality: an employer
that took a pupil from the next municipality last year is not new. Organisations without a
municipality are shown on a row of their own. The "again next term" rate comes from the
employers' evaluations (another module): pass an `AgainNextTerm` to `per_municipality`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from sqlalchemy import case, func, select

from portal.employers.models import Organisation, Placement
from portal.extensions import db
from portal.prao.models import ACTIVE_STATES, Assignment
from portal.reports.scope import Batch
from portal.reports.tables import Cell, Chart, Column, Row, Scope, Table, Unit
from portal.schools.models import Enrolment, Municipality, PraoPeriod
from portal.texts import mark as _l

# The evaluations' hook: municipality id (None: organisations without one) -> the share of
# supervisors answering yes to "again next term" (Cell.share over answers); the key "all"
# carries the total row. `AgainEach` gives it for every scope of a batch at once.
AgainNextTerm = Callable[[Scope], Mapping[int | None | str, Cell]]
AgainEach = Callable[[Batch], Mapping[Scope, Mapping[int | None | str, Cell]]]

COLUMNS = (
    Column("active", _l("Aktiva arbetsgivare"), Unit.COUNT),
    Column("new", _l("Nya arbetsgivare"), Unit.COUNT),
    Column("returning", _l("Återkommande arbetsgivare"), Unit.COUNT),
)
# Of the supervisors' answers, not of the employers counted beside it (78 % beside one
# employer is that employer's supervisors, four of five saying yes): the label says so.
# Counted nowhere else.
AGAIN = Column("again_next_term", _l("Handledarsvar: tar emot elever igen nästa termin"),
               Unit.SHARE, counts=None)


Counts = list[tuple[int | None, str | None, int, int, int]]


def _counts(batch: Batch) -> dict[Scope, Counts]:
    """(municipality id, name, active, new, returning), one grouped query."""
    periods = batch.periods()
    active = (select(periods.c.place.label("place"),
                     Placement.organisation_id.label("organisation_id"))
              .select_from(Assignment)
              .join(Placement, Placement.id == Assignment.placement_id)
              .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
              .join(periods, periods.c.id == Enrolment.period_id)
              .where(Assignment.state.in_(ACTIVE_STATES))
              .distinct().subquery("active"))
    first = (select(Placement.organisation_id.label("organisation_id"),
                    func.min(PraoPeriod.first_day).label("first_day"))
             .select_from(Assignment)
             .join(Placement, Placement.id == Assignment.placement_id)
             .join(Enrolment, Enrolment.id == Assignment.enrolment_id)
             .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
             .where(Assignment.state.in_(ACTIVE_STATES),
                    Placement.organisation_id.in_(select(active.c.organisation_id)))
             .group_by(Placement.organisation_id).subquery("first"))
    school_year_start = date(batch.school_year, 7, 1)
    stmt = (select(active.c.place, Organisation.municipality_id, Municipality.name,
                   func.count(),
                   func.sum(case((first.c.first_day >= batch.region.first_day, 1), else_=0)),
                   func.sum(case((first.c.first_day < school_year_start, 1), else_=0)))
            .select_from(active)
            .join(first, first.c.organisation_id == active.c.organisation_id)
            .join(Organisation, Organisation.id == active.c.organisation_id)
            .outerjoin(Municipality, Municipality.id == Organisation.municipality_id)
            .group_by(active.c.place, Organisation.municipality_id, Municipality.name)
            .order_by(Municipality.name.is_(None), Municipality.name))
    return {scope: [(mid, name, int(n), int(new or 0), int(back or 0))
                    for mid, name, n, new, back in rows]
            for scope, rows in batch.split(db.session.execute(stmt)).items()}


def per_municipality(scope: Scope, again: AgainNextTerm | None = None) -> Table:
    """The scope's table (per_municipality_each)."""
    each: AgainEach | None = None
    if again is not None:
        def each(batch: Batch) -> dict[Scope, Mapping[int | None | str, Cell]]:
            return {one: again(one) for one in batch.scopes}
    return per_municipality_each(Batch.of(scope), each)[scope]


def per_municipality_each(batch: Batch, again: AgainEach | None = None) -> dict[Scope, Table]:
    """Employers active, new and returning per municipality of the organisation (COUNT:
    employers are not people, never suppressed). No headline: three figures, none of them
    the one the council steers by; the "again next term" rate joins as a column."""
    rates = again(batch) if again is not None else None
    return {scope: _per_municipality(counts, None if rates is None else rates[scope])
            for scope, counts in _counts(batch).items()}


def _per_municipality(counts: Counts, rates: Mapping[int | None | str, Cell] | None) -> Table:
    none = Cell.share(0, 0)

    def cells(key: int | None | str, active: int, new: int, back: int) -> tuple[Cell, ...]:
        extra = (rates.get(key, none),) if rates is not None else ()
        return (Cell.count(active), Cell.count(new), Cell.count(back)) + extra

    rows = tuple(Row(name if mid is not None and name else _l("Kommun saknas"),
                     cells(mid, active, new, back),
                     key=str(mid) if mid is not None else "none", translate=mid is None)
                 for mid, name, active, new, back in counts)
    totals = (sum(c[2] for c in counts), sum(c[3] for c in counts), sum(c[4] for c in counts))
    return Table(
        key="employers",
        # Not "Arbetsgivare" again: that is the section's heading, right above.
        title=_l("Aktiva, nya och återkommande arbetsgivare per kommun"),
        description=_l("Arbetsgivare som tagit emot minst en elev, per kommun där "
                       "arbetsgivaren finns: alla aktiva, de som tar emot elever för första "
                       "gången och de som tagit emot elever ett tidigare läsår.")
        if rates is None else
        _l("Arbetsgivare som tagit emot minst en elev, per kommun där arbetsgivaren finns: "
           "alla aktiva, de som tar emot elever för första gången och de som tagit emot "
           "elever ett tidigare läsår. Sista kolumnen är andelen av handledarnas svar i "
           "utvärderingen som säger ja till att ta emot elever igen nästa termin; en "
           "arbetsgivare kan ha flera handledare."),
        row_header=_l("Arbetsgivarens kommun"),
        columns=COLUMNS + ((AGAIN,) if rates is not None else ()),
        rows=rows,
        total=Row(_l("Totalt"), cells("all", *totals), key="total", translate=True),
        chart=Chart.BAR,
    )

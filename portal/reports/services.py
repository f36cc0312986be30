"""The council report: scopes read from the page's filters, every indicator computed,
suppressed and drawn, the exports, and the council's targets."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import gettext
from markupsafe import Markup
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role, User
from portal.clock import today
from portal.concurrency import dialect_insert
from portal.db import utcnow
from portal.employers.catalogue.services import municipality_rows
from portal.extensions import db
from portal.kept import Kept
from portal.reports import snapshots
from portal.reports.bounds import Bound, bound_figures
from portal.reports.formatting import headline, mark_text, met, number, text
from portal.reports.models import CouncilTarget
from portal.reports.registry import INDICATORS, Section, by_key
from portal.reports.suppression import Shown
from portal.reports.tables import Row, Scope, Table, Term, Unit, school_year_of
from portal.reports.tables import row_label as _row_label
from portal.schools.imports.export import CSV_MIMETYPE, XLSX_MIMETYPE, Export, safe_cell
from portal.schools.models import Municipality, PraoPeriod
from portal.texts import language


class OutOfScope(Exception):
    """The user asked for a municipality they may not read."""


# --- scope --------------------------------------------------------------------------------

def school_years() -> list[int]:
    """The school years that have prao periods, newest first; at least the current one."""
    current = school_year_of(today())
    span = _period_span.get(current, _read_period_span)
    if span is None:
        return [current]
    first, last = span
    return list(range(max(school_year_of(last), current), school_year_of(first) - 1, -1))


# Read twice on every report page; a new period's school year shows within the minute.
_period_span: Kept[tuple[date, date] | None] = Kept(size=4, name="period_span")


def _read_period_span() -> tuple[date, date] | None:
    first, last = db.session.execute(
        select(func.min(PraoPeriod.first_day), func.max(PraoPeriod.first_day))).one()
    return None if first is None else (first, last)


class Place(NamedTuple):
    id: int
    name: str


def municipalities_for(user: User) -> Sequence[Place]:
    """The municipalities the user may read reports of, by name (a country has 290: plain
    rows, kept a minute, as the catalogue's search form has them)."""
    places = _places(municipality_rows())
    if user.role is Role.COUNCIL and user.municipality_id is not None:
        return [place for place in places if place.id == user.municipality_id]
    return places


@lru_cache(maxsize=4)
def _places(rows: tuple[tuple[int, str], ...]) -> tuple[Place, ...]:
    # The same rows come back for a minute: their 290 places are made once, not per page.
    return tuple(Place(id_, name) for id_, name in rows)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isascii() and value.isdigit() \
        and len(value) < 10 else None


def read_scope(args: Mapping[str, str], user: User) -> Scope:
    """The scope the filters ask for. Anything malformed falls back to the default (this
    school year, the whole year, the user's municipality or the region); a municipality the
    user may not read raises OutOfScope (the page answers 404)."""
    years = school_years()
    year = _int(args.get("lasar"))
    if year not in years:
        year = school_year_of(today()) if school_year_of(today()) in years else years[0]
    term = args.get("termin")
    own = user.municipality_id if user.role is Role.COUNCIL else None
    wanted = _int(args.get("kommun"))
    if wanted is not None and wanted not in {m.id for m in municipalities_for(user)}:
        if own is not None or db.session.get(Municipality, wanted) is not None:
            raise OutOfScope
        wanted = None  # no such municipality: the default, as for any malformed value
    return Scope(year, wanted if wanted is not None else own,
                 Term(term) if term in {t.value for t in Term} else None)


# --- the report ---------------------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorView:
    section: Section
    shown: Shown  # suppressed, its first rows (snapshots.PAGE_ROWS) and the total
    last_year: Shown
    target: float | None
    chart: Markup
    row_count: int  # the whole table's rows (the export has them all)
    # A hidden headline's range from the shown cells (bounds.py); last year's likewise.
    bound: Bound | None = None
    last_bound: Bound | None = None

    @property
    def table(self) -> Table:
        return self.shown.table

    @property
    def met(self) -> bool | None:
        """Against the target: the headline, or where it is hidden, the range the shown
        cells leave for it (met or not only when all of the range agrees)."""
        if self.shown.headline_hidden:
            return None if self.bound is None \
                else self.bound.met(self.target, self.table.higher_is_better)
        value = None if self.table.headline is None else self.table.headline.value
        return met(value, self.target, self.table.higher_is_better)

    @property
    def undecided(self) -> bool:
        """A target beside a hidden headline whose verdict cannot be given."""
        return self.target is not None and self.shown.headline_hidden and self.met is None


def row_label(row: Row) -> str:
    return _row_label(row)


def targets_for(scope: Scope) -> dict[str, float]:
    stmt = select(CouncilTarget.indicator, CouncilTarget.value).where(
        CouncilTarget.school_year == scope.school_year)
    stmt = stmt.where(CouncilTarget.municipality_id.is_(None) if scope.municipality_id is None
                      else CouncilTarget.municipality_id == scope.municipality_id)
    return {key: value for key, value in db.session.execute(stmt).all()}


def _report(scope: Scope) -> tuple[list[IndicatorView], datetime]:
    """Every indicator beside last year's, from the scopes' stored pages (computed on a
    miss): suppressed and drawn when the snapshot was computed, not here; and when."""
    targets = targets_for(scope)
    now = snapshots.read_page(scope)
    last = snapshots.read_page(scope.last_year(), drawn=False)  # its headlines only
    reader = language()
    views = []
    for key, _function, section in INDICATORS:
        view = now.views[key]
        # Drawn by matplotlib when the snapshot was computed, every text in it escaped there.
        chart = Markup(view.charts.get(reader, ""))  # noqa: S704
        views.append(IndicatorView(section, view.shown, last.views[key].shown,
                                   targets.get(key), chart, view.row_count, view.bound,
                                   last.views[key].bound))
    return views, now.computed_at


def report(scope: Scope) -> list[IndicatorView]:
    return _report(scope)[0]


Sections = list[tuple[Section, list[IndicatorView]]]


def report_sections(scope: Scope) -> tuple[Sections, datetime]:
    """The report grouped by section, in the registry's order, and when it was computed."""
    views, computed_at = _report(scope)
    grouped: dict[Section, list[IndicatorView]] = {}
    for view in views:
        grouped.setdefault(view.section, []).append(view)
    return list(grouped.items()), computed_at


def rendered_sections(scope: Scope, render: Callable[[Sections], Markup]
                      ) -> tuple[Markup, datetime]:
    """The report's sections as `render` makes them, and when they were computed. A stored
    snapshot's sections read the same for every reader of a language until the snapshot is
    computed again or a target changes: rendered once per process for those."""
    found = snapshots.stamps([scope, scope.last_year()])
    if found is None:
        sections, computed_at = report_sections(scope)
        return render(sections), computed_at
    key = (snapshots.scope_key(scope), *found, tuple(sorted(targets_for(scope).items())),
           language())
    kept = snapshots.RENDERED.get(key)
    if kept is not None:
        return kept, found[0]
    sections, computed_at = report_sections(scope)
    return snapshots.RENDERED.put(key, render(sections)), computed_at


def refresh(scope: Scope) -> bool:
    """The coordinator's "update now", whatever the snapshot's age: computed at once when
    its last computation took a few seconds (REPORT_REFRESH_INLINE_SECONDS), else queued
    for the jobs command. True when computed now."""
    took = snapshots.compute_seconds(scope)
    if took is not None and took <= current_app.config["REPORT_REFRESH_INLINE_SECONDS"]:
        snapshots.compute(scope)
        return True
    snapshots.request_refresh(scope)
    return False


def headlines(scope: Scope) -> list[IndicatorView]:
    """The indicators with a headline, for the council's start page."""
    return [view for view in report(scope) if view.table.headline is not None]


def one_table(key: str, scope: Scope) -> Shown | None:
    if key not in by_key():
        return None
    return snapshots.read(scope).shown(key)


# --- exports ------------------------------------------------------------------------------

def _header(table: Table) -> list[str]:
    return [gettext(table.row_header), *(
        gettext(c.label) + (" (%)" if c.unit is Unit.SHARE else "") for c in table.columns)]


def _rows(shown: Shown) -> list[list[str | float | int | None]]:
    table = shown.table
    rows = table.rows + ((table.total,) if table.total is not None else ())
    return [[safe_cell(row_label(row)), *(
        mark_text(shown.mark(i, j), table.columns[j].unit, table.key)
        or number(cell, table.columns[j].unit)
        for j, cell in enumerate(row.cells))] for i, row in enumerate(rows)]


def _filename(shown: Shown, scope: Scope, extension: str) -> str:
    """The indicator and its scope, so that downloads of other filters differ:
    coverage-2026-27-2581-ht.csv is Piteå's (kommunkod 2581) autumn term."""
    parts = [shown.table.key, scope.label.replace("/", "-")]
    if scope.municipality_id is not None:
        municipality = db.session.get(Municipality, scope.municipality_id)
        parts.append(municipality.code if municipality else str(scope.municipality_id))
    if scope.term is not None:
        parts.append("ht" if scope.term is Term.AUTUMN else "vt")
    return f"{'-'.join(parts)}.{extension}"


def to_csv(shown: Shown, scope: Scope) -> Export:
    """Semicolons, a BOM and decimal commas: what Swedish Excel opens with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_header(shown.table))
    writer.writerows([("" if v is None else str(v).replace(".", ",")
                       if isinstance(v, float) else v) for v in row] for row in _rows(shown))
    return Export(buffer.getvalue().encode("utf-8-sig"), CSV_MIMETYPE,
                  _filename(shown, scope, "csv"))


def to_xlsx(shown: Shown, scope: Scope) -> Export:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = shown.table.key[:31]
    sheet.append(_header(shown.table))
    for row in _rows(shown):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return Export(buffer.getvalue(), XLSX_MIMETYPE, _filename(shown, scope, "xlsx"))


def cell_text(shown: Shown, row: int, column: int) -> str:
    table = shown.table
    cells = (table.rows + ((table.total,) if table.total else ()))[row].cells
    unit = table.columns[column].unit
    return text(cells[column], unit, mark_text(shown.mark(row, column), unit, table.key),
                decimal_comma=_decimal_comma())


def headline_text(cell_value: float | None, unit: Unit, target: float | None = None,
                  higher_is_better: bool = True) -> str:
    """A headline; beside a target, saying on which side of it a figure lies that rounds
    onto it ("knappt 95 %")."""
    if cell_value is None:
        return "–"
    return headline(cell_value, unit, target, higher_is_better, decimal_comma=_decimal_comma())


def headline_mark(shown: Shown) -> str | None:
    """A hidden headline's mark, said as a table cell of its unit says it."""
    return mark_text(shown.headline_mark, shown.table.headline_unit, shown.table.key)


def bound_text(bound: Bound | None, target: float | None = None,
               higher_is_better: bool = True) -> str:
    """A hidden headline's range in words: "minst 92 %", "högst 8 %", "92–97 %"; "" when
    there is none or it says nothing (0–100 %)."""
    if bound is None:
        return ""
    low, high = bound_figures(bound, target, higher_is_better)
    if _decimal_comma():
        low, high = (None if v is None else v.replace(".", ",") for v in (low, high))
    if low is not None and high is not None:
        return f"{low}\u2013{high}\u00a0%"
    if low is not None:
        return gettext("minst %(figure)s", figure=f"{low}\u00a0%")
    if high is not None:
        return gettext("högst %(figure)s", figure=f"{high}\u00a0%")
    return ""


def target_text(value: float | None, unit: Unit | None = None,
                higher_is_better: bool = True) -> str:
    """A target as the coordinator typed it, in its indicator's unit: "92,5 %" for a
    share, "4,2" for an average of 1-5, "5" for percentage points. A target of an
    indicator where lower is better is a ceiling, and says so: "högst 20 %"."""
    if value is None:
        return "–"
    figure = f"{round(value, 1):g}"
    figure = figure.replace(".", ",") if _decimal_comma() else figure
    figure += "\u00a0%" if (unit or Unit.SHARE) is Unit.SHARE else ""
    return figure if higher_is_better else gettext("högst %(figure)s", figure=figure)


def _decimal_comma() -> bool:
    return language() == "sv"


# --- targets ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetChoice:
    key: str
    title: str  # msgid
    unit: Unit
    higher_is_better: bool = True


@lru_cache(maxsize=1)
def target_choices() -> tuple[TargetChoice, ...]:
    """The indicators a target can be set for: those with a headline. Read off each
    indicator's table for an empty past scope (a year before any data): some thirty empty
    queries, once per process, not on every visit to the targets page."""
    empty = Scope(1900)
    return tuple(TargetChoice(t.key, t.title, t.headline_unit, t.higher_is_better)
                 for t in (f(empty) for _key, f, _section in INDICATORS)
                 if t.headline is not None)


def set_target(user: User, indicator: str, municipality_id: int | None, school_year: int,
               value: float) -> bool:
    """Insert or replace the target in one statement (ON CONFLICT … DO UPDATE): two
    coordinators saving at once both succeed, the later value stays. False when the
    municipality was removed meanwhile (its key no longer exists)."""
    table = CouncilTarget.__table__
    region = municipality_id is None
    keys = ["indicator", "school_year"] if region else ["indicator", "municipality_id",
                                                        "school_year"]
    where = table.c.municipality_id.is_(None) if region else \
        table.c.municipality_id.is_not(None)
    stmt = dialect_insert(table).values(
        indicator=indicator, municipality_id=municipality_id, school_year=school_year,
        value=value, updated_at=utcnow(), updated_by_id=user.id)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, index_where=where,
        set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at,
              "updated_by_id": stmt.excluded.updated_by_id})
    try:
        db.session.execute(stmt)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def delete_target(target_id: int) -> bool:
    target = db.session.get(CouncilTarget, target_id)
    if target is None:
        return False
    db.session.delete(target)
    db.session.commit()
    return True


def all_targets() -> list[Any]:
    return list(db.session.execute(
        select(CouncilTarget, Municipality.name)
        .outerjoin(Municipality, Municipality.id == CouncilTarget.municipality_id)
        .order_by(CouncilTarget.school_year.desc(), Municipality.name.nullsfirst(),
                  CouncilTarget.indicator)).all())


def municipality_name(scope: Scope, places: Sequence[Place]) -> str | None:
    """The scope's municipality by name, from `places`, municipalities_for(the reader),
    which read_scope() checks a chosen one against. A council member's own municipality
    made in the last minute is not among them yet (the list is kept a minute): read."""
    if scope.municipality_id is None:
        return None
    found = next((place.name for place in places if place.id == scope.municipality_id), None)
    if found is None:
        municipality = db.session.get(Municipality, scope.municipality_id)
        found = municipality.name if municipality is not None else None
    return found

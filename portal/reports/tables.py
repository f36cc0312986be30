"""The one shape every council indicator returns, and the scope it is computed for.

Pure Python (no Flask, no database): an indicator is a query that returns a `Table`;
suppression, charts, exports, targets and the report pages all work on this shape, so an
indicator only has to count. Labels are Swedish msgids that the page translates; row labels
that are data (a school's or a sector's name) are shown as they are."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.employers.reference import sector_label
from portal.texts import gettext, language
from portal.texts import mark as _l


class Term(enum.StrEnum):
    AUTUMN = "autumn"  # höstterminen: July–December of the school year's first calendar year
    SPRING = "spring"  # vårterminen: January–June of the next calendar year


TERM_LABELS = {Term.AUTUMN: _l("Hösttermin"), Term.SPRING: _l("Vårtermin")}


@dataclass(frozen=True)
class Scope:
    """What a report covers: one school year (2026 means 2026/27, 1 July 2026 – 30 June
    2027), optionally one term, the whole region or one municipality. A prao period belongs
    to the scope when its first day falls inside these dates and its school lies in the
    municipality."""

    school_year: int
    municipality_id: int | None = None
    term: Term | None = None

    @property
    def first_day(self) -> date:
        if self.term is Term.SPRING:
            return date(self.school_year + 1, 1, 1)
        return date(self.school_year, 7, 1)

    @property
    def last_day(self) -> date:
        if self.term is Term.AUTUMN:
            return date(self.school_year, 12, 31)
        return date(self.school_year + 1, 6, 30)

    def last_year(self) -> Scope:
        return Scope(self.school_year - 1, self.municipality_id, self.term)

    @property
    def label(self) -> str:
        """"2026/27": how Swedish schools write a school year."""
        return f"{self.school_year}/{(self.school_year + 1) % 100:02d}"


def school_year_of(day: date) -> int:
    return day.year if day.month >= 7 else day.year - 1


class Unit(enum.StrEnum):
    PUPILS = "pupils"  # a number of pupils: fewer than 5 is suppressed
    SHARE = "share"  # a percentage of pupils: carries numerator and base, both suppressible
    AVERAGE = "average"  # a mean of answers: carries how many answered (suppressed under 5)
    COUNT = "count"  # things that are not people (seats, placements, employers): never hidden


@dataclass(frozen=True)
class Cell:
    """One figure. `n` is the number of pupils (or answers) behind it: for PUPILS the value
    itself, for SHARE the numerator, for AVERAGE the number of answers; `base` is a share's
    denominator. Suppression decides from n and base, never from the value."""

    value: float | None
    n: int | None = None
    base: int | None = None

    @classmethod
    def pupils(cls, count: int) -> Cell:
        return cls(float(count), n=count)

    @classmethod
    def share(cls, part: int, whole: int) -> Cell:
        return cls(100.0 * part / whole if whole else None, n=part, base=whole)

    @classmethod
    def average(cls, mean: float | None, answers: int) -> Cell:
        return cls(mean if answers else None, n=answers)

    @classmethod
    def count(cls, value: int | float | None) -> Cell:
        return cls(None if value is None else float(value))


@dataclass(frozen=True)
class Counts:
    """What a figure is made of, in counts that other indicators' figures are made of too:
    its numerator (a count's value, an average's answers) and, for a share, its base, each
    the sum of some of the group's counts of the row (rows matched by key; the total row's
    are those of every row). A name is one count wherever the group uses it: the pupils
    placed through the portal are "portal" in the equity table and in the placement-source
    table. A reader who sees a share to one decimal of a school's pupils knows both."""

    group: str
    n: tuple[str, ...]
    base: tuple[str, ...] = ()


# What a column declares when it has not said what it counts (`Column.counts`) or which
# answers it averages (`Column.mean_of`): suppression reads it as None, and
# tests/reports/test_cross_table_suppression.py fails for every indicator that has one.
UNDECLARED = "?"
UNDECLARED_COUNTS = Counts(UNDECLARED, ())
# The pupils of the scope's prao periods per school (rows keyed by the school's id) and
# what became of them, as sums of four counts: placed through the portal, placed through
# their own network, without a place, placed on their first wish. The school's pupils are
# all three of the first, the placed the first two, the pupils seeking through the portal
# the first and the third. One table's shown figures so give another's hidden count as a
# difference: 40 placed less 36 through the portal are 4 through their own network.
SCHOOL = "school"
PORTAL, OWN, UNPLACED, FIRST = "portal", "own", "unplaced", "first"
SCHOOL_PUPILS = (PORTAL, OWN, UNPLACED)
PLACED = (PORTAL, OWN)
SEEKING = (PORTAL, UNPLACED)


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # msgid
    unit: Unit
    # The columns of the same row this figure is computed from (a share whose numerator or
    # base is counted there): suppression hides it wherever one of them is hidden, or the
    # figure and the row's other cells give the hidden count back (34 girls at 54.0 % girls
    # are 29 boys; a coverage of 60 % beside a hidden number of pupils, once the column's
    # total gives the covered pupils, is their number).
    of: tuple[str, ...] = ()
    # Computed from `of` alone (numerator and base both counted there, as the share of girls
    # among girls and boys): it tells nothing they do not, so it is hidden exactly where one
    # of them is and never on its own (hiding it beside its shown counts protects nothing).
    only_of: bool = False
    # What its figures are made of, in counts other indicators' figures are made of too
    # (Counts); None when no other indicator counts its pupils. Suppression hides more
    # until no hidden count is a sum or difference of what the scope's indicators show.
    counts: Counts | None = UNDECLARED_COUNTS
    # An average computed from another indicator's distribution of the same answers (its
    # key): a row averages the distribution's row of the same key, the total row all of
    # it. Hidden wherever a cell it is computed from is, or the mean (two decimals in the
    # export) pins the hidden count: (x + 509) / (x + 130) is 3.89 for x = 1 alone. None
    # when no indicator shows the answers it averages.
    mean_of: str | None = UNDECLARED


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    key: str = ""  # stable identifier (school id, sector key, …) for exports and tests
    translate: bool = False  # the label is a msgid ("Flickor"), not data ("Björkskolan")
    # The label is a sector code, named in the reader's language: a snapshot is computed
    # once, in whatever language the job or the first reader had, and read in both.
    sector: bool = False
    # Data written in both languages (the coordinator's evaluation statements): the English,
    # read instead of `label` in English. Empty where none was written.
    label_en: str = ""


def row_label(row: Row) -> str:
    """The row's label in the language being written: a msgid translated, a sector named,
    data as it is (in English where it was written in English too)."""
    if row.sector:
        return sector_label(row.label, language())
    if row.label_en and language() == "en":
        return row.label_en
    return gettext(row.label) if row.translate else row.label


class Chart(enum.StrEnum):
    BAR = "bar"  # one bar per row and column
    STACKED = "stacked"  # the columns stacked within each row (shares adding up to 100)
    NONE = "none"  # a table only


@dataclass(frozen=True)
class Table:
    """One indicator. `headline` is the single figure compared with the council's target and
    with last year (e.g. the share of pupils with at least ten days); None when the
    indicator has no single figure."""

    key: str  # stable: targets and exports name the indicator by it
    title: str  # msgid
    description: str  # msgid: what is counted, for the page and for screen readers
    row_header: str  # msgid
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None = None
    chart: Chart = Chart.BAR
    headline: Cell | None = None
    headline_unit: Unit = Unit.SHARE
    # Higher is better for the headline (coverage); False where lower is better (absence):
    # its target is a ceiling, and reads "högst 20 %".
    higher_is_better: bool = True
    # msgid: what the headline measures, where the title does not say it (the title names
    # both the portal and own networks; the headline is the own networks' share).
    headline_label: str = ""
    # The column whose total the headline is (a share of the pupils its `of` counts), where
    # it is one: when the headline is hidden, the page still tells what the column's shown
    # rows say of it (bounds.headline_bound).
    headline_column: str = ""

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)


# --- stored as JSON (the report's snapshot) ------------------------------------------------

def _cell_json(cell: Cell) -> list[float | int | None]:
    return [cell.value, cell.n, cell.base]


def _row_json(row: Row) -> dict[str, Any]:
    return {"label": row.label, "cells": [_cell_json(c) for c in row.cells], "key": row.key,
            "translate": row.translate, "sector": row.sector, "label_en": row.label_en}


def table_to_json(table: Table) -> dict[str, Any]:
    """The Table as plain JSON, read back by table_from_json into an equal Table."""
    return {"key": table.key, "title": table.title, "description": table.description,
            "row_header": table.row_header,
            "columns": [[c.key, c.label, c.unit.value, list(c.of), c.only_of,
                         _counts_json(c.counts), c.mean_of] for c in table.columns],
            "rows": [_row_json(r) for r in table.rows],
            "total": None if table.total is None else _row_json(table.total),
            "chart": table.chart.value,
            "headline": None if table.headline is None else _cell_json(table.headline),
            "headline_unit": table.headline_unit.value,
            "higher_is_better": table.higher_is_better,
            "headline_label": table.headline_label,
            "headline_column": table.headline_column}


def _cell(found: list[Any] | None) -> Cell | None:
    if found is None:
        return None
    value, n, base = found
    return Cell(None if value is None else float(value), n, base)


def _row(found: dict[str, Any]) -> Row:
    return Row(found["label"], tuple(Cell(*c) for c in found["cells"]), key=found["key"],
               translate=found["translate"], sector=found.get("sector", False),
               label_en=found.get("label_en", ""))


def _counts_json(counts: Counts | None) -> list[Any] | None:
    return None if counts is None else [counts.group, list(counts.n), list(counts.base)]


def _column(found: list[Any]) -> Column:
    """A stored column; one stored before `of` or `counts` (a snapshot of an older shape,
    computed again before its page is read) has none."""
    key, label, unit, *derived = found
    of, only_of = derived[:2] if derived else ((), False)
    counts, mean_of = derived[2:] if len(derived) > 2 else (None, None)
    return Column(key, label, Unit(unit), tuple(of), bool(only_of),
                  None if counts is None else Counts(counts[0], tuple(counts[1]),
                                                     tuple(counts[2])), mean_of)


def table_from_json(found: dict[str, Any]) -> Table:
    return Table(key=found["key"], title=found["title"], description=found["description"],
                 row_header=found["row_header"],
                 columns=tuple(_column(c) for c in found["columns"]),
                 rows=tuple(_row(r) for r in found["rows"]),
                 total=None if found["total"] is None else _row(found["total"]),
                 chart=Chart(found["chart"]), headline=_cell(found["headline"]),
                 headline_unit=Unit(found["headline_unit"]),
                 higher_is_better=found["higher_is_better"],
                 headline_label=found.get("headline_label", ""),
                 headline_column=found.get("headline_column", ""))

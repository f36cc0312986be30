"""Suppression across the scopes of a school year: the region is its municipalities added
up and a year its two terms, so a cell hidden in one scope must not be worked out from
what the others show (the region's count minus Piteå's is Luleå's)."""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.prao.models import Incident, IncidentKind, IncidentSeverity
from portal.reports import snapshots
from portal.reports.suppression import Sum, _solved, suppress, suppress_together
from portal.reports.tables import Cell, Column, Row, Scope, Table, Term, Unit
from tests.reports.data import AUTUMN, SPRING, noon, period, place, pupil

KINDS = ("accident_serious", "accident_minor", "near_miss_serious", "near_miss_minor")


def _incidents(counts: list[int]) -> Table:
    """A table shaped like the incidents indicator: counts per kind and their total."""
    return Table(key="incidents", title="T", description="D", row_header="Slag",
                 columns=(Column("incidents", "Rapporterade", Unit.PUPILS),),
                 rows=tuple(Row(k, (Cell.pupils(n),), key=k)
                            for k, n in zip(KINDS, counts, strict=False)),
                 total=Row("Totalt", (Cell.pupils(sum(counts)),), key="total"))


def test_the_region_less_one_municipality_does_not_give_the_other_away():
    """The probe: Luleå's 3 serious accidents are hidden in Luleå's table, Piteå's 12 are
    shown in Piteå's, and the region's 15 in the region's: 15 - 12 = 3. Suppressed one by
    one, that is so; suppressed together, the region's cell or Piteå's is hidden too."""
    lulea, pitea = [3, 10, 20, 30], [12, 10, 20, 30]
    region = [a + b for a, b in zip(lulea, pitea, strict=True)]
    tables = [_incidents(region), _incidents(lulea), _incidents(pitea)]
    alone = [suppress(t) for t in tables]
    assert alone[1].is_hidden(0, 0) and not alone[0].is_hidden(0, 0) \
        and not alone[2].is_hidden(0, 0)  # the leak, scope by scope
    shown = suppress_together(tables, [Sum(0, (1, 2))])
    assert shown[1].mark(0, 0) == "<5"
    assert shown[0].is_hidden(0, 0) or shown[2].is_hidden(0, 0)
    assert _derivable(tables, shown, [Sum(0, (1, 2))]) == []


def test_the_year_less_the_autumn_does_not_give_the_spring_away():
    autumn, spring = [12, 10, 20, 30], [2, 10, 20, 30]
    year = [a + b for a, b in zip(autumn, spring, strict=True)]
    tables = [_incidents(year), _incidents(autumn), _incidents(spring)]
    shown = suppress_together(tables, [Sum(0, (1, 2))])
    assert shown[2].mark(0, 0) == "<5"
    assert shown[0].is_hidden(0, 0) or shown[1].is_hidden(0, 0)
    assert _derivable(tables, shown, [Sum(0, (1, 2))]) == []


def test_parts_that_leave_the_whole_only_all_fours_hide_one_more():
    """Region 8 of two municipalities' "<5": both are 4. A third cell goes too."""
    tables = [_incidents([8, 20, 30]), _incidents([4, 10, 15]), _incidents([4, 10, 15])]
    shown = suppress_together(tables, [Sum(0, (1, 2))])
    assert shown[1].is_hidden(0, 0) and shown[2].is_hidden(0, 0)
    assert shown[0].is_hidden(0, 0)  # no part shown: the region's 8 itself


def test_a_count_that_does_not_add_up_is_no_sum():
    """Distinct pupils over a year need not be its terms' added up (a pupil with prao in
    both counts once): no equation is made of them, so nothing more is hidden."""
    tables = [_incidents([13, 21]), _incidents([3, 10]), _incidents([12, 10])]
    shown = suppress_together(tables, [Sum(0, (1, 2))])
    assert [s.hidden for s in shown] == [suppress(t).hidden for t in tables]


# --- the property: nothing hidden in any scope can be worked back from the others --------

def _equations(tables: list[Table], sums: list[Sum]) -> list[dict[tuple[int, int, int], int]]:
    """Independently of the module: each table's column against its total, and each sum's
    whole against its parts, row by row (the tables here all have the same rows)."""
    found = []
    for t, table in enumerate(tables):
        last = len(table.rows)
        found.append({**{(t, i, 0): 1 for i in range(last)}, (t, last, 0): -1})
    for s in sums:
        for i in range(len(tables[s.whole].rows) + 1):
            found.append({(s.whole, i, 0): -1, **{(k, i, 0): 1 for k in s.parts}})
    return found


def _derivable(tables, shown, sums) -> list[tuple[int, int, int]]:
    """The hidden cells whose unit vector lies in the row space of the sums over the hidden
    cells: those a reader of every table works out exactly."""
    hidden = sorted((t, i, j) for t, s in enumerate(shown) for i, j in s.hidden)
    if not hidden:
        return []
    a = np.array([[eq.get(p, 0) for p in hidden] for eq in _equations(tables, sums)],
                 dtype=float)
    rank = np.linalg.matrix_rank(a)
    found = []
    for k, p in enumerate(hidden):
        unit = np.zeros((1, len(hidden)))
        unit[0, k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(p)
    return found


def _pinned_by_bounds(tables, shown, sums) -> list[dict[tuple[int, int, int], int]]:
    """Sums whose shown whole leaves hidden parts, all "<5", a total only all 0 or all 4
    gives."""
    hidden = {(t, i, j) for t, s in enumerate(shown) for i, j in s.hidden}
    found = []
    for eq in _equations(tables, sums):
        whole = next(p for p, c in eq.items() if c == -1)
        parts = [p for p, c in eq.items() if c == 1]
        inside = [p for p in parts if p in hidden]
        value = {p: _value(tables, p) for p in eq}
        if whole in hidden or len(inside) < 2 or any(value[p] >= 5 for p in inside):
            continue
        if sum(value[p] for p in inside) in (0, 4 * len(inside)):
            found.append(eq)
    return found


def _value(tables, p) -> float:
    t, i, j = p
    table = tables[t]
    return (*table.rows, table.total)[i].cells[j].value


small_counts = st.integers(0, 12)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 3).flatmap(lambda places: st.lists(
    st.lists(st.lists(small_counts, min_size=2, max_size=2), min_size=places,
             max_size=places), min_size=1, max_size=3)))
def test_no_hidden_cell_of_any_scope_can_be_worked_back(counts):
    """Random small hierarchies: counts[row][municipality][term]. Tables for the region and
    each municipality, for the year and each term, suppressed together: every small cell
    hidden, none determined by the sums within and between the tables."""
    places, rows = len(counts[0]), range(len(counts))

    def table(members: range, terms: tuple[int, ...]) -> Table:
        return _incidents([sum(counts[r][m][t] for m in members for t in terms) for r in rows])

    scopes = [(m, terms) for m in (None, *range(places)) for terms in ((0, 1), (0,), (1,))]
    tables = [table(range(places) if m is None else range(m, m + 1), terms)
              for m, terms in scopes]
    index = {scope: k for k, scope in enumerate(scopes)}
    sums = [Sum(index[(None, terms)], tuple(index[(m, terms)] for m in range(places)))
            for terms in ((0, 1), (0,), (1,))]
    sums += [Sum(index[(m, (0, 1))], (index[(m, (0,))], index[(m, (1,))]))
             for m in (None, *range(places))]
    shown = suppress_together(tables, sums)
    assert _derivable(tables, shown, sums) == []
    assert _pinned_by_bounds(tables, shown, sums) == []
    for t, one in enumerate(shown):
        for i in range(len(tables[t].rows) + 1):
            if _value(tables, (t, i, 0)) < 5:
                assert one.mark(i, 0) == "<5"


# --- through the exports, as a council member reads them --------------------------------

def _incident(assignment, kind: IncidentKind, severity: IncidentSeverity, day: date) -> None:
    from portal.extensions import db

    db.session.add(Incident(assignment_id=assignment.id, kind=kind, severity=severity,
                            occurred_at=noon(day), what="Halkade"))


def _read(client, url: str) -> dict[str, str]:
    """The export's first column by row label."""
    rows = list(csv.reader(io.StringIO(client.get(url).get_data().decode("utf-8-sig")),
                           delimiter=";"))
    return {row[0]: row[1] for row in rows[1:]}


def test_no_export_of_one_scope_and_another_gives_a_hidden_count_away(db, world, client,
                                                                      login_as, set_clock):
    """Luleå: 2 serious accidents in autumn and 8 in spring; Piteå: 9 in spring; 6, 7 and
    8 of the other kinds in each. Each municipality's, the region's and every term's export
    of the incidents: wherever a count is hidden, the sums between the scopes have a second
    hidden cell (scope by scope, Luleå's year showed 10 and its spring 8)."""
    from datetime import datetime

    set_clock(datetime(2027, 6, 20, 10))
    kinds = [(kind, severity) for kind in IncidentKind
             for severity in (IncidentSeverity.SERIOUS, IncidentSeverity.MINOR)]
    for school, days, serious in ((world.school_a, AUTUMN, 2), (world.school_a, SPRING, 8),
                                  (world.school_b, SPRING, 9)):
        assignment = place(pupil(period(school, days)))
        for (kind, severity), count in zip(kinds, (serious, 6, 7, 8), strict=True):
            for _ in range(count):
                _incident(assignment, kind, severity, days[0])
    db.session.commit()
    login_as("council")
    places = {None: "", world.municipality_a.id: f"&kommun={world.municipality_a.id}",
              world.municipality_b.id: f"&kommun={world.municipality_b.id}"}
    terms = {None: "", Term.AUTUMN: "&termin=autumn", Term.SPRING: "&termin=spring"}
    read = {(m, t): _read(client, f"/rapporter/incidents.csv?lasar=2026{p}{q}")
            for m, p in places.items() for t, q in terms.items()}
    label = "Olycka, allvarlig"
    assert read[(world.municipality_a.id, Term.AUTUMN)][label] == "<5"
    members = [m for m in places if m is not None]
    # Hidden: "<5" or ".."; an empty cell is a known nothing (Piteå's autumn had no prao).
    for t in terms:  # the region against its municipalities
        cells = [read[(None, t)][label], *(read[(m, t)][label] for m in members)]
        assert sum(1 for c in cells if c in ("<5", "..")) != 1, (t, cells)
    for m in places:  # the year against its terms
        cells = [read[(m, t)][label] for t in terms]
        assert sum(1 for c in cells if c in ("<5", "..")) != 1, (m, cells)
    # The page shows what the export does.
    page = snapshots.read_page(Scope(2026, world.municipality_b.id, Term.SPRING))
    assert page.views["incidents"].shown.is_hidden(0, 0) == (
        read[(world.municipality_b.id, Term.SPRING)][label] in ("<5", ".."))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.integers(0, 7), st.sampled_from([1, -1]), min_size=2,
                                max_size=5), min_size=1, max_size=9))
def test_a_hidden_cell_counts_as_worked_out_exactly_when_the_sums_determine_it(raw):
    """The sparse elimination against the definition: a cell is determined when adding
    "this cell alone" to the sums does not raise their rank."""
    equations = [{(0, 0, k): c for k, c in eq.items()} for eq in raw]
    unknowns = sorted({p for eq in equations for p in eq})
    matrix = np.array([[eq.get(p, 0) for p in unknowns] for eq in equations], dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    alone = np.eye(len(unknowns))
    expected = {p for k, p in enumerate(unknowns)
                if np.linalg.matrix_rank(np.vstack([matrix, alone[k]])) == rank}
    assert _solved(equations, unknowns) == expected

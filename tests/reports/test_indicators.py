"""Each indicator on a hand-made data set, with the right answers worked out here."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.matching.models import MatchingRun, MatchResult, ResultSource
from portal.prao.models import (
    AlertKind,
    AssignmentSource,
    AssignmentState,
    AttendanceAlert,
    Incident,
    IncidentKind,
    IncidentSeverity,
    StepRecord,
)
from portal.reports.indicators import coverage, gender, process, wishes
from portal.reports.registry import INDICATORS, by_key
from portal.reports.tables import Cell, Scope, Table, Term, Unit
from portal.schools.models import EnrolmentState, Wish
from tests import factories
from tests.reports.data import AUTUMN, attend, noon, period, place, pupil

YEAR = 2026  # 2026/27: SPRING and AUTUMN both fall in it


def _row(table: Table, key: str) -> list[tuple[float | None, int | None, int | None]]:
    row = next(r for r in (*table.rows, table.total) if r is not None and r.key == key)
    return [(None if c.value is None else round(c.value, 1), c.n, c.base) for c in row.cells]


@pytest.fixture
def coverage_data(db, world):
    """School A: six pupils and one exempt; school B: one pupil.
    P1 10 days present; P2 9 present + 1 late (late counts); P3 9 present + 1 absent;
    P4 five days in the autumn and five in the spring (ten over the year); P5 not placed;
    P6 ten days at an own placement. School B: ten days."""
    spring, autumn = period(world.school_a), period(world.school_a, AUTUMN)
    p = [pupil(spring) for _ in range(6)]
    exempt = pupil(spring)
    exempt.state = EnrolmentState.EXEMPT
    attend(place(p[0]), "P" * 10)
    attend(place(p[1]), "P" * 9 + "L")
    attend(place(p[2]), "P" * 9 + "A")
    attend(place(p[3]), "P" * 5)
    attend(place(pupil(autumn, student=p[3].student)), "P" * 5)
    attend(place(p[5], source=AssignmentSource.OWN), "P" * 10)
    other = pupil(period(world.school_b))
    attend(place(other), "P" * 10)
    db.session.commit()
    return world


def test_coverage_counts_pupils_with_ten_days_over_the_year(coverage_data):
    w = coverage_data
    table = coverage.coverage(Scope(YEAR))
    # A: P1, P2, P4 (over two periods) and P6 of six pupils; B: its one pupil.
    assert _row(table, str(w.school_a.id)) == [(6.0, 6, None), (66.7, 4, 6)]
    assert _row(table, str(w.school_b.id)) == [(1.0, 1, None), (100.0, 1, 1)]
    assert _row(table, "total") == [(7.0, 7, None), (71.4, 5, 7)]
    assert table.headline is not None and round(table.headline.value or 0, 1) == 71.4


def test_coverage_of_one_municipality_and_one_term(coverage_data):
    w = coverage_data
    table = coverage.coverage(Scope(YEAR, w.municipality_a.id))
    assert [r.key for r in table.rows] == [str(w.school_a.id)]
    # In the spring term alone P4 has five days: P1, P2 and P6 of six.
    spring = coverage.coverage(Scope(YEAR, w.municipality_a.id, Term.SPRING))
    assert _row(spring, "total") == [(6.0, 6, None), (50.0, 3, 6)]
    assert coverage.coverage(Scope(YEAR - 1)).rows == ()


def test_placement_source_portal_against_own_network(coverage_data):
    w = coverage_data
    table = coverage.placement_source(Scope(YEAR))
    # A: P1, P2, P3 and P4 twice (two periods) through the portal, P6 on their own.
    assert _row(table, str(w.school_a.id)) == [(83.3, 5, 6), (16.7, 1, 6)]
    assert _row(table, "total") == [(85.7, 6, 7), (14.3, 1, 7)]
    assert table.headline is not None and table.headline.n == 1
    assert table.higher_is_better is False


@pytest.fixture
def wish_data(db, world):
    """W1 wished X, Y and got X (first); W2 wished X, Y, Z and got Z (third); W3 wished X
    and got Y in the second round; W4 wished X and got nothing; W5 own placement (not
    counted); W6 only a cancelled assignment (unplaced); W7 exempt (not counted).
    W1, W3 and W4 have needs."""
    spring = period(world.school_a)
    offers = [factories.PlacementOfferFactory() for _ in range(3)]
    x, y, z = offers
    run = MatchingRun(created_by_id=world.users["coordinator"].id, seed=1)
    w = [pupil(spring, needs=1 if k in (0, 2, 3) else 0) for k in range(7)]
    db.session.add(run)
    db.session.flush()
    for enrolment, wished in zip(w, [(x, y), (x, y, z), (x,), (x,), (x,), (x,), (x,)],
                                 strict=True):
        for rank, offer in enumerate(wished, start=1):
            db.session.add(Wish(enrolment_id=enrolment.id, offer_id=offer.id, rank=rank))
    results = [(w[0], x, ResultSource.FIRST_ROUND), (w[1], z, ResultSource.FIRST_ROUND),
               (w[2], y, ResultSource.SECOND_ROUND)]
    for enrolment, offer, source in results:
        db.session.add(MatchResult(run_id=run.id, enrolment_id=enrolment.id, offer_id=offer.id,
                                   lottery=1, source=source))
        place(enrolment, offer, run_id=run.id)
    place(w[4], source=AssignmentSource.OWN)
    place(w[5], x, state=AssignmentState.CANCELLED)
    w[5].state = EnrolmentState.NEEDS_PLACEMENT
    w[6].state = EnrolmentState.EXEMPT
    db.session.commit()
    return world


def test_wishes_met(wish_data):
    table = wishes.wishes_met(Scope(YEAR))
    # Five pupils count: W1 first (and top three), W2 top three, W3 second round, W4 and
    # W6 unplaced.
    assert _row(table, "total") == [(20.0, 1, 5), (40.0, 2, 5), (20.0, 1, 5), (40.0, 2, 5)]
    assert table.headline is not None and table.headline.value == pytest.approx(20.0)


def test_needs_met(wish_data):
    table = wishes.needs_met(Scope(YEAR))
    # W1 placed on a wish, W3 placed (not on a wish: the second round), W4 not placed.
    assert _row(table, "total") == [(3.0, 3, None), (66.7, 2, 3), (33.3, 1, 3)]


@pytest.fixture
def process_data(db, world):
    """Two confirmed pupils and a proposal (no checklist yet) in the spring period."""
    spring = period(world.school_a)
    a1, a2 = place(pupil(spring)), place(pupil(spring))
    place(pupil(spring), state=AssignmentState.PROPOSED)
    # risk assessment due 14 days before the first day (1 March): a1 on the day, a2 a day
    # late; the certificate due 14 days after the last day (9 April): a1 on the day.
    db.session.add_all([
        StepRecord(assignment_id=a1.id, step="risk_assessment", done_at=noon(date(2027, 3, 1))),
        StepRecord(assignment_id=a2.id, step="risk_assessment", done_at=noon(date(2027, 3, 2))),
        StepRecord(assignment_id=a1.id, step="certificate", done_at=noon(date(2027, 4, 9))),
    ])
    days = attend(a1, "PPPPPPPPLA")
    attend(a2, "PA")
    db.session.add(AttendanceAlert(assignment_id=a1.id, day=days[-1], kind=AlertKind.ABSENT))
    for kind, severity in [(IncidentKind.NEAR_MISS, IncidentSeverity.MINOR)] * 2 + [
            (IncidentKind.ACCIDENT, IncidentSeverity.SERIOUS)]:
        db.session.add(Incident(assignment_id=a1.id, kind=kind, severity=severity,
                                occurred_at=noon(days[0]), what="Halkade"))
    db.session.commit()
    return world


def test_steps_done_and_on_time(process_data, set_clock):
    set_clock(datetime(2027, 6, 1, 12))
    table = process.steps_done(Scope(YEAR))
    # Every step is due by June; guardians' acknowledgement does not apply in Luleå.
    assert [r.key for r in table.rows] == [
        "risk_assessment", "employer_confirmed", "pupil_prepared", "pupil_contacted",
        "guardians_informed", "attendance", "follow_up", "pupil_evaluation",
        "employer_evaluation", "class_reflection", "certificate"]
    assert _row(table, "risk_assessment") == [(2.0, 2, None), (100.0, 2, 2), (50.0, 1, 2)]
    assert _row(table, "certificate") == [(2.0, 2, None), (50.0, 1, 2), (50.0, 1, 2)]
    assert _row(table, "follow_up") == [(2.0, 2, None), (0.0, 0, 2), (0.0, 0, 2)]
    assert _row(table, "total") == [(22.0, 22, None), (13.6, 3, 22), (9.1, 2, 22)]


def test_steps_not_yet_due_are_not_counted(process_data, set_clock):
    set_clock(datetime(2027, 3, 10, 12))
    table = process.steps_done(Scope(YEAR))
    # Due by 10 March: risk assessment and confirmation (1 March), preparation and the
    # guardians' information (8 March).
    assert [r.key for r in table.rows] == ["risk_assessment", "employer_confirmed",
                                           "pupil_prepared", "guardians_informed"]
    assert _row(table, "total") == [(8.0, 8, None), (25.0, 2, 8), (12.5, 1, 8)]


def test_attendance_rate(process_data):
    table = process.attendance_rate(Scope(YEAR))
    # Twelve days reported for two pupils: 8 present + 1 late + 1 present = 10 came.
    assert _row(table, "total") == [(2.0, 2, None), (83.3, 2, 2)]


def test_absences_alerted(process_data):
    table = process.absences_alerted(Scope(YEAR))
    # Two absent days, one alerted.
    assert _row(table, "total") == [(2.0, 2, None), (50.0, 1, 2)]


def test_incidents_by_kind_and_severity(process_data, set_clock):
    set_clock(datetime(2027, 6, 1, 12))  # the spring's prao has begun
    table = process.incidents(Scope(YEAR))
    assert {r.key: r.cells[0].value for r in table.rows} == {
        "accident_serious": 1.0, "accident_minor": 0.0, "near_miss_serious": 0.0,
        "near_miss_minor": 2.0}
    assert table.total is not None and table.total.cells[0].value == 3.0
    # A year without any prao counts nobody: "–", not a 0 to hide as "<5".
    assert process.incidents(Scope(YEAR - 1)).total.cells[0] == Cell(None, 0)  # type: ignore[union-attr]


def test_every_registered_indicator_returns_the_table_its_key_names(db, world):
    """Exports and targets find an indicator by its registered key."""
    for key, function, _section in INDICATORS:
        assert function(Scope(YEAR)).key == key
    assert len(by_key()) == len(INDICATORS)


# Each share of the registry whose numerator or base another column of its row counts, and
# those columns (worked out here from what each indicator counts); every other share's
# numerator and base are counted nowhere on the page. The attendance rate is suppressed by
# its pupils but is a share of days, which no cell counts.
COUNTED_IN_ITS_ROW = {
    ("gender_per_sector", "girls_share"): ("girls", "boys"),
    ("coverage", "covered"): ("pupils",),
    ("needs_met", "placed"): ("pupils",),
    ("needs_met", "on_wish"): ("pupils",),
    ("steps_done", "done"): ("due",),
    ("steps_done", "on_time"): ("due",),
    ("absences_alerted", "alerted"): ("absent",),
    ("equity_schools", "placement_rate"): ("pupils",),
    ("equity_schools", "own_network_share"): ("placement_rate",),
}


def test_every_share_names_the_counts_of_its_row_it_is_computed_from(db, world):
    """So that suppression hides it wherever one of them is hidden (34 girls at 54.0 %
    girls are 29 boys)."""
    scope = Scope(YEAR)
    found = {(key, column.key): column.of for key, function in by_key().items()
             for column in function(scope).columns if column.unit is Unit.SHARE}
    assert {k: v for k, v in found.items() if v} == COUNTED_IN_ITS_ROW
    assert found[("gender_per_sector", "girls_share")] and next(
        c for c in gender.COLUMNS if c.key == "girls_share").only_of

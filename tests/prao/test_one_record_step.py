"""One way to record a checklist step once (prao.services.record_step) and one home for the
race-safe write helpers (portal/concurrency.py): attendance, guardians, certificates and the
checklist all go through them, so a fix to one is a fix to all."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from portal.prao import services
from portal.prao.attendance import services as attendance
from portal.prao.days import prao_days
from portal.prao.models import AttendanceStatus, StepRecord
from tests.prao.attendance.support import GOOD_FRIDAY, MONDAY, at, pupil_at
from tests.prao.attendance.support import placement as make_placement

PORTAL = Path(__file__).resolve().parents[2] / "portal"
WRITES_A_STEP = re.compile(r"(?<!class )StepRecord\(|StepRecord\.__table__|insert\(StepRecord")
INSERT_HELPERS = re.compile(r"postgresql\.insert|sqlite\.insert|def insert_if_absent")


def _sources() -> dict[str, str]:
    return {str(p.relative_to(PORTAL)): p.read_text(encoding="utf-8")
            for p in PORTAL.rglob("*.py")}


# The demo's bulk loaders write the history of school years that never ran through the
# portal, in one transaction nobody else shares: no race to guard, no step to check.
BULK_LOADERS = {"reports/demo.py"}


def test_only_prao_services_writes_a_step_record():
    writers = sorted(name for name, text in _sources().items()
                     if WRITES_A_STEP.search(text) and name not in BULK_LOADERS)
    assert writers == ["prao/services.py"]


def test_the_dialect_insert_helpers_live_only_in_concurrency():
    homes = sorted(name for name, text in _sources().items() if INSERT_HELPERS.search(text))
    assert homes == ["concurrency.py"]
    assert not (PORTAL / "prao" / "attendance" / "sql.py").exists()


def test_attendance_records_its_step_through_the_one_record_step(db, world, set_clock,
                                                                  monkeypatch):
    """The last day's report completes "attendance every day" through prao.services."""
    calls: list[tuple[int, str]] = []
    real = services.record_step

    def spy(assignment_id, step, actor, at=None):
        calls.append((assignment_id, step))
        return real(assignment_id, step, actor, at)

    monkeypatch.setattr(services, "record_step", spy)
    pupil = pupil_at(make_placement(world.organisation_a), world.school_a)
    db.session.commit()
    aid = pupil.id
    set_clock(at(GOOD_FRIDAY, 16))
    reporter = attendance.Reporter(None, "Handledare (länk)")
    for day in prao_days(MONDAY, GOOD_FRIDAY):
        attendance.report_day(day, [attendance.Entry(aid, AttendanceStatus.ABSENT)],
                              attendance.placed([aid]), reporter)
    assert (aid, "attendance") in calls
    [record] = db.session.scalars(select(StepRecord).where(
        StepRecord.assignment_id == aid, StepRecord.step == "attendance")).all()
    assert record.done_by_label == "Handledare (länk)"

"""Fixtures of the document tests: a placed pupil, and attendance for the prao days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

import pytest

from portal.prao.models import Assignment, AttendanceStatus
from tests.conftest import World
from tests.prao.documents.support import PRAO_DAYS, make_assignment, report


@pytest.fixture
def placed(db: Any, world: World) -> Assignment:
    assignment = make_assignment(world)
    db.session.commit()
    return assignment


@pytest.fixture
def attended(db: Any, placed: Assignment) -> Callable[..., Assignment]:
    """Attendance for every prao day but the ones left out: one day late, one absent."""

    def fill(leave_out: tuple[date, ...] = ()) -> Assignment:
        for day in PRAO_DAYS:
            if day in leave_out:
                continue
            if day == PRAO_DAYS[1]:
                report(placed, day, AttendanceStatus.LATE, time(9, 0), time(14, 30), 30)
            elif day == PRAO_DAYS[2]:
                report(placed, day, AttendanceStatus.ABSENT, None, None, 0)
            else:
                report(placed, day)
        db.session.commit()
        return placed

    return fill

"""What the database itself guarantees for the prao process, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.db import utcnow
from portal.prao.models import AssignmentState, Certificate, new_certificate_code
from tests import factories


def test_a_declined_assignment_does_not_block_the_next_one(db):
    first = factories.AssignmentFactory(state=AssignmentState.DECLINED)
    again = factories.AssignmentFactory(enrolment=first.enrolment)
    db.session.commit()
    assert again.id != first.id


def test_two_live_assignments_for_one_pupil_are_impossible(db):
    first = factories.AssignmentFactory()
    db.session.commit()
    with pytest.raises(IntegrityError):
        factories.AssignmentFactory(enrolment=first.enrolment,
                                    state=AssignmentState.CONFIRMED)
    db.session.rollback()


def test_certificate_codes_are_long_random_and_unique(db):
    codes = {new_certificate_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) == 26 and c.isalnum() and c.isupper() for c in codes)  # 128 bits
    assignment = factories.AssignmentFactory(state=AssignmentState.COMPLETED)
    other = factories.AssignmentFactory(state=AssignmentState.COMPLETED)
    db.session.add(Certificate(assignment_id=assignment.id, code="A" * 26))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.add(Certificate(assignment_id=other.id, code="A" * 26))
        db.session.commit()
    db.session.rollback()


def test_the_clock_can_be_set_and_the_database_stamps_follow_it(set_clock):
    set_clock(datetime(2027, 3, 15, 0, 30))  # Swedish time: still the 14th in UTC
    assert clock.today().isoformat() == "2027-03-15"
    assert clock.now() == datetime(2027, 3, 14, 23, 30, tzinfo=UTC)
    assert clock.local_now().hour == 0
    assert utcnow() == clock.now()

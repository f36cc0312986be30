"""What the pupils' tests share: a pupil of school A with her personal link."""

from __future__ import annotations

import pytest

from portal.schools.pupils import services
from tests import factories


@pytest.fixture
def pupil(app, db, world):
    """Alva Ek in a grade 8 period of school A (wishes open 2027-01-11 – 02-05), and her link;
    a test file's own `pupil` fixture takes the place of this one."""
    period = factories.PraoPeriodFactory(school=world.school_a)
    enrolment = factories.EnrolmentFactory(period=period, student__first_name="Alva",
                                           student__last_name="Ek")
    db.session.commit()
    with app.test_request_context():
        link = "/elev/" + services.make_link_token(enrolment)
    return enrolment, link

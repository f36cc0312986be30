"""first_wins and claim, the two tools every write that can meet another one uses."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.concurrency import claim, first_wins
from portal.employers.models import JoinRequest, JoinStatus
from portal.extensions import db as database
from portal.notifications.models import OutboxEmail
from portal.schools.models import Municipality
from tests import factories


def test_a_unique_violation_is_answered_by_a_second_run_that_sees_the_winner(db):
    factories.MunicipalityFactory(name="Luleå", code="2580")  # the other request's row
    db.session.commit()
    runs: list[str] = []

    def save() -> Municipality:
        found = database.session.scalars(select(Municipality).filter_by(code="2580")).first()
        if runs and found is not None:
            runs.append("found")
            return found
        runs.append("insert")  # the first run checked before the other request committed
        database.session.add(factories.OutboxEmailFactory.build(kind="municipality_saved"))
        database.session.add(Municipality(name="Luleå", code="2580"))
        database.session.flush()
        return found

    assert first_wins(save).name == "Luleå"
    assert runs == ["insert", "found"]
    db.session.commit()  # the transaction is whole again, and the first run left nothing
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 1


def test_claim_changes_a_row_only_from_the_state_expected(db, world):
    newcomer = factories.UserFactory(role="employer", organisation=None)
    join = JoinRequest(user=newcomer, organisation=world.organisation_a)
    db.session.add(join)
    db.session.flush()
    assert claim(JoinRequest.status, join.id, JoinStatus.PENDING, status=JoinStatus.APPROVED)
    assert not claim(JoinRequest.status, join.id, JoinStatus.PENDING,
                     status=JoinStatus.REJECTED)
    db.session.refresh(join)
    assert join.status is JoinStatus.APPROVED

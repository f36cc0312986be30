"""A matching round is seen by whoever may see every school it covers: one that names no
period belongs to the coordinator alone (all() over nothing must not open it to everyone)."""

from __future__ import annotations

from portal.matching.models import MatchingRun, RunStatus


def _run(db, world, periods) -> MatchingRun:
    run = MatchingRun(created_by_id=world.users["coordinator"].id, status=RunStatus.PUBLISHED,
                      seed=1, stats="{}", periods=periods)
    db.session.add(run)
    db.session.commit()
    return run


def test_a_round_without_periods_is_the_coordinators_only(client, db, world, login_as):
    run = _run(db, world, [])
    login_as("counsellor")
    assert client.get(f"/matchning/{run.id}").status_code == 404


def test_the_coordinator_still_reads_a_round_without_periods(client, db, world, login_as):
    run = _run(db, world, [])
    login_as("coordinator")
    assert client.get(f"/matchning/{run.id}").status_code == 200

"""The demo region: one command, every role can log in, and running it twice is harmless."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.demo import DEMO_PASSWORD, USERS
from portal.employers.models import Organisation, OrganisationStatus
from portal.schools.models import Municipality, School
from tests.conftest import login, new_client


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_seed_prints_logins_and_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0
    for email, *_ in USERS:
        assert email in first.output
    assert DEMO_PASSWORD in first.output
    counts = [_count(db, m) for m in (User, School, Municipality, Organisation)]
    assert counts == [7, 4, 2, 3]
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert [_count(db, m) for m in (User, School, Municipality, Organisation)] == counts


def test_demo_region_has_what_the_readme_promises(app, db):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    roles = db.session.scalars(select(User.role)).all()
    assert sorted(roles) == sorted([Role.COORDINATOR, Role.COUNSELLOR, Role.COUNSELLOR,
                                    Role.EMPLOYER, Role.EMPLOYER, Role.EMPLOYER, Role.COUNCIL])
    counsellors = db.session.scalars(select(User).where(User.role == Role.COUNSELLOR)).all()
    assert not set(counsellors[0].schools) & set(counsellors[1].schools)
    pending = db.session.scalars(select(Organisation).where(
        Organisation.status == OrganisationStatus.PENDING)).all()
    assert len(pending) == 1


def test_every_demo_login_works(app, db):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    for email, *_ in USERS:
        assert login(new_client(app), email, DEMO_PASSWORD).status_code == 302, email

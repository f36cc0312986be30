"""Writers that meet: on SQLite every writing request takes the write lock at BEGIN (WAL
mode, BEGIN IMMEDIATE), so concurrent writers wait their turn instead of failing with
"database is locked". Real threads, each with its own connection, on a database of its own."""

from __future__ import annotations

import threading

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select, text

from portal.db import begin_statement
from portal.extensions import db
from portal.schools.models import Wish
from portal.schools.pupils import services
from tests import factories
from tests.conftest import csrf_token, new_client


@freeze_time("2027-01-20")  # inside the wish window of the factories' period
def test_five_pupils_wishing_at_once_all_succeed(separate_app):
    with separate_app.app_context():
        period = factories.PraoPeriodFactory()
        enrolments = [factories.EnrolmentFactory(period=period) for _ in range(5)]
        offer = factories.PlacementOfferFactory(seats=5)
        db.session.commit()
        with separate_app.test_request_context():
            links = ["/elev/" + services.make_link_token(e) for e in enrolments]
        offer_id = offer.id
        db.session.remove()
    clients = [new_client(separate_app) for _ in links]
    tokens = [csrf_token(client) for client in clients]
    barrier = threading.Barrier(len(links))
    statuses: list[int] = []

    def wish(client, link: str, token: str) -> None:
        barrier.wait()
        response = client.post(link, data={"csrf_token": token, "action": "add",
                                           "offer": str(offer_id)})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=wish, args=args)
               for args in zip(clients, links, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * 5
    with separate_app.app_context():
        wishes = db.session.scalar(select(func.count()).select_from(Wish))
        db.session.remove()
    assert wishes == 5


def test_the_database_lets_readers_and_a_writer_work_at_once(app, db):
    """SQLite in WAL mode (readers never wait for the writer); PostgreSQL in its default
    READ COMMITTED, where row locks and conditional updates do the rest."""
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    else:
        assert db.session.execute(text("SHOW transaction_isolation")).scalar() == \
            "read committed"


@pytest.mark.parametrize(("method", "begin"), [
    ("GET", "BEGIN"), ("HEAD", "BEGIN"), ("POST", "BEGIN IMMEDIATE"),
    ("PUT", "BEGIN IMMEDIATE"), ("PATCH", "BEGIN IMMEDIATE"), ("DELETE", "BEGIN IMMEDIATE"),
])
def test_writing_requests_take_the_write_lock_at_begin(app, method, begin):
    with app.test_request_context(method=method):
        assert begin_statement() == begin


def test_cli_commands_that_write_take_the_write_lock_at_begin(app, monkeypatch):
    from portal.notifications import worker

    seen: list[str] = []
    monkeypatch.setattr(worker, "send_due", lambda: seen.append(begin_statement())
                        or worker.SendReport())
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and seen == ["BEGIN IMMEDIATE"]
    with app.app_context():
        assert begin_statement() == "BEGIN"  # other work outside a request reads first

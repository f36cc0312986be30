"""How a request's transaction ends (portal.db.end_reading_transaction): a page that only
read commits, so that on PostgreSQL the connection keeps its prepared statements; whatever
a view wrote, added or failed at without committing still rolls back."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import column, event, func, select, table, text

from portal.audit import AuditEvent
from portal.extensions import db
from tests.conftest import new_client


@pytest.fixture
def ends(separate_app: Flask) -> Iterator[list[str]]:
    """How each transaction on the app's engine ended: "commit" or "rollback"."""
    seen: list[str] = []
    with separate_app.app_context():
        engine = db.engine

    def on_commit(_connection: object) -> None:
        seen.append("commit")

    def on_rollback(_connection: object) -> None:
        seen.append("rollback")

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    yield seen
    event.remove(engine, "commit", on_commit)
    event.remove(engine, "rollback", on_rollback)


def _saved_events(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "prov"))
        db.session.remove()
    return count or 0


def test_a_page_that_only_read_ends_its_transaction_with_a_commit(separate_app, ends):
    client = new_client(separate_app)
    for _ in range(6):
        assert client.get("/praoplatser?q=bageri").status_code == 200
    assert ends == ["commit"] * 6
    with separate_app.app_context():
        if db.engine.dialect.name == "postgresql":
            # The one pooled connection still holds the search's plan.
            prepared = db.session.scalar(text(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%placement%'"))
            assert prepared and prepared > 0
        db.session.remove()


def _flushed() -> None:
    db.session.add(AuditEvent(action="prov"))
    db.session.flush()


def _added() -> None:
    db.session.add(AuditEvent(action="prov"))


def _written_as_text() -> None:
    db.session.execute(text("INSERT INTO audit_event (at, action, object_type, object_id, ip, "
                            "detail) VALUES (CURRENT_TIMESTAMP, 'prov', '', '', '', '')"))


def _read_then_flushed() -> None:
    db.session.scalar(select(func.count()).select_from(AuditEvent))
    _flushed()


@pytest.mark.parametrize("work", [_flushed, _added, _written_as_text, _read_then_flushed],
                         ids=["flushed", "added", "text", "read-then-flushed"])
def test_what_a_view_wrote_without_committing_rolls_back(separate_app, ends,
                                                         work: Callable[[], None]):
    def view() -> str:
        work()
        return "ok"

    separate_app.add_url_rule("/prov", "prov", view)
    assert new_client(separate_app).get("/prov").status_code == 200
    assert "commit" not in ends
    assert _saved_events(separate_app) == 0


def test_a_read_that_failed_rolls_back_and_the_next_page_works(separate_app, ends):
    def view() -> str:
        try:
            db.session.execute(select(column("id")).select_from(table("no_such_table")))
        except Exception:  # noqa: BLE001 - the failure itself is what is tested
            return "failed"
        return "read"

    separate_app.add_url_rule("/prov", "prov", view)
    client = new_client(separate_app)
    assert client.get("/prov").get_data(as_text=True) == "failed"
    assert ends[-1] == "rollback"
    assert client.get("/praoplatser?q=bageri").status_code == 200
    assert ends[-1] == "commit"

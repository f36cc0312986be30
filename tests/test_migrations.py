"""The migrations build the schema the models describe, on an empty database, both ways."""

from __future__ import annotations

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from portal.db import include_name, utcnow
from portal.extensions import db


def _differences() -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect the lower(email) index: SQLAlchemy and alembic warn and skip it;
        # the test checks that index by its behaviour instead.
        warnings.simplefilter("ignore")
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name})
        return compare_metadata(context, db.metadata)


def _assert_email_unique_whatever_the_case() -> None:
    insert = text("INSERT INTO user_account (email, name, role, session_token, active, "
                  "created_at) VALUES (:email, 'X', 'council', :token, true, :now)")
    with db.engine.connect() as connection:
        connection.execute(insert, {"email": "a@skola.se", "token": "t1", "now": utcnow()})
        with pytest.raises(IntegrityError):
            connection.execute(insert, {"email": "A@Skola.se", "token": "t2", "now": utcnow()})
        connection.rollback()


def test_upgrade_on_empty_database_matches_models(tmp_path, smtp_server):
    from tests.conftest import make_app
    from tests.databases import create_database

    url, drop = create_database("migrations", tmp_path)
    app = make_app(url, smtp_server.port)
    try:
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"user_account", "school", "municipality", "organisation",
                    "outbox_email", "audit_event", "counsellor_school"} <= tables
            assert _differences() == []
            _assert_email_unique_whatever_the_case()
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            _assert_email_unique_whatever_the_case()  # the index survived the way down
            db.engine.dispose()
    finally:
        drop()

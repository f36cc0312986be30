"""Migration 0006 carries rounds stored before it: the second-round flag becomes the last
step, and Swedish explanations stay readable under the code "text"."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.db import utcnow
from portal.extensions import db


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]


def _as_json(value: object) -> dict:
    return value if isinstance(value, dict) else json.loads(str(value))


def test_rounds_stored_before_keep_their_step_and_words(tmp_path, smtp_server):
    from tests.conftest import make_app
    from tests.databases import create_database

    url, drop = create_database("steps", tmp_path)
    app = make_app(url, smtp_server.port)
    try:
        with app.app_context():
            upgrade(revision="0005")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO user_account (id, email, name, role, session_token, active, "
                    "created_at) VALUES (1, 'a@skola.se', 'A', 'coordinator', 't', true, :now)"),
                    {"now": utcnow()})
                for run_id, second in ((1, True), (2, False)):
                    connection.execute(text(
                        "INSERT INTO matching_run (id, created_by_id, status, seed, "
                        "priority_policy, second_round, stats, created_at) VALUES (:id, 1, "
                        "'draft', 7, 'none', :second, '{}', :now)"),
                        {"id": run_id, "second": second, "now": utcnow()})
            upgrade()
            assert _rows("SELECT id, last_step FROM matching_run ORDER BY id") == [
                (1, "second"), (2, "first")]
            downgrade(revision="0005")
            assert _rows("SELECT id, second_round FROM matching_run ORDER BY id") in (
                [(1, True), (2, False)], [(1, 1), (2, 0)])
            db.engine.dispose()
    finally:
        drop()


def test_swedish_explanations_survive_both_ways(tmp_path, smtp_server):
    from tests.conftest import make_app
    from tests.databases import create_database

    url, drop = create_database("explanations", tmp_path)
    app = make_app(url, smtp_server.port)
    words = "Du fick ditt förstahandsval."
    try:
        with app.app_context():
            upgrade(revision="0005")
            # Without the rows it refers to: only the column's conversion is under test.
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                if db.engine.dialect.name == "sqlite":
                    cursor.execute("PRAGMA foreign_keys=OFF")
                else:
                    cursor.execute("SET session_replication_role = replica")
                cursor.execute("INSERT INTO match_result (id, run_id, enrolment_id, lottery, "
                               "priority, source, explanation) VALUES (1, 1, 1, 1, 0, "
                               "'first_round', 'Du fick ditt förstahandsval.')")
                raw.commit()
            finally:
                raw.close()
            db.engine.dispose()  # no connection keeps foreign keys off
            upgrade(revision="0006")  # later revisions rebuild the table with its keys on
            (stored,), = _rows("SELECT explanation FROM match_result")
            assert _as_json(stored) == {"code": "text", "params": {"text": words}}
            downgrade(revision="0005")
            assert _rows("SELECT explanation FROM match_result") == [(words,)]
            db.engine.dispose()
    finally:
        drop()

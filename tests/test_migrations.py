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


def test_class_names_stored_before_are_tidied_as_the_import_now_reads_them(tmp_path,
                                                                          smtp_server):
    """Migration 0030: "8c", " 8 c " and "8C" become one class 8C (8ö becomes 8Ö on SQLite
    too, whose upper() knows ASCII only); other names keep their words."""
    from tests.conftest import make_app
    from tests.databases import create_database

    url, drop = create_database("class_names", tmp_path)
    app = make_app(url, smtp_server.port)
    names = {1: "8c", 2: " 8 c ", 3: "8C", 4: "8ö", 5: "Lila  grupp", 6: ""}
    try:
        with app.app_context():
            upgrade(revision="0029")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO municipality (id, name, code, created_at) "
                    "VALUES (1, 'Luleå', '2580', :now)"), {"now": utcnow()})
                connection.execute(text(
                    "INSERT INTO school (id, municipality_id, name, unit_code, address, "
                    "created_at) VALUES (1, 1, 'Skolan', '12345678', '', :now)"),
                    {"now": utcnow()})
                connection.execute(text(
                    "INSERT INTO student (id, school_id, external_id, first_name, last_name, "
                    "class_name, gender, needs, email, updated_at, created_at) VALUES "
                    "(:id, 1, :ext, 'A', 'B', :name, 'unknown', 0, '', :now, :now)"),
                    [{"id": id_, "ext": f"E{id_}", "name": name, "now": utcnow()}
                     for id_, name in names.items()])
            upgrade()
            with db.engine.connect() as connection:
                stored = dict(connection.execute(text(
                    "SELECT id, class_name FROM student ORDER BY id")).all())
            assert stored == {1: "8C", 2: "8C", 3: "8C", 4: "8Ö", 5: "LILA GRUPP", 6: ""}
            db.engine.dispose()
    finally:
        drop()


def test_placements_stored_before_are_found_without_diacritics(tmp_path, smtp_server):
    """Migration 0031 writes every placement's search_text again with its words also
    without diacritics (the search indexes follow), and its downgrade writes it back."""
    from portal.employers.catalogue.services import CatalogueQuery, search
    from portal.employers.models import Placement
    from tests import factories
    from tests.conftest import make_app
    from tests.databases import create_database

    url, drop = create_database("search_folded", tmp_path)
    app = make_app(url, smtp_server.port)
    try:
        with app.app_context():
            upgrade()
            placement = factories.PlacementFactory(
                title="Undersköterska", description="Hemtjänst för äldre.", city="Luleå",
                organisation__name="Åkeriet AB")
            offer = factories.PlacementOfferFactory(placement=placement)
            db.session.commit()
            placement_id, first_week = placement.id, offer.first_week
            new_text = placement.search_text
            db.session.remove()

            def found(word: str) -> bool:
                return [card.id for card in search(CatalogueQuery(text=word),
                                                   today=first_week).items] == [placement_id]

            dialect = db.engine.dialect.name
            downgrade(revision="0030")
            stored = db.session.get(Placement, placement_id).search_text
            assert {"luleå", "äldre", "undersköterska"} <= set(stored.split())
            assert not {"lulea", "aldre", "underskoterska", "akeriet"} & set(stored.split())
            assert found("luleå") and not found("lulea")
            db.session.remove()
            upgrade()
            assert db.session.get(Placement, placement_id).search_text == new_text
            for word in ("lulea", "aldre", "underskoterska", "akeriet", "luleå", "äldre"):
                assert found(word), word
            if dialect == "sqlite":
                db.session.execute(text("INSERT INTO placement_fts (placement_fts) "
                                        "VALUES ('integrity-check')"))
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()

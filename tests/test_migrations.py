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
            # Read as stored: at 0030 the model has columns that later migrations add.
            stored = db.session.scalar(text("SELECT search_text FROM placement WHERE id = :id"),
                                       {"id": placement_id})
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


def test_own_placements_confirmed_before_get_the_organisations_address_not_the_typed_one(
        tmp_path, smtp_server):
    """Migration 0032: a placement made from a pupil's confirmed request whose supervisor is
    still the address the pupil typed gets the member who confirmed (the organisation's
    contact when that account is switched off), and is marked as waiting for the
    organisation to name its supervisor. A supervisor the organisation chose is left."""
    from portal.employers.models import Placement
    from portal.schools.models import OwnPlacementRequest, OwnPlacementStatus
    from tests import factories
    from tests.conftest import make_app
    from tests.databases import create_database

    url, drop = create_database("own_supervisor", tmp_path)
    app = make_app(url, smtp_server.port)
    try:
        with app.app_context():
            upgrade()
            organisation = factories.OrganisationFactory(contact_email="info@bygg.se",
                                                         contact_phone="0920-555 55")
            member = factories.UserFactory(role="employer", organisation=organisation,
                                           name="Maria Chef", email="maria@bygg.se")
            gone = factories.UserFactory(role="employer", organisation=organisation,
                                         name="Gustav Gått", email="gustav@bygg.se",
                                         active=False)
            cases = {"typed": ("alva@elev.se", member), "named": ("pappa@hemma.se", member),
                     "switched_off": ("omar@elev.se", gone)}
            ids = {}
            for case, (typed, decider) in cases.items():
                placement = factories.PlacementFactory(
                    organisation=organisation, supervisor_name="Elevens kontakt",
                    supervisor_email=typed, supervisor_phone="070-000 00 00")
                db.session.flush()
                db.session.add(OwnPlacementRequest(
                    enrolment=factories.EnrolmentFactory(), organisation=organisation,
                    status=OwnPlacementStatus.CONFIRMED, workplace="Bygg", contact_email=typed,
                    decided_by_id=decider.id, placement_id=placement.id))
                ids[case] = placement
            ids["other"] = factories.PlacementFactory(organisation=organisation,
                                                      supervisor_email="alva@elev.se")
            db.session.commit()
            ids = {case: placement.id for case, placement in ids.items()}
            db.session.remove()
            downgrade(revision="0031")
            with db.engine.begin() as connection:  # as the organisation chose it since
                connection.execute(text("UPDATE placement SET supervisor_email = 'hanna@bygg.se'"
                                        " WHERE id = :id"), {"id": ids["named"]})
            upgrade()
            with db.engine.connect() as connection:
                stored = {row.id: tuple(row[1:]) for row in connection.execute(text(
                    "SELECT id, supervisor_name, supervisor_email, supervisor_phone, "
                    "supervisor_named FROM placement"))}
            assert stored[ids["typed"]] == ("Maria Chef", "maria@bygg.se", "0920-555 55", False)
            assert stored[ids["switched_off"]] == ("Kim Kontakt", "info@bygg.se",
                                                   "0920-555 55", False)
            assert stored[ids["named"]] == ("Elevens kontakt", "hanna@bygg.se",
                                            "070-000 00 00", True)
            assert stored[ids["other"]][1::2] == ("alva@elev.se", True)  # no request
            assert db.session.get(Placement, ids["typed"]).supervisor_named is False
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


def test_own_placement_drafts_stored_before_get_a_break_a_minor_must_have(tmp_path,
                                                                          smtp_server):
    """Migration 0033: a pupil's own placement still on the 08:00–15:00 it was made with,
    without the break the rules for minors ask for, gets 30 minutes at 11:30 (as new ones
    do). Hours anyone changed, and placements that are not a pupil's own, are left."""
    from datetime import time

    from portal.employers.models import Placement, PlacementStatus
    from portal.schools.models import OwnPlacementRequest, OwnPlacementStatus
    from tests import factories
    from tests.conftest import make_app
    from tests.databases import create_database

    url, drop = create_database("own_break", tmp_path)
    app = make_app(url, smtp_server.port)
    untouched = {"day_start": time(8, 0), "day_end": time(15, 0), "break_start": None,
                 "break_minutes": 0, "status": PlacementStatus.DRAFT}
    try:
        with app.app_context():
            upgrade()
            registered = factories.PlacementFactory(**untouched)
            confirmed = factories.PlacementFactory(**untouched)
            changed = factories.PlacementFactory(**{**untouched, "day_end": time(12, 0)})
            catalogue = factories.PlacementFactory(**untouched)  # an employer's own draft
            db.session.flush()
            factories.EnrolmentFactory(own_placement_id=registered.id)
            factories.EnrolmentFactory(own_placement_id=changed.id)
            db.session.add(OwnPlacementRequest(
                enrolment=factories.EnrolmentFactory(), organisation=confirmed.organisation,
                status=OwnPlacementStatus.CONFIRMED, workplace="Bygg",
                placement_id=confirmed.id))
            db.session.commit()
            ids = {name: p.id for name, p in (("registered", registered),
                                              ("confirmed", confirmed), ("changed", changed),
                                              ("catalogue", catalogue))}
            db.session.remove()
            downgrade(revision="0032")
            upgrade()
            stored = {name: db.session.get_one(Placement, id_) for name, id_ in ids.items()}
            day = {name: (p.day_start, p.day_end, p.break_start, p.break_minutes)
                   for name, p in stored.items()}
            assert day["registered"] == day["confirmed"] == (time(8, 0), time(15, 0),
                                                             time(11, 30), 30)
            assert day["changed"] == (time(8, 0), time(12, 0), None, 0)
            assert day["catalogue"] == (time(8, 0), time(15, 0), None, 0)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()

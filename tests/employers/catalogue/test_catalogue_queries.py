"""The catalogue sends a fixed, small number of SQL queries per page, however many
placements the page shows (no query per placement, offer or organisation)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import insert

from portal import clock
from portal.employers.catalogue.services import CatalogueQuery, search
from portal.schools.models import Municipality
from portal.weeks import monday_of, week_label
from tests import factories
from tests.conftest import statements_sent

SOON = monday_of(clock.today()) + timedelta(weeks=10)
BOUND = 3  # search form's municipalities, count, page of placements with their offers
# (a first page that is not full holds every match: then there is no count)
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK")


@contextmanager
def counted_queries(db: Any) -> Iterator[list[str]]:
    """Every statement sent on the test's connection, which the app's requests share.
    (A listener on the engine would miss a connection opened before it was added.)"""
    # The test's savepoints (a request's session "commits" into one) are not queries.
    with statements_sent(db.session.connection(), leaving_out=TRANSACTION_CONTROL) as sent:
        yield sent


def add_placements(n: int) -> None:
    """Each with its own organisation and three offers: an N+1 would show at once."""
    for i in range(n):
        placement = factories.PlacementFactory(title=f"Butik {i:02d}", sector="sales")
        for week in range(3):
            first = SOON + timedelta(weeks=2 * week)
            factories.PlacementOfferFactory(placement=placement, first_week=first,
                                            last_week=first + timedelta(weeks=1), seats=3)


SEARCHES = [
    {},
    {"q": "butiker", "bransch": "sales", "vecka": week_label(SOON), "lediga": "y"},
]


@pytest.mark.parametrize("query", SEARCHES, ids=["no filters", "text and filters"])
def test_catalogue_page_queries_do_not_grow_with_the_results(client, db, query, monkeypatch):
    monkeypatch.setattr("portal.employers.catalogue.services.MUNICIPALITIES_FOR", 0)  # no cache
    add_placements(5)
    db.session.commit()
    with counted_queries(db) as few:
        html = client.get("/praoplatser", query_string=query).get_data(as_text=True)
    assert html.count('class="card mb-3"') == 5
    add_placements(45)
    db.session.commit()
    with counted_queries(db) as many:
        html = client.get("/praoplatser", query_string=query).get_data(as_text=True)
    assert html.count('class="card mb-3"') == 20 and "av 50" in html
    assert len(few) == BOUND - 1 and len(many) == BOUND, (few, many)
    add_placements(50)
    db.session.commit()
    with counted_queries(db) as more:
        client.get("/praoplatser", query_string=query)
    assert len(more) == BOUND, more


def test_page_size_does_not_change_the_number_of_queries(db):
    add_placements(50)
    counts = []
    for per_page in (5, 50):
        db.session.expunge_all()  # nothing loaded before: every load is a query
        with counted_queries(db) as statements:
            page = search(CatalogueQuery(text="butik"), per_page=per_page)
            seen = [(p.organisation_name, [(o.first_week, o.seats_free) for o in p.offers])
                    for p in page.items]
        assert len(seen) == per_page and all(len(offers) == 3 for _, offers in seen)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= BOUND - 1, counts


def test_public_placement_page_is_two_queries(client, db):
    add_placements(1)
    db.session.commit()
    placement_id = search(CatalogueQuery()).items[0].id
    with counted_queries(db) as statements:
        assert client.get(f"/praoplatser/{placement_id}").status_code == 200
    assert len(statements) == 2, statements


def test_the_forms_municipalities_are_read_once_and_again_after_a_change(client, db):
    factories.MunicipalityFactory(name="Luleå")
    db.session.commit()
    client.get("/praoplatser")
    with counted_queries(db) as statements:
        html = client.get("/praoplatser").get_data(as_text=True)
    assert ">Luleå</option>" in html
    assert not any("FROM municipality" in statement for statement in statements), statements
    boden = factories.MunicipalityFactory(name="Boden")
    db.session.commit()
    html = client.get("/praoplatser", query_string={"kommun": str(boden.id)}).get_data(
        as_text=True)
    assert f'<option selected value="{boden.id}">Boden</option>' in html
    boden.name = "Bodens kommun"
    db.session.commit()
    assert ">Bodens kommun</option>" in client.get("/praoplatser").get_data(as_text=True)


def test_municipalities_read_under_a_frozen_future_clock_are_read_again(client, db):
    """A value kept at a moment later than now (under a frozen clock) is not trusted: the
    search form reads the municipalities again, and one added since shows."""
    with freeze_time("2030-01-01"):
        assert "Nykommun" not in client.get("/praoplatser").get_data(as_text=True)
    # Added as another server process would: this one's sessions never see it flushed.
    db.session.execute(insert(Municipality).values(name="Nykommun", code="9999"))
    db.session.commit()
    assert "Nykommun" in client.get("/praoplatser").get_data(as_text=True)

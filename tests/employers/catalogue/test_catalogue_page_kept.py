"""The catalogue's search page, kept for a minute for every visitor without an account (as
the offers on it are, SHARED_FIGURES_MAX_AGE): never a signed-in reader's page, another
language's, or a page with someone's message on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal import kept as kept_module
from portal.employers.catalogue import views as catalogue_views
from tests.conftest import login
from tests.employers.catalogue.test_catalogue import offered

SEARCH = "/praoplatser?q=snickare"


@pytest.fixture
def kept_a_minute(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Pages kept for 60 s, on a clock the test moves; no page kept from another test."""
    now = [1000.0]
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: now[0])
    catalogue_views._pages_kept.clear()
    app.config["SHARED_FIGURES_MAX_AGE"] = 60
    yield now
    app.config["SHARED_FIGURES_MAX_AGE"] = 0
    catalogue_views._pages_kept.clear()


def test_a_visitor_sees_a_new_placement_within_a_minute(client, db, kept_a_minute):
    offered("Snickare i Luleå")
    db.session.commit()
    assert "Snickare i Luleå" in client.get(SEARCH).get_data(as_text=True)
    offered("Snickare i Kalix")
    db.session.commit()
    assert "Snickare i Kalix" not in client.get(SEARCH).get_data(as_text=True)  # kept
    kept_a_minute[0] += 60
    assert "Snickare i Kalix" in client.get(SEARCH).get_data(as_text=True)


def test_a_signed_in_reader_gets_a_page_of_their_own(app, client, db, world, kept_a_minute):
    offered("Snickare i Luleå")
    db.session.commit()
    assert "Logga ut" not in client.get(SEARCH).get_data(as_text=True)
    email, name = world.users["employer"].email, world.users["employer"].name
    signed_in = app.test_client()
    login(signed_in, email)
    html = signed_in.get(SEARCH).get_data(as_text=True)
    assert name in html and "Logga ut" in html
    assert name not in client.get(SEARCH).get_data(as_text=True)


def test_an_english_reader_gets_english_after_a_swedish_one(app, client, db, kept_a_minute):
    offered("Snickare i Luleå")
    db.session.commit()
    assert "Sök praoplats" in client.get(SEARCH).get_data(as_text=True)
    english = app.test_client()
    english.get("/sprak/en")
    html = english.get(SEARCH).get_data(as_text=True)
    assert "Sök praoplats" not in html and 'lang="en"' in html
    assert 'lang="sv"' in client.get(SEARCH).get_data(as_text=True)


def test_a_message_for_one_visitor_is_neither_kept_nor_shown_to_another(app, client, db,
                                                                         kept_a_minute):
    offered("Snickare i Luleå")
    db.session.commit()
    told = app.test_client()
    with told.session_transaction() as session:  # as a redirect after an action leaves it
        session["_flashes"] = [("success", "Tack, Alva!")]
    assert "Tack, Alva!" in told.get(SEARCH).get_data(as_text=True)
    assert "Tack, Alva!" not in client.get(SEARCH).get_data(as_text=True)

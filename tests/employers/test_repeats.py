"""A form sent again (a double click, the back button) makes nothing twice: the placement
form's one-time token finds the draft it made; the same calendar entry is the one saved."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.employers.models import CalendarEntry, Placement
from portal.weeks import week_label
from tests import factories
from tests.conftest import post_form
from tests.employers.placement_support import placement_form, weeks_ahead

NEW = "/arbetsgivare/praoplatser/ny"


def _token(client) -> str:
    match = re.search(r'name="form_token"[^>]*value="([^"]+)"',
                      client.get(NEW).get_data(as_text=True))
    assert match, "the placement form carries a one-time token"
    return match.group(1)


def _placements(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Placement))


def test_the_same_placement_form_sent_twice_is_one_draft(client, login_as, db, world):
    login_as("employer")
    form = {**placement_form(world.municipality_a.id), "form_token": _token(client)}
    first = post_form(client, NEW, form)
    again = post_form(client, NEW, form)
    assert again.headers["Location"] == first.headers["Location"]
    assert _placements(db) == 1


def test_each_time_the_form_is_shown_it_makes_a_new_draft(client, login_as, db, world):
    login_as("employer")
    first, second = _token(client), _token(client)
    assert first != second
    for token in (first, second, "", "kort"):  # no token, or a broken one: a new draft each
        post_form(client, NEW, {**placement_form(world.municipality_a.id), "form_token": token})
    assert _placements(db) == 4


def test_another_organisations_token_never_shows_its_draft(client, login_as, db, world):
    other = factories.PlacementFactory(organisation=world.organisation_b,
                                       form_token="b" * 32, status="draft")
    db.session.commit()
    login_as("employer")
    response = post_form(client, NEW, {**placement_form(world.municipality_a.id),
                                       "form_token": "b" * 32})
    assert response.headers["Location"] != f"/arbetsgivare/praoplatser/{other.id}"
    assert _placements(db) == 2


def test_the_same_calendar_entry_sent_twice_is_saved_once(client, login_as, db, world):
    login_as("coordinator")
    form = {"school": world.school_a.id, "weeks": week_label(weeks_ahead(6)), "pupils": "30"}
    for _ in range(2):
        assert post_form(client, "/kalender/ny", form).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CalendarEntry)) == 1
    changed = post_form(client, "/kalender/ny", {**form, "pupils": "31"}).get_data(as_text=True)
    assert "har redan prao vecka" in changed

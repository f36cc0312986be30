"""The catalogue's week filter takes a week as people write it, and a placement's page links
back to the search the visitor came from."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portal import clock
from portal.employers.catalogue.views import SEARCH_ARGS
from portal.employers.reference import features_mask
from portal.weeks import WeekError, monday_of, parse_week_query
from tests import factories

WEDNESDAY_WEEK_48 = date(2026, 11, 25)
WEEK_11_2027 = date(2027, 3, 15)


@pytest.mark.parametrize("text", ["11", "v 11", "v. 11", "v.11", "vecka 11", "Vecka 11",
                                  "V11", "v11", " 11 ", "week 11", "11 2027", "v. 11 2027"])
def test_a_week_without_a_year_is_the_coming_one(text):
    assert parse_week_query(text, WEDNESDAY_WEEK_48) == (WEEK_11_2027, WEEK_11_2027)


@pytest.mark.parametrize(("text", "first", "last"), [
    ("48", date(2026, 11, 23), date(2026, 11, 23)),  # this week is not over yet
    ("50", date(2026, 12, 7), date(2026, 12, 7)),  # later this year
    ("47", date(2027, 11, 22), date(2027, 11, 22)),  # over: next year's
    ("53", date(2026, 12, 28), date(2026, 12, 28)),  # 2026 has 53 weeks
    ("v 11–12", WEEK_11_2027, date(2027, 3, 22)),
    ("veckorna 11-12", WEEK_11_2027, date(2027, 3, 22)),
    ("52-2", date(2026, 12, 21), date(2027, 1, 11)),  # over new year
    ("11-12 2027", WEEK_11_2027, date(2027, 3, 22)),
    ("45 2026", date(2026, 11, 2), date(2026, 11, 2)),  # a year given is taken as given
])
def test_weeks_and_ranges(text, first, last):
    assert parse_week_query(text, WEDNESDAY_WEEK_48) == (first, last)


@pytest.mark.parametrize("text", ["elva", "v", "", "11 27", "123", "11 2027 2028", "0", "54",
                                  "54 2027", "11-54"])
def test_what_is_not_a_week_is_refused(text):
    with pytest.raises(WeekError):
        parse_week_query(text, WEDNESDAY_WEEK_48)


def test_week_53_only_where_a_coming_year_has_it():
    with pytest.raises(WeekError):  # 2027 and 2028 have 52 weeks
        parse_week_query("53", date(2027, 3, 10))


# --- through the page ----------------------------------------------------------------

SOON = monday_of(clock.today()) + timedelta(weeks=10)


def _offered(title: str, first: date, **fields: object) -> int:
    placement = factories.PlacementFactory(title=title, **fields)
    factories.PlacementOfferFactory(placement=placement, first_week=first, last_week=first)
    return placement.id


@pytest.mark.parametrize("written", ["{week}", "v {week}", "v. {week}", "vecka {week}",
                                     "V{week}"])
def test_the_week_filter_takes_a_week_number_alone(client, db, written):
    _offered("I rätt vecka", SOON)
    _offered("En vecka senare", SOON + timedelta(weeks=1))
    db.session.commit()
    week = SOON.isocalendar()[1]
    html = client.get("/praoplatser", query_string={"vecka": written.format(week=week)}
                      ).get_data(as_text=True)
    assert ">I rätt vecka</a>" in html and ">En vecka senare</a>" not in html


def test_a_wrong_week_is_explained_beside_the_field(client, db):
    html = client.get("/praoplatser", query_string={"vecka": "vecka elva"}).get_data(
        as_text=True)
    assert 'id="vecka-error"' in html and 'aria-invalid="true"' in html
    assert "Skriv veckan som ett veckonummer, till exempel 11, v. 11 eller 11 2027." in html


def _links_to_placements(html: str) -> list[str]:
    return [link.replace("&amp;", "&")
            for link in re.findall(r'href="(/praoplatser/\d+[^"]*)"', html)]


def test_the_way_back_from_a_placement_keeps_the_search(client, db):
    both = features_mask(["step_free", "elevator"])
    for n in range(25):
        _offered(f"Snickare {n:02d}", SOON, sector="construction", features=both)
    db.session.commit()
    html = client.get("/praoplatser?q=snickare&bransch=construction&tillganglighet=step_free"
                      "&tillganglighet=elevator&lediga=y&sida=2&_external=1&evil=x"
                      ).get_data(as_text=True)
    links = _links_to_placements(html)
    assert len(links) == 5
    wanted = ("q=snickare", "bransch=construction", "tillganglighet=step_free",
              "tillganglighet=elevator", "lediga=y", "sida=2")
    assert all(part in links[0] for part in wanted), links[0]
    assert "_external" not in links[0] and "evil" not in links[0]

    html = client.get(links[0] + "&_external=1&evil=x").get_data(as_text=True)
    back = re.search(r'<a href="([^"]*)">Tillbaka till sökresultatet</a>', html)
    assert back is not None and "Alla praoplatser" not in html
    url = back.group(1).replace("&amp;", "&")
    assert url.startswith("/praoplatser?") and all(part in url for part in wanted), url
    assert "_external" not in url and "evil" not in url
    assert client.get(url).get_data(as_text=True).count('class="card mb-3"') == 5


def test_a_placement_opened_without_a_search_links_to_all_placements(client, db):
    placement_id = _offered("Bagare", SOON)
    db.session.commit()
    html = client.get(f"/praoplatser/{placement_id}").get_data(as_text=True)
    assert '<a href="/praoplatser">Alla praoplatser</a>' in html
    assert "Tillbaka till sökresultatet" not in html


def test_the_first_page_of_results_links_without_a_page_number(client, db):
    placement_id = _offered("Snickare", SOON)
    db.session.commit()
    html = client.get("/praoplatser?q=snickare").get_data(as_text=True)
    assert _links_to_placements(html) == [f"/praoplatser/{placement_id}?q=snickare"]
    html = client.get("/praoplatser").get_data(as_text=True)
    assert _links_to_placements(html) == [f"/praoplatser/{placement_id}"]


def test_the_search_parameters_are_the_forms_fields_and_the_page():
    fields = {"q", "bransch", "kommun", "vecka", "arskurs", "tillganglighet", "lediga"}
    assert fields | {"sida"} == SEARCH_ARGS

"""Ids and page numbers beyond what a column holds are a 404 or the last page, never a 500
(found in a security review; on PostgreSQL integer overflow raises instead of matching)."""

from __future__ import annotations

import pytest

from tests import factories

TOO_BIG = "99999999999"  # beyond PostgreSQL's INTEGER (int4)
FAR_TOO_BIG = "9" * 24  # beyond BIGINT as well


@pytest.mark.parametrize("url", [
    f"/perioder/{TOO_BIG}", f"/perioder/{FAR_TOO_BIG}", f"/skolor/{TOO_BIG}",
    f"/matchning/{TOO_BIG}", f"/utkorg/{TOO_BIG}", f"/samordnare/kommuner/{TOO_BIG}",
    f"/arbetsgivare/praoplatser/{TOO_BIG}", f"/skolor/elevimporter/{TOO_BIG}",
])
def test_id_beyond_an_integer_column_is_not_found(client, login_as, url):
    login_as("coordinator")
    assert client.get(url).status_code == 404


def test_public_placement_id_beyond_an_integer_column_is_not_found(client, db):
    assert client.get(f"/praoplatser/{TOO_BIG}").status_code == 404


def test_nested_id_beyond_an_integer_column_is_not_found(client, db, world, login_as):
    period = factories.PraoPeriodFactory(school=world.school_a)
    db.session.commit()
    login_as("counsellor")
    assert client.get(f"/perioder/{period.id}/elever/{TOO_BIG}").status_code == 404


@pytest.mark.parametrize("url", ["/utkorg", "/anvandare"])
@pytest.mark.parametrize("page", [TOO_BIG, FAR_TOO_BIG, "-3", "abc"])
def test_page_number_beyond_any_page_is_a_page_not_an_error(client, login_as, url, page):
    login_as("coordinator")
    assert client.get(f"{url}?sida={page}").status_code == 200

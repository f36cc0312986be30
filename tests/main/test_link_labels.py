"""Who answered through a link is stored as a label in the language of whoever used the link;
every reader sees it in their own language."""

from __future__ import annotations

import pytest
from flask import Flask, session

from portal.demo import DEMO_PASSWORD
from portal.i18n import shown_label
from tests.conftest import DEMO_MOMENT, login, new_client


@pytest.mark.parametrize(("lang", "stored", "shown"), [
    ("en", "Anders Byggare (handledare, via länk)", "Anders Byggare (supervisor, via link)"),
    ("sv", "Anders Byggare (supervisor, via link)", "Anders Byggare (handledare, via länk)"),
    ("sv", "Anders Byggare (handledare, via länk)", "Anders Byggare (handledare, via länk)"),
    ("en", "Handledare anna@foretag.se (länk)", "Supervisor anna@foretag.se (link)"),
    ("en", "Eleven (länk)", "The pupil (link)"),
    ("sv", "The pupil (link)", "Eleven (länk)"),
    ("en", "Vårdnadshavare (länk)", "Guardian (link)"),
    ("en", "Gallrat konto", "Purged account"),  # a purged account's name, replaced
    # A user's or an organisation's name is shown as it is, whatever it holds.
    ("en", "Eva Ek", "Eva Ek"),
    ("en", "Bygg (länk) AB", "Bygg (länk) AB"),
    ("en", "", ""),
])
def test_a_link_label_is_shown_in_the_readers_language(app: Flask, lang: str, stored: str,
                                                       shown: str) -> None:
    with app.test_request_context():
        session["lang"] = lang
        assert shown_label(stored) == shown


def test_the_employer_reads_who_confirmed_through_the_link_in_english(demo_app, demo_db,
                                                                      set_clock):
    set_clock(DEMO_MOMENT)
    employer = new_client(demo_app)
    login(employer, "bygg@demo.praoportalen.se", DEMO_PASSWORD)
    swedish = employer.get("/arbetsgivare").get_data(as_text=True)
    assert "Anders Byggare (handledare, via länk)" in swedish
    employer.get("/sprak/en")
    english = employer.get("/arbetsgivare").get_data(as_text=True)
    assert "Anders Byggare (supervisor, via link)" in english
    assert "via länk" not in english

"""Public pages, start pages, the language switch and the translation catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


@pytest.mark.parametrize(("path", "heading"), [
    ("/", "Prao – en väg in mellan skola och arbetsliv"),
    ("/tillganglighet", "Tillgänglighetsredogörelse"),
    ("/kontakt", "Kontakt"),
    ("/logga-in", "Logga in"),
    ("/losenord/glomt", "Glömt lösenordet"),
])
def test_public_pages_are_swedish_with_one_h1(client, path, heading):
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert html.count("<h1") == 1 and f"<h1>{heading}</h1>" in html
    assert 'href="#innehall"' in html and '<main id="innehall"' in html
    assert "<header>" in html and "<footer" in html


def test_accessibility_statement_has_what_dos_lagen_requires(client):
    html = client.get("/tillganglighet").get_data(as_text=True)
    for part in ("lagen (2018:1937)", "Rapportera brister", "Digg", "WCAG 2.1"):
        assert part in html


def test_bootstrap_is_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "cdn" not in html.lower()
    with client.get("/bootstrap/static/css/bootstrap.min.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"


def test_language_switch_to_english_and_back(client):
    response = client.get("/sprak/en?next=/kontakt")
    assert response.headers["Location"] == "/kontakt"
    html = client.get("/kontakt").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Contact</h1>" in html, "English catalogue missing: run ./dev.sh test"
    assert 'lang="sv"' in html and ">Svenska</a>" in html
    client.get("/sprak/sv")
    assert "<h1>Kontakt</h1>" in client.get("/kontakt").get_data(as_text=True)


def test_language_choice_survives_login(client, world):
    from tests.conftest import login

    client.get("/sprak/en")
    login(client, world.users["coordinator"].email)
    assert '<html lang="en">' in client.get("/samordnare").get_data(as_text=True)


def _translated(message) -> bool:
    """A plural's msgstr is a tuple of forms, each of which must be there."""
    if message is None:
        return False
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms)


def test_every_message_has_an_english_translation():
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2"),
                  ("templates/**.txt", "jinja2")]
    source = {message[2] if isinstance(message[2], str) else message[2][0]
              for message in extract_from_dir(ROOT, method_map, keywords=KEYWORDS)}
    with open(ROOT / "portal/translations/en/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po)
    untranslated = sorted(m for m in source if not _translated(catalog.get(m)))
    assert not untranslated, f"add English for: {untranslated}"
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert not fuzzy, f"fuzzy translations to check: {fuzzy}"


def test_the_english_catalogue_names_the_counsellor_one_way():
    """"Studie- och yrkesvägledare" is "careers counsellor" in English, on every page and in
    every email: not also "study and career(s) counsellor" in some strings."""
    with open(ROOT / "portal/translations/en/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po)
    other = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and any(
        "study and career" in " ".join(form.split()).lower()
        for form in (m.string if isinstance(m.string, tuple) else (m.string,))))
    assert not other, f"say 'careers counsellor' in: {other}"


def test_page_links_keep_repeated_filters_and_ignore_url_for_options(client, login_as, db):
    from tests import factories

    for _ in range(55):
        factories.OutboxEmailFactory()
    db.session.commit()
    login_as("coordinator")
    html = client.get("/utkorg?x=1&x=2&_external=1&_anchor=evil").get_data(as_text=True)
    assert 'href="/utkorg?x=1&amp;x=2&amp;sida=2"' in html
    assert "#evil" not in html and "http://localhost" not in html

"""The privacy notice (/integritet): public, in Swedish and English, stating the numbers
the code really uses (the retention time the purge reads, the smallest group a report
shows, the fewest answers an employer's summary needs), and linked from every page a pupil
opens through their link, from the guardian letter (page, PDF, email and the guardian's own
page) and from every page's footer."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.feedback.services import MIN_ANSWERS
from portal.notifications.models import OutboxEmail
from portal.reports.suppression import MIN_PUPILS
from portal.schools.pupils.services import make_link_token
from tests import factories
from tests.conftest import World, new_client, post_form
from tests.feedback.support import AFTER, finished
from tests.prao.documents.support import make_assignment, pdf_text

PUPIL_LINK = '<a href="/integritet">Läs hur vi använder dem</a>'
FOOTER_LINK = '<a href="/integritet">Så använder vi dina uppgifter</a>'
NOTICE_URL = "http://portal.test/integritet"
QUESTIONS = ("Vilka uppgifter har vi om dig?", "Varför har vi uppgifterna?",
             "Vem ser dina uppgifter?", "Hur länge sparas uppgifterna?", "Vad får du göra?",
             "Vem är ansvarig?", "Till vårdnadshavare")


@pytest.fixture
def settings(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A region's own settings, which the notice must show instead of the defaults."""
    chosen = {"RETENTION_MONTHS": 18, "PORTAL_OPERATOR": "Kommunalförbundet Prao Nord",
              "PORTAL_CONTACT_EMAIL": "prao@nord.example.se",
              "PRIVACY_OFFICER_EMAIL": "dataskydd@nord.example.se"}
    for key, value in chosen.items():
        monkeypatch.setitem(app.config, key, value)
    return chosen


def _main(html: str) -> str:
    return html.split('<main id="innehall"', 1)[1].split("</main>", 1)[0]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_anonymous_visitor_reads_the_notice_in_swedish(client: FlaskClient,
                                                          settings: dict[str, Any]) -> None:
    response = client.get("/integritet")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")  # public, no names
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert re.search(r"<h1>\s*Så använder vi dina uppgifter\s*</h1>", html)
    text = _text(_main(html))
    for question in QUESTIONS:
        assert re.search(rf'<h2 id="[a-z-]+">{re.escape(question)}</h2>', html), question
        assert f">{question}</a>" in html, f"{question} is in the page's contents"
    assert "När det har gått 18 månader sedan din sista praoperiod slutade" in text
    assert "18 månader efter barnets sista praoperiod" in text  # the guardians' part
    assert "24" not in text  # the default is not what this region set
    assert f"bara en sammanställning när minst {MIN_ANSWERS} elever har svarat" in text
    assert f"En grupp med färre än {MIN_PUPILS} elever visas inte alls" in text
    assert "Kommunalförbundet Prao Nord driver Praoportalen" in text
    assert 'href="mailto:prao@nord.example.se"' in html
    assert 'href="mailto:dataskydd@nord.example.se"' in html
    assert "Vi har aldrig ditt personnummer." in text
    assert "registerutdrag" in text and "Integritetsskyddsmyndigheten (IMY)" in text
    assert 'href="https://www.imy.se/"' in html
    assert "artikel 6.1 e" in text  # the legal basis: a public task, not consent


def test_an_anonymous_visitor_reads_the_notice_in_english(client: FlaskClient,
                                                          settings: dict[str, Any]) -> None:
    html = client.get("/sprak/en?next=/integritet", follow_redirects=True).get_data(
        as_text=True)
    assert '<html lang="en">' in html
    assert re.search(r"<h1>\s*How we use your data\s*</h1>", html)
    text = _text(_main(html))
    for question in ("What information do we have about you?", "Why do we have it?",
                     "Who sees your information?", "How long is it kept?",
                     "What are you allowed to do?", "Who is responsible?",
                     "For parents and guardians"):
        assert question in text, question
    assert "When 18 months have passed since your last prao period ended" in text
    assert f"once at least {MIN_ANSWERS} pupils have answered" in text
    assert "Kommunalförbundet Prao Nord runs Praoportalen" in text
    for swedish in ("Vilka uppgifter", "Vem ser", "vårdnadshavare", "månader"):
        assert swedish not in text, swedish


def test_one_month_is_one_month(client: FlaskClient, app: Flask,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 1)
    text = _text(client.get("/integritet").get_data(as_text=True))
    assert "När det har gått 1 månad sedan" in text and "1 månad efter barnets" in text


@pytest.mark.parametrize("path", ["/", "/kontakt", "/logga-in", "/integritet"])
def test_every_page_links_the_notice_in_its_footer(client: FlaskClient, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    footer = html.split("<footer", 1)[1]
    assert FOOTER_LINK in footer


# --- the pupil's pages ---------------------------------------------------------------------

def _pupil_pages(world: World, db: Any) -> dict[str, str]:
    choosing = factories.EnrolmentFactory(period=factories.PraoPeriodFactory(
        school=world.school_a, name="Annan period", first_day=date(2027, 4, 12),
        last_day=date(2027, 4, 16)))
    placed = finished(factories.PlacementFactory(organisation=world.organisation_a),
                      world.school_a, first_name="Alva")
    db.session.commit()
    choosing_link, placed_link = (f"/elev/{make_link_token(e)}"
                                  for e in (choosing, placed.enrolment))
    return {"choosing": choosing_link, "own placement form": f"{choosing_link}/egen-plats",
            "placed": placed_link, "evaluation": f"{placed_link}/utvardering",
            "broken link": "/elev/inte-en-riktig-lank"}


def test_every_pupil_page_says_why_data_is_kept_and_links_the_notice(
        client: FlaskClient, db: Any, world: World, set_clock: Any) -> None:
    pages = _pupil_pages(world, db)
    set_clock(AFTER)  # the prao is over: the evaluation is open
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "broken link" else 200), name
        main = _main(response.get_data(as_text=True))
        assert "Vi sparar uppgifter om dig för att ordna din prao." in main, name
        assert PUPIL_LINK in main, name
    placed = client.get(pages["placed"]).get_data(as_text=True)
    assert "Din praoplats" in placed  # the placement page, not the catalogue
    evaluation = client.get(pages["evaluation"]).get_data(as_text=True)
    assert "Hur var din prao?" in evaluation


def test_the_pupil_page_in_english_links_the_notice(client: FlaskClient, db: Any,
                                                    world: World) -> None:
    path = _pupil_pages(world, db)["choosing"]
    main = _main(client.get(f"/sprak/en?next={path}", follow_redirects=True).get_data(
        as_text=True))
    assert "We keep information about you to arrange your prao." in main
    assert '<a href="/integritet">Read how we use it</a>' in main


# --- the guardian letter --------------------------------------------------------------------

def test_the_guardian_letter_links_the_notice_on_paper_page_and_email(
        app: Flask, client: FlaskClient, db: Any, world: World, login_as: Any) -> None:
    assignment = make_assignment(world)
    db.session.commit()
    login_as("counsellor")
    page = client.get(f"/uppdrag/{assignment.id}/vardnadshavarbrev").get_data(as_text=True)
    letter = page.split('<article class="letter"', 1)[1].split("</article>", 1)[0]
    assert "Personuppgifter" in letter
    assert f'<a href="{NOTICE_URL}">Så använder vi dina uppgifter</a>' in letter
    pdf = pdf_text(client.get(f"/uppdrag/{assignment.id}/vardnadshavarbrev.pdf").data)
    assert "Personuppgifter" in pdf and NOTICE_URL in pdf
    english = pdf_text(client.get(
        f"/uppdrag/{assignment.id}/vardnadshavarbrev.pdf?sprak=en").data)
    assert "Personal data" in english and NOTICE_URL in english

    post_form(client, f"/uppdrag/{assignment.id}/vardnadshavarbrev/skicka", {"lang": "sv"})
    email = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.kind == "guardian_letter")).one()
    assert "PERSONUPPGIFTER\n" in email.body_text and f"\n{NOTICE_URL}\n" in email.body_text
    guardian_link = re.search(r"http://portal\.test(/vardnadshavare/\S+)",
                              email.body_text).group(1)
    guardian_page = new_client(app).get(guardian_link).get_data(as_text=True)
    assert f'<a href="{NOTICE_URL}">Så använder vi dina uppgifter</a>' in _main(guardian_page)
    assert FOOTER_LINK in guardian_page.split("<footer", 1)[1]

"""One prao term through the real UI in Chromium, as each person would live it: an employer
registers and is approved, publishes a placement; a counsellor opens a period and imports
the pupils; the pupils wish on their phones through the links they were emailed; the round
is matched and published; the supervisor confirms through the emailed link; a guardian
acknowledges the risk letter; on the first prao day the supervisor reports attendance
through the morning email's link with one pupil absent, and the counsellor and the guardian
are alerted that morning; the employer reports the other days from the start page; pupil and
supervisor evaluate; the certificate is downloaded and verified; a council member reads the
report.

The journey has a portal of its own (its own database, its own live server) so that it
cannot disturb the demo region the other browser tests share, and it moves the portal's
clock from phase to phase. Every email is delivered by the jobs command to the real SMTP
server, and every link a person follows is read from the message they received. Each step
is a full-page screenshot in test-artifacts/journey/ (CI keeps them) and passes axe-core;
every page goes to the Nu Html Checker with the rest of the browser tests."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from babel.dates import format_date
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import (
    Browser,
    FilePayload,
    Page,
    expect,
)
from pypdf import PdfReader

from portal import clock
from portal.accounts.models import Role
from portal.extensions import db
from portal.jobs import run_due
from portal.prao.days import prao_days
from portal.weeks import monday
from tests import factories
from tests.browser.support import (
    PHONE,
    TIMEOUT_MS,
    HtmlPages,
    PageOpener,
    assert_accessible,
    assert_fits_width,
    log_in,
    serve,
)
from tests.conftest import Mailbox, SMTPServer, make_app
from tests.databases import create_database, postgres_url
from tests.schools.import_files import csv_bytes

pytestmark = pytest.mark.browser

# One folder per engine: CI runs the SQLite and the PostgreSQL suite at the same time.
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"
               / ("postgresql" if postgres_url() else "sqlite"))
# Some of the journey's pages are heavy (the council's whole report): on a busy CI machine
# they get more time than the short tests' TIMEOUT_MS.
PATIENCE_MS = 3 * TIMEOUT_MS

# Next year's autumn term: the period is weeks 37–38, the employer registers in week 33.
YEAR = clock.today().year + 1
REGISTERS = monday(YEAR, 33)
FIRST_DAY, LAST_DAY = monday(YEAR, 37), monday(YEAR, 38) + timedelta(days=4)
WISHES_OPEN, WISHES_CLOSE = REGISTERS + timedelta(days=1), monday(YEAR, 35) + timedelta(days=4)
MATCHED = monday(YEAR, 36)

COORDINATOR, COUNSELLOR, COUNCIL = ("samordnare@region.exempel.se",
                                    "syv@sandviksskolan.exempel.se", "radet@region.exempel.se")
EMPLOYER, SUPERVISOR = "maja@cykelverkstaden.exempel.se", "johan@cykelverkstaden.exempel.se"
GUARDIAN = "wikstrom.hemma@exempel.se"  # Elias's, known to the counsellor (not in the file)
EMPLOYER_PASSWORD = "sju cyklar i verkstaden varje vår"  # noqa: S105 - a test's own account
ORGANISATION, ORG_NUMBER = "Cykelverkstaden i Luleå AB", "556814-3027"  # Luhn-valid
PLACEMENT = "Cykelmekaniker för en dag"
SCHOOL = "Sandviksskolan"
PERIOD = f"Prao ht {YEAR} åk 8"
STATEMENT = "Alva var nyfiken, noggrann och lagade tre punkteringar själv."


@dataclass(frozen=True)
class Pupil:
    external_id: str
    first_name: str
    last_name: str
    class_name: str
    gender: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        return f"{self.external_id.lower()}@elev.sandviksskolan.exempel.se"


PUPILS = (
    Pupil("S-801", "Alva", "Lindholm", "8A", "flicka"),
    Pupil("S-802", "Elias", "Wikström", "8A", "pojke"),
    Pupil("S-803", "Fatima", "Hassan", "8A", "flicka"),
    Pupil("S-804", "Hugo", "Nyström", "8B", "pojke"),
    Pupil("S-805", "Linnea", "Öberg", "8B", "flicka"),
    Pupil("S-806", "Omar", "Abdi", "8B", "pojke"),
)
ALVA, ELIAS = PUPILS[0], PUPILS[1]  # Alva's story is followed to her certificate; Elias is ill


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, message["Subject"]
    return str(body.get_content())


def at(day: date, hour: int, minute: int = 0) -> None:
    """Move the portal's clock (module-global: the live server's thread sees it too)."""
    clock.set_now(datetime.combine(day, time(hour, minute), tzinfo=clock.STOCKHOLM))


# --- a portal of the journey's own --------------------------------------------------------

def _seed(app: Flask) -> None:
    """The region as the coordinator set it up: one municipality, one school with its
    counsellor, a council member, and one workplace already in the catalogue."""
    with app.app_context():
        upgrade()
        lulea = factories.MunicipalityFactory(name="Luleå", code="2580")
        school = factories.SchoolFactory(name=SCHOOL, unit_code="11223344", municipality=lulea,
                                         address="Sandviksvägen 2, 972 54 Luleå",
                                         alert_guardians_on_absence=True)
        factories.UserFactory(role=Role.COORDINATOR, email=COORDINATOR, name="Sara Samordnare")
        factories.UserFactory(role=Role.COUNSELLOR, email=COUNSELLOR, name="Bo Berg",
                              schools=[school])
        factories.UserFactory(role=Role.COUNCIL, email=COUNCIL, name="Rut Rådsledamot",
                              municipality=None)
        factories.PlacementOfferFactory(
            placement__title="Biblioteket i Sandvik", placement__municipality=lulea,
            placement__organisation__name="Luleå kommun, biblioteken",
            placement__organisation__municipality=lulea, placement__sector="culture",
            placement__description="Du lånar ut böcker, ställer upp nya och hjälper till "
                                   "på sagostunden.",
            placement__tasks="Sortera och ställa upp böcker, hjälpa besökare.",
            first_week=FIRST_DAY, last_week=monday(YEAR, 38), seats=2)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@dataclass
class Portal:
    app: Flask
    url: str
    mailbox: Mailbox
    open_page: Callable[..., Page]
    shots: list[str] = field(default_factory=list)

    def look(self, page: Page, step: str) -> None:
        """A full-page screenshot of the step, and axe-core on the page as it is; on a
        phone, the page must fit the screen's width (no sideways scrolling)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{len(self.shots) + 1:02d}-{step}.png"
        page.screenshot(path=SCREENSHOTS / name, full_page=True)
        self.shots.append(name)
        assert_accessible(page, f"{step} ({page.url})")
        viewport = page.viewport_size
        if viewport is not None and viewport["width"] <= PHONE["viewport"]["width"]:
            assert_fits_width(page, step)

    def run_jobs(self) -> None:
        """`flask jobs run` as cron would start it: what is due, then the outbox."""
        with self.app.app_context():
            report = run_due(send_mail=True)
        assert not report.errors, report.errors

    def link(self, to: str, subject: str, path: str) -> str:
        """The link in the newest email to `to` whose subject has `subject`."""
        found = [m for m in self.mailbox.to(to) if subject in str(m["Subject"])]
        assert found, (f"no email to {to} about {subject!r}; got "
                       f"{[str(m['Subject']) for m in self.mailbox.to(to)]}")
        body = plain_text(found[-1])
        match = re.search(re.escape(self.url + path) + r"[^\s<>\"]*", body)
        assert match, f"no link to {path} in:\n{body}"
        return match.group(0)


@pytest.fixture
def _users_read_swedish_again() -> None:
    """The journey's portal is its own: the shared demo region (and this conftest fixture's
    reset of its users) is not needed here."""


@pytest.fixture
def portal(tmp_path: Path, smtp_server: SMTPServer, mailbox: Mailbox, browser: Browser,
           html_pages: HtmlPages) -> Iterator[Portal]:
    at(REGISTERS, 8)
    try:
        url, drop = create_database("journey", tmp_path)
        # As in production, the council reads the snapshot the hourly jobs computed.
        app = make_app(url, smtp_server.port, REPORT_SNAPSHOT_MAX_AGE=3600)
        _seed(app)
        server = serve(app)
        base = f"http://127.0.0.1:{server.server_port}"
        app.config["PORTAL_BASE_URL"] = base  # the emails' links lead to this server
        thread = threading.Thread(target=server.serve_forever, name="journey", daemon=True)
        thread.start()
        open_page = PageOpener(browser, base, html_pages, timeout_ms=PATIENCE_MS)
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
        expect.set_options(timeout=PATIENCE_MS)
        try:
            yield Portal(app, base, mailbox, open_page)
        finally:
            expect.set_options(timeout=TIMEOUT_MS)
            open_page.close()
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()
            drop()
        assert not open_page.problems, "\n".join(open_page.problems)
    finally:
        clock.set_now(None)


# --- the journey -------------------------------------------------------------------------

def test_a_prao_term_from_registration_to_the_councils_report(portal: Portal) -> None:
    employer, coordinator = _employer_registers_and_is_approved(portal)
    _employer_publishes_a_placement(portal, employer, coordinator)
    counsellor = _counsellor_opens_a_period_and_imports_pupils(portal)
    _pupils_wish_on_their_phones(portal)
    _counsellor_matches_and_publishes(portal, counsellor)
    supervisor = _supervisor_confirms_through_the_email(portal)
    _guardian_is_informed(portal, counsellor)
    _attendance_with_one_absence(portal, supervisor, employer, counsellor)
    _pupil_and_supervisor_evaluate(portal)
    _certificate_is_issued_downloaded_and_verified(portal, counsellor)
    _employer_looks_back(portal, employer)
    _council_reads_the_report(portal)


def _employer_registers_and_is_approved(portal: Portal) -> tuple[Page, Page]:
    at(REGISTERS, 9)
    employer = portal.open_page()
    employer.goto("/")
    employer.get_by_role("link", name="Registrera er som praovärd").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("Registrera er som praovärd")
    employer.get_by_label("Organisationens namn", exact=True).fill(ORGANISATION)
    employer.get_by_label("Organisationsnummer", exact=True).fill(ORG_NUMBER)
    employer.get_by_label("Bransch", exact=True).select_option(label="Hantverk")
    employer.get_by_label("Besöksadress", exact=True).fill("Verkstadsgatan 7")
    employer.get_by_label("Postnummer", exact=True).fill("972 38")
    employer.get_by_label("Ort", exact=True).fill("Luleå")
    employer.get_by_label("Kommun", exact=True).select_option(label="Luleå")
    employer.get_by_label("Ditt namn (kontaktperson)", exact=True).fill("Maja Eker")
    employer.get_by_label("Din e-postadress", exact=True).fill(EMPLOYER)
    employer.get_by_label("Telefon", exact=True).fill("0920-55 66 77")
    employer.get_by_label("Nytt lösenord", exact=True).fill(EMPLOYER_PASSWORD)
    employer.get_by_label("Upprepa lösenordet", exact=True).fill(EMPLOYER_PASSWORD)
    portal.look(employer, "arbetsgivaren-registrerar")
    employer.get_by_role("button", name="Registrera").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("Kolla din e-post")
    portal.look(employer, "registreringen-ar-mottagen")

    portal.run_jobs()
    employer.goto(portal.link(EMPLOYER, "Bekräfta din e-postadress", "/arbetsgivare/bekrafta/"))
    expect(employer.get_by_text("Din e-postadress är bekräftad")).to_be_visible()
    log_in(employer, EMPLOYER, EMPLOYER_PASSWORD)
    expect(employer.get_by_role("heading", level=1)).to_have_text("Arbetsgivarens startsida")
    expect(employer.get_by_text("Väntar på att samordnaren")).to_be_visible()
    portal.look(employer, "arbetsgivaren-vantar-pa-godkannande")

    coordinator = portal.open_page()
    log_in(coordinator, COORDINATOR, factories.PASSWORD)
    coordinator.get_by_role("link", name="Organisationer som väntar på godkännande:").click()
    coordinator.get_by_role("link", name=ORGANISATION).click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(f"Granska {ORGANISATION}")
    coordinator.get_by_label("Godkänn", exact=True).check()
    portal.look(coordinator, "samordnaren-godkanner-arbetsgivaren")
    coordinator.get_by_role("button", name="Spara beslutet").click()
    expect(coordinator.get_by_text(f"Beslutet om {ORGANISATION} är sparat")).to_be_visible()
    portal.run_jobs()
    assert portal.mailbox.to(EMPLOYER)[-1]["Subject"] == (
        f"{ORGANISATION} är godkänd på Praoportalen")
    return employer, coordinator


def _employer_publishes_a_placement(portal: Portal, employer: Page, coordinator: Page) -> None:
    employer.goto("/arbetsgivare")
    employer.get_by_role("link", name="Ny praoplats").click()
    employer.get_by_label("Rubrik", exact=True).fill(PLACEMENT)
    employer.get_by_label("Bransch", exact=True).select_option(label="Hantverk")
    employer.get_by_label("Beskrivning av praoplatsen", exact=True).fill(
        "Vi lagar och säljer cyklar. Du är med i verkstaden och i butiken.")
    employer.get_by_label("Det här får eleven göra", exact=True).fill(
        "Laga punkteringar, byta kedjor, hjälpa kunder i butiken.")
    employer.get_by_label("Arbetsplatsens adress", exact=True).fill("Verkstadsgatan 7")
    employer.get_by_label("Postnummer", exact=True).fill("972 38")
    employer.get_by_label("Ort", exact=True).fill("Luleå")
    employer.get_by_label("Kommun", exact=True).select_option(label="Luleå")
    employer.get_by_label("Handledarens namn", exact=True).fill("Johan Eker")
    employer.get_by_label("Handledarens telefon", exact=True).fill("070-555 66 77")
    employer.get_by_label("Handledarens e-postadress (valfritt)", exact=True).fill(SUPERVISOR)
    employer.get_by_label("Dagen börjar", exact=True).fill("08:00")
    employer.get_by_label("Dagen slutar", exact=True).fill("14:30")
    employer.get_by_label("Rasten börjar", exact=True).fill("11:30")
    employer.get_by_label("Årskurs 8", exact=True).check()
    employer.get_by_label("Risker för en minderårig på arbetsplatsen", exact=True).fill(
        "Vassa verktyg, tunga cyklar att lyfta.")
    employer.get_by_label("Åtgärder mot riskerna", exact=True).fill(
        "Eleven använder bara handverktyg och lyfter aldrig ensam.")
    employer.get_by_label("Introduktion första dagen", exact=True).fill(
        "Genomgång av verkstaden och nödutgångarna första morgonen.")
    employer.get_by_label("Namngiven handledare som ansvarar för eleven",
                          exact=True).fill("Johan Eker")
    employer.get_by_label(re.compile("Jag bekräftar att riskbedömningen")).check()
    portal.look(employer, "arbetsgivaren-skriver-en-praoplats")
    employer.get_by_role("button", name="Spara", exact=True).click()
    expect(employer.get_by_text("Praoplatsen är sparad som utkast.")).to_be_visible()

    employer.get_by_label("Veckor", exact=True).fill(f"37–38 {YEAR}")
    employer.get_by_label("Antal platser", exact=True).fill("6")
    employer.get_by_role("button", name="Lägg till", exact=True).click()
    expect(employer.get_by_role("row", name=f"vecka 37–38 {YEAR}")).to_be_visible()
    employer.get_by_role("button", name="Skicka för granskning").click()
    expect(employer.get_by_text("Praoplatsen är skickad för granskning")).to_be_visible()
    portal.look(employer, "praoplatsen-skickad-for-granskning")

    coordinator.goto("/samordnare")
    coordinator.get_by_role("link", name="Praoplatser som väntar på granskning:").click()
    coordinator.get_by_role("link", name=PLACEMENT).click()
    coordinator.get_by_label("Godkänn", exact=True).check()
    portal.look(coordinator, "samordnaren-granskar-praoplatsen")
    coordinator.get_by_role("button", name="Spara beslutet").click()
    expect(coordinator.get_by_text(f"Beslutet om {PLACEMENT} är sparat")).to_be_visible()
    portal.run_jobs()
    assert portal.mailbox.to(EMPLOYER)[-1]["Subject"] == f"Praoplatsen ”{PLACEMENT}” är publicerad"

    employer.goto("/praoplatser")
    expect(employer.get_by_role("link", name=PLACEMENT)).to_be_visible()
    portal.look(employer, "praoplatsen-i-katalogen")


def _counsellor_opens_a_period_and_imports_pupils(portal: Portal) -> Page:
    at(WISHES_OPEN, 10)
    counsellor = portal.open_page()
    log_in(counsellor, COUNSELLOR, factories.PASSWORD)
    counsellor.get_by_role("link", name=re.compile("Öppna en ny praoperiod")).click()
    counsellor.get_by_label("Namn", exact=True).fill(PERIOD)
    counsellor.get_by_label("Årskurs", exact=True).select_option(label="8")
    counsellor.get_by_label("Första dagen", exact=True).fill(FIRST_DAY.isoformat())
    counsellor.get_by_label("Sista dagen", exact=True).fill(LAST_DAY.isoformat())
    counsellor.get_by_label("Eleverna kan önska från", exact=True).fill(WISHES_OPEN.isoformat())
    counsellor.get_by_label("Eleverna kan önska till och med",
                            exact=True).fill(WISHES_CLOSE.isoformat())
    portal.look(counsellor, "syv-oppnar-en-praoperiod")
    counsellor.get_by_role("button", name="Skapa perioden").click()
    expect(counsellor.get_by_role("heading", level=1)).to_have_text(PERIOD)

    counsellor.get_by_role("link", name=f"Tillbaka till {SCHOOL}").click()
    counsellor.get_by_role("link", name="Importera elever").click()
    rows = [{"Elev-ID": p.external_id, "Förnamn": p.first_name, "Efternamn": p.last_name,
             "Klass": p.class_name, "Kön": p.gender, "E-post": p.email} for p in PUPILS]
    export = FilePayload(name="elever-sandviksskolan.csv", mimeType="text/csv",
                         buffer=csv_bytes(rows, encoding="cp1252"))  # as Excel saves it
    counsellor.get_by_label("Fil från skolans elevsystem", exact=True).set_input_files(export)
    counsellor.get_by_role("button", name="Förhandsgranska").click()
    expect(counsellor.get_by_role("row", name="Nya elever 6")).to_be_visible()
    portal.look(counsellor, "syv-forhandsgranskar-elevimporten")
    counsellor.get_by_role("button", name="Spara elevlistan").click()
    expect(counsellor.get_by_text("6 nya elever lades till i praoperioden")).to_be_visible()
    portal.look(counsellor, "elevlistan-ar-sparad")

    counsellor.goto("/syv")
    counsellor.get_by_role("link", name=PERIOD).click()
    counsellor.get_by_role("button", name="Mejla länkarna till eleverna").click()
    expect(counsellor.get_by_text("6 e-postmeddelanden ligger i utkorgen.")).to_be_visible()
    portal.look(counsellor, "syv-mejlar-lankarna")
    portal.run_jobs()
    return counsellor


def _pupils_wish_on_their_phones(portal: Portal) -> None:
    at(WISHES_OPEN + timedelta(days=1), 18, 30)
    for number, pupil in enumerate(PUPILS):
        phone = portal.open_page(**PHONE)
        phone.goto(portal.link(pupil.email, "Din länk för att välja praoplats", "/elev/"))
        expect(phone.get_by_role("heading", level=1)).to_have_text(f"Hej {pupil.first_name}!")
        if number == 0:
            portal.look(phone, "eleven-oppnar-sin-lank-mobil")
        phone.get_by_role("button",
                          name=f"Lägg till som val 1: {PLACEMENT}, {ORGANISATION}").click()
        expect(phone.get_by_role("heading", name="Mina val (1 av 5)")).to_be_visible()
        phone.wait_for_load_state("load")  # the scroll to #mina-val moves the buttons
        if number == 0:
            phone.get_by_role("button", name="Lägg till som val 2: Biblioteket i Sandvik, "
                              "Luleå kommun, biblioteken").click()
            expect(phone.get_by_role("heading", name="Mina val (2 av 5)")).to_be_visible()
            phone.locator("#mina-val").scroll_into_view_if_needed()
            portal.look(phone, "eleven-har-valt-tva-platser-mobil")
        phone.context.close()


def _counsellor_matches_and_publishes(portal: Portal, counsellor: Page) -> None:
    at(MATCHED, 9)
    counsellor.goto("/syv")
    counsellor.get_by_role("link", name="Matchning").first.click()
    counsellor.get_by_label(re.compile(PERIOD)).check()
    portal.look(counsellor, "syv-startar-matchningen")
    counsellor.get_by_role("button", name="Kör matchningen").click()
    expect(counsellor.get_by_text("Rundan är klar. Granska resultatet")).to_be_visible()
    portal.look(counsellor, "matchningens-utkast")
    counsellor.get_by_role("link", name="Publicera rundan …").click()
    expect(counsellor.get_by_text("6 elever får en föreslagen plats.")).to_be_visible()
    counsellor.get_by_role("button", name="Publicera och skicka e-post").click()
    expect(counsellor.get_by_text("Rundan är publicerad")).to_be_visible()
    portal.look(counsellor, "rundan-ar-publicerad")
    portal.run_jobs()
    assert portal.mailbox.to(ALVA.email)[-1]["Subject"].startswith("Du har fått en praoplats")


def _supervisor_confirms_through_the_email(portal: Portal) -> Page:
    at(MATCHED + timedelta(days=1), 8, 15)
    supervisor = portal.open_page(**PHONE)
    supervisor.goto(portal.link(SUPERVISOR, "praoelever föreslås till", "/handledare/"))
    expect(supervisor.get_by_role("heading", level=1)).to_have_text(
        f"Praoelever till {PLACEMENT}")
    portal.look(supervisor, "handledaren-far-sex-elever-mobil")
    for pupil in PUPILS:
        supervisor.get_by_role("button", name=re.compile(f"Bekräfta.*{pupil.name}")).click()
        expect(supervisor.get_by_text(f"Tack! {pupil.name} är bekräftad.")).to_be_visible()
    portal.look(supervisor, "handledaren-har-bekraftat-mobil")
    return supervisor


def _guardian_is_informed(portal: Portal, counsellor: Page) -> None:
    """The letter with the risk information to Elias's guardian, acknowledged by email."""
    at(MATCHED + timedelta(days=1), 13)
    counsellor.goto("/syv")
    counsellor.get_by_role("link", name=PERIOD).click()
    counsellor.get_by_role("link", name="Brev till vårdnadshavare").click()
    counsellor.get_by_role("link", name=f"Visa och skriv ut brevet till vårdnadshavare för "
                                         f"{ELIAS.name}").click()
    counsellor.get_by_label("Vårdnadshavarens e-postadress", exact=True).fill(GUARDIAN)
    counsellor.get_by_role("button", name="Spara adressen").click()
    counsellor.get_by_role("button", name=f"Skicka brevet till {GUARDIAN}").click()
    expect(counsellor.get_by_text(f"Brevet ligger i utkorgen och skickas till {GUARDIAN}.")
           ).to_be_visible()
    portal.look(counsellor, "syv-skickar-brevet-till-vardnadshavaren")
    portal.run_jobs()

    at(MATCHED + timedelta(days=1), 19, 45)
    guardian = portal.open_page(**PHONE)
    guardian.goto(portal.link(GUARDIAN, "", "/vardnadshavare/"))
    guardian.get_by_role("button", name="Jag har tagit del av riskinformationen").click()
    expect(guardian.get_by_text("Tack! Riskinformationen kvitterades")).to_be_visible()
    portal.look(guardian, "vardnadshavaren-kvitterar-mobil")


def _mark(page: Page, absent: Pupil | None = None) -> None:
    for pupil in PUPILS:
        status = "Frånvarande" if pupil == absent else "Närvarande"
        page.get_by_role("group", name=f"Närvaro för {pupil.name}").get_by_text(
            status, exact=True).click()


def _attendance_with_one_absence(portal: Portal, supervisor: Page, employer: Page,
                                 counsellor: Page) -> None:
    days = prao_days(FIRST_DAY, LAST_DAY)
    assert len(days) == 10
    at(days[0], 7, 5)
    portal.run_jobs()  # the morning email: the day's link to the supervisor
    at(days[0], 8, 40)
    supervisor.goto(portal.link(SUPERVISOR, "Närvaro i dag", "/narvaro/"))
    _mark(supervisor, absent=ELIAS)
    supervisor.get_by_role("button", name="Spara närvaron").click()
    expect(supervisor.get_by_text("Närvaron är sparad för 6 elever.")).to_be_visible()
    expect(supervisor.get_by_role("group", name=f"Närvaro för {ELIAS.name}")
           .get_by_label("Frånvarande")).to_be_checked()
    portal.look(supervisor, "handledaren-har-rapporterat-en-franvaro-mobil")
    portal.run_jobs()  # the absence alert goes out the same morning
    alert = portal.mailbox.to(COUNSELLOR)[-1]
    assert alert["Subject"] == "Närvarolarm: 1 elev på prao"
    assert ELIAS.name in plain_text(alert)
    assert portal.mailbox.to(GUARDIAN)[-1]["Subject"] == (
        f"{ELIAS.first_name} är frånvarande från prao i dag")

    at(days[0], 9)
    counsellor.goto("/syv")
    alerts = counsellor.locator("section", has=counsellor.get_by_role(
        "heading", name="Närvarolarm att hantera"))
    expect(alerts.get_by_role("link", name=ELIAS.name)).to_be_visible()
    expect(alerts).to_contain_text("Frånvaro")
    portal.look(counsellor, "syv-ser-franvarolarmet")

    # The other nine days the employer reports in the afternoon: from the start page on
    # the first of them, then straight from the browser's history.
    for day in days[1:]:
        at(day, 15)
        if day == days[1]:
            employer.goto("/arbetsgivare")
            employer.get_by_role("link", name="Rapportera dagens närvaro för praoelever").click()
        else:
            employer.goto("/arbetsgivare/narvaro")
        expect(employer.get_by_role("heading", level=1)).to_have_text(
            f"Närvaro {format_date(day, 'EEEE d MMMM', locale='sv')}")
        _mark(employer)
        employer.get_by_role("button", name="Spara närvaron").click()
        expect(employer.get_by_text("Närvaron är sparad för 6 elever.")).to_be_visible()
    portal.look(employer, "arbetsgivaren-rapporterar-sista-dagen")


def _pupil_and_supervisor_evaluate(portal: Portal) -> None:
    at(LAST_DAY + timedelta(days=1), 10)
    portal.run_jobs()  # day one after the period: the evaluation reminders
    pupil = portal.open_page(**PHONE)
    pupil.goto(portal.link(ALVA.email, "Hur var din prao?", "/elev/"))
    expect(pupil.get_by_role("heading", level=1)).to_have_text("Hur var din prao?")
    for index in range(6):
        pupil.get_by_role("group").nth(index).locator("label.likert-option").nth(4).click()
    pupil.get_by_label("Vill du berätta något mer?", exact=True).fill(
        "Jag vill bli cykelmekaniker!")
    portal.look(pupil, "eleven-utvarderar-mobil")
    pupil.get_by_role("button", name="Skicka mina svar").click()
    expect(pupil.get_by_text("Tack! Utvärderingen är sparad.")).to_be_visible()

    supervisor = portal.open_page(**PHONE)
    supervisor.goto(portal.link(SUPERVISOR, "utvärdera", "/handledare/utvardering/"))
    supervisor.get_by_role("link", name=re.compile(f"Utvärdera.*{ALVA.name}")).click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text(
        f"Utvärdering av {ALVA.name}")
    for index in range(6):
        supervisor.get_by_role("group").nth(index).locator("label.likert-option").nth(4).click()
    supervisor.get_by_label("Ett kort omdöme till elevens praointyg (frivilligt)",
                            exact=True).fill(STATEMENT)
    supervisor.get_by_role("group", name="Vill ni ta emot praoelever igen nästa termin?")\
        .get_by_text("Ja", exact=True).click()
    portal.look(supervisor, "handledaren-utvarderar-mobil")
    supervisor.get_by_role("button", name="Skicka utvärderingen").click()
    expect(supervisor.get_by_text("Tack! Utvärderingen är sparad.")).to_be_visible()


def _certificate_is_issued_downloaded_and_verified(portal: Portal, counsellor: Page) -> None:
    at(LAST_DAY + timedelta(days=3), 9)
    counsellor.goto("/syv")
    counsellor.get_by_role("link", name=PERIOD).click()
    counsellor.get_by_role("link", name="Praointyg").click()
    counsellor.get_by_role("link", name=ALVA.name).click()
    counsellor.get_by_role("button", name="Utfärda praointyg").click()
    expect(counsellor.get_by_role("heading", name=re.compile("Utfärdat"))).to_be_visible()
    portal.look(counsellor, "syv-har-utfardat-intyget")
    with counsellor.expect_download() as download:
        counsellor.get_by_role("link", name="Ladda ner intyget som PDF").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert ALVA.name in text and STATEMENT in " ".join(text.split())
    match = re.search(r"Kontrollkod: ([A-Z0-9]{5}(?: [A-Z0-9]{1,5})+)", text)
    assert match, text
    code = match.group(1)

    verifier = portal.open_page()
    verifier.goto("/intyg")
    verifier.get_by_label("Kontrollkod", exact=True).fill(code)
    verifier.get_by_role("button", name="Kontrollera").click()
    expect(verifier.get_by_role("heading", name="Intyget är äkta")).to_be_visible()
    expect(verifier.get_by_text(ALVA.name)).to_be_visible()
    portal.look(verifier, "intyget-ar-akta")


def _employer_looks_back(portal: Portal, employer: Page) -> None:
    """After the prao the start page has the pupils done and no weeks left to come."""
    employer.goto("/arbetsgivare")
    alva = employer.locator("li", has=employer.get_by_role("heading", name=ALVA.name))
    expect(alva).to_contain_text("Bekräftad, praon är genomförd")
    expect(employer.locator("tbody", has=employer.get_by_role("link", name=PLACEMENT)))\
        .to_contain_text("Inga kommande veckor")
    portal.look(employer, "arbetsgivaren-efter-praon")


def _council_reads_the_report(portal: Portal) -> None:
    portal.run_jobs()  # the hourly run that refreshes the report's snapshots
    council = portal.open_page()
    log_in(council, COUNCIL, factories.PASSWORD)
    council.get_by_role("link", name="Hela rapporten med diagram och tabeller").click()
    expect(council.get_by_role("heading", level=1)).to_have_text(
        f"Kvalitetsrapport {YEAR}/{(YEAR + 1) % 100:02d}")
    expect(council.get_by_text(f"Uppdaterad {LAST_DAY + timedelta(days=3)} 09:00.")
           ).to_be_visible()
    # Six pupils, five of them at work all ten days (Elias was ill one day): 83 % would say
    # that one pupil did not, so the share is hidden; it counts five, so it reads "..".
    # The school's six pupils are hidden too: beside the counts the other tables show, six
    # would give the one pupil away by difference (suppression rule 4).
    coverage = council.locator("#coverage")
    expect(coverage.get_by_role("row", name=re.compile(SCHOOL))).to_have_text(
        re.compile(rf"{SCHOOL}\s*\.\.\s*\.\."))
    portal.look(council, "radet-laser-rapporten")
    text = council.locator("main").inner_text()
    for pupil in PUPILS:
        for name in (pupil.first_name, pupil.last_name):
            assert not re.search(rf"\b{re.escape(name)}\b", text), f"{name} on the report"

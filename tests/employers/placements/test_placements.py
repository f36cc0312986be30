"""The employer's placement: create, edit, view, the risk assessment, sending for review,
the region's auto-publish setting, archiving, and hostile or broken input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.employers.models import (
    OrganisationStatus,
    Placement,
    PlacementStatus,
    RegionSettings,
)
from portal.employers.placements import services as service
from portal.employers.reference import features_mask
from tests import factories
from tests.conftest import post_form
from tests.employers.placement_support import placement_form, weeks_ahead

NEW = "/arbetsgivare/praoplatser/ny"


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Placement))


def _error_beside(html: str, field: str) -> str:
    """The message shown right beside a field (the macro's `<id>-error` block)."""
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no message beside {field}"
    return re.sub(r"<[^>]+>", "", match.group(1))


def _auto_publish(db, on: bool) -> None:
    settings = db.session.scalars(select(RegionSettings)).first()
    if settings is None:
        settings = RegionSettings(id=1)
        db.session.add(settings)
    settings.auto_publish_approved = on
    db.session.commit()


@pytest.fixture
def employer(client, login_as, world):
    login_as("employer")
    return world.users["employer"]


def _create(client, world, **overrides) -> Placement:
    response = post_form(client, NEW, placement_form(world.municipality_a.id, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    placement_id = int(response.headers["Location"].rsplit("/", 1)[1])
    from portal.extensions import db

    return db.session.get(Placement, placement_id)


# --- create, view, edit ---------------------------------------------------------------

def test_employer_creates_a_draft_and_sees_it(client, employer, world, db):
    placement = _create(client, world, features=["step_free", "elevator"], grades=["9"])
    assert placement.organisation_id == world.organisation_a.id
    assert placement.status is PlacementStatus.DRAFT
    assert placement.features == features_mask(["step_free", "elevator"])
    assert (placement.accepts_grade_8, placement.accepts_grade_9) == (False, True)
    assert placement.postal_code == "972 31"
    assert placement.risk_confirmed_at is not None
    html = client.get(f"/arbetsgivare/praoplatser/{placement.id}").get_data(as_text=True)
    assert "Kock i restaurangkök" in html and "Utkast" in html
    assert "Tillgänglig utan trappsteg" in html and "Hiss" in html
    assert "08:00–14:30, rast 30 minuter från 11:30" in html


def test_new_form_is_filled_in_with_the_organisations_details(client, employer, world, db):
    world.organisation_a.visiting_address = "Hamngatan 7"
    world.organisation_a.contact_name = "Kim Kontakt"
    db.session.commit()
    html = client.get(NEW).get_data(as_text=True)
    assert 'value="Hamngatan 7"' in html and 'value="Kim Kontakt"' in html


def test_an_organisation_waiting_for_approval_may_prepare_placements(client, employer, world,
                                                                       db):
    world.organisation_a.status = OrganisationStatus.PENDING
    db.session.commit()
    placement = _create(client, world)
    assert placement.status is PlacementStatus.DRAFT


def test_editing_a_draft_saves_the_changes(client, employer, world, db):
    placement = _create(client, world)
    response = post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/andra",
                         placement_form(world.municipality_a.id, title="Bagare",
                                        latitude="65.58", longitude="22.15"),
                         follow_redirects=True)
    assert "Ändringarna är sparade." in response.get_data(as_text=True)
    db.session.refresh(placement)
    assert placement.title == "Bagare" and placement.latitude == pytest.approx(65.58)


def test_edit_form_shows_what_is_saved(client, employer, world, db):
    placement = _create(client, world, grades=["8"], risk_confirmed=None)
    html = client.get(f"/arbetsgivare/praoplatser/{placement.id}/andra").get_data(as_text=True)
    assert 'value="Kock i restaurangkök"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="8"|<input[^>]*value="8"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="9"[^>]*checked', html)
    assert not re.search(r'id="risk_confirmed"[^>]*checked', html)


# --- bad input: a clear message beside the field, nothing saved -------------------------

def test_hours_outside_the_rules_are_explained_beside_the_fields(client, employer, world, db):
    before = _count(db)
    response = post_form(client, NEW, placement_form(
        world.municipality_a.id, day_start="05:30", day_end="16:00", break_start="",
        break_minutes="0"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "tidigast 06:00" in _error_beside(html, "day_start")
    assert "högst 7 timmar" in _error_beside(html, "day_end")
    assert "minst 30 minuter senast efter 4,5 timmars arbete" in _error_beside(html,
                                                                               "break_start")
    assert _count(db) == before


def test_a_description_longer_than_5000_characters_is_refused_beside_the_field(
        client, employer, world, db):
    before = _count(db)
    html = post_form(client, NEW, placement_form(world.municipality_a.id,
                                                 description="x" * 5001)).get_data(as_text=True)
    assert "Högst 5000 tecken. Texten är nu 5001 tecken." in _error_beside(html, "description")
    assert _count(db) == before


def test_a_ten_megabyte_description_gets_the_too_large_page(client, employer, world, db):
    before = _count(db)
    response = post_form(client, NEW, placement_form(world.municipality_a.id,
                                                     description="x" * 10_000_000))
    assert response.status_code == 413
    assert "Det du skickade är för stort" in response.get_data(as_text=True)
    assert _count(db) == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "Skriv en rubrik."),
    ("title", "x" * 201, "Högst 200 tecken."),
    ("tasks", "x" * 2001, "Högst 2000 tecken."),
    ("risk_hazards", "x" * 2001, "Högst 2000 tecken."),
    ("supervisor_phone", "ring mig", "Skriv telefonnumret med siffror"),
    ("supervisor_email", "inte-en-adress", "Skriv e-postadressen som namn@exempel.se."),
    ("supervisor_email", "kö@skola.se", "specialtecken före @"),
    ("postal_code", "9723", "Skriv postnumret som 123 45."),
    ("latitude", "91", "inom Sverige"),
    ("latitude", "norr", "Skriv koordinaten som ett decimaltal"),
    ("day_start", "åtta", "Skriv tiden som timmar och minuter"),
    ("break_minutes", "-5", "Skriv mellan 0 och 180 minuter."),
    ("sector", "astronaut", "Välj ett av alternativen i listan."),
    ("municipality", "abc", "Välj ett av alternativen i listan."),  # WTForms': "ceorce:a"
])
def test_bad_field_is_explained_beside_it(client, employer, world, db, field, value, message):
    before = _count(db)
    html = post_form(client, NEW, placement_form(world.municipality_a.id, **{field: value})
                     ).get_data(as_text=True)
    assert message in _error_beside(html, field)
    assert _count(db) == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("break_minutes", "abc", "Skriv rastens längd som ett antal minuter, till exempel 30."),
    ("latitude", "abc", "Skriv koordinaten som ett decimaltal, till exempel 65.5848."),
])
def test_what_is_not_a_number_gets_that_one_message(client, employer, world, db, field, value,
                                                   message):
    html = post_form(client, NEW, placement_form(world.municipality_a.id, **{field: value})
                     ).get_data(as_text=True)
    assert _error_beside(html, field).strip() == f"Fel: {message}"  # not the range's too


def test_a_break_out_of_range_is_explained_once_without_a_nonsense_hour(client, employer,
                                                                        world, db):
    before = _count(db)
    html = post_form(client, NEW, placement_form(world.municipality_a.id,
                                                 break_minutes="99999999999999999999")
                     ).get_data(as_text=True)
    assert "Skriv mellan 0 och 180 minuter." in _error_beside(html, "break_minutes")
    assert "Rasten (" not in html
    assert _count(db) == before


def test_latitude_without_longitude_is_explained(client, employer, world, db):
    html = post_form(client, NEW, placement_form(world.municipality_a.id, latitude="65.5")
                     ).get_data(as_text=True)
    assert "både latitud och longitud" in _error_beside(html, "longitude")


def test_at_least_one_grade(client, employer, world, db):
    html = post_form(client, NEW, placement_form(world.municipality_a.id, grades=None)
                     ).get_data(as_text=True)
    assert "Välj minst en årskurs." in _error_beside(html, "grades")


def test_html_and_script_are_shown_as_text(client, employer, world, db):
    script = '<script>alert("hej")</script>'
    placement = _create(client, world, title=f"Kock {script}", description=f"Rad ett\n{script}",
                        risk_hazards='<img src=x onerror="alert(1)">')
    for url in (f"/arbetsgivare/praoplatser/{placement.id}", "/arbetsgivare",
                f"/arbetsgivare/praoplatser/{placement.id}/andra"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(" in html, url
    assert placement.title == f"Kock {script}"  # stored as typed, escaped when shown


# --- the risk assessment and sending for review ----------------------------------------

def test_risk_confirmation_is_stamped_cleared_and_renewed(client, employer, world, db):
    placement = _create(client, world, risk_confirmed=None)
    assert placement.risk_confirmed_at is None
    url = f"/arbetsgivare/praoplatser/{placement.id}/andra"
    post_form(client, url, placement_form(world.municipality_a.id))
    db.session.refresh(placement)
    first = placement.risk_confirmed_at
    assert first is not None
    post_form(client, url, placement_form(world.municipality_a.id, risk_hazards="Nya risker."))
    db.session.refresh(placement)
    assert placement.risk_confirmed_at > first  # a changed assessment is confirmed anew


def test_submit_is_refused_until_the_risk_assessment_is_complete(client, employer, world, db):
    placement = _create(client, world, risk_measures="", risk_confirmed=None)
    response = post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/skicka", {})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Praoplatsen kan inte skickas för granskning än" in html
    assert "Riskbedömningen: beskriv åtgärderna mot riskerna." in html
    assert "Riskbedömningen är inte bekräftad" in html
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.DRAFT


def test_the_draft_page_lists_what_is_missing(client, employer, world, db):
    placement = _create(client, world, tasks="", municipality="0")
    html = client.get(f"/arbetsgivare/praoplatser/{placement.id}").get_data(as_text=True)
    assert "Skriv vad eleven kommer att göra." in html
    assert "Välj vilken kommun arbetsplatsen ligger i." in html


def test_complete_placement_goes_to_the_coordinator(client, employer, world, db):
    placement = _create(client, world)
    response = post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/skicka", {},
                         follow_redirects=True)
    assert "skickad för granskning" in response.get_data(as_text=True)
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.PENDING and placement.published_at is None
    # A second click (a double click, a reload) is told the same, not "cannot be sent".
    again = post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/skicka", {},
                      follow_redirects=True).get_data(as_text=True)
    assert "skickad för granskning" in again and "kan inte skickas" not in again


@pytest.mark.parametrize(("auto", "organisation", "expected"), [
    (True, OrganisationStatus.APPROVED, PlacementStatus.PUBLISHED),
    (True, OrganisationStatus.PENDING, PlacementStatus.PENDING),
    (False, OrganisationStatus.APPROVED, PlacementStatus.PENDING),
])
def test_auto_publish_setting(client, employer, world, db, auto, organisation, expected):
    _auto_publish(db, auto)
    world.organisation_a.status = organisation
    db.session.commit()
    placement = _create(client, world)
    post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/skicka", {})
    db.session.refresh(placement)
    assert placement.status is expected
    assert (placement.published_at is not None) == (expected is PlacementStatus.PUBLISHED)


def test_auto_publish_still_needs_the_risk_assessment(client, employer, world, db):
    _auto_publish(db, True)
    placement = _create(client, world, risk_confirmed=None)
    post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/skicka", {})
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.DRAFT


def test_a_suspended_organisation_cannot_publish(world, db):
    world.organisation_a.status = OrganisationStatus.SUSPENDED
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           municipality=world.municipality_a, status="draft")
    db.session.commit()
    assert "Organisationen är inte godkänd. Kontakta samordnaren." in \
        service.publishable_problems(placement)


def test_a_complete_placement_has_no_publishing_problems(world, db):
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           municipality=world.municipality_a)
    assert service.publishable_problems(placement) == []
    placement.break_minutes = 0
    placement.break_start = None
    assert any("rast" in problem for problem in service.publishable_problems(placement))


def test_a_rejected_placement_shows_the_coordinators_reason(client, employer, world, db):
    placement = factories.PlacementFactory(
        organisation=world.organisation_a, municipality=world.municipality_a, status="draft",
        rejection_reason="Beskriv arbetsuppgifterna tydligare.")
    db.session.commit()
    html = client.get(f"/arbetsgivare/praoplatser/{placement.id}").get_data(as_text=True)
    assert "Samordnaren skickade tillbaka praoplatsen" in html
    assert "Beskriv arbetsuppgifterna tydligare." in html
    post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/skicka", {})
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.PENDING and placement.rejection_reason == ""


# --- editing a published placement -------------------------------------------------------

def _published(world, db) -> Placement:
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           municipality=world.municipality_a,
                                           title="Kock i restaurangkök",
                                           supervisor_email="hanna@restaurang.se")
    db.session.commit()
    return placement


def _edit(client, world, placement, **overrides):
    form = placement_form(world.municipality_a.id, **overrides)
    return post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/andra", form,
                     follow_redirects=True)


def test_changing_a_published_placements_content_sends_it_back_for_review(client, employer,
                                                                           world, db):
    placement = _published(world, db)
    html = _edit(client, world, placement, description="Helt ny beskrivning.").get_data(
        as_text=True)
    assert "granskar samordnaren praoplatsen igen" in html
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.PENDING


def test_with_auto_publish_a_changed_placement_stays_published(client, employer, world, db):
    _auto_publish(db, True)
    placement = _published(world, db)
    _edit(client, world, placement, description="Helt ny beskrivning.")
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.PUBLISHED
    assert placement.description == "Helt ny beskrivning."


def test_new_contact_details_keep_a_placement_published(client, employer, world, db):
    placement = _published(world, db)
    db.session.commit()
    _edit(client, world, placement, title=placement.title, description=placement.description,
          tasks=placement.tasks, address=placement.address, postal_code="972 31",
          protective_equipment="", risk_hazards=placement.risk_hazards,
          risk_measures=placement.risk_measures, risk_introduction=placement.risk_introduction,
          risk_supervisor=placement.risk_supervisor, supervisor_phone="0920-999 99",
          features=None)
    db.session.refresh(placement)
    assert placement.supervisor_phone == "0920-999 99"
    assert placement.status is PlacementStatus.PUBLISHED


def test_withdrawing_the_risk_confirmation_takes_a_placement_back_to_draft(client, employer,
                                                                            world, db):
    _auto_publish(db, True)
    placement = _published(world, db)
    html = _edit(client, world, placement, risk_confirmed=None).get_data(as_text=True)
    assert "praoplatsen är nu ett utkast" in html
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.DRAFT


# --- archive ------------------------------------------------------------------------------

def test_archive_takes_the_placement_out(client, employer, world, db):
    placement = _published(world, db)
    response = post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/arkivera", {},
                         follow_redirects=True)
    assert "arkiverad" in response.get_data(as_text=True)
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.ARCHIVED


def test_archive_is_refused_while_pupils_are_booked_ahead(client, employer, world, db):
    placement = _published(world, db)
    factories.PlacementOfferFactory(placement=placement, first_week=weeks_ahead(3),
                                    last_week=weeks_ahead(4), seats=2, seats_taken=1)
    db.session.commit()
    html = post_form(client, f"/arbetsgivare/praoplatser/{placement.id}/arkivera", {}
                     ).get_data(as_text=True)
    assert "Det finns elever bokade på kommande veckor" in html
    db.session.refresh(placement)
    assert placement.status is PlacementStatus.PUBLISHED

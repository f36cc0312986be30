"""Where the pupil goes: placing by hand, pupils whose needs nothing covers, own
placements reviewed, the pupil's day-one page, and the export of who goes where."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from portal.employers.models import Placement, PlacementOffer
from portal.employers.reference import features_mask
from portal.notifications.models import OutboxEmail
from portal.prao.models import Assignment, AssignmentSource, AssignmentState
from portal.schools.models import Enrolment, EnrolmentState, Wish
from portal.schools.pupils.services import (
    OwnPlacementData,
    make_link_token,
    register_own_placement,
)
from tests import factories
from tests.conftest import login, new_client, post_form
from tests.employers.placement_support import placement_form
from tests.prao.conftest import make_prao

STEP_FREE = features_mask(["step_free"])


def _waiting(db, world, needs: int = 0) -> Enrolment:
    period = factories.PraoPeriodFactory(school=world.school_a)
    enrolment = factories.EnrolmentFactory(period=period, student__needs=needs,
                                           student__first_name="Vera")
    db.session.commit()
    return enrolment


def _place_url(enrolment: Enrolment) -> str:
    return f"/perioder/{enrolment.period_id}/elever/{enrolment.id}/placera"


def test_counsellor_places_a_pupil_by_hand_at_an_offer_with_a_free_seat(
        client, login_as, db, world):
    enrolment = _waiting(db, world)
    offer = factories.PlacementOfferFactory(seats=1, placement__title="Verkstaden",
                                            placement__organisation=world.organisation_a)
    full = factories.PlacementOfferFactory(seats=1, seats_taken=1, placement__title="Fullt")
    db.session.commit()
    login_as("counsellor")
    form = client.get(_place_url(enrolment)).get_data(as_text=True)
    assert "Verkstaden" in form and "Fullt" not in form
    assert 'required><option value="">Välj en praoplats</option>' in form  # as HTML asks
    unchosen = post_form(client, _place_url(enrolment), {"offer": ""})
    assert unchosen.status_code == 400 and "Välj en praoplats." in unchosen.get_data(as_text=True)
    refused = post_form(client, _place_url(enrolment), {"offer": full.id})
    assert refused.status_code == 400
    assert "Välj ett av alternativen i listan." in refused.get_data(as_text=True)
    assert post_form(client, _place_url(enrolment), {"offer": offer.id}).status_code == 302
    db.session.expire_all()
    assignment = db.session.scalars(select(Assignment)).one()
    assert (assignment.source, assignment.state) == (AssignmentSource.MANUAL,
                                                    AssignmentState.PROPOSED)
    assert db.session.get(PlacementOffer, offer.id).seats_taken == 1
    assert db.session.get(Enrolment, enrolment.id).state is EnrolmentState.ASSIGNED
    assert db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.kind == "employer_pupils_proposed")).all()
    # Placed already: a second placing is refused, nothing taken twice.
    other = factories.PlacementOfferFactory(seats=1)
    db.session.commit()
    again = post_form(client, _place_url(enrolment), {"offer": other.id})
    assert "Eleven har redan fått en plats." in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PlacementOffer, other.id).seats_taken == 0


def test_a_pupil_whose_needs_no_placement_covers_is_flagged_and_placed_with_a_reason(
        client, login_as, db, world):
    enrolment = _waiting(db, world, needs=STEP_FREE)
    stairs = factories.PlacementOfferFactory(seats=2, placement__features=0,
                                             placement__title="Trappor")
    db.session.commit()
    pupil_page = client.get(f"/elev/{make_link_token(enrolment)}").get_data(as_text=True)
    assert "Din studie- och yrkesvägledare ordnar din praoplats." in pupil_page

    login_as("counsellor")
    period_page = client.get(f"/perioder/{enrolment.period_id}").get_data(as_text=True)
    assert "1 elev behöver något som ingen ledig plats har" in period_page
    assert "behov saknas hos alla lediga platser" in period_page
    refused = post_form(client, _place_url(enrolment), {"offer": stairs.id, "reason": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Platsen saknar något eleven behöver" in page
    assert 'id="reason-error"' in page
    assert db.session.scalars(select(Assignment)).all() == []
    post_form(client, _place_url(enrolment), {
        "offer": stairs.id, "reason": "Arbetsplatsen har bekräftat en ramp."})
    assignment = db.session.scalars(select(Assignment)).one()
    assert assignment.placement_reason == "Arbetsplatsen har bekräftat en ramp."
    enrolment_page = client.get(
        f"/perioder/{enrolment.period_id}/elever/{enrolment.id}").get_data(as_text=True)
    assert "Trappor" in enrolment_page and "Arbetsplatsen har bekräftat en ramp." in enrolment_page


def test_the_pupils_page_after_placement_has_everything_for_day_one(client, db, world, prao):
    from datetime import time

    prao.placement.first_day_start = time(9, 0)
    prao.placement.first_day_ask_for = "Hanna i receptionen"
    prao.placement.bring_and_wear = "Svarta byxor och matlåda."
    world.school_a.absence_contact = "Ring skolans expedition 0920-111 11 före 08.00."
    prao.first.state = AssignmentState.CONFIRMED  # day one is told once the workplace said yes
    db.session.commit()
    enrolment = prao.first.enrolment
    page = client.get(f"/elev/{make_link_token(enrolment)}").get_data(as_text=True)
    for expected in ("Din praoplats", "Arbetsgivare A", "Storgatan 1", "08:00–14:30",
                     "rast 30 minuter från 11:30", "09:00, 2027-03-15", "Hanna i receptionen",
                     "Svarta byxor och matlåda.", 'href="tel:092011111">0920-111 11</a> före',
                     "070-123 45 67", "Sara Syv", "syv@exempel.se"):
        assert expected in page, expected
    assert "Praoplatser som passar dig" not in page and "Mina val" not in page


def test_own_placement_is_risk_assessed_by_the_workplace_and_approved_by_the_counsellor(
        client, login_as, db, world, mailbox):
    from portal.notifications.worker import send_due

    enrolment = _waiting(db, world)
    enrolment.wishes.append(Wish(offer=factories.PlacementOfferFactory(), rank=1))
    db.session.commit()
    with client.application.test_request_context():
        register_own_placement(enrolment, OwnPlacementData(
            workplace="Mormors bageri", org_number="556677-8899", address="Bagargatan 2",
            postal_code="972 32", city="Luleå", contact_name="Mormor Bagare",
            contact_email="bageri@exempel.se", contact_phone="070-111 22 33",
            tasks="Baka bullar."))
    send_due()
    assert mailbox.to("bageri@exempel.se") == []  # nobody has vouched for the address yet
    db.session.refresh(enrolment)
    organisation_id = db.session.get_one(Placement, enrolment.own_placement_id).organisation_id
    coordinator = new_client(client.application)
    login(coordinator, world.users["coordinator"].email)
    post_form(coordinator, f"/samordnare/organisationer/{organisation_id}/granska",
              {"decision": "approve", "reason": ""})
    send_due()
    bodies = [m.get_body(("plain",)).get_content() for m in mailbox.to("bageri@exempel.se")]
    link = next(line for body in bodies for line in body.splitlines()
                if "/egen-praoplats/" in line)
    url = link.replace("http://portal.test", "")

    login_as("counsellor")
    enrolment_url = f"/perioder/{enrolment.period_id}/elever/{enrolment.id}"
    # The period page says there is an own placement to review, and leads to the pupil.
    period_page = client.get(f"/perioder/{enrolment.period_id}").get_data(as_text=True)
    assert "1 elev har en egen praoplats som inte är godkänd än" in period_page
    assert f'href="{enrolment_url}"' in period_page
    assert "egen plats, inte godkänd än" in period_page  # in the pupil's row
    early = post_form(client, enrolment_url + "/egen-plats", {"action": "approve"},
                      follow_redirects=True).get_data(as_text=True)
    assert "har inte gjort riskbedömningen" in early

    workplace = new_client(client.application)  # no account, only the link
    form = placement_form(world.municipality_a.id, day_end="16:30")  # too long for a minor
    bad = post_form(workplace, url, form)
    assert bad.status_code == 400 and "högst 7 timmar" in bad.get_data(as_text=True)
    form.update(day_end="14:30", first_day_ask_for="Mormor", first_day_start="02:00")
    night = post_form(workplace, url, form)
    assert night.status_code == 400 and "dagen kan börja tidigast 06:00" in night.get_data(
        as_text=True)
    form.update(first_day_start="07:30")
    assert post_form(workplace, url, form).status_code == 302

    post_form(client, enrolment_url + "/egen-plats", {"action": "approve"})
    assignment = db.session.scalars(select(Assignment)).one()
    assert (assignment.source, assignment.state) == (AssignmentSource.OWN,
                                                    AssignmentState.CONFIRMED)
    db.session.refresh(enrolment)
    assert enrolment.wishes == []  # kept while the pupil could take the placement back
    period_page = client.get(f"/perioder/{enrolment.period_id}").get_data(as_text=True)
    assert "inte är godkänd än" not in period_page and "Mormors bageri" in period_page
    pupil = client.get(f"/elev/{make_link_token(enrolment)}").get_data(as_text=True)
    assert "Mormors bageri" in pupil and "Fråga efter" in pupil and "Mormor" in pupil


def test_own_placement_link_for_another_pupil_or_tampered_is_refused(client, db, world):
    from portal.prao.links import own_risk_token

    enrolment = _waiting(db, world)
    other = factories.PlacementFactory()
    db.session.commit()
    token = own_risk_token(other.id, enrolment.id, enrolment.period.last_day)
    assert client.get(f"/egen-praoplats/{token}").status_code == 404
    assert client.get(f"/egen-praoplats/{token}x").status_code == 404


def test_export_who_goes_where_neutralises_formulas(client, login_as, db, world):
    prao = make_prao(db, world, pupils=1)
    prao.first.enrolment.student.first_name = "=HYPERLINK(\"http://x\")"
    prao.placement.organisation.name = "+Farligt AB"
    db.session.commit()
    login_as("counsellor")
    response = client.get(f"/perioder/{prao.period.id}/praoplatser.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Förnamn", "Efternamn", "Klass", "Läge", "Arbetsgivare"]
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")" and rows[1][4] == "'+Farligt AB"
    assert rows[1][5] == "Köket" and rows[1][-1] == "inte svarat"
    xlsx = client.get(f"/perioder/{prao.period.id}/praoplatser.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A2"].value.startswith("'=") and sheet["E2"].value == "'+Farligt AB"


def test_an_own_placement_is_titled_by_its_workplace_not_by_swedish_text(client, db, world):
    """The title is data every reader sees as is (the employer's list, the supervisor's
    link, attendance, the export): the workplace the pupil typed, never a Swedish phrase
    the portal made up. Corrected with the workplace's name."""
    from portal.employers.models import Placement
    from portal.schools.pupils.services import correct_own_placement

    enrolment = _waiting(db, world)
    data = OwnPlacementData(
        workplace="Mormors bageri", org_number="556677-8899", address="Bagargatan 2",
        postal_code="972 32", city="Luleå", contact_name="Mormor Bagare",
        contact_email="bageri@exempel.se", contact_phone="070-111 22 33", tasks="Baka.")
    with client.application.test_request_context():
        register_own_placement(enrolment, data)
        placement = db.session.get_one(Placement, enrolment.own_placement_id)
        assert placement.title == "Mormors bageri"
        correct_own_placement(enrolment, OwnPlacementData(**{
            **data.__dict__, "workplace": "Mormors bageri och café"}))
    titles = db.session.scalars(select(Placement.title)).all()
    assert titles == ["Mormors bageri och café"]
    assert not any("praoplats" in t.lower() for t in titles)


def test_an_own_placement_approved_after_the_start_warns_of_the_days_gone(app, db, world,
                                                                          set_clock):
    """15-26 March 2027 (Good Friday 26th: nine prao days). Approved on Thursday the 18th,
    three days are gone and six are left: the counsellor is told at once."""
    from datetime import datetime

    from flask import get_flashed_messages

    from portal.prao import views

    period = factories.PraoPeriodFactory(school=world.school_a)
    db.session.commit()
    for moment, expected in ((datetime(2027, 3, 12, 9), []),
                             (datetime(2027, 3, 18, 9), [
                                 "Perioden har redan pågått 3 praodagar: eleven hinner högst "
                                 "6 praodagar. Planera resten med eleven och arbetsplatsen."])):
        set_clock(moment)
        with app.test_request_context():
            views._warn_if_begun(period)
            assert get_flashed_messages() == expected


def test_day_one_starts_within_the_hours_a_minor_may_work(client, login_as, db, world):
    from datetime import time

    placement = factories.PlacementFactory(organisation=world.organisation_a)
    db.session.commit()
    login_as("employer")
    url = f"/arbetsgivare/praoplatser/{placement.id}/forsta-dagen"
    for night in ("03:00", "20:00", "05:59"):
        page = post_form(client, url, {"first_day_start": night, "first_day_ask_for": "Kim"})
        assert "dagen kan börja tidigast 06:00" in page.get_data(as_text=True), night
        db.session.refresh(placement)
        assert placement.first_day_start is None
    assert post_form(client, url, {"first_day_start": "06:00", "first_day_ask_for": "Kim"}
                ).status_code == 302
    db.session.refresh(placement)
    assert placement.first_day_start == time(6, 0)


def test_a_pupil_placed_by_hand_has_the_placements_risk_assessment_done_at_once(
        client, login_as, db, world, set_clock):
    """The placement's risk assessment for minors was made with the placement: step 1 is
    done for a pupil placed there by hand from the moment of placing, as for the pupils a
    round proposed and the employer confirmed, not "overdue" until the employer answers."""
    from datetime import UTC, datetime

    enrolment = _waiting(db, world)
    offer = factories.PlacementOfferFactory(
        seats=2, placement__title="Verkstaden", placement__organisation=world.organisation_a,
        placement__risk_confirmed_at=datetime(2027, 2, 1, 9, tzinfo=UTC))
    db.session.commit()
    set_clock(datetime(2027, 3, 5, 10))  # step 1 (and the confirmation) due 1 March
    login_as("counsellor")
    assert post_form(client, _place_url(enrolment), {"offer": offer.id}).status_code == 302
    page = client.get(f"/perioder/{enrolment.period_id}/checklista").get_data(as_text=True)
    row = page[page.index("Vera"):]
    row = row[:row.index("</tr>")]
    first_cell = row[row.index("<td"):row.index("</td>")]
    assert "Klart</span>2027-02-01, Arbetsgivare A" in first_cell
    assert "Försenat" not in first_cell
    assert "1 försenat" in row  # only the employer's answer, still to come


def test_a_placement_that_declined_the_pupil_is_marked_last_and_needs_a_reason(
        client, login_as, db, world, set_clock):
    """After a decline the seat is free again, but the counsellor placing by hand sees that
    this workplace already said no to this pupil (when, and why), at the end of the list,
    and asks it again only with a recorded reason."""
    from datetime import datetime

    from portal.prao import services

    enrolment = _waiting(db, world)
    home = factories.PlacementOfferFactory(seats=1, seats_taken=1, placement__title="Hemtjänsten",
                                           placement__organisation=world.organisation_a)
    factories.PlacementOfferFactory(seats=1, placement__title="Verkstaden")
    enrolment.state = EnrolmentState.ASSIGNED
    proposed = factories.AssignmentFactory(enrolment=enrolment, offer=home,
                                           placement=home.placement)
    db.session.commit()
    set_clock(datetime(2027, 3, 3, 14))
    services.decline(proposed.id, proposed.placement_id, "Ingen handledare de veckorna.",
                     services.Actor(None, "Hanna"))
    login_as("counsellor")
    page = client.get(_place_url(enrolment)).get_data(as_text=True)
    assert page.index("Verkstaden") < page.index("Hemtjänsten")
    option = page[page.index(f'<option value="{home.id}"'):]
    option = option[:option.index("</option>")]
    assert "tackade nej till eleven 2027-03-03: Ingen handledare de veckorna." in option
    again = post_form(client, _place_url(enrolment), {"offer": home.id, "reason": ""})
    assert again.status_code == 400
    assert "Arbetsplatsen har redan tackat nej till eleven." in again.get_data(as_text=True)
    assert post_form(client, _place_url(enrolment), {
        "offer": home.id, "reason": "De har en handledare vecka 12 nu."}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).state is EnrolmentState.ASSIGNED


def test_a_pupil_cannot_be_placed_by_hand_once_the_period_is_over(client, login_as, db, world,
                                                                  set_clock):
    """A probe placed a pupil in a period that ended six weeks before: the employer was
    asked to confirm days gone by."""
    from datetime import datetime, time, timedelta

    enrolment = _waiting(db, world)
    offer = factories.PlacementOfferFactory(seats=1, placement__title="Verkstaden",
                                            placement__organisation=world.organisation_a)
    db.session.commit()
    set_clock(datetime.combine(enrolment.period.last_day + timedelta(days=1), time(9)))
    login_as("counsellor")
    page = client.get(_place_url(enrolment)).get_data(as_text=True)
    assert "Perioden är slut." in page and 'name="offer"' not in page
    refused = post_form(client, _place_url(enrolment), {"offer": offer.id})
    assert refused.status_code == 400 and "Perioden är slut." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Assignment)).all() == []
    assert db.session.get(PlacementOffer, offer.id).seats_taken == 0

"""The employer, or the supervisor through a signed link, confirms or declines each
proposed pupil once; a decline frees the seat and alerts the counsellor."""

from __future__ import annotations

import re
import threading
from datetime import datetime

from sqlalchemy import select

from portal.employers.models import PlacementOffer
from portal.notifications.models import OutboxEmail
from portal.notifications.worker import send_due
from portal.prao import services
from portal.prao.links import supervisor_token
from portal.prao.models import Assignment, AssignmentState, StepRecord
from portal.schools.models import Enrolment, EnrolmentState, Wish
from tests import factories
from tests.conftest import login, new_client, post_form


def _state(db, assignment) -> AssignmentState:
    db.session.expire_all()
    return db.session.get(Assignment, assignment.id).state


def test_employer_start_page_lists_each_proposed_pupil_and_nothing_more(client, login_as,
                                                                       prao, world):
    other = factories.AssignmentFactory(enrolment__student__first_name="Främling")
    other.enrolment.student.needs = 1
    login_as("employer")
    page = client.get("/arbetsgivare").get_data(as_text=True)
    assert "Elever att bekräfta (2)" in page
    assert "Elev0 Ek" in page and "Elev1 Ek" in page and "Skola A" in page
    assert "årskurs 8" in page and "2027-03-15–2027-03-26" in page
    assert "Sara Syv" in page and "syv@exempel.se" in page and "0920-555 55" in page
    assert "Främling" not in page  # another organisation's pupil
    # The class is not the employer's business. As a word: a signed token on the page may
    # hold "8A" by chance (it failed CI once).
    assert re.search(r"(?<![\w.-])8A(?![\w.-])", page) is None


def test_employer_confirms_once_and_the_second_click_is_told(client, login_as, prao, db):
    login_as("employer")
    url = f"/arbetsgivare/elever/{prao.first.id}/svar"
    done = post_form(client, url, {"decision": "confirm"}, follow_redirects=True)
    assert "Tack! Elev0 Ek är bekräftad." in done.get_data(as_text=True)
    assert _state(db, prao.first) is AssignmentState.CONFIRMED
    steps = set(db.session.scalars(select(StepRecord.step).where(
        StepRecord.assignment_id == prao.first.id)))
    assert steps == {"employer_confirmed", "risk_assessment"}
    again = post_form(client, url, {"decision": "decline", "reason": "Ångrar oss"},
                      follow_redirects=True).get_data(as_text=True)
    # Their own first answer: not "someone else answered first".
    assert "Ni har redan svarat: Elev0 Ek är bekräftad." in again
    assert "Någon annan" not in again
    assert _state(db, prao.first) is AssignmentState.CONFIRMED


def _card_form(page: str, assignment_id: int) -> tuple[str, dict[str, str]]:
    """The answer form of one pupil's card as the page has it: its action and hidden
    fields (the CSRF token left to post_form)."""
    card = page[page.index(f'id="elev-{assignment_id}"'):]
    card = card[:card.index("</form>")]
    action = re.search(r'<form method="post" action="([^"]+)"', card).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', card))
    hidden.pop("csrf_token", None)
    return action, hidden


def _h1(page: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S).group(1).strip()


def test_a_decline_needs_a_reason_shown_beside_the_field(client, login_as, prao, db):
    """On the pupils' page: the page comes back with the message beside the reason."""
    login_as("employer")
    action, hidden = _card_form(client.get("/arbetsgivare/elever").get_data(as_text=True),
                                prao.first.id)
    response = post_form(client, action, {**hidden, "decision": "decline", "reason": "  "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and _h1(page) == "Praoelever"
    assert f'id="skal-{prao.first.id}-fel"' in page and "Skriv varför ni tackar nej" in page
    assert _state(db, prao.first) is AssignmentState.PROPOSED
    done = post_form(client, action, {**hidden, "decision": "decline",
                                      "reason": "Köket renoveras."})
    assert done.status_code == 302 and done.headers["Location"] == "/arbetsgivare/elever"
    assert _state(db, prao.first) is AssignmentState.DECLINED


def test_a_decline_without_a_reason_on_the_start_page_is_told_on_the_start_page(
        client, login_as, prao, db):
    """The employer answered on the start page: the message is beside that card's reason
    field there, in the employer's language, the rest of the start page as it was; nothing
    is saved. With a reason, the answer is saved and the start page shown again."""
    login_as("employer")
    start = client.get("/arbetsgivare").get_data(as_text=True)
    action, hidden = _card_form(start, prao.first.id)
    response = post_form(client, action, {**hidden, "decision": "decline", "reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and _h1(page) == "Arbetsgivarens startsida"
    assert re.search(rf'<div id="skal-{prao.first.id}-fel"[^>]*>.*Skriv varför ni tackar nej',
                     page)
    assert f'aria-describedby="skal-{prao.first.id}-fel"' in page
    assert "Elever att bekräfta (2)" in page and "Mina praoplatser" in page
    assert f'id="skal-{prao.assignments[1].id}-fel"' not in page  # the other card: no error
    assert _state(db, prao.first) is AssignmentState.PROPOSED

    client.get("/sprak/en")
    english = post_form(client, action, {**hidden, "decision": "decline", "reason": " "})
    page = english.get_data(as_text=True)
    assert english.status_code == 400 and _h1(page) == "Employer home page"
    assert re.search(rf'<div id="skal-{prao.first.id}-fel"[^>]*>.*Say why you decline', page)
    assert _state(db, prao.first) is AssignmentState.PROPOSED

    done = post_form(client, action, {**hidden, "decision": "decline",
                                      "reason": "We are moving that week."})
    assert done.status_code == 302 and done.headers["Location"] == "/arbetsgivare"
    assert _state(db, prao.first) is AssignmentState.DECLINED


def test_decline_frees_the_seat_returns_the_pupil_and_alerts_the_counsellor(
        client, login_as, prao, db, world, mailbox):
    enrolment = prao.first.enrolment
    db.session.add(Wish(enrolment=enrolment, offer=prao.offer, rank=1))
    db.session.commit()
    login_as("employer")
    post_form(client, f"/arbetsgivare/elever/{prao.first.id}/svar",
              {"decision": "decline", "reason": "Köket renoveras den veckan."})
    db.session.expire_all()
    assert db.session.get(PlacementOffer, prao.offer.id).seats_taken == 1
    assert db.session.get(Enrolment, enrolment.id).state is EnrolmentState.NEEDS_PLACEMENT
    assert db.session.scalars(select(Wish).where(Wish.enrolment_id == enrolment.id)).all() == []
    send_due()
    alert = mailbox.to("syv@exempel.se")
    assert len(alert) == 1 and "tackade nej till Elev0 Ek" in alert[0]["Subject"]
    assert "Köket renoveras den veckan." in alert[0].get_body(("plain",)).get_content()

    counsellor = new_client(client.application)
    post_form(counsellor, "/logga-in", {"email": "syv@exempel.se",
                                        "password": factories.PASSWORD})
    start = counsellor.get("/syv").get_data(as_text=True)
    assert "Arbetsgivare har tackat nej (1)" in start and "Köket renoveras" in start
    enrolment_page = counsellor.get(
        f"/perioder/{prao.period.id}/elever/{enrolment.id}").get_data(as_text=True)
    assert "Placera för hand" in enrolment_page and "tackade nej" in enrolment_page


def test_a_declined_pupil_is_in_the_next_round_for_the_unplaced(client, prao, db, world):
    from portal.matching.engine import Step
    from portal.matching.services import start_round

    services.decline(prao.first.id, prao.placement.id, "Nej tack",
                     services.Actor(None, "Handledare"))
    run = start_round(world.users["counsellor"], [prao.period], "none", Step.SECOND, seed=3)
    assert {r.enrolment_id for r in run.results} == {prao.first.enrolment_id}


def test_supervisor_confirms_and_declines_through_the_link_without_an_account(
        client, prao, db):
    url = prao.supervisor_url()
    page = client.get(url).get_data(as_text=True)
    assert "Praoelever till Köket" in page and "Elev0 Ek" in page and "Elev1 Ek" in page
    post_form(client, url, {"assignment": prao.first.id, "decision": "confirm"})
    declined = post_form(client, url, {"assignment": prao.assignments[1].id,
                                       "decision": "decline", "reason": "Sjukdom i personalen"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Ni har tackat nej till Elev1 Ek" in declined
    db.session.expire_all()
    first = db.session.get(Assignment, prao.first.id)
    assert first.state is AssignmentState.CONFIRMED
    assert first.decided_by_label == "Hanna Handledare (handledare, via länk)"
    assert first.decided_by_id is None
    assert _state(db, prao.assignments[1]) is AssignmentState.DECLINED


def test_the_second_answer_names_the_first_in_the_readers_language(client, app, prao, db,
                                                                   world):
    """The supervisor confirmed through the link (its 'done by' stored in Swedish); the
    employer, reading in English, is told who answered first in English. The supervisor
    clicking again is told it was their own answer."""
    url = prao.supervisor_url()
    post_form(client, url, {"assignment": prao.first.id, "decision": "confirm"})
    again = post_form(client, url, {"assignment": prao.first.id, "decision": "confirm"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Ni har redan svarat: Elev0 Ek är bekräftad." in again
    employer = new_client(app)
    login(employer, world.users["employer"].email)
    employer.get("/sprak/en")
    page = post_form(employer, f"/arbetsgivare/elever/{prao.first.id}/svar",
                     {"decision": "decline", "reason": "Ångrar oss"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Hanna Handledare (supervisor, via link)" in page and "via länk" not in page


def test_supervisor_link_tampered_expired_or_for_another_workplace_is_refused(
        client, prao, db, world, set_clock):
    url = prao.supervisor_url()
    assert client.get(url[:-3] + "abc").status_code == 404
    stranger = factories.AssignmentFactory(enrolment__period=prao.period)
    db.session.commit()
    # A link signed for our placement but naming another workplace's pupil shows nothing
    # of that pupil; posting for a pupil not in the link is refused.
    foreign = supervisor_token(prao.placement.id, [stranger.id], prao.period.last_day)
    assert client.get(f"/handledare/{foreign}").status_code == 404
    assert post_form(client, url, {"assignment": stranger.id,
                                   "decision": "confirm"}).status_code == 404
    assert _state(db, stranger) is AssignmentState.PROPOSED
    set_clock(datetime(2027, 4, 27, 9))  # the last day plus 32 days
    expired = client.get(url)
    assert expired.status_code == 404 and "för gammal" in expired.get_data(as_text=True)


def test_publishing_emails_say_what_the_portal_offers_and_carry_the_supervisor_link(
        client, db, world, mailbox):
    from portal.matching.engine import Step
    from portal.matching.services import publish, start_round

    period = factories.PraoPeriodFactory(school=world.school_a)
    placement = factories.PlacementFactory(organisation=world.organisation_a, title="Köket",
                                           supervisor_email="hanna@arbetsgivare-a.se")
    offer = factories.PlacementOfferFactory(placement=placement, seats=2)
    pupil = factories.EnrolmentFactory(period=period, student__first_name="Alva")
    db.session.add(Wish(enrolment=pupil, offer=offer, rank=1))
    db.session.commit()
    run = start_round(world.users["counsellor"], [period], "none", Step.FIRST, seed=1)
    with client.application.test_request_context():  # as from the publish button
        publish(run.id, world.users["counsellor"])
    send_due()
    employer = mailbox.to("chef@exempel.se")[0].get_body(("plain",)).get_content()
    assert "Alva" in employer and "bekräfta att ni tar emot eleven, eller tacka nej" in employer
    assert "/logga-in" in employer and "/handledare/" not in employer
    supervisor = mailbox.to("hanna@arbetsgivare-a.se")[0].get_body(("plain",)).get_content()
    link = next(line for line in supervisor.splitlines() if "/handledare/" in line)
    page = client.get(link.replace("http://portal.test", "")).get_data(as_text=True)
    assert "Alva" in page and "Bekräfta" in page
    kinds = {e.kind for e in db.session.scalars(select(OutboxEmail))}
    assert "employer_pupils_proposed" in kinds


def test_confirm_and_decline_at_once_one_wins(separate_app):
    """The employer confirms while the supervisor declines, at the same moment, twenty
    times over: exactly one answer wins each time and the seat is freed only on a decline."""
    from portal.extensions import db as database

    with separate_app.app_context():
        world_school = factories.SchoolFactory()
        user = factories.UserFactory(role="employer")
        period = factories.PraoPeriodFactory(school=world_school)
        offer = factories.PlacementOfferFactory(seats=20, seats_taken=20)
        ids = [factories.AssignmentFactory(offer=offer, placement=offer.placement,
                                           enrolment__period=period).id for _ in range(20)]
        placement_id, offer_id, user_id = offer.placement_id, offer.id, user.id
        database.session.commit()
        database.session.remove()
    outcomes: dict[int, list[str]] = {i: [] for i in ids}

    def answer(assignment_id: int, confirming: bool, barrier: threading.Barrier) -> None:
        # As the two POST requests would: a writing request takes SQLite's write lock first.
        with separate_app.test_request_context(method="POST"):
            from portal.accounts.models import User

            actor = services.Actor.of(database.session.get(User, user_id)) if confirming \
                else services.Actor(None, "Handledare")
            barrier.wait()
            try:
                outcome = services.confirm(assignment_id, placement_id, actor) if confirming \
                    else services.decline(assignment_id, placement_id, "Nej", actor)
                outcomes[assignment_id].append(
                    f"{'won' if outcome.won else 'lost'}:{outcome.state.value}")
            finally:
                database.session.remove()

    for assignment_id in ids:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=answer, args=(assignment_id, c, barrier))
                   for c in (True, False)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    declined = 0
    for results in outcomes.values():
        won = [r for r in results if r.startswith("won")]
        lost = [r for r in results if r.startswith("lost")]
        assert len(won) == 1 and len(lost) == 1, results
        assert won[0].split(":")[1] == lost[0].split(":")[1]  # the loser is told the winner
        declined += won[0].endswith("declined")
    with separate_app.app_context():
        assert database.session.get(PlacementOffer, offer_id).seats_taken == 20 - declined
        database.session.remove()



def test_an_answer_after_the_prao_has_started_says_so_in_plain_words(client, prao, db):
    prao.first.state = AssignmentState.IN_PROGRESS
    prao.first.decided_by_label = "Vera Vårdare"
    db.session.commit()
    page = post_form(client, prao.supervisor_url(), {
        "assignment": prao.first.id, "decision": "decline", "reason": "Sjuk"},
        follow_redirects=True).get_data(as_text=True)
    assert "Elev0 Ek är redan på prao just nu (Vera Vårdare)" in page
    assert _state(db, prao.first) is AssignmentState.IN_PROGRESS

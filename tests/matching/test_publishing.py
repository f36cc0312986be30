"""Publishing a round after a summary, withdrawing it while no employer has answered,
re-running and discarding a draft, and a pupil's own placement against a round: what the
counsellor, the pupil and the employer see."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from portal.db import utcnow
from portal.employers.models import Organisation, Placement, PlacementOffer
from portal.matching import services
from portal.matching.engine import Step
from portal.matching.models import MatchingRun, MatchResult, RunStatus
from portal.notifications.models import OutboxEmail
from portal.prao.models import Assignment, AssignmentState, GuardianNotice, NoticeChannel
from portal.schools.models import Enrolment, EnrolmentState, Wish
from portal.schools.pupils import services as schools
from tests import factories
from tests.conftest import login, new_client, post_form

AFTER_WINDOW = "2027-02-10"


@pytest.fixture
def region(db, world):
    """Four pupils at school A wish for two offers of organisation A with one seat each, so
    two are placed and two are not."""
    period = factories.PraoPeriodFactory(school=world.school_a)
    offers = [factories.PlacementOfferFactory(seats=1, placement__title=f"Plats {n}",
                                              placement__organisation=world.organisation_a)
              for n in range(2)]
    pupils = [factories.EnrolmentFactory(period=period, student__email=f"elev{n}@skola.se")
              for n in range(4)]
    for pupil in pupils:
        for rank, offer in enumerate(offers, start=1):
            db.session.add(Wish(enrolment=pupil, offer=offer, rank=rank))
    db.session.commit()
    run = services.start_round(world.users["counsellor"], [period], "none", Step.FIRST,
                               seed=11)
    return run, offers, pupils


def _placed(db, run) -> list[MatchResult]:
    return list(db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id.is_not(None))
        .order_by(MatchResult.id)))


def _seats_taken(db) -> dict[int, int]:
    db.session.expire_all()
    return dict(db.session.execute(select(PlacementOffer.id, PlacementOffer.seats_taken)).all())


def _publish(app, run_id: int, user) -> services.Published:
    with app.test_request_context():  # as from the publish button: emails carry links
        return services.publish(run_id, user)


def _emails(db) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


OWN_PLACEMENT = schools.OwnPlacementData(
    workplace="Mormors bageri", org_number="556123-4500", address="Bagargatan 1",
    postal_code="972 31", city="Luleå", contact_name="Mormor Bagare",
    contact_email="mormor@bageri.se", contact_phone="070-111 22 33", tasks="Baka bullar")


@freeze_time(AFTER_WINDOW)
def test_publishing_asks_first_with_a_summary(client, db, world, region, login_as):
    run, _, _ = region
    login_as("counsellor")
    run_page = client.get(f"/matchning/{run.id}").get_data(as_text=True)
    assert f'href="/matchning/{run.id}/publicera"' in run_page

    page = client.get(f"/matchning/{run.id}/publicera").get_data(as_text=True)
    assert "2 elever får en föreslagen plats." in page
    assert "2 elever får ingen plats i den här rundan." in page
    # Two placed pupils both have an email; organisation A has its contact and one user,
    # and each of the two placements a supervisor.
    assert "6 e-postmeddelanden skickas (till elever: 2, till arbetsgivare: 4)" in page
    db.session.expire_all()
    assert db.session.get(MatchingRun, run.id).status is RunStatus.DRAFT  # nothing happened
    assert _emails(db) == []


@freeze_time(AFTER_WINDOW)
def test_summary_says_one_pupil_not_one_pupils(client, db, world, region, login_as):
    run, _, pupils = region
    placed = _placed(db, run)
    db.session.execute(update(Enrolment).where(Enrolment.id == placed[0].enrolment_id)
                       .values(state=EnrolmentState.EXEMPT))
    db.session.commit()
    login_as("counsellor")
    page = client.get(f"/matchning/{run.id}/publicera").get_data(as_text=True)
    assert "1 elev får en föreslagen plats." in page
    assert ("1 elev har fått en egen plats eller befriats sedan rundan kördes och hoppas "
            "över.") in page


@freeze_time(AFTER_WINDOW)
def test_publish_queues_one_set_of_emails_and_a_second_click_is_told(client, db, world,
                                                                     region, login_as):
    run, offers, _ = region
    login_as("counsellor")
    done = post_form(client, f"/matchning/{run.id}/publicera", {}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Rundan är publicerad: 2 elever har fått en föreslagen plats." in html
    assert "6 e-postmeddelanden ligger i utkorgen." in html  # as the summary said
    subjects = [e.subject for e in _emails(db)]
    assert subjects.count("2 praoelever föreslås till Arbetsgivare A: bekräfta eller tacka "
                          "nej") == 2  # the organisation's contact and user
    assert subjects.count("1 praoelev föreslås till Arbetsgivare A: bekräfta eller tacka "
                          "nej") == 2  # each supervisor, about their own placement
    again = post_form(client, f"/matchning/{run.id}/publicera", {}, follow_redirects=True)
    assert "Rundan är redan publicerad." in again.get_data(as_text=True)
    assert len(_emails(db)) == 6
    assert client.get(f"/matchning/{run.id}/publicera").status_code == 302


def test_the_seats_left_are_counted_once_before_and_after_publishing(app, db, world, region):
    """Two offers of one seat, both given in the round: none left, before publishing and
    after (when the round's seats are taken: they were subtracted twice, -2)."""
    run, _offers, _ = region
    sector = db.session.get(Placement, _offers[0].placement_id).sector
    assert services.seats_left_by_sector(run) == {sector: 0}
    _publish(app, run.id, world.users["counsellor"])
    db.session.expire_all()
    assert services.seats_left_by_sector(db.session.get(MatchingRun, run.id)) == {sector: 0}


def test_a_placed_pupils_old_refusal_of_an_own_placement_goes(app, db, world, region):
    """Placed by the round, the counsellor's earlier "no" to their own placement is no
    longer the pupil's news (their page shows it only while they choose)."""
    run, _offers, pupils = region
    for pupil in pupils:
        pupil.own_refusal = "Eleven ska vara i skolans kök."
    db.session.commit()
    _publish(app, run.id, world.users["counsellor"])
    db.session.expire_all()
    placed = {r.enrolment_id for r in _placed(db, run)}
    assert {p.id: p.own_refusal == "" for p in pupils} == {p.id: p.id in placed for p in pupils}


@freeze_time(AFTER_WINDOW)
def test_one_placed_pupil_makes_a_singular_subject(app, db, world):
    period = factories.PraoPeriodFactory(school=world.school_a)
    offer = factories.PlacementOfferFactory(placement__organisation=world.organisation_a)
    pupil = factories.EnrolmentFactory(period=period)
    db.session.add(Wish(enrolment=pupil, offer=offer, rank=1))
    db.session.commit()
    run = services.start_round(world.users["counsellor"], [period], "none", Step.FIRST, seed=1)
    _publish(app, run.id, world.users["counsellor"])
    assert ("1 praoelev föreslås till Arbetsgivare A: bekräfta eller tacka nej"
            in [e.subject for e in _emails(db)])


@freeze_time(AFTER_WINDOW)
def test_publish_skips_a_pupil_with_an_own_placement_since_the_run(app, db, world, region):
    run, offers, _ = region
    first, second = _placed(db, run)
    offer_ids = (first.offer_id, second.offer_id)
    enrolment = db.session.get(Enrolment, first.enrolment_id)
    with app.test_request_context():  # as from the pupil's form: the email carries a link
        assert schools.register_own_placement(enrolment, OWN_PLACEMENT) is not None

    done = _publish(app, run.id, world.users["counsellor"])
    assert (done.placed, done.skipped) == (1, 1)
    db.session.expire_all()
    assignments = db.session.scalars(select(Assignment)).all()
    assert [a.enrolment_id for a in assignments] == [second.enrolment_id]
    assert db.session.get(Enrolment, first.enrolment_id).state is EnrolmentState.OWN_PLACEMENT
    assert _seats_taken(db) == {offer_ids[0]: 0, offer_ids[1]: 1}
    skipped = db.session.get(MatchResult, first.id)
    assert skipped.offer_id is None
    assert skipped.explanation_text == ("Du hade redan en praoplats eller var befriad från "
                                        "prao när rundan publicerades.")


@freeze_time(AFTER_WINDOW)
def test_own_placement_after_publish_is_refused_and_nothing_is_saved(app, db, world, region):
    run, _, _ = region
    placed = _placed(db, run)[0]
    enrolment = db.session.get(Enrolment, placed.enrolment_id)
    organisations = db.session.query(Organisation).count()
    placements = db.session.query(Placement).count()
    _publish(app, run.id, world.users["counsellor"])
    emails = len(_emails(db))
    # As when the pupil's form was checked a moment before the round was published: the
    # service goes by the row as it is now, not by what the request read.
    with app.test_request_context():
        assert schools.register_own_placement(enrolment, OWN_PLACEMENT) \
            is schools.OwnPlacementOutcome.ALREADY
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).state is EnrolmentState.ASSIGNED
    assert db.session.query(Organisation).count() == organisations
    assert db.session.query(Placement).count() == placements
    assert len(_emails(db)) == emails


@freeze_time(AFTER_WINDOW)
def test_withdraw_frees_everything_and_tells_the_employer(app, client, db, world, region,
                                                          login_as):
    run, offers, pupils = region
    login_as("counsellor")
    post_form(client, f"/matchning/{run.id}/publicera", {})
    proposed = list(db.session.scalars(select(Assignment.id)))
    before = len(_emails(db))
    run_page = client.get(f"/matchning/{run.id}").get_data(as_text=True)
    assert f'href="/matchning/{run.id}/dra-tillbaka"' in run_page

    page = client.get(f"/matchning/{run.id}/dra-tillbaka").get_data(as_text=True)
    assert "2 föreslagna platser tas bort och blir lediga igen." in page
    assert "6 e-postmeddelanden skickas om att förslaget är tillbakadraget" in page
    done = post_form(client, f"/matchning/{run.id}/dra-tillbaka", {}, follow_redirects=True)
    assert "Rundan är tillbakadragen: 2 föreslagna platser är borttagna" in done.get_data(
        as_text=True)

    db.session.expire_all()
    assert db.session.get(MatchingRun, run.id).status is RunStatus.DRAFT
    assert db.session.scalars(select(Assignment)).all() == []
    assert {e.state for e in db.session.scalars(select(Enrolment))} == {
        EnrolmentState.NEEDS_PLACEMENT}
    assert set(_seats_taken(db).values()) == {0}
    new = _emails(db)[before:]
    employer = [e for e in new if e.recipient == world.users["employer"].email]
    assert [e.subject for e in employer] == [
        "Förslaget om 2 praoelever till Arbetsgivare A är tillbakadraget"]
    assert "Plats 0" in employer[0].body_text and "Plats 1" in employer[0].body_text
    assert len(new) == 6  # as the summary said: two pupils, two members, two supervisors
    assert sum(e.kind == "pupil_proposal_withdrawn" for e in new) == 2
    # The employer's page was open: its button now says what happened, not "no such page".
    employer_client = new_client(app)
    login(employer_client, world.users["employer"].email)
    withdrawn = post_form(employer_client, f"/arbetsgivare/elever/{proposed[0]}/svar",
                          {"decision": "confirm"}, follow_redirects=True)
    assert withdrawn.status_code == 200
    assert "skolan har dragit tillbaka det" in withdrawn.get_data(as_text=True)
    # The round is a draft again: it can be published anew.
    assert _publish(app, run.id, world.users["counsellor"]).placed == 2
    assert set(_seats_taken(db).values()) == {1}


@freeze_time(AFTER_WINDOW)
def test_no_withdraw_once_an_employer_has_answered(app, client, db, world, region, login_as):
    run, _, _ = region
    _publish(app, run.id, world.users["counsellor"])
    db.session.execute(update(Assignment).where(Assignment.id == db.session.scalars(
        select(Assignment.id)).first()).values(state=AssignmentState.CONFIRMED))
    db.session.commit()
    before = len(_emails(db))
    login_as("counsellor")
    assert "dra-tillbaka" not in client.get(f"/matchning/{run.id}").get_data(as_text=True)
    page = client.get(f"/matchning/{run.id}/dra-tillbaka").get_data(as_text=True)
    assert "1 förslag är redan besvarat av en arbetsgivare" in page
    refused = post_form(client, f"/matchning/{run.id}/dra-tillbaka", {},
                        follow_redirects=True)
    assert "En arbetsgivare har redan svarat på ett förslag i rundan" in refused.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(MatchingRun, run.id).status is RunStatus.PUBLISHED
    assert len(db.session.scalars(select(Assignment)).all()) == 2
    assert set(_seats_taken(db).values()) == {1}
    assert len(_emails(db)) == before


@freeze_time(AFTER_WINDOW)
def test_withdrawing_keeps_a_letter_the_guardians_have_had(app, db, world, region):
    """A letter already sent (or acknowledged) stays on record, with the assignment it was
    about, cancelled and outside the round; a notice never sent goes with its proposal."""
    run, _, _ = region
    _publish(app, run.id, world.users["counsellor"])
    first, second = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
    first_id, second_id = first.id, second.id
    db.session.add_all([
        GuardianNotice(enrolment_id=first.enrolment_id, assignment_id=first_id,
                       channel=NoticeChannel.EMAIL, email="hem@hem.se",
                       sent_at=utcnow(), acknowledged_at=utcnow()),
        GuardianNotice(enrolment_id=second.enrolment_id, assignment_id=second_id,
                       channel=NoticeChannel.EMAIL, email="hem2@hem.se")])  # never sent
    db.session.commit()
    assert services.withdraw(run.id, world.users["counsellor"]) == 2
    db.session.expire_all()
    [kept] = db.session.scalars(select(GuardianNotice)).all()
    assert (kept.assignment_id, kept.email) == (first_id, "hem@hem.se")
    assert kept.acknowledged_at is not None
    cancelled = db.session.get_one(Assignment, first_id)
    assert cancelled.state is AssignmentState.CANCELLED and cancelled.run_id is None
    assert db.session.get(Assignment, second_id) is None
    assert set(_seats_taken(db).values()) == {0}
    assert {e.state for e in db.session.scalars(select(Enrolment))} == {
        EnrolmentState.NEEDS_PLACEMENT}
    # The round is a draft with nothing answered: it can be published (and withdrawn) anew.
    assert _publish(app, run.id, world.users["counsellor"]).placed == 2
    assert services.withdraw_plan(db.session.get_one(MatchingRun, run.id)).allowed


@freeze_time(AFTER_WINDOW)
def test_withdrawing_a_draft_is_refused(client, db, world, region, login_as):
    run, _, _ = region
    login_as("counsellor")
    page = post_form(client, f"/matchning/{run.id}/dra-tillbaka", {}, follow_redirects=True)
    assert "Rundan är inte publicerad längre" in page.get_data(as_text=True)


@freeze_time(AFTER_WINDOW)
def test_rerun_replaces_the_draft_with_the_same_seed(client, db, world, region, login_as):
    run, offers, _ = region
    before = {r.enrolment_id: r.offer_id for r in _placed(db, run)}
    login_as("counsellor")
    response = post_form(client, f"/matchning/{run.id}/kor-om", {})
    new = db.session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc())).first()
    assert response.headers["Location"] == f"/matchning/{new.id}"
    assert (new.seed, new.last_step) == (run.seed, run.last_step)
    db.session.expire_all()
    assert db.session.get(MatchingRun, run.id).status is RunStatus.DISCARDED
    assert {r.enrolment_id: r.offer_id for r in _placed(db, new)} == before
    moved = post_form(client, f"/matchning/{run.id}/elev/{_placed(db, run)[0].id}",
                      {"offer": "0"}, follow_redirects=True)
    assert "Rundan är kasserad och kan inte ändras." in moved.get_data(as_text=True)


@freeze_time(AFTER_WINDOW)
def test_discarded_draft_cannot_be_published(client, db, world, region, login_as):
    run, _, _ = region
    login_as("counsellor")
    done = post_form(client, f"/matchning/{run.id}/kassera", {}, follow_redirects=True)
    assert "Utkastet är kasserat." in done.get_data(as_text=True)
    again = post_form(client, f"/matchning/{run.id}/publicera", {}, follow_redirects=True)
    assert "Rundan har kasserats och kan inte publiceras." in again.get_data(as_text=True)
    assert db.session.scalars(select(Assignment)).all() == []


@freeze_time(AFTER_WINDOW)
def test_a_move_that_lost_to_publish_is_told_and_not_saved(app, db, world, region):
    run, offers, _ = region
    unplaced = db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id.is_(None))).first()
    _publish(app, run.id, world.users["counsellor"])
    with pytest.raises(services.RoundChanged, match="Rundan har publicerats"):
        services.move(run.id, unplaced.id, offers[0].id, world.users["counsellor"])
    db.session.expire_all()
    assert db.session.get(MatchResult, unplaced.id).offer_id is None


@freeze_time(AFTER_WINDOW)
@freeze_time(AFTER_WINDOW)
def test_a_pupil_without_wishes_is_told_the_second_round_was_not_run(app, client, db, world):
    """A round of the first step only leaves a free seat and a pupil without wishes: the
    pupil reads that the second round (free seats) has not been run, not that none fitted;
    the same round with its second step gives the pupil the free seat."""
    period = factories.PraoPeriodFactory(school=world.school_a)
    offer = factories.PlacementOfferFactory(seats=2, placement__organisation=world.organisation_a)
    wisher, without = (factories.EnrolmentFactory(period=period) for _ in range(2))
    db.session.add(Wish(enrolment=wisher, offer=offer, rank=1))
    db.session.commit()
    run = services.start_round(world.users["counsellor"], [period], "none", Step.FIRST, seed=3)
    _publish(app, run.id, world.users["counsellor"])
    with app.test_request_context():
        link = "/elev/" + schools.make_link_token(without)
    page = client.get(link).get_data(as_text=True)
    assert ("Andra omgången, där elever utan önskemål får en ledig plats som passar, har "
            "inte gjorts, så du har inte fått någon plats än.") in page
    assert "det fanns ingen ledig plats som passade" not in page
    client.get("/sprak/en")
    english = client.get(link).get_data(as_text=True)
    assert ("The second round, in which pupils without wishes get a free placement that "
            "suits them, has not been run, so you have not been given a placement "
            "yet.") in english
    assert "there was no free placement that suited you" not in english

    later = factories.PraoPeriodFactory(school=world.school_a, grade=9)
    factories.EnrolmentFactory(period=later)
    db.session.commit()
    both = services.start_round(world.users["counsellor"], [later], "none", Step.SECOND, seed=3)
    [result] = both.results
    assert result.offer_id == offer.id  # its second seat
    assert result.explanation_text == ("Du hade inga önskemål, så du fick en ledig plats som "
                                       "passar dig.")


def test_explanations_follow_the_readers_language(app, client, db, world, region, login_as):
    run, _, _ = region
    _publish(app, run.id, world.users["counsellor"])
    client.get("/sprak/en")
    login_as("counsellor")
    page = client.get(f"/matchning/{run.id}").get_data(as_text=True)
    assert "You got your first choice." in page
    assert "Your first choice had 1 place and it went to a pupil with a lower lottery " \
           "number than yours." in page
    assert "Du fick" not in page and "All pupils equal: only the lottery decides" in page

    first = _placed(db, run)[0]
    with app.test_request_context():
        link = "/elev/" + schools.make_link_token(db.session.get(Enrolment, first.enrolment_id))
    pupil = client.get(link).get_data(as_text=True)
    assert "You got your first choice." in pupil
    unplaced = db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id.is_(None))).first()
    with app.test_request_context():
        other = "/elev/" + schools.make_link_token(unplaced.enrolment)
    assert "Your careers counsellor will help you find a placement." in client.get(
        other).get_data(as_text=True)
    client.get("/sprak/sv")
    assert "Du fick ditt förstahandsval." in client.get(link).get_data(as_text=True)


@freeze_time(AFTER_WINDOW)
def test_a_published_round_records_the_placements_risk_assessment_for_each_pupil(
        app, db, world, region):
    """Step 1 of the checklist is the placement's risk assessment, made with the placement:
    done for every proposed pupil from publishing, dated as the assessment was."""
    from portal.prao.models import StepRecord

    run, _, _ = region
    _publish(app, run.id, world.users["counsellor"])
    assignments = db.session.scalars(select(Assignment)).all()
    records = db.session.scalars(select(StepRecord)).all()
    assert len(assignments) == 2
    assert sorted((r.assignment_id, r.step, r.done_by_label) for r in records) == sorted(
        (a.id, "risk_assessment", "Arbetsgivare A") for a in assignments)
    assert {r.done_at for r in records} == {a.placement.risk_confirmed_at for a in assignments}

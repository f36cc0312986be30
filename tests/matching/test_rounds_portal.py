"""Matching rounds in the portal: a recorded seed, explanations, moves by hand that never
overbook, and publishing as proposed assignments with emails."""

from __future__ import annotations

import re
import threading

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.employers.models import PlacementOffer
from portal.matching import services
from portal.matching.engine import Step
from portal.matching.models import MatchingRun, MatchResult, ResultSource, RunStatus
from portal.notifications.worker import send_due
from portal.prao.models import Assignment, AssignmentState
from portal.schools.models import Enrolment, EnrolmentState, Wish
from tests import factories
from tests.conftest import post_form

AFTER_WINDOW = "2027-02-10"


@pytest.fixture
def region(db, world):
    """Six pupils at school A wish among three offers with 1, 2 and 2 seats."""
    period = factories.PraoPeriodFactory(school=world.school_a)
    offers = [factories.PlacementOfferFactory(seats=seats, placement__title=f"Plats {n}",
                                              placement__organisation=world.organisation_a)
              for n, seats in enumerate((1, 2, 2))]
    pupils = [factories.EnrolmentFactory(period=period, student__email=f"elev{n}@skola.se")
              for n in range(6)]
    for pupil in pupils:
        for rank, offer in enumerate(offers, start=1):
            db.session.add(Wish(enrolment=pupil, offer=offer, rank=rank))
    db.session.commit()
    return period, offers, pupils


def _results(db, run) -> dict[int, int | None]:
    rows = db.session.execute(select(MatchResult.enrolment_id, MatchResult.offer_id).where(
        MatchResult.run_id == run.id)).all()
    return dict(rows)


@freeze_time(AFTER_WINDOW)
def test_same_seed_same_result(db, world, region):
    period, _, _ = region
    user = world.users["counsellor"]
    first = services.start_round(user, [period], "none", last_step=Step.SECOND, seed=12345)
    again = services.start_round(user, [period], "none", last_step=Step.SECOND, seed=12345)
    other = services.start_round(user, [period], "none", last_step=Step.SECOND, seed=54321)
    assert _results(db, first) == _results(db, again)
    assert first.seed == 12345
    lotteries = [dict(db.session.execute(select(MatchResult.enrolment_id, MatchResult.lottery)
                                         .where(MatchResult.run_id == r.id)).all())
                 for r in (first, other)]
    assert lotteries[0] != lotteries[1]  # another seed draws other numbers


@freeze_time(AFTER_WINDOW)
def test_capacity_respected_and_explained(db, world, region):
    period, offers, pupils = region
    run = services.start_round(world.users["counsellor"], [period], "none", last_step=Step.FIRST,
                               seed=7)
    results = db.session.scalars(select(MatchResult).where(MatchResult.run_id == run.id)
                                 .order_by(MatchResult.lottery)).all()
    assert [r.offer_id for r in results] == [offers[0].id, offers[1].id, offers[1].id,
                                             offers[2].id, offers[2].id, None]
    assert results[0].explanation == {"code": "first_choice", "params": {}}
    assert results[0].explanation_text == "Du fick ditt förstahandsval."
    assert results[1].explanation_text == (
        "Du fick ditt andra val. Ditt första val hade 1 plats och den gick till en elev med "
        f"lägre lottnummer än ditt. Ditt lottnummer var {results[1].lottery}.")
    assert results[3].explanation_text == (
        "Du fick ditt tredje val. Ditt första val hade 1 plats och den gick till en elev med "
        "lägre lottnummer än ditt. Ditt andra val hade 2 platser och de gick till elever med "
        f"lägre lottnummer än ditt. Ditt lottnummer var {results[3].lottery}.")
    assert "Din studie- och yrkesvägledare hjälper dig" in results[5].explanation_text
    assert services.stats(run)["by_rank"] == {"1": 1, "2": 2, "3": 2}


@freeze_time(AFTER_WINDOW)
def test_counsellor_runs_reviews_moves_and_publishes(client, db, world, region, login_as,
                                                     mailbox):
    period, offers, pupils = region
    extra = factories.PlacementOfferFactory(seats=1, placement__title="Reservplatsen",
                                            placement__organisation=world.organisation_b)
    db.session.commit()
    login_as("counsellor")
    response = post_form(client, "/matchning", {"periods": [str(period.id)], "policy": "none",
                                                "last_step": "second", "seed": "99"})
    assert response.status_code == 302
    run = db.session.scalars(select(MatchingRun)).one()
    page = client.get(f"/matchning/{run.id}").get_data(as_text=True)
    assert "Lottfrö: <strong>99</strong>" in page and "Du fick ditt förstahandsval." in page

    unplaced = db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id.is_(None))).all()
    # Round two already gave the free "Reservplatsen" seat to the one pupil left over.
    assert unplaced == []
    moved = db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id == offers[0].id)).one()
    # A full offer is not even offered in the list, and the service refuses it too.
    full = post_form(client, f"/matchning/{run.id}/elev/{moved.id}", {"offer": str(extra.id)})
    assert "Platsen är inte ledig längre, eller passar inte eleven." in full.get_data(as_text=True)
    db.session.commit()  # the service starts a transaction of its own
    with pytest.raises(services.MatchingError, match="Platsen är full"):
        services.move(run.id, moved.id, extra.id, world.users["counsellor"])

    assert post_form(client, f"/matchning/{run.id}/publicera", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(MatchingRun, run.id).status is RunStatus.PUBLISHED
    assignments = db.session.scalars(select(Assignment)).all()
    assert len(assignments) == 6 and {a.state for a in assignments} == {
        AssignmentState.PROPOSED}
    assert {e.state for e in db.session.scalars(select(Enrolment))} == {EnrolmentState.ASSIGNED}
    taken = dict(db.session.execute(select(PlacementOffer.id, PlacementOffer.seats_taken)).all())
    assert taken[offers[0].id] == 1 and taken[extra.id] == 1
    send_due()
    assert len(mailbox.to("elev0@skola.se")) == 1
    employer = mailbox.to(world.users["employer"].email)
    assert employer and "praoelever föreslås till Arbetsgivare A" in employer[0]["Subject"]
    again = post_form(client, f"/matchning/{run.id}/publicera", {}, follow_redirects=True)
    assert "redan publicerad" in again.get_data(as_text=True)


@freeze_time(AFTER_WINDOW)
@pytest.mark.parametrize(("seed", "message"), [
    ("abc", "Skriv lottfröet med siffror, till exempel 12345."),
    ("-1", "Ett heltal från 0 till 2147483647."),
])
def test_a_bad_seed_gets_one_message_and_no_round(client, db, world, region, login_as, seed,
                                                  message):
    period, _, _ = region
    login_as("counsellor")
    response = post_form(client, "/matchning", {"periods": [str(period.id)], "policy": "none",
                                                "last_step": "second", "seed": seed})
    assert response.status_code == 200
    beside = re.search(r'id="seed-error"[^>]*>(.*?)</div>', response.get_data(as_text=True),
                       re.S)
    assert beside and re.sub(r"<[^>]+>", "", beside.group(1)).strip() == f"Fel: {message}"
    assert db.session.scalar(select(func.count()).select_from(MatchingRun)) == 0


@freeze_time(AFTER_WINDOW)
def test_move_by_hand_and_to_no_place(client, db, world, region, login_as):
    period, offers, pupils = region
    run, last = _round_and_the_pupil_left_over(db, world, period)
    holder = db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id == offers[2].id)).first()
    login_as("counsellor")
    post_form(client, f"/matchning/{run.id}/elev/{holder.id}", {"offer": "0"})
    assert post_form(client, f"/matchning/{run.id}/elev/{last.id}",
                     {"offer": str(offers[2].id)}).status_code == 302
    db.session.expire_all()
    moved = db.session.get(MatchResult, last.id)
    assert moved.offer_id == offers[2].id and moved.source is ResultSource.MANUAL
    assert moved.rank == 3  # it was the pupil's third wish
    assert db.session.get(MatchResult, holder.id).offer_id is None


def _round_and_the_pupil_left_over(db, world, period) -> tuple[MatchingRun, MatchResult]:
    """A first round over the region's six pupils and five seats, and the result without one."""
    run = services.start_round(world.users["counsellor"], [period], "none", last_step=Step.FIRST,
                               seed=3)
    return run, db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id.is_(None))).one()


@freeze_time(AFTER_WINDOW)
def test_a_pupil_no_free_seat_fits_is_told_how_to_be_placed(client, db, world, region,
                                                             login_as):
    """Six pupils, five seats: the one left over can be moved nowhere in the round. The
    page says why its list holds only "Ingen plats" and where the pupil is placed by hand."""
    period, _offers, _pupils = region
    run, last = _round_and_the_pupil_left_over(db, world, period)
    placed = db.session.scalars(select(MatchResult).where(
        MatchResult.run_id == run.id, MatchResult.offer_id.is_not(None))).first()
    login_as("counsellor")
    page = client.get(f"/matchning/{run.id}/elev/{last.id}").get_data(as_text=True)
    assert "Ingen plats med ledigt i rundan passar elevens veckor" in page
    assert f'href="/perioder/{period.id}/elever/{last.enrolment_id}">elevens sida</a>' in page
    other = client.get(f"/matchning/{run.id}/elev/{placed.id}").get_data(as_text=True)
    assert "Ingen plats med ledigt" not in other


def test_counsellor_of_another_school_gets_404(client, db, world, login_as):
    period = factories.PraoPeriodFactory(school=world.school_b)
    factories.EnrolmentFactory(period=period)
    db.session.commit()
    run = services.start_round(world.users["coordinator"], [period], "none", last_step=Step.FIRST,
                               seed=1)
    login_as("counsellor")
    assert client.get(f"/matchning/{run.id}").status_code == 404
    assert post_form(client, f"/matchning/{run.id}/publicera", {}).status_code == 404


def test_concurrent_moves_never_overbook(separate_app):
    """Eight people move eight different pupils into one offer with three free seats at
    once: exactly three moves succeed."""
    from portal.extensions import db as database

    with separate_app.app_context():
        world_school = factories.SchoolFactory()
        coordinator = factories.UserFactory(role="coordinator")
        period = factories.PraoPeriodFactory(school=world_school)
        target = factories.PlacementOfferFactory(seats=3)
        for _ in range(8):
            factories.EnrolmentFactory(period=period)
        database.session.commit()
        run = services.start_round(coordinator, [period], "none", last_step=Step.FIRST, seed=5)
        result_ids = database.session.scalars(select(MatchResult.id).where(
            MatchResult.run_id == run.id)).all()
        ids = (run.id, target.id, coordinator.id)
        database.session.remove()
    outcomes: list[str] = []
    barrier = threading.Barrier(len(result_ids))

    def move(result_id: int) -> None:
        # As the POST requests would: a writing request takes SQLite's write lock first.
        with separate_app.test_request_context(method="POST"):
            from portal.accounts.models import User

            barrier.wait()  # before any query: a writer on SQLite holds the lock from BEGIN
            try:
                user = database.session.get(User, ids[2])
                services.move(ids[0], result_id, ids[1], user)
                outcomes.append("ok")
            except services.MatchingError:
                outcomes.append("full")
            finally:
                database.session.remove()

    threads = [threading.Thread(target=move, args=(rid,)) for rid in result_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["full"] * 5 + ["ok"] * 3
    with separate_app.app_context():
        placed = database.session.scalar(select(func.count()).select_from(MatchResult).where(
            MatchResult.offer_id == ids[1]))
        database.session.remove()
    assert placed == 3


def test_counsellor_does_not_see_region_wide_rounds(client, db, world, login_as):
    own = factories.PraoPeriodFactory(school=world.school_a, name="Egen period")
    other = factories.PraoPeriodFactory(school=world.school_b, name="Grannskolans period")
    db.session.commit()
    services.start_round(world.users["coordinator"], [own, other], "none", Step.FIRST, seed=1)
    mine = services.start_round(world.users["counsellor"], [own], "none", Step.FIRST, seed=2)
    login_as("counsellor")
    html = client.get("/matchning").get_data(as_text=True)
    assert f"/matchning/{mine.id}" in html
    assert "Grannskolans period" not in html


def test_a_period_that_is_over_is_not_offered_for_a_new_round(client, db, world, login_as):
    from datetime import date

    over = factories.PraoPeriodFactory(school=world.school_a, name="Förra hösten",
                                       first_day=date(2025, 10, 6), last_day=date(2025, 10, 17),
                                       wishes_open=date(2025, 8, 25),
                                       wishes_close=date(2025, 9, 12))
    coming = factories.PraoPeriodFactory(school=world.school_a, name="Kommande våren")
    db.session.commit()
    login_as("counsellor")
    html = client.get("/matchning").get_data(as_text=True)
    assert "Kommande våren" in html and "Förra hösten" not in html
    refused = post_form(client, "/matchning", {"periods": [str(over.id)], "policy": "none",
                                               "last_step": "second", "seed": "1"})
    assert refused.status_code == 200
    assert db.session.scalars(select(MatchingRun)).all() == []
    assert coming.id


@freeze_time(AFTER_WINDOW)
def test_a_round_over_a_wish_window_still_open_warns_before_publishing(client, db, world,
                                                                       region, login_as):
    """A probe ran and published a round while pupils could still wish for weeks: those
    wishing later were left out without a word."""
    from datetime import date

    period, _offers, _pupils = region
    period.wishes_close = date(2027, 2, 20)
    db.session.commit()
    login_as("counsellor")
    post_form(client, "/matchning", {"periods": [str(period.id)], "policy": "none",
                                     "last_step": "second", "seed": "7"})
    run = db.session.scalars(select(MatchingRun)).one()
    for path in (f"/matchning/{run.id}", f"/matchning/{run.id}/publicera"):
        page = client.get(path).get_data(as_text=True)
        assert "kan önska till och med 2027-02-20" in page, path
        assert "Önskemål efter att rundan kördes kommer inte med" in page, path
    period.wishes_close = date(2027, 2, 9)  # closed yesterday: nothing to warn of
    db.session.commit()
    assert "kan önska till och med" not in client.get(
        f"/matchning/{run.id}/publicera").get_data(as_text=True)

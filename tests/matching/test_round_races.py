"""Two people acting on one round at the same moment, through the portal as browsers do it,
on PostgreSQL with real threads and one connection each: whoever comes second is told, and
results, assignments, seats and emails always agree."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.employers.models import PlacementOffer
from portal.extensions import db
from portal.matching import services
from portal.matching.engine import Step
from portal.matching.models import MatchingRun, MatchResult, RunStatus
from portal.notifications.models import OutboxEmail
from portal.prao.models import Assignment
from portal.schools.models import Enrolment, EnrolmentState, Wish
from tests import factories
from tests.conftest import csrf_token, login, new_client

HOLD = 0.6  # seconds the first request holds its locks
LATER = 0.15  # seconds the second request starts after the first


@dataclass
class Round:
    run_id: int
    result_id: int  # the pupil placed at offer A
    enrolment_id: int
    offers: tuple[int, int]  # A (the pupil's first wish) and B, at two organisations
    employer_emails: tuple[str, str]


def _new_round(app: Flask, school_id: int, user_email: str, n: int) -> Round:
    """One pupil with an email wishes A then B (one seat each): the draft places them at A."""
    with app.app_context():
        from portal.accounts.models import User
        from portal.schools.models import School

        school = db.session.get(School, school_id)
        period = factories.PraoPeriodFactory(school=school, name=f"Prao {n}")
        offers = [factories.PlacementOfferFactory(seats=1, placement__title=f"Plats {n}{x}")
                  for x in "AB"]
        pupil = factories.EnrolmentFactory(period=period, student__email=f"elev{n}@skola.se")
        db.session.add(Wish(enrolment=pupil, offer=offers[0], rank=1))
        db.session.add(Wish(enrolment=pupil, offer=offers[1], rank=2))
        db.session.commit()
        user = db.session.scalars(select(User).where(User.email == user_email)).one()
        run = services.start_round(user, [period], "none", Step.FIRST, seed=n)
        result = db.session.scalars(select(MatchResult).where(
            MatchResult.run_id == run.id)).one()
        assert result.offer_id == offers[0].id
        found = Round(run.id, result.id, pupil.id, (offers[0].id, offers[1].id),
                      tuple(o.placement.organisation.contact_email for o in offers))
        db.session.remove()
        return found


def _school_and_staff(app: Flask, staff: int) -> tuple[int, list[str]]:
    with app.app_context():
        school = factories.SchoolFactory()
        users = [factories.UserFactory(role="counsellor", schools=[school]) for _ in range(staff)]
        db.session.commit()
        found = school.id, [u.email for u in users]
        db.session.remove()
        return found


def _at_once(actions: list[Callable[[], Any]], delays: list[float] | None = None) -> list[Any]:
    """Run the actions in threads released together (each after its delay, in seconds);
    their results, in order."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        time.sleep((delays or [0.0] * len(actions))[i])
        results[i] = actions[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results), "a request did not finish"
    return results


def _slow(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
    """Make `owner.name` take HOLD seconds longer: whoever calls it holds its locks that long,
    so the other request surely arrives in the middle (the race's worst moment)."""
    original = getattr(owner, name)

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(HOLD)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, slowly)


def _post(client: Any, url: str, data: dict[str, str] | None = None) -> Callable[[], Any]:
    token = csrf_token(client)  # read before the race, as the browser has the form already

    def send() -> tuple[list[int], str]:
        response = client.post(url, data={"csrf_token": token, **(data or {})},
                               follow_redirects=True)
        codes = [r.status_code for r in response.history] + [response.status_code]
        return codes, response.get_data(as_text=True)
    return send


def _state(app: Flask, r: Round) -> dict[str, Any]:
    with app.app_context():
        assignments = db.session.scalars(select(Assignment).where(
            Assignment.enrolment_id == r.enrolment_id)).all()
        seats = dict(db.session.execute(select(PlacementOffer.id, PlacementOffer.seats_taken)
                                        .where(PlacementOffer.id.in_(r.offers))).all())
        emails = db.session.scalars(select(OutboxEmail)).all()
        state = {
            "run": db.session.get(MatchingRun, r.run_id).status,
            "result": db.session.get(MatchResult, r.result_id).offer_id,
            "assigned": [a.offer_id for a in assignments],
            "seats": seats,
            "enrolment": db.session.get(Enrolment, r.enrolment_id),
            "to": sorted(e.recipient for e in emails),
            "kinds": sorted(e.kind for e in emails),
        }
        state["enrolment_state"] = state["enrolment"].state
        state["own_placement"] = state["enrolment"].own_placement_id
        db.session.remove()
        return state


def _clear_outbox(app: Flask) -> None:
    with app.app_context():
        db.session.execute(OutboxEmail.__table__.delete())
        db.session.commit()
        db.session.remove()


def _agree(state: dict[str, Any], r: Round) -> Any:
    """Where the pupil is, the assignment, the seat and the employer's email all agree."""
    at = state["result"]
    assert state["run"] is RunStatus.PUBLISHED and state["assigned"] == [at]
    assert state["seats"] == {o: int(o == at) for o in r.offers}
    emailed = [e in state["to"] for e in r.employer_emails]
    assert emailed == [o == at for o in r.offers]
    return at


@pytest.mark.parametrize("first", ["publish", "move"])
def test_publish_and_a_move_at_once_agree(separate_app, monkeypatch, first):
    school_id, (mover_email, publisher_email) = _school_and_staff(separate_app, 2)
    mover, publisher = new_client(separate_app), new_client(separate_app)
    assert login(mover, mover_email).status_code == 302
    assert login(publisher, publisher_email).status_code == 302
    r = _new_round(separate_app, school_id, publisher_email, 1)
    _clear_outbox(separate_app)
    if first == "publish":  # publish holds the run's lock while the move arrives
        _slow(monkeypatch, services, "_take_seats")
    else:  # the move holds it while publishing arrives
        _slow(monkeypatch, services, "_check_move")
    moved, published = _at_once([
        _post(mover, f"/matchning/{r.run_id}/elev/{r.result_id}", {"offer": str(r.offers[1])}),
        _post(publisher, f"/matchning/{r.run_id}/publicera")],
        delays=[LATER, 0.0] if first == "publish" else [0.0, LATER])
    assert moved[0] == [302, 200] and published[0] == [302, 200]
    assert "Rundan är publicerad: 1 elev har fått en föreslagen plats." in published[1]
    at = _agree(_state(separate_app, r), r)
    if first == "publish":
        assert at == r.offers[0]
        # PostgreSQL: the move read a draft and lost at the run's lock. SQLite: the move's
        # write lock waited for the publish, so it read the published round at once.
        assert "Rundan har publicerats – ändringen sparades inte." in moved[1] or \
            "Rundan är publicerad och kan inte ändras." in moved[1]
    else:
        assert at == r.offers[1] and "Eleven är flyttad." in moved[1]


@pytest.mark.parametrize("first", ["publish", "pupil"])
def test_own_placement_and_publish_at_once_exclude_each_other(separate_app, monkeypatch,
                                                              first):
    from portal.schools.pupils import services as pupils

    school_id, (publisher_email,) = _school_and_staff(separate_app, 1)
    publisher = new_client(separate_app)
    assert login(publisher, publisher_email).status_code == 302
    r = _new_round(separate_app, school_id, publisher_email, 2)
    _clear_outbox(separate_app)
    with separate_app.test_request_context():
        from portal.schools.pupils.services import make_link_token

        link = "/elev/" + make_link_token(db.session.get(Enrolment, r.enrolment_id))
        db.session.remove()
    if first == "publish":  # publishing holds the pupil's row while the form arrives
        _slow(monkeypatch, services, "_take_seats")
    else:  # the pupil's registration holds it while publishing arrives
        _slow(monkeypatch, pupils, "send_risk_link")
    workplace = "bageri@exempel.se"
    own, published = _at_once([
        _post(new_client(separate_app), link + "/egen-plats", {
            "workplace": "Mormors bageri", "org_number": "556123-4500",
            "address": "Bagargatan 1", "postal_code": "972 31", "city": "Luleå",
            "contact_name": "Mormor Bagare", "contact_email": workplace,
            "contact_phone": "070-111 22 33", "tasks": "Baka bullar"}),
        _post(publisher, f"/matchning/{r.run_id}/publicera")],
        delays=[LATER, 0.0] if first == "publish" else [0.0, LATER])
    assert own[0] == [302, 200] and published[0] == [302, 200]
    state = _state(separate_app, r)
    if first == "pupil":
        # The round skipped the pupil: no assignment, no seat, no email about it.
        assert state["enrolment_state"] is EnrolmentState.OWN_PLACEMENT
        assert state["own_placement"] is not None and state["assigned"] == []
        assert state["result"] is None and set(state["seats"].values()) == {0}
        # The risk-assessment link waits for the coordinator to approve the workplace.
        assert state["to"] == []
        assert "1 elev hade fått en egen plats" in published[1]
    else:
        # Nothing of the own placement was saved or sent.
        assert state["enrolment_state"] is EnrolmentState.ASSIGNED
        assert state["own_placement"] is None and state["assigned"] == [r.offers[0]]
        assert state["seats"] == {r.offers[0]: 1, r.offers[1]: 0}
        assert workplace not in state["to"] and "own_placement" not in state["kinds"]
        assert "en plats eller är befriad från prao." in own[1]


def test_four_publish_clicks_at_once_publish_once(separate_app, monkeypatch):
    school_id, staff = _school_and_staff(separate_app, 4)
    clients = [new_client(separate_app) for _ in staff]
    for client, email in zip(clients, staff, strict=True):
        assert login(client, email).status_code == 302
    r = _new_round(separate_app, school_id, staff[0], 7)
    _clear_outbox(separate_app)
    _slow(monkeypatch, services, "_take_seats")  # the first click holds the lock a while
    responses = _at_once([_post(c, f"/matchning/{r.run_id}/publicera") for c in clients])
    assert [codes for codes, _ in responses] == [[302, 200]] * 4
    pages = [html for _, html in responses]
    assert sum("Rundan är publicerad: 1 elev" in p for p in pages) == 1
    assert sum("Rundan är redan publicerad." in p for p in pages) == 3
    _agree(state := _state(separate_app, r), r)
    # The pupil, the employer's contact and the supervisor are each emailed once, not four
    # times.
    assert len(state["to"]) == 3 == len(set(state["to"]))
    assert {"elev7@skola.se", r.employer_emails[0]} <= set(state["to"])

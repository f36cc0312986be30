"""Every route, every role: who gets in (200), who is turned away (403), who is told the
object does not exist (404), and who is sent to log in (302). A route missing here fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from portal import clock
from portal.employers.services import request_join
from portal.weeks import monday, monday_of
from tests import factories
from tests.conftest import World, csrf_token, login

ROLES = ("anonymous", "coordinator", "counsellor", "employer", "council")
IGNORED_ENDPOINTS = {"static", "bootstrap.static"}
LOGIN = 302


@dataclass(frozen=True)
class Case:
    endpoint: str
    url: Callable[[World], str]
    expect: dict[str, int]
    method: str = "GET"
    note: str = ""
    data: dict[str, str] = field(default_factory=dict)


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def only(role: str, code: int = 200, others: int = 403) -> dict[str, int]:
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], others), role: code}


def _outbox_url(world: World) -> str:
    email = factories.OutboxEmailFactory(status="failed")
    return f"/utkorg/{email.id}"


CASES = [
    Case("main.index", lambda w: "/", everyone(200)),
    Case("main.accessibility", lambda w: "/tillganglighet", everyone(200)),
    Case("main.contact", lambda w: "/kontakt", everyone(200)),
    Case("privacy.notice", lambda w: "/integritet", everyone(200)),
    Case("main.set_language", lambda w: "/sprak/en?next=/", everyone(302)),
    Case("main.start", lambda w: "/start", {**everyone(302)}),
    Case("main.start_coordinator", lambda w: "/samordnare", only("coordinator")),
    Case("main.start_counsellor", lambda w: "/syv", only("counsellor")),
    Case("main.start_employer", lambda w: "/arbetsgivare", only("employer")),
    Case("main.start_council", lambda w: "/rad", only("council")),
    Case("accounts.login", lambda w: "/logga-in",
         {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    Case("accounts.logout", lambda w: "/logga-ut", everyone(302), method="POST"),
    Case("accounts.forgot_password", lambda w: "/losenord/glomt", everyone(200)),
    Case("accounts.reset_password", lambda w: "/losenord/aterstall/ogiltig", everyone(400),
         note="a broken link is refused for everyone"),
    Case("accounts.accept_invitation", lambda w: "/inbjudan/ogiltig", everyone(400)),
    Case("accounts.users", lambda w: "/anvandare", only("coordinator")),
    Case("accounts.invite", lambda w: "/anvandare/bjud-in", only("coordinator")),
    Case("accounts.user", lambda w: f"/anvandare/{w.users['counsellor'].id}",
         only("coordinator")),
    Case("accounts.user", lambda w: "/anvandare/999999", only("coordinator", 404),
         note="no such user"),
    Case("accounts.switch", lambda w: f"/anvandare/{w.users['council'].id}/stang-av",
         only("coordinator", 302), method="POST"),
    Case("accounts.reinvite", lambda w: f"/anvandare/{w.users['council'].id}/bjud-in-igen",
         only("coordinator", 302), method="POST"),
    Case("notifications.outbox", lambda w: "/utkorg", only("coordinator")),
    Case("notifications.outbox_email", _outbox_url, only("coordinator")),
    Case("notifications.retry", lambda w: _outbox_url(w) + "/forsok-igen",
         only("coordinator", 302), method="POST"),
    Case("schools.school", lambda w: f"/skolor/{w.school_a.id}",
         {**only("counsellor"), "coordinator": 200}, note="own school"),
    Case("schools.school", lambda w: f"/skolor/{w.school_b.id}",
         {**only("counsellor", 404), "coordinator": 200}, note="another school"),
    Case("schools.school", lambda w: "/skolor/999999",
         {**only("counsellor", 404), "coordinator": 404}, note="no such school"),
    Case("employers.organisation", lambda w: f"/organisationer/{w.organisation_a.id}",
         {**only("employer"), "coordinator": 200}, note="own organisation"),
    Case("employers.organisation", lambda w: f"/organisationer/{w.organisation_b.id}",
         {**only("employer", 404), "coordinator": 200}, note="another organisation"),
    Case("employers.edit_organisation",
         lambda w: f"/organisationer/{w.organisation_a.id}/andra", only("employer"),
         note="own organisation"),
    Case("employers.edit_organisation",
         lambda w: f"/organisationer/{w.organisation_b.id}/andra", only("employer", 404),
         note="another organisation"),
]


def _join_request_url(world: World) -> str:
    newcomer = factories.UserFactory(role="employer", organisation=None)
    join = request_join(newcomer, world.organisation_a)
    return f"/arbetsgivare/forfragningar/{join.id}"


def _own_request_url(org: str) -> Callable[[World], str]:
    """A pupil's own placement at organisation a or b, waiting for its confirmation."""
    def build(world: World) -> str:
        from portal.schools.models import OwnPlacementRequest

        request = OwnPlacementRequest(
            enrolment=factories.EnrolmentFactory(period__school=world.school_a),
            organisation=getattr(world, f"organisation_{org}"), workplace="Bageriet")
        from portal.extensions import db
        db.session.add(request)
        db.session.flush()
        return f"/arbetsgivare/egna-praoplatser/{request.id}"
    return build


def _pending_placement_url(world: World) -> str:
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           status="pending", published_at=None)
    return f"/samordnare/praoplatser/{placement.id}/granska"


CASES += [
    Case("employers.register", lambda w: "/arbetsgivare/registrera", everyone(200)),
    Case("employers.registered", lambda w: "/arbetsgivare/registrera/klart", everyone(200)),
    Case("employers.verify_email", lambda w: "/arbetsgivare/bekrafta/ogiltig", everyone(400)),
    Case("employers.join_requests", lambda w: "/arbetsgivare/forfragningar",
         {**only("employer"), "coordinator": 200}),
    Case("employers.decide_join", _join_request_url,
         {**only("employer", 302), "coordinator": 302}, method="POST",
         data={"decision": "reject"}, note="own organisation"),
    Case("employers.decide_join",
         lambda w: _join_request_url(w).replace("forfragningar/", "forfragningar/9999"),
         {**only("employer", 404), "coordinator": 404}, method="POST",
         data={"decision": "reject"}, note="no such request"),
    Case("employers.own_placement_requests", lambda w: "/arbetsgivare/egna-praoplatser",
         only("employer")),
    Case("employers.decide_own_placement", _own_request_url("a"), only("employer", 302),
         method="POST", data={"decision": "reject"}, note="own organisation"),
    Case("employers.decide_own_placement", _own_request_url("b"), only("employer", 404),
         method="POST", data={"decision": "approve"}, note="another organisation"),
    Case("employers.review_queue", lambda w: "/samordnare/granskning", only("coordinator")),
    Case("employers.review_organisation",
         lambda w: f"/samordnare/organisationer/{w.organisation_b.id}/granska",
         only("coordinator")),
    Case("employers.review_placement", _pending_placement_url, only("coordinator")),
    Case("employers.settings", lambda w: "/samordnare/installningar", only("coordinator")),
]


def _enrolment(world: World, school: str = "a") -> tuple[int, int]:
    period = factories.PraoPeriodFactory(school=getattr(world, f"school_{school}"))
    enrolment = factories.EnrolmentFactory(period=period)
    return period.id, enrolment.id


def _period_url(suffix: str, school: str = "a") -> Callable[[World], str]:
    return lambda w: f"/perioder/{_enrolment(w, school)[0]}{suffix}"


def _enrolment_url(suffix: str = "", school: str = "a") -> Callable[[World], str]:
    def build(world: World) -> str:
        period_id, enrolment_id = _enrolment(world, school)
        return f"/perioder/{period_id}/elever/{enrolment_id}{suffix}"
    return build


def _pupil_url(suffix: str = "") -> Callable[[World], str]:
    def build(world: World) -> str:
        from portal.schools.models import Enrolment
        from portal.schools.pupils.services import make_link_token

        _, enrolment_id = _enrolment(world)
        from portal.extensions import db
        return f"/elev/{make_link_token(db.session.get(Enrolment, enrolment_id))}{suffix}"
    return build


SCHOOL_STAFF = {**only("counsellor"), "coordinator": 200}
OTHER_SCHOOL = {**only("counsellor", 404), "coordinator": 200}

CASES += [
    Case("schools.municipalities", lambda w: "/samordnare/kommuner", only("coordinator")),
    Case("schools.municipality", lambda w: f"/samordnare/kommuner/{w.municipality_a.id}",
         only("coordinator")),
    Case("schools.schools", lambda w: "/samordnare/skolor", only("coordinator")),
    Case("schools.edit_school", lambda w: f"/samordnare/skolor/{w.school_a.id}",
         only("coordinator")),
    Case("schools.new_period", lambda w: f"/skolor/{w.school_a.id}/perioder/ny", SCHOOL_STAFF),
    Case("schools.new_period", lambda w: f"/skolor/{w.school_b.id}/perioder/ny", OTHER_SCHOOL,
         note="another school"),
    Case("schools.period", _period_url(""), SCHOOL_STAFF),
    Case("schools.period", _period_url("", "b"), OTHER_SCHOOL, note="another school"),
    Case("schools.class_list", _period_url("/lankar"), SCHOOL_STAFF),
    Case("schools.class_list", _period_url("/lankar", "b"), OTHER_SCHOOL, note="another"),
    Case("schools.enrol", _period_url("/hamta-elever"),
         {**only("counsellor", 302), "coordinator": 302}, method="POST"),
    Case("schools.enrol", _period_url("/hamta-elever", "b"),
         {**only("counsellor", 404), "coordinator": 302}, method="POST", note="another"),
    Case("schools.email_links", _period_url("/skicka-lankar"),
         {**only("counsellor", 302), "coordinator": 302}, method="POST"),
    Case("schools.email_links", _period_url("/skicka-lankar", "b"),
         {**only("counsellor", 404), "coordinator": 302}, method="POST", note="another"),
    Case("schools.enrolment", _enrolment_url(), SCHOOL_STAFF),
    Case("schools.enrolment", _enrolment_url("", "b"), OTHER_SCHOOL, note="another school"),
    Case("schools.enrolment_link", _enrolment_url("/lank"),
         {**only("counsellor", 302), "coordinator": 302}, method="POST",
         data={"action": "reissue"}),
    Case("schools.enrolment_link", _enrolment_url("/lank", "b"),
         {**only("counsellor", 404), "coordinator": 302}, method="POST",
         data={"action": "reissue"}, note="another school"),
    Case("schools.pupil_home", _pupil_url(), everyone(200), note="the link is the key"),
    Case("schools.pupil_home", lambda w: "/elev/forfalskad", everyone(404), note="forged"),
    Case("schools.own_placement", _pupil_url("/egen-plats"), everyone(200)),
    Case("schools.take_back_own_placement", _pupil_url("/egen-plats/angra"), everyone(302),
         method="POST", note="the link is the key"),
]


# --- placements, offers, next term and the regional calendar (employer door) --------

def _placement_id(world: World, org: str) -> int:
    """A complete draft of organisation a or b, ready to be sent for review."""
    return factories.PlacementFactory(
        organisation=getattr(world, f"organisation_{org}"), municipality=world.municipality_a,
        status="draft", published_at=None).id


def _placement_url(suffix: str = "", org: str = "a") -> Callable[[World], str]:
    return lambda w: f"/arbetsgivare/praoplatser/{_placement_id(w, org)}{suffix}"


def _offer_url(suffix: str, org: str = "a") -> Callable[[World], str]:
    def build(world: World) -> str:
        week = monday(clock.today().year + 1, 11)
        placement = factories.PlacementFactory(organisation=getattr(world, f"organisation_{org}"))
        offer = factories.PlacementOfferFactory(placement=placement, first_week=week,
                                                last_week=week)
        return f"/arbetsgivare/veckor/{offer.id}{suffix}"
    return build


def _calendar_entry_url(world: World) -> str:
    week = monday_of(clock.today()) + timedelta(weeks=4)
    entry = factories.CalendarEntryFactory(school=world.school_a, first_week=week,
                                           last_week=week)
    return f"/kalender/{entry.id}/ta-bort"


OWN_PLACEMENT = {**only("employer"), "coordinator": 200}
OTHER_PLACEMENT = {**only("employer", 404), "coordinator": 200}

CASES += [
    Case("employers.placement_new", lambda w: "/arbetsgivare/praoplatser/ny", only("employer")),
    Case("employers.placement_detail", _placement_url(), OWN_PLACEMENT, note="own"),
    Case("employers.placement_detail", _placement_url(org="b"), OTHER_PLACEMENT,
         note="another employer's"),
    Case("employers.placement_detail", lambda w: "/arbetsgivare/praoplatser/999999",
         {**only("employer", 404), "coordinator": 404}, note="no such placement"),
    Case("employers.placement_edit", _placement_url("/andra"), only("employer"), note="own"),
    Case("employers.placement_edit", _placement_url("/andra", "b"), only("employer", 404),
         note="another employer's"),
    Case("employers.placement_edit", _placement_url("/andra", "b"), only("employer", 404),
         method="POST", data={"title": "Kapad"}, note="another employer's, POST"),
    Case("employers.placement_submit", _placement_url("/skicka"), only("employer", 302),
         method="POST", note="own"),
    Case("employers.placement_submit", _placement_url("/skicka", "b"), only("employer", 404),
         method="POST", note="another employer's"),
    Case("employers.placement_archive", _placement_url("/arkivera"), only("employer", 302),
         method="POST", note="own"),
    Case("employers.placement_archive", _placement_url("/arkivera", "b"),
         only("employer", 404), method="POST", note="another employer's"),
    Case("employers.offer_new", _placement_url("/veckor/ny"), only("employer"), note="own"),
    Case("employers.offer_new", _placement_url("/veckor/ny", "b"), only("employer", 404),
         note="another employer's"),
    Case("employers.offer_new", _placement_url("/veckor/ny", "b"), only("employer", 404),
         method="POST", data={"weeks": "11 2030", "seats": "5"},
         note="another employer's, POST"),
    Case("employers.offer_edit", _offer_url("/andra"), only("employer"), note="own"),
    Case("employers.offer_edit", _offer_url("/andra", "b"), only("employer", 404),
         note="another employer's"),
    Case("employers.offer_edit", _offer_url("/andra", "b"), only("employer", 404),
         method="POST", data={"weeks": "11 2030", "seats": "5"},
         note="another employer's, POST"),
    Case("employers.offer_delete", _offer_url("/ta-bort"), only("employer", 302),
         method="POST", note="own"),
    Case("employers.offer_delete", _offer_url("/ta-bort", "b"), only("employer", 404),
         method="POST", note="another employer's"),
    Case("employers.next_term", lambda w: "/arbetsgivare/nasta-termin", only("employer")),
    Case("employers.calendar", lambda w: "/kalender", {**only("employer"), "coordinator": 200}),
    Case("employers.calendar_entry_new", lambda w: "/kalender/ny", only("coordinator")),
    Case("employers.calendar_entry_delete", _calendar_entry_url, only("coordinator", 302),
         method="POST"),
]


# --- the public catalogue: open to everyone; a placement not published is never found ----

def _public_placement_url(status: str, org: str) -> Callable[[World], str]:
    def build(world: World) -> str:
        week = monday_of(clock.today()) + timedelta(weeks=6)
        placement = factories.PlacementFactory(organisation=getattr(world, f"organisation_{org}"),
                                               status=status)
        factories.PlacementOfferFactory(placement=placement, first_week=week, last_week=week)
        return f"/praoplatser/{placement.id}"
    return build


CASES += [
    Case("employers.catalogue_search", lambda w: "/praoplatser", everyone(200)),
    Case("employers.catalogue_search", lambda w: "/praoplatser?q=kock&arskurs=8&sida=2",
         everyone(200), note="a search"),
    Case("employers.catalogue_placement", _public_placement_url("published", "b"),
         everyone(200), note="published"),
    Case("employers.catalogue_placement", _public_placement_url("draft", "a"),
         everyone(404), note="a draft, even for its own employer"),
]


def _run_url(suffix: str = "", school: str = "a", result: bool = False,
             published: bool = False) -> Callable[[World], str]:
    def build(world: World) -> str:
        from flask import current_app

        from portal.matching.engine import Step
        from portal.matching.services import publish, start_round

        period = factories.PraoPeriodFactory(school=getattr(world, f"school_{school}"))
        factories.EnrolmentFactory(period=period)
        run = start_round(world.users["coordinator"], [period], "none", Step.FIRST, seed=1)
        if published:
            with current_app.test_request_context():  # as from the publish button
                publish(run.id, world.users["coordinator"])
        path = f"/matchning/{run.id}"
        if result:
            path += f"/elev/{run.results[0].id}"
        return path + suffix
    return build


CASES += [
    Case("matching.rounds", lambda w: "/matchning", SCHOOL_STAFF),
    Case("matching.run", _run_url(), SCHOOL_STAFF),
    Case("matching.run", _run_url(school="b"), OTHER_SCHOOL, note="another school"),
    Case("matching.move", _run_url(result=True), SCHOOL_STAFF),
    Case("matching.move", _run_url(school="b", result=True), OTHER_SCHOOL, note="another"),
    Case("matching.publish", _run_url("/publicera"), SCHOOL_STAFF, note="confirm"),
    Case("matching.publish", _run_url("/publicera", "b"), OTHER_SCHOOL,
         note="confirm another"),
    Case("matching.publish", _run_url("/publicera"),
         {**only("counsellor", 302), "coordinator": 302}, method="POST"),
    Case("matching.publish", _run_url("/publicera", "b"),
         {**only("counsellor", 404), "coordinator": 302}, method="POST", note="another"),
    Case("matching.withdraw", _run_url("/dra-tillbaka", published=True), SCHOOL_STAFF,
         note="confirm"),
    Case("matching.withdraw", _run_url("/dra-tillbaka", "b", published=True), OTHER_SCHOOL,
         note="confirm another"),
    Case("matching.withdraw", _run_url("/dra-tillbaka", published=True),
         {**only("counsellor", 302), "coordinator": 302}, method="POST"),
    Case("matching.withdraw", _run_url("/dra-tillbaka", "b", published=True),
         {**only("counsellor", 404), "coordinator": 302}, method="POST", note="another"),
    Case("matching.rerun", _run_url("/kor-om"),
         {**only("counsellor", 302), "coordinator": 302}, method="POST"),
    Case("matching.rerun", _run_url("/kor-om", "b"),
         {**only("counsellor", 404), "coordinator": 302}, method="POST", note="another"),
    Case("matching.discard", _run_url("/kassera"),
         {**only("counsellor", 302), "coordinator": 302}, method="POST"),
    Case("matching.discard", _run_url("/kassera", "b"),
         {**only("counsellor", 404), "coordinator": 302}, method="POST", note="another"),
]


def _pupil_import_url(suffix: str = "", school: str = "a") -> Callable[[World], str]:
    """A previewed, unsaved pupil import of school A or B."""
    def build(world: World) -> str:
        from portal.extensions import db
        from portal.schools.imports.reading import encode, read_upload
        from portal.schools.models import PupilImport

        rows = read_upload("Elev-ID;Förnamn;Efternamn;Klass\n1;Åsa;Öberg;8A\n".encode())
        stored = PupilImport(school_id=getattr(world, f"school_{school}").id,
                             uploaded_by_id=world.users["coordinator"].id,
                             filename="elever.csv", content=encode(rows))
        db.session.add(stored)
        db.session.flush()
        return f"/skolor/elevimporter/{stored.id}{suffix}"
    return build


def _pupils_url(suffix: str, school: str = "a") -> Callable[[World], str]:
    return lambda w: f"/skolor/{getattr(w, f'school_{school}').id}/elever/{suffix}"


CASES += [
    Case("schools.import_upload", _pupils_url("importera"), SCHOOL_STAFF),
    Case("schools.import_upload", _pupils_url("importera", "b"), OTHER_SCHOOL,
         note="another school"),
    Case("schools.import_upload", _pupils_url("importera"), SCHOOL_STAFF, method="POST",
         note="own school, no file: the form asks for one"),
    Case("schools.import_upload", _pupils_url("importera", "b"), OTHER_SCHOOL, method="POST",
         note="another school, POST"),
    Case("schools.import_preview", _pupil_import_url(), SCHOOL_STAFF),
    Case("schools.import_preview", _pupil_import_url(school="b"), OTHER_SCHOOL,
         note="another school's import"),
    Case("schools.import_preview", lambda w: "/skolor/elevimporter/999999",
         {**only("counsellor", 404), "coordinator": 404}, note="no such import"),
    Case("schools.import_save", _pupil_import_url("/spara"),
         {**only("counsellor", 302), "coordinator": 302}, method="POST"),
    Case("schools.import_save", _pupil_import_url("/spara", "b"),
         {**only("counsellor", 404), "coordinator": 302}, method="POST",
         note="another school's import"),
    Case("schools.import_save", lambda w: "/skolor/elevimporter/999999/spara",
         {**only("counsellor", 404), "coordinator": 404}, method="POST", note="no such import"),
    Case("schools.export_pupils", _pupils_url("elevlista.csv"), SCHOOL_STAFF, note="CSV"),
    Case("schools.export_pupils", _pupils_url("elevlista.xlsx"), SCHOOL_STAFF, note="XLSX"),
    Case("schools.export_pupils", _pupils_url("elevlista.csv", "b"), OTHER_SCHOOL,
         note="another school, CSV"),
    Case("schools.export_pupils", _pupils_url("elevlista.xlsx", "b"), OTHER_SCHOOL,
         note="another school, XLSX"),
]



# --- the prao process: confirmation, placing, checklist, export ------------------------------

def _assignment(world: World, school: str = "a", org: str = "a") -> Any:
    placement = factories.PlacementFactory(organisation=getattr(world, f"organisation_{org}"))
    offer = factories.PlacementOfferFactory(placement=placement, seats_taken=1)
    period = factories.PraoPeriodFactory(school=getattr(world, f"school_{school}"))
    return factories.AssignmentFactory(offer=offer, placement=placement,
                                       enrolment__period=period)


def _decide_url(org: str) -> Callable[[World], str]:
    return lambda w: f"/arbetsgivare/elever/{_assignment(w, org=org).id}/svar"


def _supervisor_url(world: World) -> str:
    from portal.prao.links import supervisor_token

    a = _assignment(world)
    return f"/handledare/{supervisor_token(a.placement_id, [a.id], a.enrolment.period.last_day)}"


def _own_risk_url(world: World) -> str:
    from portal.prao.links import own_risk_token
    from portal.schools.models import EnrolmentState

    period = factories.PraoPeriodFactory(school=world.school_a)
    placement = factories.PlacementFactory(status="draft")
    enrolment = factories.EnrolmentFactory(period=period, state=EnrolmentState.OWN_PLACEMENT,
                                           own_placement_id=placement.id)
    return f"/egen-praoplats/{own_risk_token(placement.id, enrolment.id, period.last_day)}"


def _checklist_url(school: str, tick: bool = False) -> Callable[[World], str]:
    def build(world: World) -> str:
        a = _assignment(world, school=school)
        url = f"/perioder/{a.enrolment.period_id}/checklista"
        return f"{url}/{a.id}" if tick else url
    return build


def _first_day_url(org: str) -> Callable[[World], str]:
    return lambda w: f"/arbetsgivare/praoplatser/{_placement_id(w, org)}/forsta-dagen"


OWN_ORG_POST = {**only("employer", 302)}

CASES += [
    Case("prao.employer_pupils", lambda w: "/arbetsgivare/elever", only("employer")),
    Case("prao.employer_decide", _decide_url("a"), OWN_ORG_POST, method="POST",
         data={"decision": "confirm"}, note="own organisation's pupil"),
    Case("prao.employer_decide", _decide_url("b"), only("employer", 404), method="POST",
         data={"decision": "confirm"}, note="another organisation's pupil"),
    Case("prao.first_day", _first_day_url("a"), only("employer"), note="own placement"),
    Case("prao.first_day", _first_day_url("b"), only("employer", 404), note="another's"),
    Case("prao.supervisor", _supervisor_url, everyone(200), note="the link is the key"),
    Case("prao.supervisor", lambda w: "/handledare/forfalskad", everyone(404), note="forged"),
    Case("prao.own_risk", _own_risk_url, everyone(200), note="the link is the key"),
    Case("prao.own_risk", lambda w: "/egen-praoplats/forfalskad", everyone(404),
         note="forged"),
    Case("prao.place", _enrolment_url("/placera"), SCHOOL_STAFF),
    Case("prao.place", _enrolment_url("/placera", "b"), OTHER_SCHOOL, note="another school"),
    Case("prao.own_decision", _enrolment_url("/egen-plats"),
         {**only("counsellor", 302), "coordinator": 302}, method="POST",
         data={"action": "approve"}),
    Case("prao.own_decision", _enrolment_url("/egen-plats", "b"),
         {**only("counsellor", 404), "coordinator": 302}, method="POST",
         data={"action": "approve"}, note="another school"),
    Case("prao.period_checklist", _checklist_url("a"), SCHOOL_STAFF),
    Case("prao.period_checklist", _checklist_url("b"), OTHER_SCHOOL, note="another school"),
    Case("prao.tick", _checklist_url("a", tick=True),
         {**only("counsellor", 302), "coordinator": 302}, method="POST",
         data={"step": "pupil_prepared"}),
    Case("prao.tick", _checklist_url("b", tick=True),
         {**only("counsellor", 404), "coordinator": 302}, method="POST",
         data={"step": "pupil_prepared"}, note="another school"),
    Case("prao.untick", lambda w: _checklist_url("a", tick=True)(w) + "/angra",
         {**only("counsellor", 302), "coordinator": 302}, method="POST",
         data={"step": "pupil_prepared"}),
    Case("prao.untick", lambda w: _checklist_url("b", tick=True)(w) + "/angra",
         {**only("counsellor", 404), "coordinator": 302}, method="POST",
         data={"step": "pupil_prepared"}, note="another school"),
    Case("prao.region_checklist", lambda w: "/samordnare/checklistor", only("coordinator")),
    Case("prao.export_placements", _period_url("/praoplatser.csv"), SCHOOL_STAFF, note="CSV"),
    Case("prao.export_placements", _period_url("/praoplatser.xlsx"), SCHOOL_STAFF,
         note="XLSX"),
    Case("prao.export_placements", _period_url("/praoplatser.csv", "b"), OTHER_SCHOOL,
         note="another school"),
]

def test_every_route_is_in_the_matrix(app):
    routed = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED_ENDPOINTS
    covered = {case.endpoint for case in CASES}
    missing = sorted(routed - covered)
    assert not missing, f"routes without an authorization case: {missing}"
    assert not covered - routed, f"cases for routes that no longer exist: {covered - routed}"


def test_every_case_names_every_role():
    for case in CASES:
        assert set(case.expect) == set(ROLES), case.endpoint


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.endpoint}:{c.note or c.method}")
def test_access(client, world, role, case):
    if role != "anonymous":
        assert login(client, world.users[role].email).status_code == 302
    url = case.url(world)
    if case.method == "POST":
        response = client.post(url, data={"csrf_token": csrf_token(client), **case.data})
    else:
        response = client.get(url)
    expected = case.expect[role]
    assert response.status_code == expected, f"{role} {case.method} {url}"
    public_redirects = ("main.set_language", "schools.take_back_own_placement")
    if expected == LOGIN and role == "anonymous" and case.endpoint not in public_redirects:
        assert response.headers["Location"].startswith("/logga-in")


# --- guardian letters and certificates (portal/prao/guardians, portal/prao/certificates) ---

def _document_assignment(world: World, school: str = "a", certificate: bool = False):
    from portal.prao.certificates.services import attendance_of, snapshot
    from portal.prao.models import Certificate
    from tests.prao.documents.support import make_assignment

    assignment = make_assignment(world, school=getattr(world, f"school_{school}"))
    if certificate:
        from portal.extensions import db

        db.session.add(Certificate(assignment_id=assignment.id,
                                   snapshot=snapshot(assignment, attendance_of(assignment))))
        db.session.flush()
    return assignment


def _assignment_url(suffix: str, school: str = "a",
                    certificate: bool = False) -> Callable[[World], str]:
    return lambda w: f"/uppdrag/{_document_assignment(w, school, certificate).id}{suffix}"


def _letter_period_url(suffix: str, school: str = "a") -> Callable[[World], str]:
    return lambda w: f"/perioder/{_document_assignment(w, school).enrolment.period_id}{suffix}"


def _guardian_link(world: World) -> str:
    from portal.extensions import db
    from portal.prao.guardians.services import make_token
    from portal.prao.models import GuardianNotice, NoticeChannel

    assignment = _document_assignment(world)
    notice = GuardianNotice(enrolment_id=assignment.enrolment_id, assignment_id=assignment.id,
                            channel=NoticeChannel.EMAIL, email="vh@example.se")
    db.session.add(notice)
    db.session.flush()
    return f"/vardnadshavare/{make_token(notice, 'sv')}"


def _certificate_code(world: World) -> str:
    from portal.prao.certificates.services import certificate_of

    return certificate_of(_document_assignment(world, certificate=True).id).code


def _pupil_certificate_url(world: World) -> str:
    from portal.schools.pupils.services import make_link_token

    assignment = _document_assignment(world, certificate=True)
    return f"/elev/{make_link_token(assignment.enrolment)}/intyg.pdf"


STAFF_POST = {**only("counsellor", 302), "coordinator": 302}
OTHER_POST = {**only("counsellor", 404), "coordinator": 302}
EMAIL = {"guardian_email": "vh@example.se"}

CASES += [
    Case("guardians.period_overview", _letter_period_url("/vardnadshavare"), SCHOOL_STAFF),
    Case("guardians.period_overview", _letter_period_url("/vardnadshavare", "b"), OTHER_SCHOOL,
         note="another school"),
    Case("guardians.send_all", _letter_period_url("/vardnadshavare/skicka"), STAFF_POST,
         method="POST"),
    Case("guardians.send_all", _letter_period_url("/vardnadshavare/skicka", "b"), OTHER_POST,
         method="POST", note="another school"),
    Case("guardians.letter", _assignment_url("/vardnadshavarbrev"), SCHOOL_STAFF),
    Case("guardians.letter", _assignment_url("/vardnadshavarbrev", "b"), OTHER_SCHOOL,
         note="another school"),
    Case("guardians.letter", lambda w: "/uppdrag/999999/vardnadshavarbrev",
         {**only("counsellor", 404), "coordinator": 404}, note="no such assignment"),
    Case("guardians.letter_pdf", _assignment_url("/vardnadshavarbrev.pdf"), SCHOOL_STAFF),
    Case("guardians.letter_pdf", _assignment_url("/vardnadshavarbrev.pdf", "b"), OTHER_SCHOOL,
         note="another school"),
    Case("guardians.send", _assignment_url("/vardnadshavarbrev/skicka"), STAFF_POST,
         method="POST", data={"lang": "sv"}),
    Case("guardians.send", _assignment_url("/vardnadshavarbrev/skicka", "b"), OTHER_POST,
         method="POST", data={"lang": "sv"}, note="another school"),
    Case("guardians.set_email", _assignment_url("/vardnadshavare/e-post"), STAFF_POST,
         method="POST", data=EMAIL),
    Case("guardians.set_email", _assignment_url("/vardnadshavare/e-post", "b"), OTHER_POST,
         method="POST", data=EMAIL, note="another school"),
    Case("guardians.acknowledge", _guardian_link, everyone(200), note="the link is the key"),
    Case("guardians.acknowledge", lambda w: "/vardnadshavare/forfalskad", everyone(404),
         note="forged"),
    Case("certificates.period_overview", _letter_period_url("/intyg"), SCHOOL_STAFF),
    Case("certificates.period_overview", _letter_period_url("/intyg", "b"), OTHER_SCHOOL,
         note="another school"),
    Case("certificates.assignment", _assignment_url("/intyg"), SCHOOL_STAFF),
    Case("certificates.assignment", _assignment_url("/intyg", "b"), OTHER_SCHOOL,
         note="another school"),
    Case("certificates.assignment", _assignment_url("/intyg", "b"),
         {**only("counsellor", 404), "coordinator": 400}, method="POST",
         note="another school, POST: the coordinator is told the prao is not over"),
    Case("certificates.pdf", _assignment_url("/intyg.pdf", certificate=True), SCHOOL_STAFF),
    Case("certificates.pdf", _assignment_url("/intyg.pdf", "b", certificate=True),
         OTHER_SCHOOL, note="another school"),
    Case("certificates.pdf", _assignment_url("/intyg.pdf"),
         {**only("counsellor", 404), "coordinator": 404}, note="not issued"),
    Case("certificates.pupil_pdf", _pupil_certificate_url, everyone(200),
         note="the pupil's link is the key"),
    Case("certificates.pupil_pdf", lambda w: "/elev/forfalskad/intyg.pdf", everyone(404),
         note="forged"),
    Case("certificates.verify_form", lambda w: "/intyg", everyone(200)),
    Case("certificates.verify", lambda w: f"/intyg/{_certificate_code(w)}", everyone(200),
         note="a real code"),
    Case("certificates.verify", lambda w: f"/intyg/{'A' * 26}", everyone(404),
         note="an unknown code"),
]


# --- daily attendance, follow-up and incidents (the supervisor's link is the key) ---------

def _assignment_id(world: World, school: str = "a", org: str = "a") -> int:
    from tests.prao.attendance.support import placement, pupil_at

    place = placement(getattr(world, f"organisation_{org}"))
    return pupil_at(place, getattr(world, f"school_{school}")).id


def _attendance_link(suffix: str = "") -> Callable[[World], str]:
    def build(world: World) -> str:
        from portal.extensions import db
        from portal.prao.attendance.links import make_token
        from portal.prao.models import Assignment

        assignment = db.session.get(Assignment, _assignment_id(world))
        token = make_token(assignment.placement.supervisor_email, [assignment.id],
                           date(2027, 3, 16))
        return f"/narvaro/{token}{suffix}"
    return build


def _record_url(suffix: str = "", school: str = "a") -> Callable[[World], str]:
    return lambda w: f"/uppfoljning/{_assignment_id(w, school)}{suffix}"


def _employer_pupil_url(org: str) -> Callable[[World], str]:
    return lambda w: f"/arbetsgivare/narvaro/elev/{_assignment_id(w, org=org)}"


SCHOOL_STAFF_POST = {**only("counsellor", 302), "coordinator": 302}
OTHER_SCHOOL_POST = {**only("counsellor", 404), "coordinator": 302}

CASES += [
    Case("attendance.link_report", _attendance_link(), everyone(200), note="the link is the key"),
    Case("attendance.link_report", lambda w: "/narvaro/forfalskad", everyone(404), note="forged"),
    Case("attendance.link_incident", _attendance_link("/tillbud"), everyone(200)),
    Case("attendance.link_incident", lambda w: "/narvaro/forfalskad/tillbud", everyone(404),
         note="forged"),
    Case("attendance.employer_day", lambda w: "/arbetsgivare/narvaro", only("employer")),
    Case("attendance.employer_pupil", _employer_pupil_url("a"), only("employer"), note="own"),
    Case("attendance.employer_pupil", _employer_pupil_url("b"), only("employer", 404),
         note="another employer's pupil"),
    Case("attendance.period_overview", _period_url("/narvaro"), SCHOOL_STAFF),
    Case("attendance.period_overview", _period_url("/narvaro", "b"), OTHER_SCHOOL,
         note="another school"),
    Case("attendance.record", _record_url(), SCHOOL_STAFF),
    Case("attendance.record", _record_url(school="b"), OTHER_SCHOOL, note="another school"),
    Case("attendance.excuse", _record_url("/franvaro"), SCHOOL_STAFF_POST, method="POST",
         data={"day": "2027-03-16", "excused": "yes"}),
    Case("attendance.excuse", _record_url("/franvaro", "b"), OTHER_SCHOOL_POST, method="POST",
         data={"day": "2027-03-16", "excused": "yes"}, note="another school"),
    Case("attendance.follow_up", _record_url("/kontakt"), SCHOOL_STAFF_POST, method="POST",
         data={"kind": "contact", "note": "Ringde handledaren"}),
    Case("attendance.follow_up", _record_url("/kontakt", "b"), OTHER_SCHOOL_POST,
         method="POST", data={"kind": "contact", "note": "Ringde"}, note="another school"),
    Case("attendance.incident", _record_url("/tillbud"), SCHOOL_STAFF),
    Case("attendance.incident", _record_url("/tillbud", "b"), OTHER_SCHOOL,
         note="another school"),
    Case("attendance.employer_incident", lambda w: _employer_pupil_url("a")(w) + "/tillbud",
         only("employer"), note="own organisation"),
    Case("attendance.employer_incident", lambda w: _employer_pupil_url("b")(w) + "/tillbud",
         only("employer", 404), note="another organisation"),
]


# --- the GDPR duties (portal/privacy) -------------------------------------------------------

def _extract_url(fmt: str, school: str = "a") -> Callable[[World], str]:
    def build(world: World) -> str:
        student = factories.StudentFactory(school=getattr(world, f"school_{school}"))
        return f"/elever/{student.id}/registerutdrag.{fmt}"
    return build


CASES += [
    Case("privacy.audit_log", lambda w: "/samordnare/logg", only("coordinator")),
    Case("privacy.audit_log", lambda w: "/samordnare/logg?elev=1&fran=2026-01-01",
         only("coordinator"), note="filtered"),
    Case("privacy.extract", _extract_url("pdf"), SCHOOL_STAFF, note="own school, PDF"),
    Case("privacy.extract", _extract_url("json"), SCHOOL_STAFF, note="own school, JSON"),
    Case("privacy.extract", _extract_url("pdf", "b"), OTHER_SCHOOL, note="another school"),
    Case("privacy.extract", _extract_url("json", "b"), OTHER_SCHOOL,
         note="another school, JSON"),
    Case("privacy.extract", lambda w: "/elever/999999/registerutdrag.pdf",
         {**only("counsellor", 404), "coordinator": 404}, note="no such pupil"),
]


# --- evaluations (portal/feedback): the pupil's and the supervisor's links are the keys ---

def _finished_assignment(world: World, school: str = "a", org: str = "a",
                         answered: str = "") -> Any:
    """A confirmed pupil whose period ended last week (its evaluation is open)."""
    from portal.feedback import services
    from portal.feedback.models import Audience
    from portal.prao.services import Actor
    from tests.feedback.support import EMPLOYER_ANSWERS, finished

    last = monday_of(clock.today()) - timedelta(days=3)
    period = factories.PraoPeriodFactory(school=getattr(world, f"school_{school}"),
                                         first_day=last - timedelta(days=4), last_day=last)
    placement = factories.PlacementFactory(organisation=getattr(world, f"organisation_{org}"))
    assignment = finished(placement, getattr(world, f"school_{school}"), period=period)
    if answered == "employer":
        services.submit(assignment, Audience.EMPLOYER, services.current_form(Audience.EMPLOYER),
                        EMPLOYER_ANSWERS, Actor(None, "test"))
    return assignment


def _evaluation_pupil_url(world: World) -> str:
    from portal.schools.pupils.services import make_link_token

    return f"/elev/{make_link_token(_finished_assignment(world).enrolment)}/utvardering"


def _evaluation_link(suffix: str = "", pupil: bool = False,
                     answered: str = "") -> Callable[[World], str]:
    def build(world: World) -> str:
        from portal.feedback.links import evaluation_token

        assignment = _finished_assignment(world, answered=answered)
        token = evaluation_token(assignment.placement_id, [assignment.id],
                                 assignment.enrolment.period.last_day)
        return f"/handledare/utvardering/{token}" + (f"/{assignment.id}" if pupil else "") \
            + suffix
    return build


def _employer_evaluation_url(suffix: str = "", org: str = "a",
                             answered: str = "") -> Callable[[World], str]:
    return lambda w: (f"/arbetsgivare/utvarderingar/"
                      f"{_finished_assignment(w, org=org, answered=answered).id}{suffix}")


COORDINATOR_AND_COUNSELLOR = {**only("counsellor"), "coordinator": 200}

CASES += [
    Case("feedback.pupil", _evaluation_pupil_url, everyone(200), note="the link is the key"),
    Case("feedback.pupil", lambda w: "/elev/forfalskad/utvardering", everyone(404),
         note="forged"),
    Case("feedback.supervisor", _evaluation_link(), everyone(200), note="the link is the key"),
    Case("feedback.supervisor", lambda w: "/handledare/utvardering/forfalskad",
         everyone(404), note="forged"),
    Case("feedback.supervisor_pupil", _evaluation_link(pupil=True), everyone(200)),
    Case("feedback.supervisor_roll_over", _evaluation_link("/nasta-termin", pupil=True,
                                                          answered="employer"),
         everyone(200), method="POST", note="after a yes"),
    Case("feedback.employer", lambda w: "/arbetsgivare/utvarderingar", only("employer")),
    Case("feedback.employer_pupil", _employer_evaluation_url(), only("employer"), note="own"),
    Case("feedback.employer_pupil", _employer_evaluation_url(org="b"), only("employer", 404),
         note="another employer's pupil"),
    Case("feedback.employer_roll_over", _employer_evaluation_url("/nasta-termin",
                                                                 answered="employer"),
         only("employer", 302), method="POST", note="own"),
    Case("feedback.employer_roll_over", _employer_evaluation_url("/nasta-termin", org="b",
                                                                 answered="employer"),
         only("employer", 404), method="POST", note="another employer's"),
    Case("feedback.questions", lambda w: "/samordnare/utvardering/fragor", only("coordinator")),
    Case("feedback.edit_questions", lambda w: "/samordnare/utvardering/fragor/pupil",
         only("coordinator")),
    Case("feedback.edit_questions", lambda w: "/samordnare/utvardering/fragor/okand",
         only("coordinator", 404), note="no such audience"),
    Case("feedback.rates", lambda w: "/utvardering/svarsfrekvens", COORDINATOR_AND_COUNSELLOR),
    Case("feedback.texts", lambda w: "/samordnare/utvardering/fritext", only("coordinator")),
    Case("feedback.thanks", lambda w: "/samordnare/utvardering/tacka", only("coordinator")),
]


# The council's report: the coordinator and the council read it (aggregates only); the
# targets are the coordinator's. A municipality the user may not read: see tests/reports.
REPORT_READERS = {**only("council"), "coordinator": 200}
CASES += [
    Case("reports.report", lambda w: "/rapporter", REPORT_READERS),
    Case("reports.report", lambda w: f"/rapporter?lasar=2026&termin=spring&kommun="
         f"{w.municipality_a.id}", REPORT_READERS, note="one municipality and term"),
    Case("reports.export", lambda w: "/rapporter/coverage.csv", REPORT_READERS),
    Case("reports.export", lambda w: "/rapporter/wishes_met.xlsx", REPORT_READERS),
    Case("reports.export", lambda w: "/rapporter/finns-inte.csv",
         {**REPORT_READERS, "coordinator": 404, "council": 404}, note="no such indicator"),
    Case("reports.targets", lambda w: "/rapporter/mal", only("coordinator")),
    Case("reports.refresh", lambda w: "/rapporter/uppdatera?lasar=2026",
         only("coordinator", 302), method="POST", data={}),
    Case("reports.targets", lambda w: "/rapporter/mal", only("coordinator", 302),
         method="POST", data={"indicator": "coverage", "municipality": "",
                              "school_year": "2026", "value": "90"}),
]

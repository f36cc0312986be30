"""The checklist per assignment: the counsellor's pupils × steps with overdue steps flagged
and ticks in order, the coordinator's schools × completion, in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.prao import services
from portal.prao.models import StepRecord
from tests import factories
from tests.conftest import post_form
from tests.employers.placement_support import count_queries
from tests.prao.conftest import make_prao


def _steps(db, assignment) -> set[str]:
    return set(db.session.scalars(select(StepRecord.step).where(
        StepRecord.assignment_id == assignment.id)))


def test_counsellor_sees_pupils_by_steps_with_overdue_flagged(client, login_as, db, world,
                                                             set_clock):
    prao = make_prao(db, world)
    services.confirm(prao.first.id, prao.placement.id, services.Actor(None, "Hanna"))
    set_clock(datetime(2027, 3, 10, 12))  # pupil_prepared was due 8 March
    login_as("counsellor")
    page = client.get(f"/perioder/{prao.period.id}/checklista").get_data(as_text=True)
    assert "Elever och steg (2 elever)" in page
    assert "Elev0 Ek" in page and "Elev1 Ek" in page
    # Elev1: confirmation, risk assessment, preparation and guardians' letter are late;
    # Elev0 was confirmed, so only the preparation and the letter.
    assert page.count("4 försenade") == 1 and page.count("2 försenade") == 1
    assert "Hanna" in page  # who ticked the confirmation


def test_an_overdue_step_waiting_for_the_employer_has_no_tick_button(client, login_as, db,
                                                                    world, set_clock):
    """The letter to the guardians is late for both pupils, but it needs the employer's
    confirmation first: the unconfirmed pupil's cell says what it waits for, no button."""
    prao = make_prao(db, world)
    services.confirm(prao.first.id, prao.placement.id, services.Actor(None, "Hanna"))
    set_clock(datetime(2027, 3, 10, 12))  # guardians_informed was due 8 March
    login_as("counsellor")
    page = client.get(f"/perioder/{prao.period.id}/checklista").get_data(as_text=True)
    assert ": Vårdnadshavare informerade, Elev0 Ek</span></button>" in page
    assert ": Vårdnadshavare informerade, Elev1 Ek</span></button>" not in page
    assert ": Eleven förberedd i klassen, Elev1 Ek</span></button>" in page  # needs nothing
    unconfirmed = page[page.index(f'<tr id="elev-{prao.assignments[1].id}"'):]
    unconfirmed = unconfirmed[:unconfirmed.index("</tr>")]
    assert "Bocka av" in unconfirmed  # the preparation, which waits for nothing
    assert unconfirmed.count("Väntar på steg 2") == 4  # 2. Arbetsgivaren har bekräftat eleven
    client.get("/sprak/en")
    english = client.get(f"/perioder/{prao.period.id}/checklista").get_data(as_text=True)
    assert "Waiting for step 2" in english


def test_counsellor_ticks_own_steps_in_order_only(client, login_as, db, world, set_clock):
    prao = make_prao(db, world, pupils=1)
    set_clock(datetime(2027, 3, 1, 12))
    login_as("counsellor")
    url = f"/perioder/{prao.period.id}/checklista/{prao.first.id}"
    early = post_form(client, url, {"step": "guardians_informed"}, follow_redirects=True)
    assert "Först måste steget ”Arbetsgivaren har bekräftat eleven” vara klart." in \
        early.get_data(as_text=True)
    refused = post_form(client, url, {"step": "employer_confirmed"}, follow_redirects=True)
    assert "bockas inte av här" in refused.get_data(as_text=True)
    reflection = post_form(client, url, {"step": "class_reflection"}, follow_redirects=True)
    assert "tidigast 2027-03-26" in reflection.get_data(as_text=True)
    assert _steps(db, prao.first) == set()

    done = post_form(client, url, {"step": "pupil_prepared"}, follow_redirects=True)
    assert "Steget är avbockat." in done.get_data(as_text=True)
    assert _steps(db, prao.first) == {"pupil_prepared"}
    twice = post_form(client, url, {"step": "pupil_prepared"}, follow_redirects=True)
    assert "redan avbockat" in twice.get_data(as_text=True)
    record = db.session.scalars(select(StepRecord)).one()
    assert record.done_by_id == world.users["counsellor"].id


def test_ticking_another_periods_pupil_is_not_found(client, login_as, db, world):
    prao = make_prao(db, world, pupils=1)
    other = make_prao(db, world, pupils=1, grade=9)
    login_as("counsellor")
    url = f"/perioder/{other.period.id}/checklista/{prao.first.id}"
    assert post_form(client, url, {"step": "pupil_prepared"}).status_code == 404


def test_overviews_run_a_fixed_number_of_queries(client, login_as, db, world, set_clock):
    set_clock(datetime(2027, 3, 10, 12))
    login_as("counsellor")
    small, large = make_prao(db, world, pupils=2), make_prao(db, world, pupils=12, grade=9)
    for assignment in large.assignments[:6]:
        services.confirm(assignment.id, large.placement.id, services.Actor(None, "Hanna"))

    def queries(url: str) -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    for suffix in ("/checklista", ""):
        assert queries(f"/perioder/{small.period.id}{suffix}") == queries(
            f"/perioder/{large.period.id}{suffix}"), suffix


def test_coordinator_sees_schools_by_completion(client, login_as, db, world, set_clock):
    prao = make_prao(db, world, pupils=2)
    services.confirm(prao.first.id, prao.placement.id, services.Actor(None, "Hanna"))
    set_clock(datetime(2027, 3, 10, 12))
    login_as("coordinator")
    page = client.get("/samordnare/checklistor").get_data(as_text=True)
    # 2 of 22 steps done (confirmed and its risk assessment); 6 overdue.
    assert "Skola A" in page and "9 %" in page and "(2/22)" in page
    assert "<strong class=\"text-danger\">6</strong>" in page


def test_a_crafted_tick_is_refused_with_a_message_and_writes_nothing(client, login_as, db,
                                                                     world, set_clock):
    """The tick form goes through TickForm: an unknown step, NUL, a missing step."""
    from portal.audit import AuditEvent

    prao = make_prao(db, world, pupils=1)
    set_clock(datetime(2027, 3, 1, 12))
    login_as("counsellor")
    url = f"/perioder/{prao.period.id}/checklista/{prao.first.id}"
    # The page shown again is a read (audited as one); a change would be another action.
    changes = select(AuditEvent).where(AuditEvent.action.not_like("read%"))
    audits = len(db.session.scalars(changes).all())
    for step, message in (("no_such_step", "Det steget finns inte på checklistan."),
                          ("pupil_prepared\x00", "osynligt tecken"),
                          ("", "Det steget finns inte på checklistan.")):
        page = post_form(client, url, {"step": step}, follow_redirects=True)
        assert page.status_code == 200 and message in page.get_data(as_text=True), step
    assert _steps(db, prao.first) == set()
    assert len(db.session.scalars(changes).all()) == audits
    done = post_form(client, url, {"step": "pupil_prepared"}, follow_redirects=True)
    assert "Steget är avbockat." in done.get_data(as_text=True)
    assert _steps(db, prao.first) == {"pupil_prepared"}


def test_a_slip_ticked_today_is_undone_and_written_in_the_log(client, login_as, db, world,
                                                              set_clock):
    from portal.audit import AuditEvent

    prao = make_prao(db, world, pupils=1)
    set_clock(datetime(2027, 3, 1, 12))
    login_as("counsellor")
    checklist = f"/perioder/{prao.period.id}/checklista"
    url = f"{checklist}/{prao.first.id}"
    ticked = post_form(client, url, {"step": "pupil_prepared"}, follow_redirects=True)
    assert "Ångra<span class=\"visually-hidden\">: Eleven förberedd i klassen, Elev0 Ek" in \
        ticked.get_data(as_text=True)
    undone = post_form(client, f"{url}/angra", {"step": "pupil_prepared"},
                       follow_redirects=True)
    assert "Avbockningen är ångrad." in undone.get_data(as_text=True)
    assert _steps(db, prao.first) == set()
    again = post_form(client, f"{url}/angra", {"step": "pupil_prepared"}, follow_redirects=True)
    assert "Steget var inte avbockat: inget ändrades." in again.get_data(as_text=True)
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "step_unticked")).all()
    assert event.detail == "pupil_prepared" and event.user_id == world.users["counsellor"].id


def test_a_tick_of_yesterday_or_of_another_or_recorded_by_the_portal_stays(
        client, login_as, db, world, set_clock):
    prao = make_prao(db, world, pupils=1)
    # The employer's confirmation is recorded by the portal, not ticked on the checklist.
    services.confirm(prao.first.id, prao.placement.id, services.Actor(None, "Hanna"))
    set_clock(datetime(2027, 3, 1, 12))
    login_as("counsellor")
    url = f"/perioder/{prao.period.id}/checklista/{prao.first.id}"
    post_form(client, url, {"step": "pupil_prepared"})
    set_clock(datetime(2027, 3, 2, 9))
    page = client.get(f"/perioder/{prao.period.id}/checklista").get_data(as_text=True)
    assert ">Ångra<" not in page
    late = post_form(client, f"{url}/angra", {"step": "pupil_prepared"}, follow_redirects=True)
    assert "Bara en avbockning du själv gjorde i dag" in late.get_data(as_text=True)
    theirs = post_form(client, f"{url}/angra", {"step": "employer_confirmed"},
                       follow_redirects=True)
    assert "bockas inte av här" in theirs.get_data(as_text=True)
    assert _steps(db, prao.first) == {"pupil_prepared", "employer_confirmed", "risk_assessment"}


def test_a_step_a_later_step_needs_is_undone_after_it(client, login_as, db, world, set_clock):
    world.municipality_a.guardian_ack_required = True
    prao = make_prao(db, world, pupils=1)
    services.confirm(prao.first.id, prao.placement.id, services.Actor(None, "Hanna"))
    set_clock(datetime(2027, 3, 1, 12))
    login_as("counsellor")
    url = f"/perioder/{prao.period.id}/checklista/{prao.first.id}"
    for step in ("guardians_informed", "guardians_acknowledged"):
        post_form(client, url, {"step": step})
    assert {"guardians_informed", "guardians_acknowledged"} <= _steps(db, prao.first)
    first = post_form(client, f"{url}/angra", {"step": "guardians_informed"},
                      follow_redirects=True)
    assert "Ångra först steget ”Vårdnadshavare har kvitterat riskinformationen”." in \
        first.get_data(as_text=True)
    post_form(client, f"{url}/angra", {"step": "guardians_acknowledged"})
    post_form(client, f"{url}/angra", {"step": "guardians_informed"})
    assert {"guardians_informed", "guardians_acknowledged"}.isdisjoint(_steps(db, prao.first))


def test_a_step_the_letter_recorded_today_is_not_undone_by_hand(client, login_as, db, world,
                                                                set_clock):
    from portal.prao.models import GuardianNotice, NoticeChannel

    prao = make_prao(db, world, pupils=2)
    for assignment in prao.assignments:
        services.confirm(assignment.id, prao.placement.id, services.Actor(None, "Hanna"))
    set_clock(datetime(2027, 3, 1, 12))
    login_as("counsellor")
    checklist = f"/perioder/{prao.period.id}/checklista"
    for assignment in prao.assignments:
        post_form(client, f"{checklist}/{assignment.id}", {"step": "guardians_informed"})
    # The first pupil's guardians got the letter (it records the same step when sent).
    db.session.add(GuardianNotice(enrolment_id=prao.first.enrolment_id,
                                  assignment_id=prao.first.id, channel=NoticeChannel.EMAIL,
                                  email="vh@example.se"))
    db.session.commit()
    page = client.get(checklist).get_data(as_text=True)
    assert "Ångra<span class=\"visually-hidden\">: Vårdnadshavare informerade, Elev1 Ek" in page
    assert "Ångra<span class=\"visually-hidden\">: Vårdnadshavare informerade, Elev0 Ek" \
        not in page
    refused = post_form(client, f"{checklist}/{prao.first.id}/angra",
                        {"step": "guardians_informed"}, follow_redirects=True)
    assert "Bara en avbockning du själv gjorde i dag, för hand" in refused.get_data(as_text=True)
    assert "guardians_informed" in _steps(db, prao.first)


def test_the_regions_overview_reads_a_page_of_schools_at_a_time(client, login_as, db, world,
                                                                set_clock):
    from portal.prao.overview import region_completion

    first = make_prao(db, world, pupils=2)  # Skola A
    services.confirm(first.first.id, first.placement.id, services.Actor(None, "Hanna"))
    world.school_b.name = "Skola B"
    factories.AssignmentFactory(enrolment__period=factories.PraoPeriodFactory(
        school=world.school_b), enrolment__student__school=world.school_b)
    db.session.commit()
    set_clock(datetime(2027, 3, 10, 12))
    one, two = (region_completion(datetime(2027, 3, 10).date(), page, per_page=1)
                for page in (1, 2))
    assert (one.total, one.pages) == (2, 2)
    assert [(c.school.name, c.pupils, c.done) for c in one.items] == [("Skola A", 2, 2)]
    assert [(c.school.name, c.pupils, c.done) for c in two.items] == [("Skola B", 1, 0)]
    login_as("coordinator")
    # A page past the end is the last one, not an empty table.
    page = client.get("/samordnare/checklistor?sida=99").get_data(as_text=True)
    assert "Skola A" in page and "Skola B" in page

"""The coordinator manages staff accounts: finds one, changes its role or scope, switches it
off (it is signed out everywhere and cannot sign in) and on again."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal.accounts import services
from portal.accounts.models import Role, User
from portal.audit import AuditEvent
from tests import factories
from tests.conftest import login, new_client, post_form


def _user_page(client, user):
    return client.get(f"/anvandare/{user.id}").get_data(as_text=True)


def test_the_list_finds_an_account_by_name_or_address_and_links_to_it(client, world, login_as):
    login_as("coordinator")
    counsellor = world.users["counsellor"]
    found = client.get("/anvandare?q=SYV@exempel").get_data(as_text=True)
    assert f'href="/anvandare/{counsellor.id}"' in found
    assert "chef@exempel.se" not in found
    none = client.get("/anvandare?q=ingen-sadan").get_data(as_text=True)
    assert "Ingen användare matchar sökningen." in none
    # A wildcard is a character to look for, not "everything".
    assert "Ingen användare matchar sökningen." in client.get("/anvandare?q=%25").get_data(
        as_text=True)


def test_a_switched_off_account_is_signed_out_everywhere_and_cannot_sign_in(
        app, client, world, login_as, db):
    counsellor = world.users["counsellor"]
    their_browser = new_client(app)
    assert login(their_browser, counsellor.email).status_code == 302
    assert their_browser.get("/syv").status_code == 200

    login_as("coordinator")
    response = post_form(client, f"/anvandare/{counsellor.id}/stang-av", {},
                         follow_redirects=True)
    assert "är avstängd och utloggad överallt" in response.get_data(as_text=True)
    assert "Avstängd" in _user_page(client, counsellor)

    assert their_browser.get("/syv").status_code == 302  # sent to sign in
    again = login(new_client(app), counsellor.email)
    assert again.status_code == 200
    assert "Ditt konto är avstängt" in again.get_data(as_text=True)
    # Someone without the password learns nothing: the usual message.
    guess = login(new_client(app), counsellor.email, "fel lösenord helt och hållet")
    assert "Ditt konto är avstängt" not in guess.get_data(as_text=True)
    assert "Fel e-postadress eller lösenord." in guess.get_data(as_text=True)

    post_form(client, f"/anvandare/{counsellor.id}/oppna", {})
    assert login(new_client(app), counsellor.email).status_code == 302
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "User", AuditEvent.object_id == str(counsellor.id),
        AuditEvent.user_id == world.users["coordinator"].id)).all()
    assert sorted(actions) == ["user_blocked", "user_reopened"]


def test_switching_off_twice_says_it_already_was(client, world, login_as):
    login_as("coordinator")
    council = world.users["council"]
    post_form(client, f"/anvandare/{council.id}/stang-av", {})
    again = post_form(client, f"/anvandare/{council.id}/stang-av", {}, follow_redirects=True)
    assert "var redan avstängd" in again.get_data(as_text=True)


def test_a_coordinator_cannot_switch_off_or_demote_themselves(client, world, login_as, db):
    me = login_as("coordinator")
    page = _user_page(client, me)
    assert "Stäng av kontot" not in page
    refused = post_form(client, f"/anvandare/{me.id}/stang-av", {}, follow_redirects=True)
    assert "Du kan inte stänga av ditt eget konto." in refused.get_data(as_text=True)
    assert "Spara behörigheten" not in page  # no form for one's own role
    assert "Din roll kan bara en annan samordnare ändra." in page
    post_form(client, f"/anvandare/{me.id}", {"role": "council", "municipality": "0"})
    with pytest.raises(services.AccountError) as refused:
        services.change_access(me, me.id, role=Role.COUNCIL, school_ids=[],
                               municipality_id=None)
    assert "Du kan inte ändra din egen roll." in str(refused.value.message)
    db.session.refresh(me)
    assert me.active and me.role is Role.COORDINATOR


def test_a_counsellor_moved_to_another_school(
        client, world, login_as, db):
    login_as("coordinator")
    counsellor = world.users["counsellor"]
    form = _user_page(client, counsellor)
    assert 'selected value="counsellor"' in form  # the form shows the account as it is
    saved = post_form(client, f"/anvandare/{counsellor.id}", {
        "role": "counsellor", "schools": [str(world.school_b.id)], "municipality": "0"},
        follow_redirects=True)
    assert "Behörigheten är ändrad." in saved.get_data(as_text=True)
    db.session.refresh(counsellor)
    assert [s.id for s in counsellor.schools] == [world.school_b.id]
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user_access_changed")).all()
    assert event.detail == "counsellor (Skola A) -> counsellor (Skola B)"

    same = post_form(client, f"/anvandare/{counsellor.id}", {
        "role": "counsellor", "schools": [str(world.school_b.id)], "municipality": "0"},
        follow_redirects=True)
    assert "Inget ändrades" in same.get_data(as_text=True)


def test_a_counsellor_without_a_school_is_refused_beside_the_field(client, world, login_as, db):
    login_as("coordinator")
    counsellor = world.users["counsellor"]
    refused = post_form(client, f"/anvandare/{counsellor.id}",
                        {"role": "counsellor", "municipality": "0"})
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert "Välj minst en skola" in page
    # The error summary's link lands on the list of schools.
    assert 'href="#schools"' in page and '<fieldset class="mb-3" id="schools"' in page
    db.session.refresh(counsellor)
    assert [s.id for s in counsellor.schools] == [world.school_a.id]


def test_a_council_member_moved_to_one_municipality(client, world, login_as, db):
    login_as("coordinator")
    council = world.users["council"]
    post_form(client, f"/anvandare/{council.id}", {
        "role": "council", "municipality": str(world.municipality_b.id)})
    db.session.refresh(council)
    assert council.municipality_id == world.municipality_b.id


def test_an_employer_account_keeps_its_role(client, world, login_as, db):
    login_as("coordinator")
    employer = world.users["employer"]
    page = _user_page(client, employer)
    assert "Arbetsgivare A" in page and "Spara behörigheten" not in page
    post_form(client, f"/anvandare/{employer.id}", {"role": "coordinator", "municipality": "0"})
    db.session.refresh(employer)
    assert employer.role is Role.EMPLOYER


def test_a_role_change_takes_effect_on_the_next_page(app, client, world, login_as, db):
    council = world.users["council"]
    their_browser = new_client(app)
    login(their_browser, council.email)
    assert their_browser.get("/rad").status_code == 200
    login_as("coordinator")
    post_form(client, f"/anvandare/{council.id}", {
        "role": "counsellor", "schools": [str(world.school_a.id)], "municipality": "0"})
    assert their_browser.get("/rad").status_code == 403
    assert their_browser.get("/syv").status_code == 200


def test_the_page_speaks_english(client, world, login_as):
    login_as("coordinator")
    client.get("/sprak/en?next=/")
    page = _user_page(client, world.users["counsellor"])
    assert "Switch the account off" in page and "Stäng av" not in page


def test_a_coordinator_switched_off_a_moment_ago_can_no_longer_manage(world, db):
    """Two coordinators switching each other off at the same moment: the second to get the
    lock finds itself switched off and is refused, so the region keeps a coordinator."""
    me = world.users["coordinator"]
    other = factories.UserFactory(role=Role.COORDINATOR, email="andra@exempel.se")
    db.session.flush()
    # The other coordinator's request committed first; this request loaded `me` before it.
    db.session.execute(update(User).where(User.id == me.id).values(active=False)
                       .execution_options(synchronize_session=False))
    with pytest.raises(services.AccountError) as refused:
        services.set_active(me, other.id, False)
    assert "får inte längre hantera användare" in str(refused.value.message)
    assert db.session.get(User, other.id).active


def test_an_invited_account_opened_again_gets_a_new_invitation_that_works(
        app, client, world, login_as, db, mailbox):
    import re

    from portal.notifications.worker import send_due

    login_as("coordinator")
    post_form(client, "/anvandare/bjud-in", {
        "name": "Nina Ny", "email": "nina@skola.se", "role": "council", "municipality": "0"})
    nina = db.session.scalars(select(User).filter_by(email="nina@skola.se")).one()
    send_due()
    [first] = mailbox.to("nina@skola.se")
    post_form(client, f"/anvandare/{nina.id}/stang-av", {})
    reopened = post_form(client, f"/anvandare/{nina.id}/oppna", {}, follow_redirects=True)
    assert "en ny inbjudan ligger i utkorgen" in reopened.get_data(as_text=True)
    send_due()
    first_link, second_link = (
        re.search(r"http://portal\.test(/inbjudan/[^\s\"<]+)",
                  m.get_body(preferencelist=("plain",)).get_content()).group(1)
        for m in mailbox.to("nina@skola.se"))
    assert first_link != second_link
    assert new_client(app).get(first_link).status_code == 400  # died with the switch-off
    browser = new_client(app)
    password = "blåbär och lingon i september"
    post_form(browser, second_link, {"password": password, "confirm": password})
    assert browser.get("/rad").status_code == 200
    assert first["Subject"] == "Du är inbjuden till Praoportalen"


def test_a_school_not_in_the_list_is_refused_in_the_portals_words(client, world, login_as, db):
    login_as("coordinator")
    counsellor = world.users["counsellor"]
    refused = post_form(client, f"/anvandare/{counsellor.id}", {
        "role": "counsellor", "schools": ["99999"], "municipality": "0"})
    page = refused.get_data(as_text=True)
    assert "Välj bland alternativen i listan." in page
    assert "giltigt val" not in page and "valid choice" not in page
    db.session.refresh(counsellor)
    assert [s.id for s in counsellor.schools] == [world.school_a.id]

"""The council report's snapshot: stored Tables read back equal, read while fresh, computed
again when old or on a miss, refreshed by the jobs command once an hour (a closed year
once), refreshed by the coordinator, and suppressed when shown, not when stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from portal import clock
from portal.jobs import run_due
from portal.reports import charts, snapshots
from portal.reports.models import ReportRefresh, ReportSnapshot
from portal.reports.registry import INDICATORS
from portal.reports.tables import Scope, table_from_json, table_to_json
from portal.schools.gender import Gender
from tests.conftest import post_form
from tests.reports.data import AUTUMN, attend, period, place, pupil

NOW = datetime(2026, 11, 20, 10)
SCOPE = Scope(2026)


@pytest.fixture
def stored(app) -> Iterator[None]:
    """Snapshots kept for an hour, as in production (the tests' config computes every read)."""
    app.config["REPORT_SNAPSHOT_MAX_AGE"] = 3600
    yield
    app.config["REPORT_SNAPSHOT_MAX_AGE"] = 0


@pytest.fixture
def autumn(db, world, set_clock):
    """Six pupils of school A with ten days each in autumn 2026."""
    set_clock(NOW)
    autumn_a = period(world.school_a, AUTUMN)
    for _ in range(6):
        attend(place(pupil(autumn_a)), "P" * 10)
    db.session.commit()
    return autumn_a


def _add_pupils(db, in_period, count):
    for _ in range(count):
        attend(place(pupil(in_period)), "P" * 10)
    db.session.commit()


def _coverage(found: snapshots.Snapshot) -> float:
    table = found.tables["coverage"]
    return table.total.cells[0].value if table.total else -1.0


def test_every_indicator_reads_back_equal(autumn):
    for key, function, _section in INDICATORS:
        table = function(SCOPE)
        assert table_from_json(table_to_json(table)) == table, key


def test_a_reader_gets_the_stored_snapshot_and_the_job_refreshes_it(autumn, stored, db,
                                                                    set_clock):
    """Readers never compute a stored snapshot again, however old (the whole country's takes
    half a minute): the jobs command does, once it is an hour old."""
    assert snapshots.refresh_due() == 6  # the region and two municipalities, two years
    first = snapshots.read(SCOPE)
    _add_pupils(db, autumn, 3)
    set_clock(NOW + timedelta(minutes=59))
    assert snapshots.read(SCOPE).tables == first.tables  # stored: the new pupils not yet
    assert snapshots.refresh_due() == 0
    set_clock(NOW + timedelta(hours=5))  # the jobs command has not run meanwhile
    assert snapshots.read(SCOPE).computed_at == first.computed_at
    assert snapshots.read_page(SCOPE).computed_at == first.computed_at
    assert snapshots.refresh_due() == 3  # this school year's; last year's ended: kept
    again = snapshots.read(SCOPE)
    assert again.tables["coverage"] != first.tables["coverage"]
    assert again.computed_at == clock.now()
    # Each school year's scopes are computed together, their terms too: 2 years of 9.
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 18


def test_a_scope_never_computed_is_computed_for_its_first_reader(autumn, stored, db):
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 0
    assert snapshots.read_page(SCOPE).computed_at == clock.now()
    # With the rest of its school year (suppressed together): the region and the two
    # municipalities, each for the year and for either term.
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 9


def test_the_tests_config_computes_on_every_read(autumn, db):
    first = snapshots.read(SCOPE)
    _add_pupils(db, autumn, 3)
    assert snapshots.read(SCOPE).tables["coverage"] != first.tables["coverage"]


def test_a_closed_year_computed_after_it_ended_is_kept(autumn, stored, db, set_clock):
    set_clock(datetime(2027, 8, 1, 9))  # 2026/27 has ended
    first = snapshots.read(SCOPE)
    _add_pupils(db, autumn, 3)  # a late correction: the closed year's snapshot stays
    set_clock(datetime(2028, 1, 1, 9))
    assert snapshots.read(SCOPE).tables == first.tables


def test_the_job_computes_each_scope_once_an_hour(autumn, world, stored, db, set_clock):
    scopes = snapshots.job_scopes()
    # the region and both municipalities, this school year and the last
    assert len(scopes) == 6
    first = run_due(send_mail=False)
    assert first.done["rapporter"] == 6 and not first.errors
    assert run_due(send_mail=False).done["rapporter"] == 0  # idempotent
    set_clock(NOW + timedelta(minutes=61))
    # This school year again; last year's was computed after it ended: kept.
    assert run_due(send_mail=False).done["rapporter"] == 3


def test_kept_fresh_says_whether_a_reader_would_be_shown_it_without_computing(
        autumn, stored, set_clock):
    """The load test leaves a snapshot the jobs command would leave alone (benchmarks/load.py)."""
    assert not snapshots.kept_fresh(SCOPE)  # none stored
    snapshots.compute_year(2026, set())
    assert not snapshots.kept_fresh(SCOPE)  # stored, its charts not drawn
    snapshots.compute_year(2026, {SCOPE})
    assert snapshots.kept_fresh(SCOPE)
    set_clock(NOW + timedelta(minutes=61))
    assert not snapshots.kept_fresh(SCOPE)  # the current school year: an hour old


def test_the_page_says_when_and_the_coordinator_refreshes(autumn, stored, db, client,
                                                          login_as, set_clock):
    login_as("coordinator")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert "Uppdaterad 2026-11-20 10:00." in page
    before = snapshots.read(SCOPE)
    _add_pupils(db, autumn, 3)
    set_clock(NOW + timedelta(minutes=5))
    response = post_form(client, "/rapporter/uppdatera?lasar=2026", {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/rapporter?lasar=2026")
    after = snapshots.read(SCOPE)
    assert after.computed_at == clock.now()
    assert _coverage(after) != _coverage(before)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rapporten är uppdaterad." in page and "10:05" in page


def _queued(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ReportRefresh)) or 0


def test_a_slow_scope_is_queued_once_and_the_jobs_command_computes_it(
        autumn, stored, app, db, client, login_as, set_clock):
    """At national scale a scope takes longer than a request may run: when its last
    computation took longer than REPORT_REFRESH_INLINE_SECONDS, "update now" queues it
    (once, however often it is pressed), the page says so, and the jobs command's next
    round computes it."""
    app.config["REPORT_REFRESH_INLINE_SECONDS"] = 0  # every computation is too slow
    assert snapshots.refresh_due() == 6  # every scope fresh
    before = snapshots.read(SCOPE)
    _add_pupils(db, autumn, 3)
    set_clock(NOW + timedelta(minutes=5))
    login_as("coordinator")
    for _ in range(2):
        response = post_form(client, "/rapporter/uppdatera?lasar=2026", {})
        assert response.status_code == 302
    assert snapshots.read(SCOPE).computed_at == before.computed_at
    assert _queued(db) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Uppdateringen är beställd." in page
    assert "En uppdatering beställdes 2026-11-20 10:05" in page
    assert "Uppdaterad 2026-11-20 10:00." in page

    set_clock(NOW + timedelta(minutes=6))
    assert run_due(send_mail=False).done["rapporter"] == 1  # the queued one only
    after = snapshots.read(SCOPE)
    assert after.computed_at == clock.now() and _coverage(after) != _coverage(before)
    assert _queued(db) == 0
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert "beställdes" not in page and "Uppdaterad 2026-11-20 10:06." in page


def test_a_refresh_asked_for_while_computing_is_computed_again(autumn, stored, db,
                                                               set_clock, monkeypatch):
    snapshots.request_refresh(SCOPE)
    compute = snapshots.compute

    def asked_again_meanwhile(scope, drawn=True):
        set_clock(NOW + timedelta(minutes=1))
        snapshots.request_refresh(scope)  # the figures below may predate this request
        return compute(scope, drawn)

    monkeypatch.setattr(snapshots, "compute", asked_again_meanwhile)
    assert snapshots.refresh_requested() == 1
    assert _queued(db) == 1
    monkeypatch.setattr(snapshots, "compute", compute)
    assert snapshots.refresh_requested() == 1
    assert _queued(db) == 0
    assert snapshots.refresh_requested() == 0


def test_a_snapshot_keeps_how_long_it_took(autumn, stored, db):
    snapshots.refresh_due()
    took = snapshots.compute_seconds(SCOPE)
    assert took is not None and 0 < took < 600


def test_a_later_request_is_never_moved_back_by_a_clock_behind(autumn, stored, db,
                                                              set_clock):
    snapshots.request_refresh(SCOPE)
    set_clock(NOW - timedelta(minutes=2))  # another server, its clock two minutes behind
    snapshots.request_refresh(SCOPE)
    stored_at = db.session.scalar(select(ReportRefresh.requested_at))
    assert clock.local(stored_at).replace(tzinfo=None) == NOW


def test_a_queued_scope_that_fails_is_given_up_and_blocks_nothing(
        autumn, stored, db, set_clock, monkeypatch, caplog):
    other = Scope(2026, autumn.school.municipality_id)
    snapshots.request_refresh(SCOPE)
    set_clock(NOW + timedelta(seconds=1))
    snapshots.request_refresh(other)
    compute = snapshots.compute

    def fails_for_the_region(scope, drawn=True):
        if scope == SCOPE:
            raise RuntimeError("statement timeout")
        return compute(scope, drawn)

    monkeypatch.setattr(snapshots, "compute", fails_for_the_region)
    assert snapshots.refresh_requested() == 1  # the municipality's, after the failure
    assert _queued(db) == 0
    assert snapshots.compute_seconds(other) is not None
    # The region is computed with the municipality's school year all the same.
    assert snapshots.read_page(SCOPE).computed_at == snapshots.read(other).computed_at
    assert "report refresh of 2026-region-year failed" in caplog.text


def test_a_queued_scope_is_computed_by_one_jobs_runner_at_a_time(autumn, stored, db,
                                                                 set_clock):
    """Several servers run the jobs: a scope another runner has taken on is left to it,
    until ten minutes have passed (that runner may have died); then it is taken over."""
    snapshots.request_refresh(SCOPE)
    db.session.execute(update(ReportRefresh).values(claimed_at=clock.now()))  # another's
    db.session.commit()
    assert snapshots.refresh_requested() == 0
    assert _queued(db) == 1 and snapshots.compute_seconds(SCOPE) is None
    set_clock(NOW + timedelta(minutes=11))
    assert snapshots.refresh_requested() == 1
    assert _queued(db) == 0 and snapshots.compute_seconds(SCOPE) is not None


def test_the_council_cannot_refresh_and_sees_no_button(autumn, client, login_as):
    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert "Uppdatera nu" not in page and "Uppdaterad" in page
    assert post_form(client, "/rapporter/uppdatera?lasar=2026", {}).status_code == 403


def test_stored_unsuppressed_and_shown_suppressed(db, world, stored, set_clock, client,
                                                  login_as):
    """Three pupils at school B: the snapshot keeps 3 (so suppression can decide), the
    page shows "<5"."""
    set_clock(NOW)
    _add_pupils(db, period(world.school_b, AUTUMN), 3)
    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    stored_coverage = snapshots.read(SCOPE).tables["equity_schools"]
    assert [r.cells[0].value for r in stored_coverage.rows] == [3.0]
    assert "&lt;5" in page


def test_a_reader_of_an_unchanged_snapshot_gets_it_parsed_once(autumn, stored, set_clock):
    snapshots.read(SCOPE)
    set_clock(NOW + timedelta(minutes=10))
    first = snapshots.read(SCOPE)
    assert snapshots.read(SCOPE) is first  # one small query, no JSON parsed again
    assert first.shown("coverage") is first.shown("coverage")
    set_clock(NOW + timedelta(minutes=61))
    assert snapshots.read(SCOPE) is first  # old, but still the stored one: the job refreshes


def _chart(page: str, key: str) -> str:
    """The <svg> of one indicator on the page."""
    start = page.index(f'<svg role="img" aria-labelledby="{key}-title')
    return page[start:page.index("</svg>", start)]


@pytest.fixture
def figures_made(monkeypatch) -> list[int]:
    """How many matplotlib figures are made: one per chart drawn."""
    made: list[int] = []
    real = charts.plt.figure

    def counted(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(charts.plt, "figure", counted)
    charts.render.cache_clear()  # nothing drawn earlier in the process is reused
    return made


def test_a_reader_draws_no_chart_they_come_with_the_snapshot(autumn, stored, client,
                                                              login_as, set_clock,
                                                              figures_made):
    """Computing the snapshot draws each chart once per language; reading the report (in
    either language, or the council's start page) draws none."""
    login_as("council")
    first = client.get("/rapporter?lasar=2026").get_data(as_text=True)  # the miss
    charted = first.count("<svg")
    assert charted >= 4  # the others' every figure is hidden: no chart
    # This year's charts in Swedish and English; last year's snapshot, read for its
    # headlines, has none until someone reads that year.
    assert len(figures_made) == 2 * charted
    figures_made.clear()
    charts.render.cache_clear()
    set_clock(NOW + timedelta(minutes=30))
    again = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert again.count("<svg") == charted
    assert _chart(again, "coverage") == _chart(first, "coverage")
    client.get("/sprak/en")
    assert client.get("/rapporter?lasar=2026").get_data(as_text=True).count("<svg") == charted
    assert "Against the targets" in client.get("/rad").get_data(as_text=True)
    assert figures_made == []
    set_clock(NOW + timedelta(minutes=61))  # old: still read as stored, nothing drawn …
    client.get("/rapporter?lasar=2026")
    assert figures_made == []
    snapshots.refresh_due()  # … until the jobs command computes it: each chart in sv and en
    assert len(figures_made) >= 2 * charted


def test_the_charts_follow_the_readers_language(autumn, stored, client, login_as):
    login_as("council")
    swedish = _chart(client.get("/rapporter?lasar=2026").get_data(as_text=True), "coverage")
    client.get("/sprak/en")
    english = _chart(client.get("/rapporter?lasar=2026").get_data(as_text=True), "coverage")
    assert '<title id="coverage-title">Elever med minst tio praodagar</title>' in swedish
    assert '<title id="coverage-title">Pupils with at least ten prao days</title>' in english
    assert 'aria-labelledby="coverage-title coverage-desc"' in english
    assert "Totalt" in swedish and "Total" in english and "Totalt" not in english
    assert "Skola A" in swedish and "Skola A" in english  # data stays as it is


def test_sector_names_follow_the_reader_not_who_computed_the_snapshot(db, autumn, stored,
                                                                     client, login_as):
    """The snapshot is computed once, here by a Swedish reader; an English reader of the same
    snapshot sees the sectors, in the tables and in the charts, named in English."""
    for _ in range(5):  # boys beside the six girls: the sector's share of girls is shown
        attend(place(pupil(autumn, gender=Gender.BOY)), "P" * 10)
    db.session.commit()
    login_as("council")
    swedish = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    client.get("/sprak/en")
    english = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert "Hotell, restaurang, storhushåll" in swedish
    assert "Hotels, restaurants, catering" in english
    assert "Hotell, restaurang" not in english
    assert "Hotels, restaurants, catering" in _chart(english, "gender_per_sector")


@pytest.fixture
def sections_rendered(app) -> Iterator[list[str]]:
    """The report sections' renderings (templates/reports/_sections.html), by language."""
    from flask import template_rendered
    from flask_babel import get_locale

    made: list[str] = []

    def record(_sender, template, **_kw):
        if template.name == "reports/_sections.html":
            made.append(str(get_locale()))

    template_rendered.connect(record, app)
    yield made
    template_rendered.disconnect(record, app)


def test_a_stored_snapshot_is_rendered_once_per_language_target_and_refresh(
        autumn, stored, db, client, login_as, set_clock, world, sections_rendered):
    """Every reader of a stored snapshot gets the same sections: rendered once per language,
    again when a target changes or the snapshot is computed again."""
    from portal.reports import services

    snapshots.refresh_due()  # as the jobs command keeps them
    login_as("council")
    first = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert client.get("/rapporter?lasar=2026").get_data(as_text=True) == first
    assert sections_rendered == ["sv"]
    assert services.set_target(world.users["coordinator"], "coverage", None, 2026, 92.5)
    targeted = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert "92,5\u00a0%" in targeted and "92,5\u00a0%" not in first
    client.get("/sprak/en")
    english = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert "Participation" in english and "92.5\u00a0%" in english
    assert sections_rendered == ["sv", "sv", "en"]
    _add_pupils(db, autumn, 3)
    set_clock(NOW + timedelta(minutes=5))
    snapshots.compute(SCOPE)  # the jobs command or the coordinator's "update now"
    again = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert sections_rendered == ["sv", "sv", "en", "en"]
    assert again != english and "10:05" in again


def test_a_year_another_runner_is_computing_is_left_to_it(autumn, stored, db, set_clock):
    """`flask jobs run` starts every minute on every server, and a country's school year
    takes minutes: while one runner computes a year, the others leave it alone, unless
    its claim is so old that the runner must have died."""
    from portal.reports.models import ReportYearClaim

    db.session.add(ReportYearClaim(school_year=2026, claimed_at=clock.now()))
    db.session.commit()
    assert snapshots.refresh_due() == 3  # last year's only: this year is being computed
    assert snapshots.compute_seconds(SCOPE) is None
    set_clock(NOW + snapshots.YEAR_CLAIM_FOR + timedelta(minutes=1))
    assert snapshots.refresh_due() == 3  # taken over
    assert snapshots.compute_seconds(SCOPE) is not None
    # Done, the claim is given back: the next hour's runner computes the year again.
    assert db.session.get(ReportYearClaim, 2026).claimed_at is None


def test_a_runner_taken_over_leaves_the_claim_of_the_one_that_took_over(db, set_clock):
    """A runner slower than the claim's lease finishes after another took the year over:
    giving its claim back must not free the year for a third runner."""
    from portal.reports.models import ReportYearClaim

    set_clock(NOW)
    slow = snapshots._claim_year(2026)
    set_clock(NOW + snapshots.YEAR_CLAIM_FOR + timedelta(minutes=1))
    took_over = snapshots._claim_year(2026)
    assert slow is not None and took_over is not None
    snapshots._release_year(2026, slow)
    db.session.expire_all()
    assert db.session.get(ReportYearClaim, 2026).claimed_at == took_over
    assert snapshots._claim_year(2026) is None  # a third runner leaves the year alone
    snapshots._release_year(2026, took_over)
    assert snapshots._claim_year(2026) is not None


def test_the_jobs_send_their_emails_before_computing_the_reports(autumn, stored, db, mailbox,
                                                                 monkeypatch):
    """A country's reports take minutes: the emails a run queued (a 10:00 alert, say) are
    handed to the mail server first, not after them."""
    from portal.notifications.models import OutboxEmail, OutboxStatus
    from tests import factories

    factories.OutboxEmailFactory(recipient="syv@skola.se")
    db.session.commit()
    seen = []

    def computing(year: int, drawn: object) -> None:  # noqa: ARG001
        seen.append(db.session.scalar(select(OutboxEmail.status)))
    monkeypatch.setattr(snapshots, "compute_year", computing)
    run_due(send_mail=True)
    assert seen and seen[0] is OutboxStatus.SENT
    assert mailbox.to("syv@skola.se")

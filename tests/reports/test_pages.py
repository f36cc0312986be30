"""The report pages and exports as the council and the coordinator get them: no pupil's
name anywhere, one municipality's council kept to it, exports that parse back, targets."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.extensions import db as _db
from portal.prao.models import AssignmentSource
from portal.reports.models import CouncilTarget
from portal.reports.registry import by_key
from portal.schools.models import Municipality, PraoPeriod
from tests import factories
from tests.conftest import login, new_client, post_form, statements_sent
from tests.reports.data import AUTUMN, attend, period, place, pupil

NAMES = ("Zyxelinda", "Qvarnbergsdottir", "Xanthippe-Ölund")
# A class no page writes otherwise: "9Z" also turned up inside random CSRF tokens.
CLASS = "9ÅZ"
INDICATORS = tuple(by_key())


@pytest.fixture
def report_data(db, world, set_clock):
    """Autumn 2026 at school A (Luleå): 14 pupils with distinctive names, 9 with ten days
    (five without: a share leaving fewer than five outside it is hidden), 2 with their own
    placement; school B (Piteå): 6 pupils. A school named like a formula."""
    set_clock(datetime(2026, 11, 20, 10))
    world.school_b.name = "=HYPERLINK(\"http://x\")"
    autumn_a, autumn_b = period(world.school_a, AUTUMN), period(world.school_b, AUTUMN)
    for k in range(14):
        enrolment = pupil(autumn_a, first_name=NAMES[k % 3], last_name=NAMES[(k + 1) % 3],
                          class_name=CLASS, needs=1 if k < 6 else 0)
        source = AssignmentSource.OWN if k < 2 else AssignmentSource.MATCHING
        attend(place(enrolment, source=source), "P" * (10 if k < 9 else 6))
    for _ in range(6):
        attend(place(pupil(autumn_b, first_name=NAMES[0])), "P" * 10)
    db.session.commit()
    return world


def _pages(client, world) -> list[tuple[str, str]]:
    urls = ["/rad", "/rapporter", f"/rapporter?kommun={world.municipality_a.id}",
            "/rapporter?termin=autumn", "/rapporter?lasar=2025"]
    urls += [f"/rapporter/{key}.{ext}" for key in INDICATORS for ext in ("csv", "xlsx")]
    found = []
    for url in urls:
        response = client.get(url)
        if url == "/rad" and response.status_code == 403:
            continue  # the coordinator has its own start page
        assert response.status_code == 200, url
        body = response.get_data()
        if url.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(body))
            text = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
        else:
            text = body.decode("utf-8-sig")
        found.append((url, text))
    return found


@pytest.mark.parametrize("role", ["council", "coordinator"])
def test_no_report_page_or_export_names_a_pupil(app, client, report_data, login_as, role,
                                                monkeypatch):
    # Read as in production, from the school year's snapshots computed at the first read:
    # computing the year's nine scopes again for each of some fifty pages adds nothing here.
    monkeypatch.setitem(app.config, "REPORT_SNAPSHOT_MAX_AGE", 3600)
    login_as(role)
    pages = _pages(client, report_data)
    assert len(pages) >= 20
    for url, text in pages:
        for name in (*NAMES, CLASS):
            assert name not in text, (url, name)
    report = dict(pages)["/rapporter"]
    assert "Skola A" in report and "<svg" in report  # real figures, not an empty page


def test_csv_export_parses_back_with_suppression_and_no_formula(client, db, report_data,
                                                               login_as):
    login_as("council")
    response = client.get("/rapporter/coverage.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # said once
    assert "coverage-2026-27.csv" in response.headers["Content-Disposition"]
    # Another filter, another file name: a municipality by its kommunkod, a term.
    municipality = db.session.scalars(select(Municipality)).first()
    other = client.get(f"/rapporter/coverage.csv?kommun={municipality.id}&termin=autumn")
    assert f"coverage-2026-27-{municipality.code}-ht.csv" in other.headers[
        "Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Skola", "Elever", "Minst tio dagar (%)"]
    by_school = {r[0]: r[1:] for r in rows[1:]}
    # School A: 9 of 14 with ten days. School B's six all did, so its share is shown; the
    # formula-like name is neutralised with a leading quote.
    assert by_school["Skola A"] == ["14", "64,3"]
    assert by_school["'=HYPERLINK(\"http://x\")"] == ["6", "100,0"]
    assert by_school["Totalt"] == ["20", "75,0"]


def test_xlsx_export_parses_back_with_suppressed_cells(client, report_data, login_as):
    login_as("council")
    response = client.get("/rapporter/placement_source.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Skola", "Genom portalen (%)", "Eget nätverk (%)"]
    # Two own placements of school A's 14: both its shares leave fewer than five on one
    # side, but only the 2 are a small group ("<5"); the 12 are hidden for them (".."),
    # and so are the total's. School B's six all came through the portal: 0 % own is a
    # small group, and its 100 % is hidden with it (".."), or it would say the other share
    # is 0 %. In a column of per cent the small group says it counts pupils.
    assert sorted(rows[1:]) == [["'=HYPERLINK(\"http://x\")", "..", "<5 elever"],
                                ["Skola A", "..", "<5 elever"], ["Totalt", "..", "<5 elever"]]
    assert isinstance(load_workbook(io.BytesIO(client.get(
        "/rapporter/coverage.xlsx").get_data())).active.cell(2, 2).value, int)


def test_a_municipality_council_reads_only_its_municipality(app, db, report_data):
    council = factories.UserFactory(role=Role.COUNCIL, email="rad.lulea@exempel.se",
                                    municipality=report_data.municipality_a)
    db.session.commit()
    client = new_client(app)
    assert login(client, council.email).status_code == 302
    page = client.get("/rapporter").get_data(as_text=True)
    assert "Skola A" in page and "HYPERLINK" not in page
    assert "Hela regionen" not in page  # no region choice offered
    assert f"Gäller {report_data.municipality_a.name}." in page
    other = report_data.municipality_b.id
    assert client.get(f"/rapporter?kommun={other}").status_code == 404
    assert client.get(f"/rapporter/coverage.csv?kommun={other}").status_code == 404
    start = client.get("/rad").get_data(as_text=True)
    assert "Läget mot målen" in start and "HYPERLINK" not in start


def test_a_municipality_not_yet_in_the_kept_list_is_still_named(db, report_data):
    """The filter's list is kept a minute: a council member's own municipality made
    meanwhile is named from the database, not left out as if the page were the region's."""
    from portal.reports import services
    from portal.reports.tables import Scope

    scope = Scope(2026, report_data.municipality_a.id)
    assert services.municipality_name(scope, []) == report_data.municipality_a.name
    assert services.municipality_name(Scope(2026, None), []) is None


def test_the_municipality_filter_shows_the_report_it_names(client, db, report_data, login_as):
    """The filter's list names every municipality once, escaped, and marks the one shown."""
    report_data.municipality_b.name = "Piteå <b>& co</b>"
    db.session.commit()
    login_as("council")
    a, b = report_data.municipality_a, report_data.municipality_b

    def selected(url: str, covers: str) -> list[str]:
        page = client.get(url).get_data(as_text=True)
        assert page.count(f'<option value="{b.id}"') == 1
        assert "Piteå &lt;b&gt;&amp; co&lt;/b&gt;</option>" in page
        assert f"Gäller {covers}." in page  # the heading names what the page covers
        return re.findall(r'<option value="(\d*)" selected>', page.split('id="kommun"')[1])

    assert selected("/rapporter", "hela regionen") == []  # the region: its own first option
    assert selected(f"/rapporter?kommun={b.id}", "Piteå &lt;b&gt;&amp; co&lt;/b&gt;") == [
        str(b.id)]
    assert selected(f"/rapporter?kommun={a.id}&termin=autumn", a.name) == [str(a.id)]


@pytest.mark.parametrize("role", ["counsellor", "employer"])
def test_other_roles_are_refused(client, report_data, login_as, role):
    login_as(role)
    assert client.get("/rapporter").status_code == 403
    assert client.get("/rapporter/coverage.csv").status_code == 403


def test_anonymous_is_sent_to_log_in(client, report_data):
    response = client.get("/rapporter/coverage.csv")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


@pytest.mark.parametrize("query", ["lasar=abc", "lasar=１２", "lasar=99999999999",
                                   "termin=winter", "kommun=-1", "kommun=999999",
                                   "lasar=2026&kommun=2580x", "termin=" + "x" * 5000])
def test_bad_filters_give_the_default_report(client, report_data, login_as, query):
    login_as("council")
    response = client.get(f"/rapporter?{query}")
    assert response.status_code == 200
    assert "Kvalitetsrapport 2026/27" in response.get_data(as_text=True)


def test_coordinator_sets_a_target_and_the_council_sees_it_met(app, db, client, report_data,
                                                              login_as):
    login_as("coordinator")
    page = client.get("/rapporter/mal").get_data(as_text=True)
    assert "Elever med minst tio praodagar" in page
    data = {"indicator": "coverage", "municipality": "", "school_year": "2026", "value": "80"}
    assert post_form(client, "/rapporter/mal", data).status_code == 302
    # Saving again replaces the value: still one target.
    assert post_form(client, "/rapporter/mal", {**data, "value": "85,5"}).status_code == 302
    targets = db.session.scalars(select(CouncilTarget)).all()
    assert [(t.indicator, t.municipality_id, t.school_year, t.value) for t in targets] == [
        ("coverage", None, 2026, 85.5)]
    council = new_client(app)
    login(council, report_data.users["council"].email)
    report = council.get("/rapporter").get_data(as_text=True)
    assert "85,5\u00a0%" in report and "Målet är inte nått." in report  # 75 % of 85.5 %
    start = council.get("/rad").get_data(as_text=True)
    assert "Inte nått" in start and "75\u00a0%" in start


@pytest.mark.parametrize("value", ["101", "-1", "abc", "1e3", "", "inf", "9.5.1", "."])
def test_a_target_out_of_range_is_refused_beside_the_field(client, db, report_data, login_as,
                                                          value):
    login_as("coordinator")
    data = {"indicator": "coverage", "municipality": "", "school_year": "2026", "value": value}
    response = post_form(client, "/rapporter/mal", data)
    assert response.status_code == 200
    assert 'id="value-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CouncilTarget)) == 0


def test_a_target_is_set_and_shown_in_its_indicators_unit(client, db, report_data,
                                                          login_as):
    """The pupils' evaluation is an average of 1-5: a 7 is refused, a 4,2 is shown as
    4,2, not as 7 % or 4,2 %."""
    login_as("coordinator")
    data = {"indicator": "evaluation_pupil_averages", "municipality": "",
            "school_year": "2026", "value": "7"}
    refused = post_form(client, "/rapporter/mal", data).get_data(as_text=True)
    assert 'id="value-error"' in refused and "mellan 1 och 5" in refused
    assert db.session.scalar(select(func.count()).select_from(CouncilTarget)) == 0
    assert post_form(client, "/rapporter/mal", {**data, "value": "4,2"}).status_code == 302
    targets = client.get("/rapporter/mal").get_data(as_text=True)
    assert ">4,2<" in targets and "4,2\u00a0%" not in targets


def test_the_targets_page_does_not_count_the_indicators_on_every_visit(app, client, db,
                                                                     report_data, login_as):
    """Which indicators take a target is the same on every visit: a visit costs a few
    queries (the user, the targets, the municipalities), not one per indicator."""
    login_as("coordinator")
    assert client.get("/rapporter/mal").status_code == 200
    with statements_sent(_db.engine) as statements:
        page = client.get("/rapporter/mal").get_data(as_text=True)
    assert "Elever med minst tio praodagar" in page
    assert len(statements) < 12, statements


def test_full_width_digits_are_read_as_digits(client, db, report_data, login_as):
    login_as("coordinator")
    data = {"indicator": "coverage", "municipality": "", "school_year": "2026", "value": "９０"}
    assert post_form(client, "/rapporter/mal", data).status_code == 302
    assert db.session.scalar(select(CouncilTarget.value)) == 90.0


def test_a_municipality_target_is_separate_from_the_region(client, db, report_data, login_as):
    login_as("coordinator")
    for municipality in ("", str(report_data.municipality_a.id)):
        post_form(client, "/rapporter/mal", {"indicator": "wishes_met", "school_year": "2026",
                                             "municipality": municipality, "value": "70"})
    assert db.session.scalar(select(func.count()).select_from(CouncilTarget)) == 2


def test_a_long_table_shows_its_first_rows_and_the_export_has_them_all(client, report_data,
                                                                        login_as, monkeypatch):
    """A country's thousands of employers go to the export; the page shows the first rows
    and says so (here the page's limit is one row of the two schools)."""
    from portal.reports import snapshots

    monkeypatch.setattr(snapshots, "PAGE_ROWS", 1)
    login_as("council")
    page = client.get("/rapporter").get_data(as_text=True)
    coverage = page[page.index('id="coverage"'):page.index('id="placement_source"')]
    assert "Här visas de första 1 av 2 raderna." in coverage
    assert coverage.count('<th scope="row">') == 2  # one school and the total
    export = client.get("/rapporter/coverage.csv").get_data().decode("utf-8-sig")
    assert len(export.strip().splitlines()) == 4  # header, both schools, the total
    # Suppressed as a whole table, then cut: school B's row is not shown, yet what hiding
    # school A's two own placements took with it (the total too) stays hidden.
    source = page[page.index('id="placement_source"'):page.index('id="wishes_met"')]
    assert "Här visas de första 1 av 2 raderna." in source
    footer = source[source.index("<tfoot>"):source.index("</tfoot>")]
    assert footer.count("&lt;5") == 1 and footer.count("..") == 1  # 2 own, 18 portal of 20


def test_last_year_without_pupils_reads_as_nothing_not_as_a_small_group(client, report_data,
                                                                        login_as):
    """Last school year had no prao at all: its figures are a dash, never "<5", which would
    say that a few pupils were there."""
    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    last_years = re.findall(r"<dt>Förra läsåret</dt><dd>(.*?)</dd>", page)
    assert len(last_years) >= 10
    assert set(last_years) == {"–"}


def test_every_chart_is_a_named_region_the_keyboard_can_scroll(client, report_data, login_as):
    """On a phone a chart keeps its width and its box scrolls sideways: each box can take
    the focus (so the arrow keys scroll it) and says which chart it holds, in the reader's
    language."""
    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    boxes = re.findall(r'<div class="chart-box" tabindex="0" role="region" '
                       r'aria-label="Diagram: ([^"]+)"><svg', page)
    # Charts whose every figure is hidden are not drawn (the test below): five are.
    assert len(boxes) == page.count('<div class="chart-box"') >= 5
    assert "Elever med minst tio praodagar" in boxes
    client.get("/sprak/en")
    english = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    assert 'aria-label="Chart: Pupils with at least ten prao days"' in english


def test_the_start_page_says_on_which_side_of_the_target_a_figure_lies(app, db, client,
                                                                      report_data,
                                                                      login_as):
    """Seven more pupils at school B, none placed: 15 of 27 have ten days (55.56 %). A
    target of 56 % is not met: the figure reads "knappt 56 %" (just under), not "56 % |
    56 % | ✗ Inte nått", nor "55,56 %" where every other headline is whole per cent.
    The schools' placement rates, 100 % and 6 of 13 (46.15 %), are hidden: A's "100 %"
    says that none of its pupils is without a place, which the wishes table hides as "<5"
    (and its column's total gives B's back), so there is no spread ("–", never 53,85; whole
    points: test_equity_spread_shown)."""
    autumn_b = db.session.scalars(select(PraoPeriod).where(
        PraoPeriod.school_id == report_data.school_b.id)).one()
    for _ in range(7):
        pupil(autumn_b)
    db.session.commit()
    login_as("coordinator")
    data = {"indicator": "coverage", "municipality": "", "school_year": "2026", "value": "56"}
    assert post_form(client, "/rapporter/mal", data).status_code == 302
    council = new_client(app)
    login(council, report_data.users["council"].email)
    start = council.get("/rad").get_data(as_text=True)
    assert ">knappt 56\u00a0%</td>" in start and ">56\u00a0%</td>" in start
    assert "Inte nått" in start
    assert "53,85" not in start and ">54</td>" not in start
    report = council.get("/rapporter").get_data(as_text=True)
    assert ">knappt 56\u00a0%</dd>" in report and "Målet är inte nått." in report
    council.get("/sprak/en")
    start = council.get("/rad").get_data(as_text=True)
    assert ">just under 56\u00a0%</td>" in start and "Not met" in start
    assert "53.85" not in start


def test_a_chart_whose_every_figure_is_hidden_is_not_drawn(client, report_data, login_as):
    """A chart of nothing but hidden cells would be an empty frame: the table below it,
    with its marks and their explanation, is all the page shows of such an indicator."""
    from portal.reports import charts, snapshots
    from portal.reports.tables import Scope

    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    views = snapshots.read_page(Scope(2026)).views
    starts = sorted((page.index(f'id="{key}"'), key) for key in views)
    drawn = {}
    for (start, key), (end, _next) in zip(starts, [*starts[1:], (len(page), "")], strict=True):
        drawn[key] = '<div class="chart-box"' in page[start:end]
    charted = {key for key, view in views.items() if view.shown.table.chart.value != "none"}
    nothing = {key for key in charted if not charts.has_values(views[key].shown.table)}
    assert nothing and charted - nothing  # both kinds, or this proves nothing
    assert {key for key in charted if drawn[key]} == charted - nothing

"""What a hidden figure reads, as the council sees it on the page, in the exports and on
its start page: "<5" only where the group the figure counts is fewer than five; ".." for a
figure hidden for another's sake (a complementary cell, or a share hidden because fewer
than five are outside it: 6 of 7 counts six pupils, and "<5" there would be untrue). And
a headline whose target is a ceiling says what it measures and that the target is one."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from portal.prao.models import AssignmentSource
from portal.schools.models import Wish
from tests.conftest import login, new_client, post_form
from tests.reports.data import AUTUMN, attend, period, place, pupil

LAST_AUTUMN = (date(2025, 10, 6), date(2025, 10, 17))  # school year 2025/26


@pytest.fixture
def marks_data(db, world, set_clock):
    """Autumn 2026. School A (Luleå): 7 pupils with needs, all placed through the portal,
    5 on their first wish, 1 on their second, 1 on none; and 2 pupils placed through their
    own network. School B (Piteå): 6 pupils placed through the portal on their first wish.
    Autumn 2025 at school A: 6 pupils, 5 of them with ten days."""
    set_clock(datetime(2026, 11, 20, 10))
    autumn_a, autumn_b = period(world.school_a, AUTUMN), period(world.school_b, AUTUMN)
    for k in range(7):
        enrolment = pupil(autumn_a, needs=1)
        assignment = place(enrolment)
        if k < 6:
            db.session.add(Wish(enrolment_id=enrolment.id, offer_id=assignment.offer_id,
                                rank=1 if k < 5 else 2))
    for _ in range(2):
        place(pupil(autumn_a), source=AssignmentSource.OWN)
    for _ in range(6):
        enrolment = pupil(autumn_b)
        assignment = place(enrolment)
        db.session.add(Wish(enrolment_id=enrolment.id, offer_id=assignment.offer_id, rank=1))
    last = period(world.school_a, LAST_AUTUMN)
    for k in range(6):
        attend(place(pupil(last)), "P" * (10 if k < 5 else 6))
    db.session.commit()
    return world


def _section(page: str, key: str) -> str:
    start = page.index(f'id="{key}"')
    end = page.find('<article class="indicator"', start)
    return page[start:end if end >= 0 else len(page)]


def _cells(section: str) -> dict[str, list[str]]:
    """The table's rows by label, each its cells' texts."""
    found = {}
    for label, cells in re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', section, re.S):
        found[label] = [c.replace("&lt;", "<") for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                   cells, re.S)]
    return found


def _csv(client, key: str) -> dict[str, list[str]]:
    body = client.get(f"/rapporter/{key}.csv?lasar=2026").get_data().decode("utf-8-sig")
    return {r[0]: r[1:] for r in list(csv.reader(io.StringIO(body), delimiter=";"))[1:]}


def _xlsx(client, key: str) -> dict[str, list[object]]:
    sheet = load_workbook(io.BytesIO(client.get(
        f"/rapporter/{key}.xlsx?lasar=2026").get_data())).active
    return {r[0]: list(r[1:]) for r in list(sheet.iter_rows(values_only=True))[1:]}


def test_a_share_hidden_for_the_few_outside_it_reads_dots(client, marks_data, login_as):
    """Placement source: school A's 7 of 9 through the portal leaves 2 outside, hidden,
    but counts seven pupils: "..", while its 2 of 9 through their own network are "<5"."""
    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    # In a column of per cent a bare "<5" reads like "under 5 %": it says pupils.
    assert _cells(_section(page, "placement_source"))["Skola A"] == ["..", "<5 elever"]
    assert _csv(client, "placement_source")["Skola A"] == ["..", "<5 elever"]
    assert _xlsx(client, "placement_source")["Skola A"] == ["..", "<5 elever"]


def test_wishes_met_top_three_is_never_fewer_than_its_first_wish(client, marks_data,
                                                                  login_as):
    """School A: 5 of 7 on their first wish and 6 of 7 among the first three, both hidden
    (2 and 1 outside them): neither may read "<5", the top three least of all."""
    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    wishes = _cells(_section(page, "wishes_met"))
    assert wishes["Skola A"][:2] == ["..", ".."]
    assert wishes["Totalt"][:2] == ["..", ".."]  # 11 and 12 of 13
    assert _csv(client, "wishes_met")["Skola A"][:2] == ["..", ".."]
    assert _xlsx(client, "wishes_met")["Totalt"][:2] == ["..", ".."]


def test_needs_met_placed_on_a_wish_of_seven_reads_dots(client, marks_data, login_as):
    """School A's 7 pupils with needs, all placed, 6 on a wish of their own: hidden (one
    outside it), but six pupils, so ".."."""
    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    needs = _cells(_section(page, "needs_met"))
    assert needs["Skola A"] == ["7", "100\u00a0%", ".."]
    assert _csv(client, "needs_met")["Skola A"] == ["7", "100,0", ".."]


def test_a_hidden_headline_share_reads_dots_now_last_year_and_on_the_start_page(
        client, marks_data, login_as):
    """Last year's coverage, 5 of 6 with ten days, is hidden (one without) but counts five:
    never "<5"; its table's shown cells say it is at least 5 of 6 (".." is five or more),
    and so does the page. This year's wishes headline, 12 of 13 among the first three,
    reads ".." both on the report and on the council's start page (no count of pupils
    beside it bounds it)."""
    login_as("council")
    page = client.get("/rapporter?lasar=2026").get_data(as_text=True)
    coverage = _section(page, "coverage")
    assert re.search(r"<dt>Förra läsåret</dt><dd>(.*?)</dd>", coverage).group(1) \
        == "minst 83\u00a0%"
    wishes = _section(page, "wishes_met")
    assert re.search(r'<dd class="headline-now">(.*?)</dd>', wishes).group(1) == ".."
    start = client.get("/rad").get_data(as_text=True)
    row = re.search(r'#wishes_met">[^<]*</a></th>\s*<td[^>]*>(.*?)</td>', start)
    assert row is not None and row.group(1) == ".."


def _set_target(client, indicator: str, value: str) -> None:
    assert post_form(client, "/rapporter/mal", {
        "indicator": indicator, "municipality": "", "school_year": "2026",
        "value": value}).status_code == 302


def _start_row(page: str, key: str) -> tuple[str, list[str]]:
    """The council's start page's row of an indicator: its label and its cells' texts."""
    row = re.search(r'<tr>\s*<th scope="row"><a [^>]*#' + key + r'">(.*?)</a></th>(.*?)</tr>',
                    page, re.S)
    assert row is not None, key
    return row.group(1), [re.sub(r"<[^>]+>", "", c).strip().replace("&lt;", "<")
                          for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(2), re.S)]


def test_a_ceiling_target_says_what_is_measured_and_that_it_is_a_ceiling(
        app, db, world, set_clock, client, login_as):
    """Placement source's headline is the share placed through their own network, and the
    fewer the better: its target is a most, and the start page and the report say both.
    Here 5 of 25 placed pupils through their own network, a target of at most 25 %; five
    more without a place (with none, "100 % placed" would give away the "<5" without a
    place in the wishes table, and the placed pupils' figures would be hidden)."""
    set_clock(datetime(2026, 11, 20, 10))
    autumn = period(world.school_a, AUTUMN)
    for k in range(25):
        place(pupil(autumn), source=AssignmentSource.OWN if k < 5 else AssignmentSource.MATCHING)
    for _ in range(5):
        pupil(autumn)
    db.session.commit()
    login_as("coordinator")
    _set_target(client, "placement_source", "25")
    assert "högst 25\u00a0%" in client.get("/rapporter/mal").get_data(as_text=True)
    council = new_client(app)
    assert login(council, world.users["council"].email).status_code == 302
    label, cells = _start_row(council.get("/rad").get_data(as_text=True), "placement_source")
    assert label == "Placerade genom eget nätverk"
    assert cells == ["20\u00a0%", "högst 25\u00a0%", "✓ Nått"]
    report = _section(council.get("/rapporter?lasar=2026").get_data(as_text=True),
                      "placement_source")
    assert "Nyckeltal: Placerade genom eget nätverk" in report
    assert re.search(r"<dt>Mål</dt><dd>(.*?)</dd>", report).group(1) == "högst 25\u00a0%"
    assert "Målet är nått." in report
    council.get("/sprak/en")
    label, cells = _start_row(council.get("/rad").get_data(as_text=True), "placement_source")
    assert label == "Placed through their own network"
    assert cells[1] == "at most 25\u00a0%"


def test_a_target_beside_a_hidden_headline_is_not_called_no_target(
        app, client, marks_data, login_as):
    """2 of 15 through their own network is hidden: whether the target is met cannot be
    said, but there is a target, and the start page must not say "Inget mål": it says
    that it cannot be said, and why."""
    login_as("coordinator")
    _set_target(client, "placement_source", "20")
    council = new_client(app)
    assert login(council, marks_data.users["council"].email).status_code == 302
    _label, cells = _start_row(council.get("/rad").get_data(as_text=True), "placement_source")
    assert cells == ["<5 elever", "högst 20\u00a0%", "Kan inte avgöras*"]

"""A hidden headline still tells the council what the page can: the range its table's shown
cells leave for it, and a verdict only when all of that range agrees; and the incidents of
a term where no prao has begun yet do not hide the school year's."""

from __future__ import annotations

import re
from datetime import datetime

from portal.prao.models import Incident, IncidentKind, IncidentSeverity
from portal.reports.bounds import Bound, bound_figures, headline_bound
from portal.reports.suppression import suppress
from portal.reports.tables import Cell, Column, Row, Table, Unit
from tests.conftest import login, new_client, post_form
from tests.reports.data import AUTUMN, SPRING, noon, period, place, pupil


def _needs(placed: list[int], pupils: int = 7) -> Table:
    """Shaped like the needs indicator: pupils with needs per school and the share placed."""
    def cells(n: int, p: int) -> tuple[Cell, ...]:
        return (Cell.pupils(n), Cell.share(p, n))

    return Table(key="needs_met", title="T", description="D", row_header="Skola",
                 columns=(Column("pupils", "Elever med behov", Unit.PUPILS),
                          Column("placed", "Placerade", Unit.SHARE, of=("pupils",))),
                 rows=tuple(Row(f"S{k}", cells(pupils, p), key=str(k))
                            for k, p in enumerate(placed)),
                 total=Row("Totalt", cells(pupils * len(placed), sum(placed)), key="total"),
                 headline=Cell.share(sum(placed), pupils * len(placed)),
                 headline_column="placed")


def test_the_range_and_its_verdict_come_from_what_is_shown_alone():
    """27 of 28 placed meets a target of 95 %, 26 of 28 does not. Both hide the headline
    and show the same cells, so the page must say the same of both: at least 26 of 28
    (the hidden school's ".." is five or more of its seven), and no verdict at 95 %. Had
    it said "met", that would have told that exactly one pupil was left without."""
    one, two = (suppress(_needs([7, 6, 7, 7])), suppress(_needs([7, 5, 7, 7])))
    assert one.headline_hidden and two.headline_hidden
    assert one.table == two.table and one.hidden == two.hidden
    bound = headline_bound(one)
    assert bound == headline_bound(two)
    assert bound is not None and (bound.low, bound.high) == (100 * 26 / 28, 100.0)
    assert bound.met(95, True) is None
    assert bound.met(90, True) is True and bound.met(20, False) is False
    # A headline that is shown has no range.
    assert headline_bound(suppress(_needs([7, 7, 7, 7]))) is None


def test_a_range_is_written_outwards_with_the_decimals_its_verdict_needs():
    low = Bound(100 * 12 / 14, 100.0)  # 85.71 %
    assert bound_figures(low, 95, True) == ("85", None)
    assert bound_figures(low, 85, True) == ("85", None)  # met: at least 85 %
    assert bound_figures(low, 85, False) == ("85.7", None)  # above a ceiling of 85 %
    assert bound_figures(Bound(0.0, 100 * 3 / 14), 20, False) == (None, "22")


def _needs_data(db, world) -> None:
    """Autumn 2026: school A (Luleå) 7 pupils with needs, all placed; school B (Piteå) 7,
    6 placed. The region's 13 of 14 is hidden (one left without)."""
    for school, placed in ((world.school_a, 7), (world.school_b, 6)):
        autumn = period(school, AUTUMN)
        for k in range(7):
            enrolment = pupil(autumn, needs=1)
            if k < placed:
                place(enrolment)
    db.session.commit()


def _council_start(app, world, language: str = "sv") -> str:
    council = new_client(app)
    login(council, world.users["council"].email)
    if language != "sv":
        council.get(f"/sprak/{language}")
    return council.get("/rad").get_data(as_text=True)


def _row(page: str, label: str) -> str:
    start = page.index(label)
    return page[start:page.index("</tr>", start)]


def test_the_council_sees_a_bound_and_a_verdict_where_the_share_is_hidden(
        app, db, client, world, login_as, set_clock):
    """Before: "Nu .." and "Läge –" beside the target, whatever the target."""
    set_clock(datetime(2026, 11, 20, 10))
    _needs_data(db, world)
    login_as("coordinator")
    data = {"indicator": "needs_met", "municipality": "", "school_year": "2026", "value": "85"}
    assert post_form(client, "/rapporter/mal", data).status_code == 302
    row = _row(_council_start(app, world), "Elever med behov som fick en plats")
    assert "minst 85\u00a0%" in row and "Nått" in row and ".." not in row
    # 95 %: 13 of 14 does not meet it, 14 of 14 would; the shown cells allow both.
    assert post_form(client, "/rapporter/mal", {**data, "value": "95"}).status_code == 302
    start = _council_start(app, world)
    row = _row(start, "Elever med behov som fick en plats")
    assert "minst 85\u00a0%" in row and "Kan inte avgöras" in row
    assert "räcker inte för att säga om målet är nått" in start and ".." not in row
    report = client.get("/rapporter").get_data(as_text=True)
    needs = report[report.index('id="needs_met"'):report.index('id="seats_per_sector"')]
    assert "minst 85\u00a0%" in needs and "Om målet är nått går inte att säga" in needs
    english = _row(_council_start(app, world, "en"), "Pupils with needs who got a placement")
    assert "at least 85\u00a0%" in english and "Cannot be said" in english


def test_a_spring_not_yet_begun_leaves_the_years_incidents_shown(db, world, client, login_as,
                                                                  set_clock):
    """Autumn: 7 minor near misses at school A. Spring: a period at school A whose pupils
    are placed but whose first day is still to come. Before, the spring's 0s were "<5",
    and the year's 7 was hidden ("..") to protect them though it is the autumn's 7."""
    set_clock(datetime(2026, 11, 20, 10))
    assignment = place(pupil(period(world.school_a, AUTUMN)))
    for _ in range(7):
        db.session.add(Incident(assignment_id=assignment.id, kind=IncidentKind.NEAR_MISS,
                                severity=IncidentSeverity.MINOR, occurred_at=noon(AUTUMN[0]),
                                what="Halkade"))
    spring = period(world.school_a, SPRING)
    for _ in range(6):
        place(pupil(spring))
    db.session.commit()
    login_as("council")

    def incidents(query: str) -> str:
        page = client.get(f"/rapporter?lasar=2026{query}").get_data(as_text=True)
        return page[page.index('id="incidents"'):page.index('id="evaluation_pupil_averages"')]

    def cells(section: str) -> list[str]:
        return re.findall(r'data-label="Rapporterade">(.*?)</td>', section)

    year, autumn, later = incidents(""), incidents("&termin=autumn"), incidents("&termin=spring")
    # The autumn's three 0s are "<5", its 7 hidden with them (the total would give them
    # away); the total 7 is shown, and the year reads as the autumn does.
    assert cells(autumn)[-1] == "7" and cells(year) == cells(autumn)
    assert "Ingen elevs prao har börjat ännu" in later and "&lt;5" not in later
    # Once the spring's prao has begun, its 0s are counts like any other.
    set_clock(datetime(2027, 3, 16, 10))
    assert "Ingen elevs prao har börjat ännu" not in incidents("&termin=spring")


def test_the_report_says_what_its_headlines_and_columns_count(client, world, login_as,
                                                              set_clock):
    """Before: "Platser och önskemål per bransch: Nu 100 %" with nothing saying what is
    100 %; "Tar emot elever igen nästa termin 78 %" beside one active employer, read as
    78 % of one employer; and "Arbetsgivare" three times in a row (section, figure, table)."""
    set_clock(datetime(2026, 11, 20, 10))
    login_as("council")
    page = client.get("/rapporter").get_data(as_text=True)
    seats = page[page.index('id="seats_per_sector"'):page.index('id="seats_per_week"')]
    assert "Nyckeltal: Förstahandsönskemål som ryms i branschens platser" in seats
    employers = page[page.index('aria-labelledby="avsnitt-employers"'):]
    assert "Handledarsvar: tar emot elever igen nästa termin" in employers
    assert "andelen av handledarnas svar" in employers
    headings = re.findall(r"<h[23][^>]*>(.*?)</h[23]>", employers)
    assert headings[:2] == ["Arbetsgivare", "Aktiva, nya och återkommande arbetsgivare per kommun"]

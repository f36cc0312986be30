"""Charts: SVG from the suppressed table, readable by screen readers, hidden cells not drawn."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from portal.reports.charts import COLOURS, render
from portal.reports.suppression import suppress
from portal.reports.tables import Cell, Chart, Column, Row, Table, Unit


def _table(key: str, values: list[int], chart: Chart = Chart.BAR) -> Table:
    return Table(key=key, title="T", description="D", row_header="Skola",
                 columns=(Column("n", "Elever", Unit.PUPILS),),
                 rows=tuple(Row(f"Skola {i}", (Cell.pupils(v),)) for i, v in enumerate(values)),
                 chart=chart)


def _svg(table: Table, title: str = "Elever per skola") -> str:
    shown = suppress(table).table
    labels = tuple(r.label for r in shown.rows) + (("Totalt",) if shown.total else ())
    return render(shown, title, "Antal elever per skola.", labels,
                  tuple(c.label for c in shown.columns))


def _bars(svg: str) -> int:
    root = ET.fromstring(svg)  # noqa: S314 - our own drawing
    return sum(1 for path in root.iter("{http://www.w3.org/2000/svg}path")
               if path.get("fill") in COLOURS)


def test_the_chart_has_a_title_and_a_description_for_screen_readers():
    svg = _svg(_table("a", [10, 20]), title="Elever <per> skola")
    root = ET.fromstring(svg)  # noqa: S314 - our own drawing
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "a-title a-desc"
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "Elever <per> skola"  # escaped, then parsed back
    assert root.find(f"{ns}desc").text == "Antal elever per skola."
    assert "<text" in svg and "Skola 1" in svg  # text stays text (svg.fonttype none)
    assert "<script" not in svg
    # The Content Security Policy (style-src 'self') blocks inline styles: none are left.
    assert "style=" not in svg and "<style" not in svg
    assert 'fill="#1d4f91"' in svg  # the bars keep their colour as an attribute


def test_a_hidden_cell_is_not_drawn():
    assert _bars(_svg(_table("b", [10, 20, 30]))) == 3
    assert _bars(_svg(_table("c", [3, 20, 30]))) == 2


def test_two_charts_on_one_page_share_no_id():
    ids = [set(re.findall(r'id="([^"]+)"', _svg(_table(k, [10, 20])))) for k in ("d", "e")]
    assert ids[0] and not ids[0] & ids[1]


def test_hundreds_of_schools_are_drawn_as_their_spread():
    table = Table(key="f", title="T", description="D", row_header="Skola",
                  columns=(Column("s", "Andel", Unit.SHARE),),
                  rows=tuple(Row(f"Skola {i}", (Cell.share(10 + i % 80, 100),))
                             for i in range(400)),
                  total=Row("Totalt", (Cell.share(200, 400),)))
    svg = _svg(table)
    assert len(svg) < 40_000  # a box and a marker, not 400 labelled bars
    assert "Skola 399" not in svg and "Andel" in svg


def test_the_svg_carries_nothing_a_browser_ignores():
    """A report holds many charts and is read on phones: no line breaks or indentation, no
    id nothing refers to, no group without an attribute, the font named once."""
    svg = _svg(_table("g", [10, 20, 30]))
    root = ET.fromstring(svg)  # noqa: S314 - our own drawing
    assert "\n" not in svg and "  " not in svg
    ns = "{http://www.w3.org/2000/svg}"
    assert all(g.attrib for g in root.iter(f"{ns}g"))
    referred = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
    assert {e.get("id") for e in root.iter() if e.get("id")} <= referred | {"g-title", "g-desc"}
    assert svg.count("font-family=") == 1 and root.get("font-family").endswith("sans-serif")
    assert len(root.findall(f".//{ns}text")) >= 3  # the labels are all still there


def _legend(svg: str, labels: tuple[str, ...]) -> dict[str, str | None]:
    """Each series label the chart writes, and the colour of the swatch drawn just before it
    (matplotlib draws a legend entry as its swatch, then its words)."""
    found: dict[str, str | None] = {}
    fill = None
    for element in ET.fromstring(svg).iter():  # noqa: S314 - our own drawing
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "path" and element.get("fill") not in (None, "none"):
            fill = element.get("fill")
        elif tag == "text" and (element.text or "").strip() in labels:
            found[element.text.strip()] = fill
    return found


def _two_series(rows: list[tuple[int, int]], chart: Chart) -> Table:
    """The council's "portal or own network" table: per school the share placed through
    the portal and through the pupils' own network, and the total."""
    portal, own = sum(p for p, _ in rows), sum(o for _, o in rows)
    return Table(key="placement_source", title="T", description="D", row_header="Skola",
                 columns=(Column("portal", "Genom portalen", Unit.SHARE),
                          Column("own", "Eget nätverk", Unit.SHARE)),
                 rows=tuple(Row(f"Skola {i}", (Cell.share(p, p + o), Cell.share(o, p + o)))
                            for i, (p, o) in enumerate(rows)),
                 total=Row("Totalt", (Cell.share(portal, portal + own),
                                      Cell.share(own, portal + own))),
                 chart=chart)


def test_the_legend_names_every_series_in_its_colour_whatever_is_hidden():
    """However many cells suppression hides (every school's, or all of them), the chart's
    legend names both series, each beside a swatch of the colour its bars have."""
    labels = ("Genom portalen", "Eget nätverk")
    cases = {
        "all shown": [(30, 10), (40, 12)],
        "only the total": [(8, 4), (0, 6), (20, 2), (3, 4)],  # every school hidden
        "nothing": [(1, 2), (1, 3)],
    }
    for case, rows in cases.items():
        shown = suppress(_two_series(rows, Chart.STACKED)).table
        svg = render(shown, "T", "D",
                     tuple(r.label for r in shown.rows) + ("Totalt",), labels)
        assert _legend(svg, labels) == {"Genom portalen": COLOURS[0],
                                        "Eget nätverk": COLOURS[1]}, case
    # Bars side by side: one series hidden throughout, the other drawn.
    table = Table(key="side", title="T", description="D", row_header="Skola",
                  columns=(Column("first", "Första önskan", Unit.SHARE),
                           Column("second", "Andra önskan", Unit.SHARE)),
                  rows=tuple(Row(f"Skola {i}", (Cell.share(30, 40), Cell(None)))
                             for i in range(2)))
    svg = render(table, "T", "D", ("Skola 0", "Skola 1"), ("Första önskan", "Andra önskan"))
    assert _legend(svg, ("Första önskan", "Andra önskan")) == {
        "Första önskan": COLOURS[0], "Andra önskan": COLOURS[1]}


def test_the_legend_is_in_the_part_of_the_chart_a_phone_shows():
    """On a phone the chart box shows the left of the drawing (36rem wide, swiped for the
    rest: static/css/reports.css); a 390 px screen shows about 60 % of it. Every series'
    name is there, not only the first."""
    labels = ("Through the portal", "Own network")
    shown = suppress(_two_series([(8, 4), (0, 6), (20, 2), (3, 4)], Chart.STACKED)).table
    svg = render(shown, "T", "D", ("Bergsskolan", "Strömbackaskolan 7–9", "Hertsöskolan",
                                   "Christinaskolan", "Total"), labels)
    root = ET.fromstring(svg)  # noqa: S314 - our own drawing
    width = float(root.get("viewBox").split()[2])
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        if text.text in labels:
            # about 6 units a character at 10 points
            assert float(text.get("x")) + 6 * len(text.text) < 0.6 * width, text.text


def _ticks(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own drawing
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text]


def _counts(key: str, values: list[int]) -> Table:
    return Table(key=key, title="T", description="D", row_header="Termin",
                 columns=(Column("n", "Olyckor", Unit.COUNT),),
                 rows=tuple(Row(f"Termin {i}", (Cell(v),)) for i, v in enumerate(values)))


def test_a_chart_of_nothing_yet_has_an_axis_from_zero_to_one():
    """No incidents yet: the axis reads 0 to 1, not matplotlib's -0.04 to 0.04."""
    ticks = _ticks(_svg(_counts("g", [0, 0])))
    assert "0" in ticks and "1" in ticks
    assert not any(t.startswith(("−", "-")) for t in ticks), ticks


def test_counts_are_drawn_on_whole_steps_from_zero():
    ticks = [t for t in _ticks(_svg(_counts("h", [0, 1, 2]))) if re.fullmatch(r"[−\d.,]+", t)]
    assert ticks[0] == "0" and all(re.fullmatch(r"\d+", t) for t in ticks), ticks

"""Charts as SVG drawn on the server by matplotlib: no JavaScript, readable by screen
readers (role="img", a title and a description), kept in print.

Pure Python (no Flask): the caller passes the suppressed table and the translated words, or
asks `drawn` for the words of the language being written (portal.texts).
A hidden cell is simply not drawn; its row keeps its place so the bars line up with the
table beside the chart. Figures are closed at once; a drawing depends only on the table and
the words, never on who asks, so a small cache of recent drawings is shared by everyone."""

from __future__ import annotations

import io
import re
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from markupsafe import escape  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402 - the backend must be chosen first
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from portal.reports.tables import Chart, Table, Unit, row_label  # noqa: E402
from portal.texts import gettext  # noqa: E402

matplotlib.rcParams.update({
    "svg.fonttype": "none",  # text stays text: selectable, translatable, small
    "svg.hashsalt": "praoportalen",  # the same drawing gives the same SVG
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
})

# Each at least 4.5:1 on white (WCAG 1.4.11 asks 3:1 of graphics), and told apart by
# lightness as well as hue: dark blue, dark orange, dark green, purple.
COLOURS = ("#1d4f91", "#a04800", "#2b6e2f", "#6b3d8f", "#8a1c3c", "#3b5563")
TEXT = "#1a1a1a"

_ID = re.compile(r'\b(id="|url\(#|href="#)')
_STYLE = re.compile(r' style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)
# The page's Content Security Policy forbids inline styles (style-src 'self'), so every
# style matplotlib writes becomes the SVG presentation attribute of the same name, which
# the policy does not touch.
PRESENTATION = frozenset({
    "fill", "fill-opacity", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity",
    "font-size", "font-family", "font-weight", "font-style", "text-anchor", "clip-path"})


def _attributes(match: re.Match[str]) -> str:
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs
                   if name.strip() in PRESENTATION)


def _without_inline_styles(svg: str) -> str:
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = svg.replace("<defs>\n  \n </defs>", "")
    return _STYLE.sub(_attributes, svg)


_PIECE = re.compile(r"(?P<close></g>)|(?P<open><g(?:\s[^>]*)?>)|(?P<tag><[^>]*>)|[^<]+")
_REFERENCE = re.compile(r'(?:href="#|url\(#)([^")]+)')
_GROUP_ID = re.compile(r'<g id="([^"]+)"')
_FONT = re.compile(r' font-family="[^"]*"')
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [^)]*\)"')


def _compact(svg: str) -> str:
    """matplotlib's SVG without what a browser ignores: ids nothing refers to, groups left
    with no attribute, line breaks and indentation, rotations by 0, and the font named on
    every text instead of once. A report's many charts are read on phones: the country's
    report held 290 KB of SVG."""
    referred = set(_REFERENCE.findall(svg))
    svg = _GROUP_ID.sub(lambda m: m.group(0) if m.group(1) in referred else "<g", svg)
    fonts = _FONT.findall(_NO_ROTATION.sub("", svg))
    svg = _FONT.sub("", _NO_ROTATION.sub("", svg))
    if fonts:
        svg = svg.replace("<svg ", f"<svg{fonts[0]} ", 1)
    return _without_bare_groups(svg)


def _without_bare_groups(svg: str) -> str:
    """The SVG with each <g> that has no attribute left out (its content stays) and the
    whitespace between and inside tags gone."""
    out: list[str] = []
    dropped: list[bool] = []  # per open <g>: left out, so its </g> is too
    for match in _PIECE.finditer(svg):
        piece = match.group(0)
        if match.group("close"):
            if not dropped.pop():
                out.append(piece)
        elif match.group("open") and not piece.endswith("/>"):
            dropped.append(piece == "<g>")
            if piece != "<g>":
                out.append(" ".join(piece.split()))
        elif match.group("open") or match.group("tag"):
            out.append(" ".join(piece.split()))
        elif piece.strip():
            out.append(piece)
    return "".join(out)


def _series(table: Table) -> list[int]:
    """The columns drawn: the shares when the table has any (they share one scale),
    otherwise every column."""
    shares = [j for j, c in enumerate(table.columns) if c.unit is Unit.SHARE]
    return shares or list(range(len(table.columns)))


def has_values(table: Table) -> bool:
    """Whether the suppressed table has anything to draw: with every cell of its series
    hidden, a chart would be an empty frame (the table beside it says why)."""
    rows = table.rows + ((table.total,) if table.total is not None else ())
    return any(row.cells[j].value is not None for row in rows for j in _series(table))


# More rows than this (a region's hundreds of schools) are drawn as their spread: a box per
# column from the lowest to the highest row, the middle half boxed, the median and the total
# marked. Readable, and a few artists per column instead of hundreds of bars and labels.
MAX_BARS = 30


def _draw_spread(table: Table, total_label: str, column_labels: tuple[str, ...]) -> Figure:
    series = _series(table)
    fig = plt.figure(figsize=(7.0, 1.3 + 0.7 * len(series)))
    ax = fig.add_subplot()
    positions = list(range(len(series)))[::-1]
    data = [[v for r in table.rows if (v := r.cells[j].value) is not None] or [float("nan")]
            for j in series]
    boxes = ax.boxplot(data, positions=positions, orientation="horizontal", whis=(0, 100),
                       showfliers=False, patch_artist=True, widths=0.5,
                       medianprops={"color": TEXT, "linewidth": 1.5})
    for k, box in enumerate(boxes["boxes"]):
        box.set(facecolor=COLOURS[k % len(COLOURS)], edgecolor=TEXT)
    if table.total is not None:
        totals = [(v, y) for j, y in zip(series, positions, strict=True)
                  if (v := table.total.cells[j].value) is not None]
        ax.scatter([v for v, _ in totals], [y for _, y in totals], marker="D", s=40,
                   color="#ffffff", edgecolors=TEXT, linewidths=1.5, zorder=3,
                   label=total_label)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False,
                  labelcolor=TEXT)
    ax.set_yticks(positions, labels=[column_labels[j] for j in series], color=TEXT)
    if all(table.columns[j].unit is Unit.SHARE for j in series):
        ax.set_xlim(0, 100)
        ax.set_xlabel("%", color=TEXT)
    ax.tick_params(colors=TEXT)
    ax.spines[["top", "right"]].set_visible(False)
    _margins(fig, [column_labels[j] for j in series])
    return fig


def _draw(table: Table, row_labels: tuple[str, ...], column_labels: tuple[str, ...]) -> Figure:
    if len(table.rows) > MAX_BARS:
        return _draw_spread(table, row_labels[-1], column_labels)
    rows = table.rows + ((table.total,) if table.total is not None else ())
    series = _series(table)
    height = 0.9 + 0.32 * len(rows) * (1 if table.chart is Chart.STACKED else len(series))
    fig = plt.figure(figsize=(7.0, min(max(height, 2.2), 40.0)))
    ax = fig.add_subplot()
    positions = list(range(len(rows)))[::-1]  # first row at the top, as in the table
    width = 0.8 if table.chart is Chart.STACKED else 0.8 / len(series)
    left = [0.0] * len(rows)
    for k, j in enumerate(series):
        values = [r.cells[j].value for r in rows]
        drawn = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
        if table.chart is Chart.STACKED:
            ax.barh([p for p, _ in drawn], [v for _, v in drawn], height=width,
                    left=[left[positions.index(p)] for p, _ in drawn],
                    color=COLOURS[k % len(COLOURS)])
            for p, v in drawn:
                left[positions.index(p)] += v
        else:
            offset = (k - (len(series) - 1) / 2) * width
            ax.barh([p - offset for p, _ in drawn], [v for _, v in drawn], height=width,
                    color=COLOURS[k % len(COLOURS)])
    ax.set_yticks(positions, labels=list(row_labels), color=TEXT)
    if all(table.columns[j].unit is Unit.SHARE for j in series):
        ax.set_xlim(0, 100)
        ax.set_xlabel("%", color=TEXT)
    else:
        _count_axis(ax, table, series)
    ax.tick_params(colors=TEXT)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        # Every series named in its own colour, drawn or not: a series whose cells are all
        # hidden has no bar to take its legend entry from (matplotlib then left it out or
        # drew it in its default blue, the same for both). From the drawing's left edge: on
        # a phone the chart box shows the left of a wider drawing (swiped for the rest), and
        # a legend centred over the bars had its last series out of sight.
        handles = [Patch(facecolor=COLOURS[k % len(COLOURS)], label=column_labels[j])
                   for k, j in enumerate(series)]
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 1.0),
                   ncols=len(series), frameon=False, labelcolor=TEXT)
    _margins(fig, list(row_labels))
    return fig


def _count_axis(ax: Axes, table: Table, series: list[int]) -> None:
    """Counts and averages start at 0; counts go in whole steps. With nothing above 0
    drawn (no incidents yet), the axis is 0–1, not matplotlib's -0.04–0.04 around nothing."""
    rows = table.rows + ((table.total,) if table.total is not None else ())
    values = [v for r in rows for j in series if (v := r.cells[j].value) is not None]
    ax.set_xlim(0, None if any(v > 0 for v in values) else 1)
    if all(table.columns[j].unit in (Unit.PUPILS, Unit.COUNT) for j in series):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _margins(fig: Figure, labels: list[str]) -> None:
    """Room for the longest label on the left, the legend on top and the axis below:
    estimated from the text's length (about 0.075 inch a character at 10 points), which
    costs nothing, where tight_layout measures every label (a third of the drawing time)."""
    width, height = fig.get_size_inches()
    left = min(0.5, (0.25 + 0.075 * max((len(label) for label in labels), default=4)) / width)
    fig.subplots_adjust(left=left, right=0.97, bottom=min(0.45, 0.55 / height),
                        top=1 - min(0.4, 0.45 / height))


@lru_cache(maxsize=256)
def render(table: Table, title: str, description: str, row_labels: tuple[str, ...],
           column_labels: tuple[str, ...]) -> str:
    """The chart as an <svg> element to put straight into the page. `table` is the
    suppressed table (scrubbed cells have no value and are not drawn)."""
    fig = _draw(table, row_labels, column_labels)
    try:
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None,
                                                 "Format": None, "Type": None})
    finally:
        plt.close(fig)
    svg = _compact(_without_inline_styles(out.getvalue()))
    svg = svg[svg.index("<svg"):]
    # Several charts on one page: every id gets the table's key, so none repeats.
    svg = _ID.sub(lambda m: f"{m.group(1)}{table.key}-", svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end].replace(
        "<svg ", f'<svg role="img" aria-labelledby="{table.key}-title {table.key}-desc" '
                 'class="chart" ', 1)
    head = re.sub(r' (width|height)="[^"]*"', "", head)  # scales with the page (viewBox)
    return (f'{head}<title id="{table.key}-title">{escape(title)}</title>'
            f'<desc id="{table.key}-desc">{escape(description)}</desc>{svg[head_end:]}')


def drawn(table: Table) -> str:
    """The suppressed table's chart, its title, description and labels in the language
    being written."""
    rows = table.rows + ((table.total,) if table.total is not None else ())
    return render(table, gettext(table.title), gettext(table.description),
                  tuple(row_label(r) for r in rows),
                  tuple(gettext(c.label) for c in table.columns))

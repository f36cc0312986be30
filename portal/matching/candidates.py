"""Round two's graph: which free seats each waiting pupil is offered, and at what cost.

Cost of a seat for a pupil, in metres: the distance from the pupil's school to the workplace,
plus `sector_penalty_m` when the placement's sector is none of the sectors of the pupil's
wishes. So a seat in a wished sector wins over one up to `sector_penalty_m` nearer in another
sector. A pupil or placement without a position counts as `unknown_distance_m` away.

Keeping the graph sparse: a region can have 20,000 waiting pupils and 20,000 placements with a
free seat, far too many pairs for pupil -> placement arcs. Pupils of one school with the same
needs and limits (a group) differ only in the sectors they wished, so the graph routes them
through hubs that the group shares:

    pupil -> hub (group, sector)  cost 0, for each sector the pupil wished
    pupil -> hub (group, any)     cost sector_penalty_m
    hub   -> placement            cost distance, to the hub's `nearest` nearest compatible
                                  placements (more when many pupils use the hub: two per pupil)

Every path costs exactly the pupil's cost of that seat, and a pupil can reach hundreds of seats
through a few arcs. With `nearest=None` hubs reach every compatible placement and the result
is the exact optimum. With a limit the trade-off is in the cost only: a seat beyond a hub's
nearest is never offered through it. The number placed stays the largest possible: a feasible
maximum assignment, computed exactly on a small graph of pupil classes (`backbone`), adds one
direct arc per pupil, so the sparse graph always holds a maximum assignment.

Distances use an equirectangular projection around the mean latitude of the instance: for a
region a few hundred kilometres across the error is well below a percent, far finer than what
the choice between two seats needs. Nearest seats are found on grids of square cells.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from portal.matching.flow import Graph, class_max_flow

if TYPE_CHECKING:
    from portal.matching.engine import LatLon, Placement, Student

EARTH_RADIUS_M = 6_371_000.0
PER_CELL = 4  # placements per grid cell on average
BRUTE_FORCE_BELOW = 256  # a grid this small is searched whole

XY = tuple[float, float]
Found = list[tuple[int, int]]  # (distance in metres, placement index), nearest first
Accept = Callable[[int], int] | None  # which placements a search may return (truthy); None: all


@dataclass(frozen=True, slots=True)
class SecondRoundOptions:
    # Placements each hub links to, nearest first: at least this many, two per pupil using the
    # hub when that is more. None: every compatible placement. See the module's docstring.
    nearest: int | None = 20
    sector_penalty_m: int = 10_000
    unknown_distance_m: int = 30_000

    def __post_init__(self) -> None:
        if self.nearest is not None and self.nearest < 1:
            raise ValueError("nearest must be at least 1 (or None for no limit)")

    def reach(self, pupils: int) -> int | None:
        """How many placements a hub used by `pupils` pupils links to."""
        return None if self.nearest is None else max(self.nearest, 2 * pupils)


def backbone(
    waiting: Sequence[Student], free: Sequence[Placement], seats: Sequence[int]
) -> list[int | None]:
    """A maximum assignment (placement index per pupil, None: unplaced), found on classes.

    Pupils with the same needs and the same allowed placements can use the same seats, so the
    maximum flow is computed with one node per class; each class's seats are then handed to its
    pupils in order of latitude on both sides, a cheap way to keep the pairs roughly near.
    """
    members: dict[tuple[object, ...], list[int]] = {}
    for i, s in enumerate(waiting):
        members.setdefault((s.needs, s.compatible), []).append(i)
    classes = [(len(ids), _compatible(waiting[ids[0]], free)) for ids in members.values()]
    chosen: list[int | None] = [None] * len(waiting)
    for ids, sent in zip(members.values(), class_max_flow(classes, seats), strict=True):
        places = sorted((j for j, n in sent for _ in range(n)), key=lambda j: _lat(free[j]))
        pupils = sorted(ids, key=lambda i: _lat(waiting[i]))
        # The flow sends fewer pupils than the class has when seats run out: spread the seats
        # over the class by latitude rather than giving them all to its southern end.
        step = len(pupils) / len(places) if places else 0
        for n, j in enumerate(places):
            chosen[pupils[int(n * step)]] = j
    return chosen


def _lat(x: Student | Placement) -> tuple[bool, float]:
    return (x.location is None, x.location[0] if x.location else 0.0)


def _compatible(s: Student, free: Sequence[Placement]) -> list[int]:
    return [j for j, p in enumerate(free) if _accepts(s, p)]


def _accepts(s: Student, p: Placement) -> bool:
    return s.needs <= p.features and (s.compatible is None or p.id in s.compatible)


def build_graph(
    waiting: Sequence[Student],
    free: Sequence[Placement],
    by_id: Mapping[str, Placement],
    options: SecondRoundOptions,
    direct: Sequence[int | None],
) -> Graph:
    """The hub graph of the module's docstring, plus the arc to `direct[pupil]` if any."""
    plane = _Plane([s.location for s in waiting] + [p.location for p in free])
    index = _Index(free, [plane.xy(p.location) for p in free], options.unknown_distance_m)
    groups: dict[tuple[frozenset[str], frozenset[str] | None, LatLon | None], list[int]] = {}
    for i, s in enumerate(waiting):
        groups.setdefault((s.needs, s.compatible, s.location), []).append(i)
    masks: dict[tuple[frozenset[str], frozenset[str] | None], Accept] = {}
    graph = Graph()
    for (needs, allowed, location), pupils in groups.items():
        if (needs, allowed) not in masks:
            masks[needs, allowed] = _mask(waiting[pupils[0]], free)
        search = _Search(index, plane.xy(location), masks[needs, allowed])
        wished = {i: _wished_sectors(waiting[i], by_id) for i in pupils}
        _add_group(graph, search, wished, options)
        for i in pupils:
            j = direct[i]
            if j is not None:
                graph.pupil_place.append((i, j, search.cost(j, wished[i], options)))
    return graph


def in_lottery_order(
    waiting: Sequence[Student],
    free: Sequence[Placement],
    chosen: Sequence[int | None],
    by_id: Mapping[str, Placement],
    options: SecondRoundOptions,
) -> list[int | None]:
    """The solver's seats handed out again by the lottery among pupils it cannot tell apart.

    Pupils of one school with the same needs, limits and wished sectors pay the same for
    every seat, so the solver may give their seats to any of them (it gave two free seats
    to lottery numbers 11 and 13 and none to 10). Within each such class the seats it chose
    go to the best (priority, lottery) first, the cheapest seat first and "no seat" last:
    the number placed and the total cost stay exactly the solver's."""
    plane = _Plane([s.location for s in waiting] + [p.location for p in free])
    classes: dict[tuple[object, ...], list[int]] = {}
    for i, s in enumerate(waiting):
        key = (s.needs, s.compatible, s.location, frozenset(_wished_sectors(s, by_id)))
        classes.setdefault(key, []).append(i)
    result = list(chosen)
    for members in classes.values():
        if len(members) > 1:
            first = waiting[members[0]]
            cost = _seat_cost(plane.xy(first.location), _wished_sectors(first, by_id), plane,
                              free, options)
            seats = sorted((chosen[i] for i in members), key=cost)
            for i, j in zip(sorted(members, key=lambda i: waiting[i].key), seats, strict=True):
                result[i] = j
    return result


def _seat_cost(
    origin: XY | None, wished: set[str | None], plane: _Plane, free: Sequence[Placement],
    options: SecondRoundOptions,
) -> Callable[[int | None], tuple[int, int, int]]:
    """A sort key of seats for pupils at `origin` who wished `wished`: cheapest first (as
    the graph's paths cost them), then by index; no seat last."""
    def cost(j: int | None) -> tuple[int, int, int]:
        if j is None:
            return (1, 0, 0)
        xy = plane.xy(free[j].location)
        d = (options.unknown_distance_m if origin is None or xy is None
             else round(math.dist(origin, xy)))
        return (0, d if free[j].sector in wished else d + options.sector_penalty_m, j)

    return cost


def _wished_sectors(s: Student, by_id: Mapping[str, Placement]) -> set[str | None]:
    return {by_id[pid].sector for pid in s.wishes} - {None}


def _add_group(
    graph: Graph, search: _Search, wished: dict[int, set[str | None]], options: SecondRoundOptions
) -> None:
    """The group's hubs, their arcs to placements, and its pupils' arcs to them."""
    any_hub = graph.new_hub()
    for d, j in search.nearest(ALL, options.reach(len(wished))):
        graph.hub_place.append((any_hub, j, d))
    sector_hub: dict[str | None, int] = {}
    demand = Counter(sector for sectors in wished.values() for sector in sectors)
    for sector, users in demand.items():
        found = search.nearest(sector, options.reach(users))
        if found:  # no compatible seat in that sector: no hub
            hub = sector_hub[sector] = graph.new_hub()
            graph.hub_place.extend((hub, j, d) for d, j in found)
    for i, sectors in wished.items():
        graph.pupil_hub.append((i, any_hub, options.sector_penalty_m))
        graph.pupil_hub.extend((i, sector_hub[x], 0) for x in sectors if x in sector_hub)


def _mask(s: Student, free: Sequence[Placement]) -> Accept:
    """Which free placements fit pupils like `s`, as a lookup that filter() runs in C."""
    if not s.needs and s.compatible is None:
        return None  # most pupils fit every seat: no test at all
    return bytearray(_accepts(s, p) for p in free).__getitem__


class _Search:
    """Nearest compatible placements for one group of pupils (same school, needs, limits)."""

    def __init__(self, index: _Index, origin: XY | None, accept: Accept) -> None:
        self.index, self.origin, self.sectors = index, origin, index.sectors
        self.accept = accept

    def nearest(self, sector: object, k: int | None) -> Found:
        """The `k` nearest compatible placements of a sector (or ALL), nearest first."""
        grid = self.index.grid(sector)
        return [] if grid is None else grid.nearest(self.origin, k, self.accept)

    def cost(self, j: int, wished: set[str | None], options: SecondRoundOptions) -> int:
        d = self.index.distance(self.origin, j)
        return d if self.sectors[j] in wished else d + options.sector_penalty_m


ALL = object()  # the grid key of every sector together


class _Index:
    """The free placements on grids: one for all of them and one per sector."""

    def __init__(self, free: Sequence[Placement], xy: Sequence[XY | None], unknown: int) -> None:
        self.xy, self.unknown = xy, unknown
        self.sectors = [p.sector for p in free]
        by_sector: dict[object, list[int]] = {ALL: list(range(len(free)))}
        for j, p in enumerate(free):
            by_sector.setdefault(p.sector, []).append(j)
        self.grids = {key: _Grid(self, members) for key, members in by_sector.items()}

    def grid(self, sector: object) -> _Grid | None:
        return self.grids.get(sector)

    def distance(self, origin: XY | None, j: int) -> int:
        xy = self.xy[j]
        return self.unknown if origin is None or xy is None else round(math.dist(origin, xy))


class _Grid:
    """Placements in square cells, searched ring by ring outwards from the origin.

    The cell size is chosen per grid for a few placements per cell: a sparse sector gets big
    cells, so a search does not walk through hundreds of empty ones.
    """

    def __init__(self, index: _Index, members: Iterable[int]) -> None:
        self.index = index
        self.members = list(members)
        self.points: dict[int, XY] = {}
        self.unlocated: list[int] = []
        for j in self.members:
            xy = index.xy[j]
            if xy is None:
                self.unlocated.append(j)
            else:
                self.points[j] = xy
        self.size = _cell_size(list(self.points.values()))
        self.cells: dict[tuple[int, int], list[int]] = {}
        for j, xy in self.points.items():
            self.cells.setdefault(self._cell(xy), []).append(j)
        xs = [c[0] for c in self.cells] or [0]
        ys = [c[1] for c in self.cells] or [0]
        self.bounds = (min(xs), max(xs), min(ys), max(ys))

    def _cell(self, xy: XY) -> tuple[int, int]:
        return (math.floor(xy[0] / self.size), math.floor(xy[1] / self.size))

    def nearest(self, origin: XY | None, k: int | None, accept: Accept) -> Found:
        """The `k` nearest accepted placements (all of them when k is None)."""
        if origin is None or k is None or len(self.members) < BRUTE_FORCE_BELOW:
            members = _kept(accept, self.members)
            return sorted((self.index.distance(origin, j), j) for j in members)[:k]
        found = self._scan(origin, k, accept)
        unknown = self.index.unknown
        found += [(unknown, j) for j in islice(_kept(accept, self.unlocated), k)]
        return sorted(found)[:k]

    def _scan(self, origin: XY, k: int, accept: Accept) -> Found:
        # Rings 0..r hold every placement within r cells of the origin, so the search can
        # stop once the k-th nearest found so far is no further than that.
        cx, cy = self._cell(origin)
        x0, x1, y0, y1 = self.bounds
        reach = max(cx - x0, x1 - cx, cy - y0, y1 - cy, 0)
        found: list[tuple[float, int]] = []
        points, cells, dist = self.points, self.cells, math.dist
        for r in range(reach + 1):
            for cell in _ring(cx, cy, r):
                bucket = cells.get(cell)
                if bucket:
                    found += [(dist(origin, points[j]), j) for j in _kept(accept, bucket)]
            if len(found) >= k and heapq.nsmallest(k, found)[-1][0] <= r * self.size:
                break
        return [(round(d), j) for d, j in heapq.nsmallest(k, found)]


def _kept(accept: Accept, members: Iterable[int]) -> Iterable[int]:
    # Not filter(None, ...): that would drop placement index 0.
    return members if accept is None else filter(accept, members)


def _cell_size(points: Sequence[XY]) -> float:
    """About PER_CELL points per cell over the points' bounding box; at least 500 m."""
    if not points:
        return 1.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    area = (max(xs) - min(xs)) * (max(ys) - min(ys))
    return max(500.0, math.sqrt(area * PER_CELL / len(points)))


def _ring(cx: int, cy: int, r: int) -> Iterable[tuple[int, int]]:
    """The cells at Chebyshev distance exactly r from (cx, cy)."""
    if r == 0:
        return [(cx, cy)]
    top_bottom = [(x, y) for x in range(cx - r, cx + r + 1) for y in (cy - r, cy + r)]
    sides = [(x, y) for y in range(cy - r + 1, cy + r) for x in (cx - r, cx + r)]
    return top_bottom + sides


class _Plane:
    """Equirectangular projection to metres around the instance's mean latitude."""

    def __init__(self, points: Iterable[LatLon | None]) -> None:
        lats = [p[0] for p in points if p is not None]
        mean = sum(lats) / len(lats) if lats else 0.0
        self.x_scale = EARTH_RADIUS_M * math.cos(math.radians(mean))

    def xy(self, point: LatLon | None) -> XY | None:
        if point is None:
            return None
        lat, lon = point
        return (self.x_scale * math.radians(lon), EARTH_RADIUS_M * math.radians(lat))

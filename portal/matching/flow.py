"""Round two's graphs, solved by OR-Tools (max flow, min-cost flow); nothing hand-written.

Every graph here runs source -> pupils (or classes of pupils) [-> hubs] -> placements -> sink,
with the free seats as the placements' capacities. Node numbers: 0 is the source, 1 the sink,
then the pupils or classes, then the hubs, then the placements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.graph.python import max_flow, min_cost_flow

SOURCE, SINK = 0, 1

Arc = tuple[int, int, int]
"""(tail, head, cost): tail and head are indices among their own kind of node."""


@dataclass(slots=True)
class Graph:
    """Round two's network between the waiting pupils and the free placements."""

    hubs: int = 0
    pupil_hub: list[Arc] = field(default_factory=list)  # (pupil, hub, cost)
    hub_place: list[Arc] = field(default_factory=list)  # (hub, placement index, cost)
    # (pupil, placement index, cost): the backbone's direct arcs
    pupil_place: list[Arc] = field(default_factory=list)

    def new_hub(self) -> int:
        self.hubs += 1
        return self.hubs - 1


def class_max_flow(
    classes: Sequence[tuple[int, Sequence[int]]], seats: Sequence[int]
) -> list[list[tuple[int, int]]]:
    """A maximum flow over every compatible seat: per class, (placement index, pupils sent).

    `classes` are (number of pupils, compatible placement indices): pupils with the same needs
    and the same allowed placements can use exactly the same seats, so one node per class gives
    the same maximum as one node per pupil, on a graph that stays small.
    """
    sent: list[list[tuple[int, int]]] = [[] for _ in classes]
    if not classes or not seats:
        return sent
    first_place = 2 + len(classes)
    tails, heads, caps = _ends(len(classes), seats, [c for c, _ in classes], first_place)
    first_arc = len(tails)
    for k, (count, places) in enumerate(classes):
        for j in places:
            tails.append(2 + k)
            heads.append(first_place + j)
            caps.append(count)
    graph = max_flow.SimpleMaxFlow()
    graph.add_arcs_with_capacity(tails, heads, caps)
    status = graph.solve(SOURCE, SINK)
    if status != graph.OPTIMAL:
        raise RuntimeError(f"max flow failed: {status}")
    flows = graph.flows(range(first_arc, len(tails))).tolist()
    for tail, head, flow in zip(tails[first_arc:], heads[first_arc:], flows, strict=True):
        if flow:
            sent[tail - 2].append((head - first_place, flow))
    return sent


def max_flow_min_cost(pupils: int, graph: Graph, seats: Sequence[int]) -> list[int | None]:
    """The placement index per pupil (None: unplaced) of a min-cost maximum flow.

    Nodes: source, sink, the pupils, the hubs, the placements. A hub passes on as many pupils
    as it takes in, so its pupils are paired with the seats it sends them to in any order:
    they all reached it at their own cost, and every seat behind it costs them the same.
    """
    if not pupils or not seats:
        return [None] * pupils
    first_hub = 2 + pupils
    first_place = first_hub + graph.hubs
    tails, heads, caps = _ends(pupils, seats, [1] * pupils, first_place)
    costs = [0] * len(tails)
    parts = (
        (graph.pupil_hub, 2, first_hub, None),
        (graph.hub_place, first_hub, first_place, seats),
        (graph.pupil_place, 2, first_place, None),
    )
    first_arc = len(tails)
    for arcs, tail_base, head_base, capacity in parts:
        for tail, head, cost in arcs:
            tails.append(tail_base + tail)
            heads.append(head_base + head)
            caps.append(1 if capacity is None else capacity[head])
            costs.append(cost)
    flows = _solve(tails, heads, caps, costs, pupils)[first_arc:]
    return _decompose(pupils, graph, flows)


def _solve(
    tails: list[int], heads: list[int], caps: list[int], costs: list[int], supply: int
) -> list[int]:
    network = min_cost_flow.SimpleMinCostFlow()
    network.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    # Offer every pupil; solve_max_flow_with_min_cost sends as much as fits, as cheaply as it can.
    network.set_node_supply(SOURCE, supply)
    network.set_node_supply(SINK, -supply)
    status = network.solve_max_flow_with_min_cost()
    if status != network.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return network.flows(range(len(tails))).tolist()


def _decompose(pupils: int, graph: Graph, flows: list[int]) -> list[int | None]:
    """Flows on the graph's arcs, in the order pupil_hub, hub_place, pupil_place."""
    to_hub = flows[: len(graph.pupil_hub)]
    from_hub = flows[len(to_hub) : len(to_hub) + len(graph.hub_place)]
    direct = flows[len(to_hub) + len(from_hub) :]
    chosen: list[int | None] = [None] * pupils
    for (i, j, _), used in zip(graph.pupil_place, direct, strict=True):
        if used:
            chosen[i] = j
    arrived: list[list[int]] = [[] for _ in range(graph.hubs)]
    for (i, hub, _), used in zip(graph.pupil_hub, to_hub, strict=True):
        if used:
            arrived[hub].append(i)
    for (hub, j, _), used in zip(graph.hub_place, from_hub, strict=True):
        for _ in range(used):
            chosen[arrived[hub].pop()] = j
    return chosen


def _ends(
    lefts: int, seats: Sequence[int], supply: Sequence[int], first_place: int
) -> tuple[list[int], list[int], list[int]]:
    """Arcs source -> each left node and each placement -> sink."""
    tails = [SOURCE] * lefts + [first_place + j for j in range(len(seats))]
    heads = [2 + k for k in range(lefts)] + [SINK] * len(seats)
    return tails, heads, list(supply) + list(seats)

"""Benchmark of the matching engine (issue 5).

    .venv/bin/python benchmarks/matching.py [--pupils 120000] [--peer-pupils 10000] [--no-peer]

1. Round one (the stable matching) on a regional instance: 120,000 pupils with 5 wishes each,
   1.1 seats per pupil on placements of 1-4 seats, popularity skewed (Zipf) and wishes mostly
   in the pupil's own town. Best of 3. Target: <= 1 s.
2. Round two on a harder instance (1.05 seats per pupil, more skew, more local wishes, one
   pupil in ten needing a step-free workplace), so that many pupils are left after round one:
   time of `second_round` on them (one run).
3. Side by side at 10,000 pupils, the PyPI package `matching` (its HospitalResident game,
   resident-optimal) on the same instance: identical assignments required, and the ratio of
   the times (the peer's time covers building its game, with its input checks, and solving).
   The package is installed only in this benchmark's own virtualenv (benchmarks/.venv-peer,
   git-ignored) and runs there in a subprocess.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from portal.matching import Placement, Result, Student, second_round, stable_round  # noqa: E402

PEER_VENV = Path(__file__).resolve().parent / ".venv-peer"
PEER_REQUIREMENT = "matching==1.4.3"
SECTORS = ("vård", "handel", "skola", "bygg", "industri", "it", "restaurang", "transport",
           "kultur", "offentlig", "hotell", "lantbruk", "fordon", "frisör", "media")
CAPACITY_WEIGHTS = ((1, 35), (2, 30), (3, 20), (4, 15))


@dataclass(frozen=True)
class Shape:
    pupils: int
    seats_per_pupil: float = 1.1
    wishes: int = 5
    local_share: float = 0.85  # share of wishes drawn in the pupil's own town
    zipf: float = 0.6  # popularity of the r-th most popular placement ~ 1 / r**zipf
    needs_share: float = 0.03  # pupils who need a step-free workplace
    pupils_per_school: int = 300


@dataclass(frozen=True)
class Town:
    lat: float
    lon: float
    weight: float


def build(shape: Shape, seed: int) -> tuple[list[Student], list[Placement]]:
    """A reproducible regional instance of the given shape."""
    rng = random.Random(seed)
    towns = _towns(rng, max(3, shape.pupils // 3000))
    placements, homes = _placements(rng, shape, towns)
    students = _students(rng, shape, towns, placements, homes)
    return students, placements


def _towns(rng: random.Random, count: int) -> list[Town]:
    # A few big towns and many small ones, in a box the size of a Swedish region.
    return [
        Town(rng.uniform(55.4, 56.6), rng.uniform(12.6, 14.6), 1 / (r + 1) ** 0.8)
        for r in range(count)
    ]


def _near(rng: random.Random, town: Town, spread: float) -> tuple[float, float]:
    return (town.lat + rng.gauss(0, spread), town.lon + rng.gauss(0, spread * 1.8))


def _placements(
    rng: random.Random, shape: Shape, towns: list[Town]
) -> tuple[list[Placement], list[int]]:
    sizes, weights = zip(*CAPACITY_WEIGHTS, strict=True)
    town_weights = [t.weight for t in towns]
    placements: list[Placement] = []
    homes: list[int] = []  # the town of each placement
    seats, target = 0, round(shape.pupils * shape.seats_per_pupil)
    while seats < target:
        capacity = min(rng.choices(sizes, weights)[0], target - seats)
        home = rng.choices(range(len(towns)), town_weights)[0]
        features = frozenset({"step_free"}) if rng.random() < 0.3 else frozenset()
        placements.append(Placement(f"p{len(placements)}", capacity, features,
                                    rng.choice(SECTORS), _near(rng, towns[home], 0.03)))
        homes.append(home)
        seats += capacity
    return placements, homes


def _students(
    rng: random.Random,
    shape: Shape,
    towns: list[Town],
    placements: list[Placement],
    homes: list[int],
) -> list[Student]:
    draw_region, draw_town = _wish_samplers(rng, shape, len(towns), homes)
    schools = [
        (town, _near(rng, towns[town], 0.02))
        for town in rng.choices(range(len(towns)), [t.weight for t in towns],
                                k=max(1, shape.pupils // shape.pupils_per_school))
    ]
    lotteries = rng.sample(range(1, shape.pupils + 1), shape.pupils)
    students = []
    for i, lottery in enumerate(lotteries):
        town, location = schools[i % len(schools)]
        wishes: dict[int, None] = {}  # ordered and distinct
        while len(wishes) < shape.wishes:
            local = rng.random() < shape.local_share
            wishes[draw_town[town]() if local else draw_region()] = None
        needs = frozenset({"step_free"}) if rng.random() < shape.needs_share else frozenset()
        # Policy example from the issue: pupils whose needs limit their choices go first.
        students.append(Student(f"s{i}", tuple(placements[j].id for j in wishes), lottery,
                                0 if needs else 1, needs, location))
    return students


def _wish_samplers(
    rng: random.Random, shape: Shape, towns: int, homes: list[int]
) -> tuple[Callable[[], int], list[Callable[[], int]]]:
    """Zipf-weighted draws of a placement index, region-wide and per town."""
    ranks = list(range(1, len(homes) + 1))
    rng.shuffle(ranks)
    popularity = [1 / r**shape.zipf for r in ranks]
    by_town: list[list[int]] = [[] for _ in range(towns)]
    for j, home in enumerate(homes):
        by_town[home].append(j)

    def sampler(items: list[int]) -> Callable[[], int]:
        if not items:  # a town without placements: its pupils wish region-wide
            return lambda: rng.choices(range(len(homes)), popularity)[0]
        cum: list[float] = []
        total = 0.0
        for j in items:
            total += popularity[j]
            cum.append(total)
        return lambda: rng.choices(items, cum_weights=cum)[0]

    return sampler(list(range(len(homes)))), [sampler(items) for items in by_town]


def best_of(runs: int, fn: Callable[[], Result]) -> tuple[float, Result]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def bench_stable(pupils: int, seed: int) -> dict[str, object]:
    students, placements = build(Shape(pupils), seed)
    seconds, result = best_of(3, lambda: stable_round(students, placements))
    s = result.stats
    print(f"round one, {pupils} pupils, {len(placements)} placements: {seconds:.3f} s "
          f"(placed {s.placed}, unplaced {s.unplaced}, by rank {s.by_rank})", flush=True)
    return {"pupils": pupils, "solve_s": round(seconds, 3)}


def bench_second_round(pupils: int, seed: int) -> dict[str, object]:
    shape = Shape(pupils, seats_per_pupil=1.05, local_share=0.9, zipf=0.7, needs_share=0.1)
    students, placements = build(shape, seed + 1)
    first = stable_round(students, placements)
    start = time.perf_counter()
    result = second_round(students, placements, first)
    seconds = time.perf_counter() - start
    waiting, placed = first.stats.unplaced, result.stats.second_round
    print(f"round two, harder instance: {waiting} pupils left after round one, "
          f"{placed} placed by round two, {result.stats.unplaced} left: {seconds:.3f} s",
          flush=True)
    return {"second_round_s": round(seconds, 3), "second_round_pupils": waiting,
            "second_round_placed": placed}


def bench_peer(pupils: int, seed: int) -> dict[str, object]:
    students, placements = build(Shape(pupils), seed + 2)
    ours_s, ours = best_of(3, lambda: stable_round(students, placements))
    peer_s, peer = run_peer(students, placements)
    identical = peer == {sid: p for sid, p in ours.assignments.items() if p is not None}
    speedup = peer_s / ours_s
    print(f"side by side, {pupils} pupils: ours {ours_s:.4f} s, matching {peer_s:.2f} s, "
          f"{speedup:.0f} times faster, identical: {identical}", flush=True)
    return {"peer_pupils": pupils, "peer_s": round(peer_s, 2), "ours_s": round(ours_s, 4),
            "speedup": round(speedup), "identical": identical}


# The peer runs in its own interpreter. Its create_from_dictionaries deep-copies the player
# graph recursively: raise the recursion limit and give the work a thread with a big stack
# (shared/BENCHMARK-NOTES.md). Timed: building the game (with its input checks) and solving.
PEER_SCRIPT = """
import json, sys, threading, time
from matching.games import HospitalResident

def run(out):
    with open(sys.argv[1]) as f:
        data = json.load(f)
    start = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(
        data["residents"], data["hospitals"], data["capacities"])
    matching = game.solve(optimal="resident")
    out["seconds"] = time.perf_counter() - start
    out["assignments"] = {
        str(r.name): str(h.name) for h, residents in matching.items() for r in residents}

sys.setrecursionlimit(1_000_000)
threading.stack_size(1 << 30)
out = {}
worker = threading.Thread(target=run, args=(out,))
worker.start()
worker.join()
if "seconds" not in out:
    sys.exit("the peer failed")
print(json.dumps(out))
"""


def run_peer(students: list[Student], placements: list[Placement]) -> tuple[float, dict]:
    python = peer_python()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "peer.json"
        instance.write_text(json.dumps(peer_instance(students, placements)))
        # -I and a neutral cwd: this file is named matching.py and must not shadow the package.
        # Every argument is this program's own (S603).
        command = [str(python), "-I", "-c", PEER_SCRIPT, str(instance)]
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True, check=True)  # noqa: S603
    out = json.loads(done.stdout)
    return out["seconds"], out["assignments"]


def peer_instance(students: list[Student], placements: list[Placement]) -> dict[str, object]:
    """The same instance as the peer's dictionaries: residents, hospitals, capacities.

    Only mutually acceptable pairs: a wish whose placement does not cover the pupil's needs is
    left out (our engine ignores it too), and a hospital ranks exactly the pupils who wish it,
    in the common (priority, lottery, id) order. Players with no one to rank are left out.
    """
    features = {p.id: p.features for p in placements}
    residents = {s.id: [p for p in s.wishes if s.needs <= features[p]] for s in students}
    residents = {sid: prefs for sid, prefs in residents.items() if prefs}
    by_key = sorted(students, key=lambda s: s.key)
    hospitals: dict[str, list[str]] = {p.id: [] for p in placements}
    for s in by_key:
        for pid in residents.get(s.id, ()):
            hospitals[pid].append(s.id)
    capacities = {p.id: p.capacity for p in placements}
    hospitals = {h: prefs for h, prefs in hospitals.items() if prefs}
    return {"residents": residents, "hospitals": hospitals,
            "capacities": {h: capacities[h] for h in hospitals}}


def peer_python() -> Path:
    """The benchmark's own virtualenv with the peer package, created on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {PEER_VENV} with {PEER_REQUIREMENT} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)  # noqa: S603
    # A no-op when it is there already; pins the version when an older run left another.
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, PEER_REQUIREMENT], check=True)  # noqa: S603
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=120_000)
    parser.add_argument("--peer-pupils", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-peer", action="store_true", help="skip the side-by-side run")
    parser.add_argument("--no-portal", action="store_true",
                        help="skip the whole portal round on PostgreSQL")
    args = parser.parse_args()
    figures = bench_stable(args.pupils, args.seed)
    figures |= bench_second_round(args.pupils, args.seed)
    if not args.no_peer:
        figures |= bench_peer(args.peer_pupils, args.seed)
    if not args.no_portal:
        figures |= bench_portal_round(args.pupils)
    print(json.dumps(figures))


def bench_portal_round(pupils: int) -> dict:
    """Load wishes, solve and store results with explanations, in the portal on PostgreSQL."""
    import portal_round

    figures = portal_round.measure(pupils)
    print(f"portal round, {pupils} pupils on PostgreSQL: {figures['portal_round_s']} s "
          f"(target 20 s)", flush=True)
    return {"portal_round_s": figures["portal_round_s"],
            "portal_round_placed": figures["placed"]}


if __name__ == "__main__":
    main()

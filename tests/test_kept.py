"""Figures many readers share, kept per process for SHARED_FIGURES_MAX_AGE seconds."""

from __future__ import annotations

from portal import kept as kept_module
from portal.kept import Kept


def test_a_kept_value_is_read_again_once_old_and_the_oldest_goes_first(app, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: now[0])
    reads: list[str] = []

    def read(key: str) -> str:
        reads.append(key)
        return f"{key}@{now[0]:.0f}"

    figures: Kept[str] = Kept(size=2)
    with app.app_context():
        app.config["SHARED_FIGURES_MAX_AGE"] = 60
        try:
            assert figures.get("a", lambda: read("a")) == "a@1000"
            now[0] += 59
            assert figures.get("a", lambda: read("a")) == "a@1000"  # kept
            now[0] += 1
            assert figures.get("a", lambda: read("a")) == "a@1060"  # a minute old: read
            figures.get("b", lambda: read("b"))
            figures.get("c", lambda: read("c"))  # two at most: "a" is dropped
            figures.get("a", lambda: read("a"))
            assert reads == ["a", "a", "b", "c", "a"]
            app.config["SHARED_FIGURES_MAX_AGE"] = 0
            figures.get("a", lambda: read("a"))  # 0: always read
            assert reads[-1] == "a" and len(reads) == 6
        finally:
            app.config["SHARED_FIGURES_MAX_AGE"] = 0


def test_a_settled_figure_is_kept_its_own_time_and_not_at_all_when_nothing_is(app,
                                                                             monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: now[0])
    reads: list[float] = []

    def read() -> float:
        reads.append(now[0])
        return now[0]

    settled: Kept[float] = Kept(size=4, settled_for=3600)
    with app.app_context():
        try:
            app.config["SHARED_FIGURES_MAX_AGE"] = 60
            assert settled.get("day", read) == 1000
            now[0] += 3599
            assert settled.get("day", read) == 1000  # an hour less a second: kept
            now[0] += 1
            assert settled.get("day", read) == 4600  # an hour old: read again
            app.config["SHARED_FIGURES_MAX_AGE"] = 0  # nothing kept, settled or not
            settled.get("day", read)
            assert reads == [1000, 4600, 4600]
        finally:
            app.config["SHARED_FIGURES_MAX_AGE"] = 0

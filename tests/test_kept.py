"""Figures many readers share, kept per process for SHARED_FIGURES_MAX_AGE seconds, and shared
with the other processes through SHARED_FIGURES_URI."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from flask import Flask

from portal import config as portal_config
from portal import kept as kept_module
from portal.kept import Kept
from tests.conftest import free_port


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


# --- shared through Redis (SHARED_FIGURES_URI) ----------------------------------------------

@pytest.fixture
def shared(app: Flask, redis_url: str) -> Iterator[str]:
    """The app shares its kept figures through the test Redis; a name of the test's own."""
    app.config.update(SHARED_FIGURES_URI=redis_url, SHARED_FIGURES_MAX_AGE=60)
    app.extensions.pop("portal_kept", None)
    try:
        yield f"test-{secrets.token_hex(6)}"
    finally:
        app.config.update(SHARED_FIGURES_URI="", SHARED_FIGURES_MAX_AGE=0)
        app.extensions.pop("portal_kept", None)


@pytest.fixture
def clocks(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """[seconds passed]: the wall clock and the monotonic one move together."""
    passed = [0.0]
    wall, monotonic = time.time(), time.monotonic()
    monkeypatch.setattr(kept_module.time, "time", lambda: wall + passed[0])
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: monotonic + passed[0])
    return passed


def test_a_figure_one_process_read_serves_the_others_for_the_rest_of_its_time(app, shared,
                                                                              clocks):
    reads: list[str] = []

    def read(who: str) -> Callable[[], str]:
        return lambda: reads.append(who) or f"{who}@{clocks[0]:.0f}"

    # Two processes: each has its own memory of the figure, both share the store.
    first: Kept[str] = Kept(size=4, name=shared)
    second: Kept[str] = Kept(size=4, name=shared)
    with app.app_context():
        assert first.get(("län", 14), read("first")) == "first@0"
        clocks[0] = 30
        assert second.get(("län", 14), read("second")) == "first@0"  # not read again
        assert second.get(("län", 13), read("second")) == "second@30"  # another key is
        clocks[0] = 61  # the first reading is a minute old: in the store and in memory
        assert second.get(("län", 14), read("second")) == "second@61"
    assert reads == ["first", "second", "second"]


def test_a_figure_without_a_name_is_not_shared(app, shared):
    reads: list[int] = []
    with app.app_context():
        for _ in range(2):
            Kept[int](size=4).get(("län", 14), lambda: reads.append(1) or len(reads))
    assert reads == [1, 1]


def test_without_redis_each_process_reads_for_itself_and_asks_again_later(app, clocks,
                                                                         monkeypatch):
    app.config.update(SHARED_FIGURES_URI=f"redis://127.0.0.1:{free_port()}/0",
                      SHARED_FIGURES_MAX_AGE=60)
    app.extensions.pop("portal_kept", None)
    figures: Kept[str] = Kept(size=8, name="down")
    try:
        with app.app_context():
            store = kept_module.shared_store()
            assert store is not None
            asked: list[str] = []
            real_get = store._client.get
            monkeypatch.setattr(store._client, "get",
                                lambda key: asked.append(key) or real_get(key))
            assert figures.get("a", lambda: "read a") == "read a"  # no error, no wait
            assert figures.get("b", lambda: "read b") == "read b"  # Redis not asked
            assert len(asked) == 1
            clocks[0] = kept_module.SharedStore.RETRY_AFTER
            assert figures.get("c", lambda: "read c") == "read c"
            assert len(asked) == 2  # asked again after a while
    finally:
        app.config.update(SHARED_FIGURES_URI="", SHARED_FIGURES_MAX_AGE=0)
        app.extensions.pop("portal_kept", None)


@pytest.mark.parametrize(("shared_uri", "limits_uri", "expected"), [
    ("", "redis://redis:6379/0", "redis://redis:6379/0"),  # the sign-ins' Redis
    ("", "memory://", ""),
    ("redis://other:6379/1", "redis://redis:6379/0", "redis://other:6379/1"),
    ("off", "redis://redis:6379/0", ""),
])
def test_figures_are_shared_through_the_sign_ins_redis_unless_told_otherwise(
        monkeypatch, shared_uri, limits_uri, expected):
    monkeypatch.setenv("SHARED_FIGURES_URI", shared_uri)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", limits_uri)
    assert portal_config._shared_figures_uri() == expected


def test_a_shared_value_this_code_cannot_read_is_read_again(app, shared, redis_url):
    figures: Kept[str] = Kept(size=4, name=shared)
    with app.app_context():
        figures.get(("län", 14), lambda: "first")
        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter(f"*:kept:{shared}:*"):
            store.set(key, b"not a pickle")  # say, another release's value
        assert Kept[str](size=4, name=shared).get(("län", 14), lambda: "again") == "again"

"""Figures that many readers share (a county's short weeks, the offers a prao week's pupils
choose among, a municipality's gender split of last year's wishes), kept by each process for
SHARED_FIGURES_MAX_AGE seconds so that a busy hour reads them once a minute, not once per
reader. What a reader changes themselves is never read from here.

With SHARED_FIGURES_URI (a Redis; by default the one that counts sign-ins in production)
a figure one process read is also there for every other process and app server, for the
rest of its time: gunicorn's workers otherwise each read it again, and a county's short
weeks or a county's offers for a prao week take tens of milliseconds of the database."""

from __future__ import annotations

import hashlib
import logging
import math
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import redis
from flask import current_app

from portal.extensions import db

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The `size` values last used: a process's memory of what it read or made, bounded."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._values[key] = value
        self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        self._values.clear()


def fresh(kept_at: float, now: float, max_age: float) -> bool:
    """A value kept at `kept_at` (time.monotonic) may still be used at `now`. One kept at a
    later moment than now (under a test's frozen clock) is stale, not fresh for ever."""
    return 0 <= now - kept_at < max_age


class Kept(Generic[V]):
    """At most `size` values, per database and key, each read again once max_age old:
    SHARED_FIGURES_MAX_AGE, or `settled_for` seconds for a figure that no reader's change
    can move before its key does (last year's wishes, keyed by the day). With
    SHARED_FIGURES_MAX_AGE at 0 nothing is kept. A `name` (unique per figure) shares the
    values through SHARED_FIGURES_URI; its keys are tuples of numbers, dates and text. Give
    a figure a new name when the shape of its value changes: during a rolling release the
    old code and the new read each other's values."""

    def __init__(self, size: int, settled_for: float | None = None, name: str = "") -> None:
        self._values: Recent[tuple[str, Hashable], tuple[float, V]] = Recent(size)
        self._settled_for = settled_for
        self._name = name

    def get(self, key: Hashable, read: Callable[[], V]) -> V:
        max_age = current_app.config["SHARED_FIGURES_MAX_AGE"]
        if max_age <= 0:
            return read()
        max_age = self._settled_for or max_age
        full_key, now = (str(db.engine.url), key), time.monotonic()
        kept = self._values.get(full_key)
        if kept is not None and fresh(kept[0], now, max_age):
            return kept[1]
        store = shared_store() if self._name else None
        if store is not None:
            found = store.fetch(self._name, full_key, max_age)
            if found is not None:  # another process's, as old as it is there
                return self._values.put(full_key, (now - found[0], found[1]))[1]
        value = read()
        if store is not None:
            store.keep(self._name, full_key, value, max_age)
        return self._values.put(full_key, (now, value))[1]

    def clear(self) -> None:
        self._values.clear()


class SharedStore:
    """Kept figures in Redis, each with the time it was read. Values are pickled: the store is
    the portal's own Redis, which the sign-in throttling already trusts, and only the portal
    writes these keys. When Redis does not answer, each process reads for itself and asks
    Redis again after RETRY_AFTER seconds: a page never waits on it for long, or fails."""

    RETRY_AFTER = 30.0
    TIMEOUT = 0.25

    def __init__(self, url: str, prefix: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=self.TIMEOUT,
                                            socket_connect_timeout=self.TIMEOUT)
        self._prefix = prefix
        self._down_until = 0.0

    def _key(self, name: str, full_key: tuple[str, Hashable]) -> str:
        # repr is the same in every process for tuples of numbers, dates and text.
        digest = hashlib.sha256(repr(full_key).encode()).hexdigest()
        return f"{self._prefix}:kept:{name}:{digest}"

    def fetch(self, name: str, full_key: tuple[str, Hashable],
              max_age: float) -> tuple[float, Any] | None:
        """(age in seconds, value) of a figure younger than max_age, or None."""
        raw = self._call(lambda: self._client.get(self._key(name, full_key)))
        if not isinstance(raw, bytes):
            return None
        try:
            read_at, value = pickle.loads(raw)  # noqa: S301 - the portal's own store (above)
        except Exception:  # noqa: BLE001 - one this code cannot read (another release's): read
            log.warning("shared figures: an unreadable value under %s", name)
            return None
        age = time.time() - read_at
        return (age, value) if 0 <= age < max_age else None

    def keep(self, name: str, full_key: tuple[str, Hashable], value: object,
             max_age: float) -> None:
        data = pickle.dumps((time.time(), value), protocol=pickle.HIGHEST_PROTOCOL)
        self._call(lambda: self._client.set(self._key(name, full_key), data,
                                            ex=max(1, math.ceil(max_age))))

    def _call(self, command: Callable[[], Any]) -> Any:
        if time.monotonic() < self._down_until:
            return None
        try:
            return command()
        except redis.RedisError as error:
            self._down_until = time.monotonic() + self.RETRY_AFTER
            log.warning("shared figures: Redis did not answer (%s); each process reads "
                        "for itself for %.0f s", error, self.RETRY_AFTER)
            return None


def shared_store() -> SharedStore | None:
    """The app's SharedStore, or None without SHARED_FIGURES_URI."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if "portal_kept" not in app.extensions:
        url = app.config.get("SHARED_FIGURES_URI", "")
        app.extensions["portal_kept"] = SharedStore(
            url, app.config.get("RATELIMIT_KEY_PREFIX", "praoportalen")) if url else None
    store: SharedStore | None = app.extensions["portal_kept"]
    return store

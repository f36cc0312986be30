"""Figures that many readers share (a county's short weeks, the offers a prao week's pupils
choose among, a municipality's gender split of last year's wishes), kept by each process for
SHARED_FIGURES_MAX_AGE seconds so that a busy hour reads them once a minute, not once per
reader. What a reader changes themselves is never read from here."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import current_app

from portal.extensions import db

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


class Kept(Generic[V]):
    """At most `size` values, per database and key, each read again once max_age old:
    SHARED_FIGURES_MAX_AGE, or `settled_for` seconds for a figure that no reader's change
    can move before its key does (last year's wishes, keyed by the day). With
    SHARED_FIGURES_MAX_AGE at 0 nothing is kept."""

    def __init__(self, size: int, settled_for: float | None = None) -> None:
        self._values: Recent[tuple[str, Hashable], tuple[float, V]] = Recent(size)
        self._settled_for = settled_for

    def get(self, key: Hashable, read: Callable[[], V]) -> V:
        max_age = current_app.config["SHARED_FIGURES_MAX_AGE"]
        if max_age <= 0:
            return read()
        max_age = self._settled_for or max_age
        full_key, now = (str(db.engine.url), key), time.monotonic()
        kept = self._values.get(full_key)
        if kept is not None and now - kept[0] < max_age:
            return kept[1]
        return self._values.put(full_key, (now, read()))[1]

    def clear(self) -> None:
        self._values.clear()

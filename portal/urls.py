"""URLs from user input: redirect targets stay on this site, ids in a path fit a column."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter, Map


def safe_next(target: str | None, default: str) -> str:
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    return target


# The largest value of an INTEGER column (PostgreSQL's int4; SQLite has no such limit).
MAX_DB_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: an id no row can have is a 404 before any query runs.
    PostgreSQL raises 'integer out of range' for a larger value compared with an INTEGER
    column, which would otherwise be a 500 for /perioder/99999999999."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_DB_ID)
        super().__init__(map, *args, **kwargs)


def page_number(args: Mapping[str, str], name: str = "sida") -> int:
    """The page asked for in the query string, 1 when unreadable, and never so large that
    its OFFSET overflows the database's BIGINT (a 500 on PostgreSQL); a page past the end
    is simply empty."""
    try:
        page = int(args.get(name, 1))
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), MAX_DB_ID)

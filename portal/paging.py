"""One page of a long list read with LIMIT and OFFSET, for lists that grow with the country
(30,000 employers' answer rates were one 11 MB page). `templates/_pagination.html` links
the pages."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from portal.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first(self) -> int:
        """The number of the page's first row (1-based), 0 on an empty page."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0


def paged(stmt: Select[*tuple[Any, ...]], page: int, per_page: int,
          make: Callable[[Sequence[Any]], T]) -> Paged[T]:
    """The statement's rows on `page` (ordered by the statement, which must order by
    something unique last), each made into an item by `make`, and how many there are. A
    page past the end is the last one (an old link to a list that has shrunk)."""
    total = db.session.scalar(select(func.count()).select_from(
        stmt.order_by(None).subquery())) or 0
    page = max(1, min(page, math.ceil(total / per_page)))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Paged([make(row) for row in rows], int(total), page, per_page)

"""The public catalogue of praoplatser: what is listed, the search, and the text it searches.

Full-text search follows the database engine:

* PostgreSQL stems with its own ``swedish`` configuration. A placement's document is its
  title (weight A) and ``Placement.search_text`` (weight B), which on PostgreSQL holds the
  organisation's name, the description, the tasks and the place as plain text. A GIN index
  over exactly that expression (migration 0004) answers ``@@``; ``ts_rank`` of the title
  orders (see _text_match for why the title alone).
* SQLite has no Swedish stemmer, so there ``search_text`` holds the words already stemmed
  here with Snowball's Swedish stemmer (the algorithm behind PostgreSQL's ``swedish``) and
  the same stop words dropped. An FTS5 table over that column (external content, kept in
  step by triggers from 0004) finds the words and ``bm25`` orders. Query words are stemmed
  the same way, and quoted, so nothing a visitor types is FTS5 syntax.

``search_text`` is computed before every ORM flush that adds or changes a placement or
renames its organisation (the listener `_keep_search_text`, which create_app registers with
`register_search_listeners()`), so every write path fills it. Bulk ``UPDATE`` statements
bypass the ORM and must set it themselves with ``search_document``.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from itertools import chain
from typing import Any

import snowballstemmer
from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Integer,
    Select,
    column,
    event,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, contains_eager, selectinload

from portal import clock
from portal.employers.models import (
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.employers.reference import Entry, features
from portal.extensions import db
from portal.schools.models import Municipality
from portal.weeks import monday_of

PER_PAGE = 20
# Counting stops here: beyond it nobody pages on, and an exact count of every placement of
# a large region costs more than the page itself. The page says "more than 1,000".
COUNT_CAP = 1000
MAX_QUERY_WORDS = 12  # a search is a few words; more only costs time
WORD_RE = re.compile(r"[^\W_]+")  # letters and digits, as both engines' tokenizers see words

# PostgreSQL: the same expression as the GIN index of migration 0004, written out with a
# literal configuration so the planner can match it to that index even in a generic plan.
_SWEDISH: ColumnClause[Any] = literal_column("'swedish'::regconfig")
# SQLite: the FTS5 table of migration 0004; its rowid is the placement's id.
_FTS = table("placement_fts", column("rowid", Integer))
_FTS_NAME: ColumnClause[Any] = literal_column("placement_fts")


# --- words, stems and the searched text ---------------------------------------------

@cache
def stop_words() -> frozenset[str]:
    text = resources.files("portal.data").joinpath("swedish_stopwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def words(text: str) -> list[str]:
    """The text's words in lower case, without stop words (as PostgreSQL's parser splits)."""
    normalized = unicodedata.normalize("NFC", text).lower()
    stops = stop_words()
    return [word for word in WORD_RE.findall(normalized) if word not in stops]


_local = threading.local()  # a Snowball stemmer keeps state: one per thread


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("swedish")
    return stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


def search_document(title: str, organisation_name: str, description: str, tasks: str,
                    city: str, dialect: str) -> str:
    """What `Placement.search_text` holds on this database engine (see the module text)."""
    body = "\n".join([organisation_name, description, tasks, city])
    if dialect == "sqlite":
        # The title twice: bm25 counts its words double, so a title match ranks higher.
        return " ".join(stems(f"{title}\n{title}\n{body}"))
    return body  # PostgreSQL reads the title from its own column


def query_words(text: str) -> list[str]:
    """A visitor's search as at most MAX_QUERY_WORDS distinct words; [] if none is left."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_WORDS]


def fts5_query(query: Iterable[str]) -> str:
    """Stemmed words, each quoted as an FTS5 string, all required (implicit AND)."""
    quoted = ('"' + stem(word).replace('"', '""') + '"' for word in query)
    return " ".join(quoted)


# --- keeping search_text up to date --------------------------------------------------

def _organisation_name(session: Session, placement: Placement) -> str:
    organisation = placement.organisation
    if organisation is None and placement.organisation_id is not None:
        organisation = session.get(Organisation, placement.organisation_id)
    return organisation.name if organisation is not None else ""


def _refresh(session: Session, placement: Placement, dialect: str) -> None:
    text = search_document(placement.title or "", _organisation_name(session, placement),
                           placement.description or "", placement.tasks or "",
                           placement.city or "", dialect)
    if placement.search_text != text:  # an unchanged value stays out of the UPDATE
        placement.search_text = text


def _renamed(organisation: Organisation) -> bool:
    return sa_inspect(organisation).attrs.name.history.has_changes()


def _keep_search_text(session: Session, _context: Any, _instances: Any) -> None:
    placements = {obj for obj in chain(session.new, session.dirty)
                  if isinstance(obj, Placement) and obj not in session.deleted}
    renamed = [obj for obj in session.dirty if isinstance(obj, Organisation) and _renamed(obj)]
    if not placements and not renamed:
        return
    dialect = session.get_bind().dialect.name
    with session.no_autoflush:
        for organisation in renamed:
            placements.update(organisation.placements)
        for placement in placements:
            _refresh(session, placement, dialect)


def register_search_listeners() -> None:
    """Keep `search_text` before every flush, for every session. Called by create_app; once is
    enough however many apps a process builds (the tests build many)."""
    if not event.contains(Session, "before_flush", _keep_search_text):
        event.listen(Session, "before_flush", _keep_search_text)


# --- the search ----------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogueQuery:
    """What a visitor asks for; every part is optional."""

    text: str = ""
    sector: str | None = None
    municipality_id: int | None = None
    weeks: tuple[date, date] | None = None  # Mondays: an offer must cover all these weeks
    grade: int | None = None  # 8 or 9
    features: int = 0  # bit mask: the placement must have every one of them
    free_seats_only: bool = False


@dataclass(frozen=True)
class CataloguePage:
    """One page of results, with what the page links need. `total` is exact unless
    `more` says that there are more than that (the count stopped at COUNT_CAP)."""

    items: list[Placement]
    total: int
    page: int
    per_page: int
    more: bool = False

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
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def this_monday(today: date | None = None) -> date:
    """Offers of this week still count; the day is Swedish, whatever the server's zone."""
    return monday_of(today or clock.today())


def _offer_exists(query: CatalogueQuery, current: date) -> ColumnElement[bool]:
    """An offer not yet over that meets the week and free-seat filters, all in one offer."""
    conditions = [PlacementOffer.placement_id == Placement.id,
                  PlacementOffer.last_week >= current]
    if query.weeks is not None:
        first, last = query.weeks
        conditions += [PlacementOffer.first_week <= first, PlacementOffer.last_week >= last]
    if query.free_seats_only:
        conditions.append(PlacementOffer.seats_taken < PlacementOffer.seats)
    return select(PlacementOffer.id).where(*conditions).exists()


def _conditions(query: CatalogueQuery, current: date) -> list[ColumnElement[bool]]:
    conditions = [Placement.status == PlacementStatus.PUBLISHED,
                  Organisation.status == OrganisationStatus.APPROVED,
                  _offer_exists(query, current)]
    if query.sector:
        conditions.append(Placement.sector == query.sector)
    if query.municipality_id:
        conditions.append(Placement.municipality_id == query.municipality_id)
    if query.grade in (8, 9):
        grade_column = Placement.accepts_grade_8 if query.grade == 8 else Placement.accepts_grade_9
        conditions.append(grade_column.is_(True))
    if query.features:
        conditions.append(Placement.features.op("&")(query.features) == query.features)
    return conditions


def postgres_document() -> ColumnElement[Any]:
    title = func.setweight(func.to_tsvector(_SWEDISH, Placement.title), literal_column("'A'"))
    body = func.setweight(func.to_tsvector(_SWEDISH, Placement.search_text),
                          literal_column("'B'"))
    return title.op("||")(body)


def _text_match(stmt: Select[Any], query: list[str],
                dialect: str) -> tuple[Select[Any], ColumnElement[Any]]:
    """The statement narrowed to placements with every word, and the order by relevance."""
    if dialect == "sqlite":
        stmt = stmt.join(_FTS, _FTS.c.rowid == Placement.id).where(
            _FTS_NAME.bool_op("MATCH")(fts5_query(query)))
        return stmt, func.bm25(_FTS_NAME)  # lower is better
    tsquery = func.plainto_tsquery(_SWEDISH, " ".join(query))
    stmt = stmt.where(postgres_document().bool_op("@@")(tsquery))
    # Ranked by the title alone: the index finds the rows but cannot hand their vectors to
    # ts_rank, and rebuilding whole documents for thousands of matches of a common word
    # took 300 ms at 50,000 placements; titles are short (benchmarks/catalogue.py).
    title = func.to_tsvector(_SWEDISH, Placement.title)
    return stmt, func.ts_rank(title, tsquery).desc()


def matching_text(stmt: Select[Any], text: str) -> Select[Any]:
    """Narrow any statement that joins Placement to placements with every word of `text`,
    by the same Swedish full-text search as the catalogue (for the pupil's own page)."""
    wanted = query_words(text)
    if not wanted:
        return stmt
    narrowed, _relevance = _text_match(stmt, wanted, db.session.get_bind().dialect.name)
    return narrowed


def _statement(base: Select[Any], query: CatalogueQuery, current: date,
               dialect: str) -> tuple[Select[Any], list[ColumnElement[Any]]]:
    stmt = base.join(Placement.organisation).where(*_conditions(query, current))
    order: list[ColumnElement[Any]] = [Placement.title.expression, Placement.id.expression]
    wanted = query_words(query.text)
    if wanted:
        stmt, relevance = _text_match(stmt, wanted, dialect)
        order.insert(0, relevance)
    return stmt, order


def _with_offers_and_organisation(stmt: Select[Any], current: date) -> Select[Any]:
    """Fixed number of queries whatever the page size: the organisation comes in the same
    row, the offers still open in one more query for the whole page."""
    return stmt.options(
        contains_eager(Placement.organisation),
        selectinload(Placement.offers.and_(PlacementOffer.last_week >= current)))


def _count(query: CatalogueQuery, current: date, dialect: str, cap: int) -> int:
    """How many match, counting no further than cap + 1."""
    matching, _order = _statement(select(Placement.id), query, current, dialect)
    capped = matching.limit(cap + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(capped)) or 0


def search(query: CatalogueQuery, page: int = 1, per_page: int = PER_PAGE,
           today: date | None = None, count_cap: int | None = None) -> CataloguePage:
    """Published placements of approved organisations with an offer still open that match
    the query: by relevance when there is text, otherwise by title. Two queries (count and
    page) plus one for the offers of the page. A page past the end shows the last one."""
    current = this_monday(today)
    dialect = db.session.get_bind().dialect.name
    count_cap = COUNT_CAP if count_cap is None else count_cap
    found = _count(query, current, dialect, count_cap)
    total, more = min(found, count_cap), found > count_cap
    if total == 0:
        return CataloguePage(items=[], total=0, page=1, per_page=per_page)
    page = min(max(page, 1), math.ceil(total / per_page))
    stmt, order = _statement(select(Placement), query, current, dialect)
    stmt = stmt.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(_with_offers_and_organisation(stmt, current)))
    return CataloguePage(items=items, total=total, page=page, per_page=per_page, more=more)


def public_placement(placement_id: int, today: date | None = None) -> Placement | None:
    """A placement anyone may see: published, by an approved organisation. Its offers are
    the ones not yet over."""
    current = this_monday(today)
    stmt = (select(Placement).join(Placement.organisation)
            .where(Placement.id == placement_id,
                   Placement.status == PlacementStatus.PUBLISHED,
                   Organisation.status == OrganisationStatus.APPROVED))
    return db.session.scalars(_with_offers_and_organisation(stmt, current)).first()


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


def feature_entries(mask: int) -> list[Entry]:
    return [entry for index, entry in enumerate(features()) if mask & (1 << index)]

"""The public catalogue of praoplatser: what is listed, the search, and the text it searches.

Swedish writes compounds as one word ("möbelverkstad", "undersköterska"), so a search looks
for every word it is given in two ways, and a placement must match each word in one of them:

* as a word, stemmed: the database engine's full-text search (below), which finds other
  forms of the same word ("snickaren" finds "Snickare");
* inside longer words: the word's roots (`roots`) as substrings of the placement's words,
  found through a trigram index, so "verkstad" finds "möbelverkstad" and "sköterska" finds
  "Undersköterska".

Placements where every word matched as a word rank first, those found only inside longer
words after them; within each group a match in the title ranks higher.

What `Placement.search_text` holds depends on the engine (`search_document`). It always
contains the placement's words in lower case, without stop words: the title, the
organisation's name, the description, the tasks, the place and the sector's Swedish name
("hantverk" finds every placement of the crafts sector), one line each. Each line also
holds its words that have diacritics as they are typed without them (`folded`: luleå
lulea, äldre aldre), so that a visitor whose keyboard has no å, ä or ö finds the same
placements through the same indexes. Queries are never folded: a query with its
diacritics finds only what it found before (bär does not find bar).

* PostgreSQL stems with its own ``swedish`` configuration. The document is the title
  (weight A) and ``search_text`` (weight B), stored in the generated column
  ``placement.search_vector`` (migration 0007, kept out of the models like the indexes)
  with a GIN index that answers ``@@``. A GIN ``pg_trgm`` index over ``search_text``
  (migration 0007) answers ``LIKE '%root%'``. The order is read from the stored vector
  and the text's first line (see _postgres_rank_keys). Weight A is the title as written,
  so a title's words without diacritics rank through the first line only (_title_hits).
* SQLite has no Swedish stemmer, so there ``search_text`` starts with a line of the words
  already stemmed here with Snowball's Swedish stemmer (the algorithm behind PostgreSQL's
  ``swedish``) and the same stop words dropped (the words without diacritics stemmed
  too); the title is there twice, so that bm25 counts it double. Two FTS5 tables index
  that column (external content, kept in step by triggers): ``placement_fts`` (migration
  0004) finds whole stems and ``bm25`` orders; ``placement_fts_trigram`` (migration 0007,
  FTS5's ``trigram`` tokenizer, SQLite 3.34 or later) finds roots inside words. Query
  words are stemmed the same way, and quoted, so nothing a visitor types is FTS5 syntax.

``search_text`` is computed before every ORM flush that adds or changes a placement or
renames its organisation (the listener `_keep_search_text`, which create_app registers with
`register_search_listeners()`), so every write path fills it. Bulk ``UPDATE`` statements
bypass the ORM and must set it themselves with ``search_document``.
"""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from itertools import chain
from typing import Any, TypeVar

import snowballstemmer
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    column,
    event,
    func,
    literal,
    literal_column,
    or_,
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
from portal.employers.reference import Entry, features, sector_label
from portal.extensions import db
from portal.kept import fresh
from portal.paging import Paged
from portal.schools.models import Municipality
from portal.weeks import monday_of

PER_PAGE = 20
# Counting stops here: beyond it nobody pages on, and an exact count of every placement of
# a large region costs more than the page itself. The page says "more than 1,000".
COUNT_CAP = 1000
MAX_QUERY_WORDS = 12  # a search is a few words; more only costs time
WORD_RE = re.compile(r"[^\W_]+")  # letters and digits, as both engines' tokenizers see words

# PostgreSQL: the query's configuration written out as a literal, so that the planner
# matches it to the indexed documents' even in a generic plan; the stored tsvector of
# migration 0007 (a generated column, kept out of the models like the search indexes).
_SWEDISH: ColumnElement[Any] = literal_column("'swedish'::regconfig")
_SEARCH_VECTOR: ColumnElement[Any] = literal_column("placement.search_vector")
# SQLite: the FTS5 tables of migrations 0004 (stems) and 0007 (trigrams); their rowid is
# the placement's id.
_FTS = table("placement_fts", column("rowid", Integer))
_FTS_NAME: ColumnElement[Any] = literal_column("placement_fts")
_TRIGRAM = table("placement_fts_trigram", column("rowid", Integer))
_TRIGRAM_NAME: ColumnElement[Any] = literal_column("placement_fts_trigram")

# Roots: what a query word is looked for as inside longer words (see `roots`).
MIN_ROOT = 4  # shorter roots match too much ("kont" of "kontor" is in every "kontakt")…
MIN_STEM_ROOT = 5  # …and a stem this much shorter than its word is not used as one
MIN_BASE = 3  # a word of three letters is a root of its own: hus, kök, bil, vvs
# Endings tried off the query word and off its stem, longest first: those Snowball's
# stemmer leaves on (definite forms: verkstaden, lagret, förskolan; genitives: skolans) and
# plurals whose stem is too short to use (kockar). Not -or: kontor, motor, doktor.
INFLECTIONS = ("arnas", "ernas", "ornas", "arna", "erna", "orna", "ens", "ets", "ans", "en",
               "et", "an", "ar", "er", "na", "n", "s")
# A workplace or an activity and its worker share a root: snickeri and snickare, konditori
# and konditor, svetsning and svetsare.
DERIVATIONS = ("eri", "ori", "ning")
# How long a word must stay without an ending: huset -> hus, but lärarna is not lär + arna,
# and a short word ending in s is most often a word of its own (kurs, dans).
_SHORTEST_BASE = {"en": MIN_BASE, "et": MIN_BASE, "s": MIN_STEM_ROOT}
VOWELS = frozenset("aeiouyåäö")


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


# Letters that Unicode does not write as a base letter and a diacritic.
_OWN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ð": "d", "đ": "d",
                              "ł": "l", "þ": "th", "ı": "i"})


@lru_cache(maxsize=100_000)
def folded(word: str) -> tuple[str, ...]:
    """A word (lower case) as it is typed without diacritics: å and ä as a, ö as o, é as e,
    ü as u, æ as ae. Empty when the word has none to leave out, or when what is left is a
    stop word (hår without its ring is "har", which is never searched)."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_OWN_LETTERS))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    if plain == word:
        return ()
    stops = stop_words()
    return tuple(other for other in WORD_RE.findall(plain) if other not in stops)


def with_folded(found: list[str]) -> list[str]:
    """The words, then those of them that have diacritics as typed without them (`folded`):
    the searched text holds both, so "lulea" finds "Luleå", while a query that has its å
    finds only what it found before (a query is never folded)."""
    return found + [plain for word in found for plain in folded(word)]


def _lines(*parts: str) -> str:
    """Each part's words, lower case and without stop words, then those words without their
    diacritics (`with_folded`); one part a line."""
    return "\n".join(" ".join(with_folded(words(part))) for part in parts)


def search_document(title: str, organisation_name: str, description: str, tasks: str,
                    city: str, dialect: str, sector: str = "") -> str:
    """What `Placement.search_text` holds on this database engine (see the module text).
    `sector` is the sector's code; its Swedish name is searched."""
    body = (organisation_name, description, tasks, city,
            sector_label(sector) if sector else "")
    if dialect == "sqlite":
        # The title twice: bm25 counts its words double, so a title match ranks higher.
        stemmed = " ".join(stem(word) for word in with_folded(words("\n".join((title, title,
                                                                               *body)))))
        return f"{stemmed}\n{_lines(title, title, *body)}"
    return _lines(title, *body)  # the title's line first: _title_hits reads it


def query_words(text: str) -> list[str]:
    """A visitor's search as at most MAX_QUERY_WORDS distinct words; [] if none is left."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_WORDS]


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5_query(query: Iterable[str]) -> str:
    """Stemmed words, each quoted as an FTS5 string, all required (implicit AND)."""
    return " ".join(_fts5_string(stem(word)) for word in query)


def _inflection_bases(word: str) -> list[str]:
    """The word without each inflectional ending it may have: lagret -> lagr and lager (the
    e that the ending pushed out put back), skolans -> skol. Some are wrong; they only
    widen the search, and whole-word hits still rank first."""
    bases = []
    for ending in INFLECTIONS:
        base = word[:-len(ending)]
        if not word.endswith(ending) or len(base) < _SHORTEST_BASE.get(ending, MIN_ROOT):
            continue
        if ending in ("et", "ets") and base.endswith("h"):
            continue  # -het makes a word of its own: säkerhet, verksamhet
        if ending == "n" and not base.endswith(("ar", "er", "or", "el")):
            continue  # traktorn, cykeln; but barn and järn are words
        bases.append(base)
        if (ending in ("en", "et", "ens", "ets") and base[-1] in "rl"
                and base[-2] not in VOWELS and base[-2] != base[-1]):
            bases.append(f"{base[:-1]}e{base[-1]}")
    return bases


def _root_of(base: str) -> str:
    """The stem, unless stemming cut the word so short that it would be found inside
    unrelated words: then the word itself (kontor, not kont; lärare, not lär)."""
    stemmed = stem(base)
    return stemmed if len(stemmed) >= MIN_STEM_ROOT or stemmed == base else base


@lru_cache(maxsize=10_000)
def roots(word: str) -> tuple[str, ...]:
    """What a query word (lower case, no stop word) is looked for as inside the placements'
    words: its stem and the stems of its forms without an inflectional ending, and those
    without a derivational ending. Only the shortest are kept (a text with "snick" in it
    has it whether the visitor wrote snickare, snickares or snickeriet), and none shorter
    than MIN_ROOT unless the word itself is that short. Empty for a word of one or two
    letters: no trigram can find those, only the stemmed search."""
    bases = {word, *_inflection_bases(word), *_inflection_bases(stem(word))}
    found = {_root_of(base) for base in bases}
    for root in list(found):
        for ending in DERIVATIONS:
            if root.endswith(ending) and len(root) - len(ending) >= MIN_ROOT:
                found.add(root[:-len(ending)])
    stops = stop_words()
    found = {root for root in found if len(root) >= MIN_BASE and root not in stops
             and (len(root) >= MIN_ROOT or root in bases)}
    return tuple(sorted(root for root in found
                        if not any(other != root and other in root for other in found)))


# --- keeping search_text up to date --------------------------------------------------

def _organisation_name(session: Session, placement: Placement) -> str:
    organisation = placement.organisation
    if organisation is None and placement.organisation_id is not None:
        organisation = session.get(Organisation, placement.organisation_id)
    return organisation.name if organisation is not None else ""


def _refresh(session: Session, placement: Placement, dialect: str) -> None:
    text = search_document(placement.title or "", _organisation_name(session, placement),
                           placement.description or "", placement.tasks or "",
                           placement.city or "", dialect, sector=placement.sector or "")
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
    """Keep `search_text` before every flush and forget the cached municipalities after one
    that changed them, for every session. Called by create_app; once is
    enough however many apps a process builds (the tests build many)."""
    if not event.contains(Session, "before_flush", _keep_search_text):
        event.listen(Session, "before_flush", _keep_search_text)
    if not event.contains(Session, "after_flush", _forget_municipalities):
        event.listen(Session, "after_flush", _forget_municipalities)


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
class OfferCard:
    """An open offer as a result card shows it."""

    first_week: date
    last_week: date
    seats: int
    seats_taken: int

    @property
    def seats_free(self) -> int:
        return self.seats - self.seats_taken


@dataclass(frozen=True)
class PlacementCard:
    """A placement as a result card shows it: read as plain rows, which cost a seventh of
    loading Placement, Organisation and PlacementOffer objects (benchmarks/catalogue.py)."""

    id: int
    title: str
    city: str
    sector: str
    accepts_grade_8: bool
    accepts_grade_9: bool
    organisation_name: str
    offers: list[OfferCard]


@dataclass(frozen=True)
class CataloguePage(Paged[PlacementCard]):
    """One page of results, with what the page links need. `total` is exact unless
    `more` says that there are more than that (the count stopped at COUNT_CAP)."""

    more: bool = False

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def this_monday(today: date | None = None) -> date:
    """Offers of this week still count; the day is Swedish, whatever the server's zone."""
    return monday_of(today or clock.today())


# --- a search's statement, built once for every search of the same shape ---------------

@dataclass(frozen=True)
class _Shape:
    """What the SQL of a search depends on. Its values (the words, the municipality, the
    weeks, this week, the page) are bound parameters that `_values` fills in, so that one
    statement serves every search of the same shape: building a statement and
    SQLAlchemy's cache key for it was a third of a search's work in Python, and a cache of
    statements per search was mostly missed (searches are many, shapes few)."""

    dialect: str
    roots: tuple[int, ...]  # per word of the search: how many roots it has
    sector: bool
    municipality: bool
    weeks: bool
    grade: int | None  # 8 or 9: the column it reads
    features: bool
    free_seats_only: bool
    narrowed: bool  # see _found

    @classmethod
    def of(cls, query: CatalogueQuery, wanted: list[str], dialect: str) -> _Shape:
        return cls(dialect=dialect, roots=tuple(len(roots(word)) for word in wanted),
                   sector=bool(query.sector), municipality=bool(query.municipality_id),
                   weeks=query.weeks is not None,
                   grade=query.grade if query.grade in (8, 9) else None,
                   features=bool(query.features), free_seats_only=query.free_seats_only,
                   narrowed=_narrowed(query))


def _bound(name: str, type_: Any = None) -> BindParameter[Any]:
    """A value of the search, given when the statement runs (`_values` names them all: a
    missing one is an error, never a value of another search)."""
    return bindparam(name, type_=type_, required=True)


def _word_slots(index: int, root_count: int,
                dialect: str) -> tuple[BindParameter[Any], list[BindParameter[Any]]]:
    """The bound parameters of a word of the search (see `_word_values`)."""
    if dialect == "sqlite":
        inside = [_bound(f"roots_{index}", String())] if root_count else []
        return _bound(f"stem_{index}", String()), inside
    return (_bound(f"word_{index}", String()),
            [_bound(f"root_{index}_{n}", String()) for n in range(root_count)])


def _word_values(word: str, dialect: str) -> tuple[str, list[str]]:
    """What a word is looked for as (see `_word_condition`): on SQLite its stem (FTS5) and
    its roots in one trigram query; on PostgreSQL the word (stemmed by plainto_tsquery)
    and each root as a LIKE pattern."""
    if dialect == "sqlite":
        return _fts5_string(stem(word)), [_any_root(word)] if roots(word) else []
    return word, [f"%{root}%" for root in roots(word)]


def _values(query: CatalogueQuery, wanted: list[str], current: date,
            dialect: str) -> dict[str, Any]:
    """The bound parameters of the search's statement (see _Shape), by name."""
    values: dict[str, Any] = {"current": current, "sector": query.sector,
                              "municipality_id": query.municipality_id,
                              "features": query.features}
    if query.weeks is not None:
        values["first_week"], values["last_week"] = query.weeks
    for index, word in enumerate(wanted):
        match, inside = _word_values(word, dialect)
        if dialect == "sqlite":
            values[f"stem_{index}"] = match
            if inside:
                values[f"roots_{index}"] = inside[0]
        else:
            values[f"word_{index}"] = match
            values.update((f"root_{index}_{n}", pattern) for n, pattern in enumerate(inside))
    if wanted:
        values.update(_rank_values(wanted, dialect))
    return values


def _rank_values(wanted: list[str], dialect: str) -> dict[str, str]:
    if dialect == "sqlite":
        return {"stems": fts5_query(wanted),
                "inside": " AND ".join(f"({_any_root(word)})" for word in wanted
                                       if roots(word))}
    # Weight A is the title's (postgres_document). The words are letters and digits only
    # (WORD_RE), so they need no quoting in to_tsquery's syntax.
    return {"words": " ".join(wanted),
            "title_words": " & ".join(f"{word}:A" for word in wanted)}


def _offer_exists(shape: _Shape) -> ColumnElement[bool]:
    """An offer not yet over that meets the week and free-seat filters, all in one offer."""
    conditions = [PlacementOffer.placement_id == Placement.id,
                  PlacementOffer.last_week >= _bound("current")]
    if shape.weeks:
        conditions += [PlacementOffer.first_week <= _bound("first_week"),
                       PlacementOffer.last_week >= _bound("last_week")]
    if shape.free_seats_only:
        conditions.append(PlacementOffer.seats_taken < PlacementOffer.seats)
    return select(PlacementOffer.id).where(*conditions).exists()


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    conditions = [Placement.status == PlacementStatus.PUBLISHED,
                  Organisation.status == OrganisationStatus.APPROVED,
                  _offer_exists(shape)]
    if shape.sector:
        conditions.append(Placement.sector == _bound("sector"))
    if shape.municipality:
        conditions.append(Placement.municipality_id == _bound("municipality_id"))
    if shape.grade is not None:
        grade_column = Placement.accepts_grade_8 if shape.grade == 8 else Placement.accepts_grade_9
        conditions.append(grade_column.is_(True))
    if shape.features:
        features = _bound("features", Integer())
        conditions.append(Placement.features.op("&")(features) == features)
    return conditions


def postgres_document() -> ColumnElement[Any]:
    """The placement's tsvector: the stored column of migration 0007, the title (weight A)
    and search_text (weight B), which its GIN index answers. Stored, so that testing and
    ranking a found row reads it instead of rebuilding it from the text."""
    return _SEARCH_VECTOR


def _fts5_match(name: ColumnElement[Any], fts: Any, query: Any) -> ColumnElement[bool]:
    return Placement.id.in_(select(fts.c.rowid).where(name.bool_op("MATCH")(query)))


def _any_root(word: str) -> str:
    """FTS5 (trigram table): any of the word's roots, inside any word."""
    return " OR ".join(_fts5_string(root) for root in roots(word))


# The SQL for a word is the same every time: built once, for the words people search
# most, instead of for every request. SQLAlchemy's expressions are immutable.
_BUILT = 4096
# Statements of a search's shape (see _Shape): a few dozen in use, about 85 KiB each.
_PAGES_BUILT = 256


@lru_cache(maxsize=_BUILT)
def _word_matches(word: str, dialect: str) -> ColumnElement[bool]:
    """The placement has the word (see `_word_condition`), its values in the statement."""
    match, inside = _word_values(word, dialect)
    return _word_condition(match, inside, dialect)


def _word_condition(match: Any, inside: list[Any], dialect: str) -> ColumnElement[bool]:
    """The placement has the word: as a word, stemmed, or one of its roots inside a word.
    Each part is answered by an index (see the module text). `match` and `inside` are
    the word's values (`_word_values`) or parameters bound to them (`_word_slots`)."""
    if dialect == "sqlite":
        found = [_fts5_match(_FTS_NAME, _FTS, match)]
        found += [_fts5_match(_TRIGRAM_NAME, _TRIGRAM, query) for query in inside]
        return or_(*found)
    # LIKE first: PostgreSQL rechecks every row the indexes found (trigram matches are
    # lossy) and stops at the first true branch; the tsvector is rebuilt for a row only
    # when no root is in its text, which for most words (stem inside text) is rare.
    found = [Placement.search_text.like(pattern) for pattern in inside]
    found.append(postgres_document().bool_op("@@")(func.plainto_tsquery(_SWEDISH, match)))
    return or_(*found)


def _text_conditions(wanted: list[str], dialect: str) -> list[ColumnElement[bool]]:
    return [_word_matches(word, dialect) for word in wanted]


def _slotted_text_conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    return [_word_condition(*_word_slots(index, count, shape.dialect), shape.dialect)
            for index, count in enumerate(shape.roots)]


def _ranked_sqlite(stmt: Select[Any],
                   shape: _Shape) -> tuple[Select[Any], list[ColumnElement[Any]]]:
    """Placements with every word as a word first, by bm25 of the stems; then the others, by
    bm25 of the roots found inside words. (SQLite sorts NULL first, hence `is_(None)`.)"""
    whole = (select(_FTS.c.rowid.label("id"), func.bm25(_FTS_NAME).label("rank"))
             .where(_FTS_NAME.bool_op("MATCH")(_bound("stems", String())))
             .subquery("whole"))
    stmt = stmt.outerjoin(whole, whole.c.id == Placement.id)
    order: list[ColumnElement[Any]] = [whole.c.rank.is_(None), whole.c.rank]
    if any(shape.roots):
        inside = (select(_TRIGRAM.c.rowid.label("id"), func.bm25(_TRIGRAM_NAME).label("rank"))
                  .where(_TRIGRAM_NAME.bool_op("MATCH")(_bound("inside", String())))
                  .subquery("inside"))
        stmt = stmt.outerjoin(inside, inside.c.id == Placement.id)
        order += [inside.c.rank.is_(None), inside.c.rank]
    return stmt, order


def _title_hits(shape: _Shape) -> ColumnElement[Any]:
    """How many of the words have a root in the title (the first line of search_text)."""
    title_line = func.split_part(Placement.search_text, literal("\n"), 1)
    hits = [case((or_(*[title_line.like(pattern)
                        for pattern in _word_slots(index, count, shape.dialect)[1]]), 1),
                 else_=0)
            for index, count in enumerate(shape.roots) if count]
    return sum(hits[1:], hits[0]) if hits else literal(0)


def _postgres_rank_keys(shape: _Shape) -> tuple[ColumnElement[Any], ...]:
    """The order of a PostgreSQL search, best first (all ascending): placements with every
    word as a word (stemmed) first, then the others; within each, those with every word in
    the title (stemmed); then by how many words were found inside the title's words. Each
    reads the stored tsvector or the text's first line, cheap for every row found."""
    document = postgres_document()
    everywhere = func.plainto_tsquery(_SWEDISH, _bound("words", String()))
    in_title = func.to_tsquery(_SWEDISH, _bound("title_words", String()))
    return (case((document.bool_op("@@")(everywhere), 0), else_=1).label("whole"),
            case((document.bool_op("@@")(in_title), 0), else_=1).label("in_title"),
            (-_title_hits(shape)).label("title_hits"))


SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])


def matching_text(stmt: SelectT, text: str) -> SelectT:
    """Narrow any statement that joins Placement to placements with every word of `text`,
    by the same Swedish search as the catalogue (for the pupil's own page)."""
    wanted = query_words(text)
    if not wanted:
        return stmt
    return stmt.where(*_text_conditions(wanted, db.session.get_bind().dialect.name))


def _statement(base: Select[*tuple[Any, ...]], shape: _Shape,
               ranked: bool = True) -> tuple[Select[Any], list[Any]]:
    stmt = base.join(Placement.organisation).where(*_conditions(shape))
    order: list[Any] = [Placement.title, Placement.id]
    if shape.roots:
        stmt = stmt.where(*_slotted_text_conditions(shape))
        if ranked and shape.dialect == "sqlite":
            stmt, relevance = _ranked_sqlite(stmt, shape)
            order = relevance + order
        elif ranked:  # see _page: PostgreSQL orders what it found first
            order = [*_postgres_rank_keys(shape), *order]
    return stmt, order


def _with_offers_and_organisation(stmt: Select[Any], current: date) -> Select[Any]:
    """Fixed number of queries whatever the page size: the organisation comes in the same
    row, the offers still open in one more query for the whole page."""
    return stmt.options(
        contains_eager(Placement.organisation),
        selectinload(Placement.offers.and_(PlacementOffer.last_week >= current)))


def _narrowed(query: CatalogueQuery) -> bool:
    return bool(query.weeks or query.municipality_id or query.sector or query.grade
                or query.features or query.free_seats_only)


def _found(shape: _Shape, *columns: Any) -> Any:
    """The placements a PostgreSQL search with words finds, as a CTE. With filters besides
    the words it is MATERIALIZED, so planned for all its rows: planned for a page's or
    the count cap's first rows, PostgreSQL walked the whole table in some index's order, or
    ordered every text match before asking for its offers, when the words and the offers
    filter (which it cannot estimate) left fewer rows than it expected: 100 ms where 10
    will do (benchmarks/catalogue.py). Words alone leave as many rows as the planner
    expects, and there its own plan is best (the CTE is then inlined)."""
    matching, _order = _statement(select(Placement.id, *columns), shape, ranked=False)
    found = matching.cte("found")
    return found.prefix_with("MATERIALIZED") if shape.narrowed else found


def _words_on_postgresql(shape: _Shape) -> bool:
    return shape.dialect == "postgresql" and bool(shape.roots)


@lru_cache(maxsize=_PAGES_BUILT)
def _count_statement(shape: _Shape) -> Select[Any]:
    """How many match, counting no further than the bound `cap`."""
    if _words_on_postgresql(shape):
        matching = select(_found(shape).c.id)
    else:
        matching, _order = _statement(select(Placement.id), shape, ranked=False)
    capped = matching.limit(_bound("cap", Integer())).subquery()
    return select(func.count()).select_from(capped)


def _count(shape: _Shape, values: dict[str, Any], cap: int) -> int:
    """How many match, counting no further than cap + 1."""
    return db.session.scalar(_count_statement(shape), {**values, "cap": cap + 1}) or 0


_CARD = (Placement.title, Placement.city, Placement.sector, Placement.accepts_grade_8,
         Placement.accepts_grade_9, Organisation.name.label("organisation_name"))
_OFFER = (PlacementOffer.first_week, PlacementOffer.last_week, PlacementOffer.seats,
          PlacementOffer.seats_taken)


def _page(shape: _Shape) -> Any:
    """The page's placements as a subquery: what a card shows and the ordinal on the page.
    Only these columns are sorted (sorting whole rows of every match took three times as
    long on PostgreSQL)."""
    if not _words_on_postgresql(shape):
        stmt, order = _statement(select(Placement.id, *_CARD), shape)
    else:
        found = _found(shape, *_postgres_rank_keys(shape), *_CARD)
        stmt = select(found.c.id, *(found.c[column.name] for column in _CARD))
        order = [found.c[name] for name in ("whole", "in_title", "title_hits", "title", "id")]
    numbered = stmt.add_columns(func.row_number().over(order_by=order).label("ordinal"))
    return (numbered.order_by(*order).limit(_bound("limit", Integer()))
            .offset(_bound("offset", Integer())).subquery("page"))


@lru_cache(maxsize=_PAGES_BUILT)
def _items_statement(shape: _Shape) -> Select[Any]:
    """The statement of a result page for every search of this shape (see _Shape)."""
    cards = _page(shape)
    return (select(*(cards.c[column.name] for column in (Placement.id, *_CARD)), *_OFFER)
            .outerjoin(PlacementOffer, and_(PlacementOffer.placement_id == cards.c.id,
                                            PlacementOffer.last_week >= _bound("current")))
            .order_by(cards.c.ordinal, PlacementOffer.first_week))


def _items(shape: _Shape, values: dict[str, Any], page: int,
           per_page: int) -> list[PlacementCard]:
    """The page's placements with their organisations' names and open offers, in one
    query: a row per offer, in the page's order."""
    rows = db.session.execute(_items_statement(shape), {
        **values, "limit": per_page, "offset": (page - 1) * per_page})
    found: dict[int, PlacementCard] = {}
    for id_, title, city, sector, grade_8, grade_9, name, *offer in rows:
        card = found.get(id_)
        if card is None:
            card = found[id_] = PlacementCard(id_, title, city, sector, grade_8, grade_9,
                                              name, [])
        if offer[0] is not None:
            card.offers.append(OfferCard(*offer))
    return list(found.values())


def search(query: CatalogueQuery, page: int = 1, per_page: int = PER_PAGE,
           today: date | None = None, count_cap: int | None = None) -> CataloguePage:
    """Published placements of approved organisations with an offer still open that match
    the query: by relevance when there is text, otherwise by title. One query for the
    page, its organisations and open offers. The first page is read first: when it is not
    full it holds every match and needs no count; otherwise a count query too. A page past
    the end shows the last one."""
    wanted = query_words(query.text)
    shape = _Shape.of(query, wanted, db.session.get_bind().dialect.name)
    values = _values(query, wanted, this_monday(today), shape.dialect)
    count_cap = COUNT_CAP if count_cap is None else count_cap
    if page <= 1:
        items = _items(shape, values, 1, per_page)
        if len(items) < per_page:
            return CataloguePage(items=items, total=len(items), page=1, per_page=per_page)
    found = _count(shape, values, count_cap)
    total, more = min(found, count_cap), found > count_cap
    if total == 0:
        return CataloguePage(items=[], total=0, page=1, per_page=per_page)
    if page > 1:
        page = min(page, math.ceil(total / per_page))
        items = _items(shape, values, page, per_page)
    return CataloguePage(items=items, total=total, page=max(page, 1), per_page=per_page,
                         more=more)


def public_placement(placement_id: int, today: date | None = None) -> Placement | None:
    """A placement anyone may see: published, by an approved organisation. Its offers are
    the ones not yet over."""
    current = this_monday(today)
    stmt = (select(Placement).join(Placement.organisation)
            .where(Placement.id == placement_id,
                   Placement.status == PlacementStatus.PUBLISHED,
                   Organisation.status == OrganisationStatus.APPROVED))
    return db.session.scalars(_with_offers_and_organisation(stmt, current)).first()


# The search form's municipalities, per database, read again after MUNICIPALITIES_FOR
# seconds: they change a few times a year, and the query was a fifth of the page's database
# work. A change made through this process's sessions forgets them at once (below); another
# server process shows it within the minute.
MUNICIPALITIES_FOR = 60.0
_municipalities: dict[str, tuple[float, tuple[tuple[int, str], ...]]] = {}


def municipality_rows() -> tuple[tuple[int, str], ...]:
    """(id, name) of every municipality by name: plain rows, no ORM objects to build."""
    key, now = str(db.engine.url), time.monotonic()
    cached = _municipalities.get(key)
    if cached is not None and fresh(cached[0], now, MUNICIPALITIES_FOR):
        return cached[1]
    rows = tuple((id_, name) for id_, name in db.session.execute(
        select(Municipality.id, Municipality.name).order_by(Municipality.name)))
    _municipalities[key] = (now, rows)
    return rows


def _forget_municipalities(session: Session, _context: Any) -> None:
    changed = chain(session.new, session.dirty, session.deleted)  # still as before the flush
    if any(isinstance(obj, Municipality) for obj in changed):
        _municipalities.clear()


def feature_entries(mask: int) -> list[Entry]:
    return [entry for index, entry in enumerate(features()) if mask & (1 << index)]

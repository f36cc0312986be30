"""Pupil use cases: enrolments and the period overview, personal pupil links, wishes and
own placements. Each function that changes something commits its own work."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum
from functools import cache, partial
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.audit import audit
from portal.concurrency import AlreadyDecided, claim, first_wins
from portal.db import utcnow
from portal.employers.models import (
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.employers.orgnr import normalize_org_number
from portal.employers.services import contact_addresses, organisation_by_number
from portal.extensions import db
from portal.kept import Kept
from portal.notifications import messages
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    OwnPlacementRequest,
    OwnPlacementStatus,
    PraoPeriod,
    School,
    Student,
    Wish,
)
from portal.schools.periods import Window, lopsided_sectors, wish_window
from portal.schools.services import (
    PERIOD_OVER,
    SchoolError,
    county_of,
    period_is_over,
    period_weeks,
)
from portal.urls import MAX_DB_ID

LINK_SALT = "pupil-link"
LINK_MAX_AGE = 365 * 24 * 3600  # a school year and some: a link outlives its period's window
MAX_WISHES = 5


class LinkError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # invalid / expired / revoked


# --- enrolments and overview --------------------------------------------------------------

@dataclass(frozen=True)
class OverviewRow:
    enrolment: Enrolment
    wishes: int
    days_so_far: int
    # Short of ten prao days even with the days still planned (not an exempt pupil): the
    # rows the period's "N pupils below ten prao days" counts.
    short_of_ten: bool = False


def days_so_far(student_ids: list[int]) -> dict[int, int]:
    """Prao days each pupil has done: days the workplace reported them present or late, in
    every period of years 8 and 9. Days only planned do not count until they are worked."""
    from portal.prao.attendance.overview import ten_days

    return {sid: days.attended for sid, days in ten_days(student_ids).items()}


def overview(period: PraoPeriod) -> list[OverviewRow]:
    """The period's pupils in class and name order with their wishes and prao days so far."""
    from portal.prao.attendance.overview import ten_days

    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.period_id == period.id)
        .join(Student).order_by(Student.class_name, Student.last_name, Student.first_name)
        .options(selectinload(Enrolment.student))).all()
    days = ten_days([e.student_id for e in enrolments])
    counts = period_wish_counts(period)
    return [OverviewRow(e, counts.get(e.id, 0),
                        days[e.student_id].attended if e.student_id in days else 0,
                        e.state is not EnrolmentState.EXEMPT
                        and (e.student_id not in days or days[e.student_id].below))
            for e in enrolments]


def period_wish_counts(period: PraoPeriod) -> dict[int, int]:
    """Enrolment id -> how many wishes the pupil has entered (none: left out)."""
    return {enrolment_id: n for enrolment_id, n in db.session.execute(
        select(Wish.enrolment_id, func.count()).join(Enrolment)
        .where(Enrolment.period_id == period.id).group_by(Wish.enrolment_id))}


# A counsellor moves a pupil between these by hand; a placement (assigned by a round, or
# the pupil's own) has its assignment and seat, which this must never leave behind.
HAND_SET_STATES = (EnrolmentState.NEEDS_PLACEMENT, EnrolmentState.EXEMPT)


def set_state(enrolment: Enrolment, state: EnrolmentState, reason: str, user: User) -> None:
    """The counsellor's hand: needs a placement or exempt. An own placement still waiting for
    the organisation's confirmation may be taken back this way (the request is withdrawn).
    The change is made only from the state the counsellor saw: a round published or an
    own placement registered at the same moment wins, and the counsellor is told."""
    waiting = _awaiting_confirmation(enrolment)
    if state not in HAND_SET_STATES or not (enrolment.state in HAND_SET_STATES or waiting):
        raise SchoolError("state", _l("Eleven har redan en praoplats. Läget kan inte ändras "
                                      "här."))
    if state is EnrolmentState.EXEMPT and not reason.strip():
        raise SchoolError("reason", _l("Skriv varför eleven är befriad från prao."))
    if waiting:
        _withdraw_request(enrolment, user)
    if not claim(Enrolment.state, enrolment.id, enrolment.state, state=state,
                 exempt_reason=reason.strip() if state is EnrolmentState.EXEMPT else "",
                 own_refusal=""):
        db.session.rollback()
        raise SchoolError("state", _l("Elevens läge ändrades nyss av någon annan. Se efter "
                                      "vad som gäller nu och försök igen."))
    db.session.refresh(enrolment)
    audit(user, "enrolment_state", enrolment, detail=state.value)
    db.session.commit()


# The organisation answered the pupil's request while the counsellor changed it.
JUST_ANSWERED = _l("Arbetsgivaren svarade nyss på elevens egen praoplats. Se efter vad som "
                   "gäller nu.")


def _withdrawn(request: OwnPlacementRequest, user: User | None) -> bool:
    """The pending request withdrawn (by the counsellor, or by the pupil: `user` None);
    False when it was answered or withdrawn a moment ago."""
    return claim(OwnPlacementRequest.status, request.id, OwnPlacementStatus.PENDING,
                 status=OwnPlacementStatus.WITHDRAWN, decided_at=utcnow(),
                 decided_by_id=user.id if user is not None else None)


def _awaiting_confirmation(enrolment: Enrolment) -> bool:
    request = own_placement_request(enrolment)
    return (enrolment.state is EnrolmentState.OWN_PLACEMENT and request is not None
            and request.status is OwnPlacementStatus.PENDING)


def _withdraw_request(enrolment: Enrolment, user: User) -> None:
    request = own_placement_request(enrolment)
    if request is None or not _withdrawn(request, user):
        db.session.rollback()
        raise SchoolError("state", JUST_ANSWERED)


# --- personal links ----------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def make_link_token(enrolment: Enrolment) -> str:
    return _serializer().dumps({"e": enrolment.id, "v": enrolment.link_version})


def pupil_url(enrolment: Enrolment) -> str:
    return accounts.external_url("schools.pupil_home", token=make_link_token(enrolment))


def enrolment_for_token(token: str, max_age: int = LINK_MAX_AGE) -> Enrolment:
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkError("expired") from error
    except BadSignature as error:
        raise LinkError("invalid") from error
    enrolment_id = data.get("e") if isinstance(data, dict) else None
    enrolment = db.session.scalars(_with_pupil(), {"id": enrolment_id}).first() \
        if isinstance(enrolment_id, int) else None
    if enrolment is None:
        raise LinkError("invalid")
    if enrolment.link_revoked or data.get("v") != enrolment.link_version:
        raise LinkError("revoked")
    return enrolment


@cache
def _with_pupil() -> Select:
    """The pupil, the period and its school come with it: every pupil page shows them.
    Built once: building it took a tenth of the pupil page's calls."""
    return select(Enrolment).where(Enrolment.id == bindparam("id")).options(
        joinedload(Enrolment.student, innerjoin=True),
        joinedload(Enrolment.period, innerjoin=True).joinedload(PraoPeriod.school,
                                                                innerjoin=True))


def revoke_link(enrolment: Enrolment, user: User) -> None:
    enrolment.link_revoked = True
    enrolment.link_version += 1
    audit(user, "pupil_link_revoked", enrolment)
    db.session.commit()


def reissue_link(enrolment: Enrolment, user: User) -> None:
    """A new link; every older one stops working."""
    enrolment.link_revoked = False
    enrolment.link_version += 1
    audit(user, "pupil_link_reissued", enrolment)
    db.session.commit()


def email_links(period: PraoPeriod, user: User, today: date,
                only_without_wishes: bool = False) -> tuple[int, int]:
    """Queue each pupil's link to the school address, when the school gave one. Returns
    (emails queued, pupils who should have had one but have no address): those need the
    printed class list, and the counsellor is told how many. Not once the period is over;
    a reminder to wish only while the wish window is open."""
    if period_is_over(period, today):
        raise SchoolError("period", PERIOD_OVER)
    if only_without_wishes and window_of(period, today) is not Window.OPEN:
        raise SchoolError("period", _l("Önskefönstret är inte öppet, så det finns inga "
                                       "önskemål att påminna om."))
    sent = unreachable = 0
    for row in overview(period):
        enrolment, student = row.enrolment, row.enrolment.student
        if enrolment.link_revoked:
            continue
        if only_without_wishes and (row.wishes or enrolment.state is not
                                    EnrolmentState.NEEDS_PLACEMENT):
            continue
        if not student.email:
            unreachable += 1
            continue
        messages.pupil_link(student.email, student.first_name, period, pupil_url(enrolment),
                            reminder=only_without_wishes)
        sent += 1
    audit(user, "pupil_links_emailed", period, detail=str(sent))
    db.session.commit()
    return sent, unreachable


# --- wishes ------------------------------------------------------------------------------

def window_of(period: PraoPeriod, today: date) -> Window:
    return wish_window(period.wishes_open, period.wishes_close, today)


def eligible_offers_stmt(enrolment: Enrolment) -> Select:
    """Published offers of approved employers that cover the period's weeks, accept the
    pupil's grade and have every feature the pupil needs."""
    period, student = enrolment.period, enrolment.student
    first_week, last_week = period_weeks(period)
    grade_ok = Placement.accepts_grade_8 if period.grade == 8 else Placement.accepts_grade_9
    return (select(PlacementOffer).join(Placement).join(Organisation)
            .where(Placement.status == PlacementStatus.PUBLISHED,
                   Organisation.status == OrganisationStatus.APPROVED,
                   PlacementOffer.first_week <= first_week,
                   PlacementOffer.last_week >= last_week,
                   grade_ok.is_(True),
                   Placement.features.op("&")(student.needs) == student.needs))


def has_free_seat() -> ColumnElement[bool]:
    """An offer a pupil can still get: after a round, its booked seats are taken (a full one
    is not listed, and not taken as a new wish)."""
    return PlacementOffer.seats_taken < PlacementOffer.seats


def declined_offers(enrolment: Enrolment) -> set[int]:
    """The offers of the workplaces that have said no to this pupil: not to be wished again."""
    from portal.prao.models import Assignment, AssignmentState

    declined = select(Assignment.placement_id).where(
        Assignment.enrolment_id == enrolment.id, Assignment.state == AssignmentState.DECLINED)
    return set(db.session.scalars(select(PlacementOffer.id).where(
        PlacementOffer.placement_id.in_(declined))))


def pupils_county(enrolment: Enrolment) -> tuple[int, ...]:
    """The municipalities of the county of the pupil's school."""
    return county_of(enrolment.period.school.municipality_id)


def in_pupils_county(county: tuple[int, ...]) -> ColumnElement[bool]:
    """Placements in the pupil's county, and those without a municipality: what a pupil can
    travel to, and what the wish form lists and counts instead of the whole country's
    offers. The county's municipalities are read first, so the placements come from their
    index."""
    return or_(Placement.municipality_id.is_(None), Placement.municipality_id.in_(county))


def eligible_offers(enrolment: Enrolment, sector: str = "", text: str = "", page: int = 1,
                    per_page: int = 20) -> Pagination:
    """A page of the offers the pupil may wish, by title, and how many there are. Which
    offers those are is the same for every pupil of the prao weeks, grade, needs and county:
    kept (portal/kept.py). The offers themselves, their seats included, are read now."""
    period, student = enrolment.period, enrolment.student
    county = pupils_county(enrolment)
    key = (period_weeks(period), period.grade, student.needs, county, sector, text[:200],
           page, per_page)
    ids, total = _offer_pages.get(key, partial(_offer_page, enrolment, county, sector,
                                               text[:200], page, per_page))
    return KeptPagination(page=page, per_page=per_page, error_out=False, ids=ids, total=total)


# Pages of eligible offers: (their ids, how many in all).
_offer_pages: Kept[tuple[list[int], int]] = Kept(size=1024, name="offer_pages")


def _offer_page(enrolment: Enrolment, county: tuple[int, ...], sector: str, text: str,
                page: int, per_page: int) -> tuple[list[int], int]:
    """The page's offer ids and the number of matches, in one query (a window count beside
    each row): counting in a second query walked the county's offers again."""
    from portal.employers.catalogue.services import matching_text

    stmt = eligible_offers_stmt(enrolment).with_only_columns(
        PlacementOffer.id, func.count().over()).where(in_pupils_county(county), has_free_seat())
    if sector:
        stmt = stmt.where(Placement.sector == sector)
    stmt = matching_text(stmt, text).order_by(Placement.title, PlacementOffer.id)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        return [row[0] for row in rows], rows[0][1]
    # A page past the end has no rows to carry the count.
    return [], db.session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(PlacementOffer.id).order_by(None).subquery())) or 0


class OfferRow(NamedTuple):
    """An offer as the wish form shows it: plain values, not ORM objects (loading three
    objects per offer was most of the page's queries' Python)."""

    id: int
    seats: int  # free: not yet taken by a published round or a placing by hand
    title: str
    organisation: str
    city: str
    sector: str
    description: str
    wished: int  # how many pupils have wished it, at any rank
    placement_id: int


def _offer_rows(*columns: Any) -> Select:
    """The offers with their placement, organisation and wish count, led by `columns`."""
    other = aliased(Wish)  # every pupil's wishes, also beside the pupil's own (the wish list)
    wished = (select(func.count()).select_from(other).where(other.offer_id == PlacementOffer.id)
              .correlate(PlacementOffer).scalar_subquery())
    return (select(*columns, PlacementOffer.id,
                   PlacementOffer.seats - PlacementOffer.seats_taken, Placement.title,
                   Organisation.name, Placement.city, Placement.sector, Placement.description,
                   wished, PlacementOffer.placement_id)
            .select_from(PlacementOffer)
            .join(Placement, Placement.id == PlacementOffer.placement_id)
            .join(Organisation, Organisation.id == Placement.organisation_id))


# The two statements are built once (building one took as many calls as running it); a
# statement is immutable, and the values come as parameters.
@cache
def _offers_by_id() -> Select:
    return _offer_rows().where(PlacementOffer.id.in_(bindparam("ids", expanding=True)))


@cache
def _wishes_of() -> Select:
    return (_offer_rows(Wish.rank).join(Wish, Wish.offer_id == PlacementOffer.id)
            .where(Wish.enrolment_id == bindparam("enrolment")).order_by(Wish.rank))


class KeptPagination(Pagination):
    """A page of offers whose ids and total were found before: the offers read now."""

    def _query_items(self) -> list[Any]:
        ids: list[int] = self._query_args["ids"]
        if not ids:
            return []
        found = {row.id: row for row in map(OfferRow._make, db.session.execute(
            _offers_by_id(), {"ids": ids}))}
        return [found[offer_id] for offer_id in ids if offer_id in found]

    def _query_count(self) -> int:
        return int(self._query_args["total"])


class WishRow(NamedTuple):
    """A wish as the pupil's page shows it, with its offer's row."""

    rank: int
    offer: OfferRow

    @property
    def offer_id(self) -> int:
        return self.offer.id


def wishes_with_offers(enrolment: Enrolment) -> list[WishRow]:
    """The pupil's wishes, best first, with their offers, placements, organisations and
    wish counts in one query (the wish list and the gender tip use them)."""
    rows = db.session.execute(_wishes_of(), {"enrolment": enrolment.id})
    return [WishRow(row[0], OfferRow._make(row[1:])) for row in rows]


def reordered_wishes(enrolment: Enrolment, action: str, offer_id: int) -> list[int]:
    """The pupil's wish list (offer ids, best first) after one button: add, remove, up, down.
    Anything else, or an offer not in the list, leaves the list as it is."""
    ids = [w.offer_id for w in enrolment.wishes]
    if action == "add" and offer_id not in ids:
        ids.append(offer_id)
    elif action == "remove" and offer_id in ids:
        ids.remove(offer_id)
    elif action in ("up", "down") and offer_id in ids:
        index = ids.index(offer_id)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
    return ids


def _check_wishes(enrolment: Enrolment, offer_ids: list[int], today: date) -> None:
    if window_of(enrolment.period, today) is not Window.OPEN:
        # Said where the pupil's page tells the window (field "window"), in its words.
        raise SchoolError("window", _l("Det går inte att välja nu. Dina val är sparade som "
                                       "de står på din sida."))
    if enrolment.state is not EnrolmentState.NEEDS_PLACEMENT:
        raise SchoolError("wishes", _l("Du behöver inte önska: du har redan en plats eller "
                                       "är befriad."))
    if len(offer_ids) > MAX_WISHES:
        raise SchoolError("wishes", _l("Du kan önska högst %(n)d platser.", n=MAX_WISHES))
    if len(set(offer_ids)) != len(offer_ids):
        raise SchoolError("wishes", _l("Samma plats finns med två gånger. Välj olika platser."))
    # An id no row can have (a crafted form) is never eligible; asking the database about
    # one beyond INTEGER would be an error on PostgreSQL.
    possible = [oid for oid in offer_ids if 0 < oid <= MAX_DB_ID]
    eligible = set(db.session.scalars(eligible_offers_stmt(enrolment).with_only_columns(
        PlacementOffer.id).where(PlacementOffer.id.in_(possible),
                                  in_pupils_county(pupils_county(enrolment)))))
    if set(offer_ids) - eligible:
        raise SchoolError("wishes", _l("En av platserna passar inte din period, din årskurs "
                                       "eller dina behov. Välj bland platserna i listan."))
    _check_new_wishes(enrolment, set(offer_ids) - {w.offer_id for w in enrolment.wishes})


def _check_new_wishes(enrolment: Enrolment, added: set[int]) -> None:
    """A wish kept from before stays (its offer may have filled up since); a new one must
    have a free seat at a workplace that has not said no to the pupil."""
    if not added:
        return
    if added & declined_offers(enrolment):
        raise SchoolError("wishes", _l("Den arbetsplatsen har redan tackat nej till dig. Välj "
                                       "en annan plats i listan."))
    free = set(db.session.scalars(select(PlacementOffer.id).where(
        PlacementOffer.id.in_(added), has_free_seat())))
    if added - free:
        raise SchoolError("wishes", _l("Platsen är fullbokad. Välj en annan plats i listan."))


class WishChange(NamedTuple):
    """What one button did: the place's title and its rank now (None: removed)."""

    title: str
    rank: int | None


def change_wishes(enrolment: Enrolment, action: str, offer_id: int,
                  today: date) -> WishChange | None:
    """One button on the pupil's page (add, remove, up, down), applied to the wishes as they
    are when this request has the enrolment to itself: two clicks at once (a double click,
    two tabs) are applied one after the other, never both to the same old list. None when
    the list was already so (a repeated click)."""
    _lock(enrolment)
    before = [w.offer_id for w in enrolment.wishes]
    if action != "add" and offer_id not in before:
        db.session.rollback()
        raise SchoolError("wishes", _l("Den platsen finns inte (längre) bland dina val. Välj bland "
                                       "platserna i listan."))
    after = reordered_wishes(enrolment, action, offer_id)
    if after == before:  # a repeated click (added already, first moved up): nothing to do
        db.session.rollback()
        return None
    set_wishes(enrolment, after, today)
    title = db.session.scalar(select(Placement.title).join(PlacementOffer.placement)
                              .where(PlacementOffer.id == offer_id)) or ""
    return WishChange(title, after.index(offer_id) + 1 if offer_id in after else None)


def _lock(enrolment: Enrolment) -> None:
    """Lock the enrolment's row (PostgreSQL) and read it and its wishes afresh."""
    db.session.execute(select(Enrolment.id).where(Enrolment.id == enrolment.id)
                       .with_for_update())
    db.session.refresh(enrolment, ["state", "wishes"])


def set_wishes(enrolment: Enrolment, offer_ids: list[int], today: date) -> None:
    """Replace the pupil's ranked wishes (best first) in one transaction."""
    _check_wishes(enrolment, offer_ids, today)
    enrolment.wishes.clear()
    db.session.flush()
    enrolment.wishes.extend(Wish(offer_id=oid, rank=rank)
                            for rank, oid in enumerate(offer_ids, start=1))
    db.session.commit()


def gender_suggestion(enrolment: Enrolment, wishes: Sequence[WishRow], today: date) -> bool:
    """True when every wished sector (of `wishes`, the pupil's, read with their offers) had
    more than 80 % pupils of this pupil's gender last year in the pupil's municipality: the
    page then suggests looking at other sectors too (never a block)."""
    gender = enrolment.student.gender.value
    sectors = {w.offer.sector for w in wishes}
    if not sectors or gender in ("unknown", "other"):
        return False
    counts = last_year_sector_genders(today, enrolment.period.school.municipality_id, sectors)
    return sectors <= lopsided_sectors(counts, gender)


def last_year_sector_genders(today: date, municipality_id: int,
                             sectors: set[str]) -> dict[str, dict[str, int]]:
    """Pupils per sector and gender, by first wishes in periods of the last twelve months at
    the municipality's schools, for the given sectors. Local on purpose: the pupils a pupil
    compares themselves with, and one municipality's year (an index walk from its schools)
    rather than the whole country's on every pupil page. Periods that have begun change no
    more: the municipality's figures of the day are kept (portal/kept.py)."""
    counts = _sector_genders.get((today, municipality_id),
                                 partial(_read_sector_genders, today, municipality_id))
    return {sector: counts[sector] for sector in sectors if sector in counts}


# Settled for the day: only periods that began before it count, and their wishes are closed.
# Kept an hour instead of a minute, a municipality's pupils read it a few times a day.
_sector_genders: Kept[dict[str, dict[str, int]]] = Kept(size=512, settled_for=3600,
                                                       name="sector_genders")


def _read_sector_genders(today: date, municipality_id: int) -> dict[str, dict[str, int]]:
    rows = db.session.execute(
        select(Placement.sector, Student.gender, func.count())
        .select_from(School).join(PraoPeriod, PraoPeriod.school_id == School.id)
        .join(Enrolment, Enrolment.period_id == PraoPeriod.id)
        .join(Student, Student.id == Enrolment.student_id)
        .join(Wish, (Wish.enrolment_id == Enrolment.id) & (Wish.rank == 1))
        .join(PlacementOffer, PlacementOffer.id == Wish.offer_id).join(Placement)
        .where(School.municipality_id == municipality_id,
               PraoPeriod.first_day >= today - timedelta(days=365),
               PraoPeriod.first_day < today)
        .group_by(Placement.sector, Student.gender)).all()
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for sector, gender, count in rows:
        counts[sector][gender.value] = count
    return dict(counts)


# --- own placements ------------------------------------------------------------------------

@dataclass(frozen=True)
class OwnPlacementData:
    workplace: str
    org_number: str
    address: str
    postal_code: str
    city: str
    contact_name: str
    contact_email: str
    contact_phone: str
    tasks: str


class OwnPlacementOutcome(StrEnum):
    REGISTERED = "registered"  # a new workplace, registered for approval
    REQUESTED = "requested"  # a known organisation: its contacts are asked to confirm
    # Known but not approved (yet): asked once the coordinator approves it. Until then
    # nobody outside the school reads what the pupil sent.
    HELD = "held"
    ALREADY = "already"  # the pupil had a placement by then (a double click, a round)


# Words that say what kind of company, not which: "Bygg AB" and "Bygg Aktiebolag" agree.
_COMPANY_FORMS = frozenset({"ab", "aktiebolag", "hb", "handelsbolag", "kb", "kommanditbolag",
                            "ek", "ekonomisk", "förening", "och", "the", "publ"})


def _name_words(name: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"\w+", name.casefold())
                     if len(w) >= 3 and w not in _COMPANY_FORMS)


def names_agree(typed: str, registered: str) -> bool:
    """The pupil's name for the workplace could be the registered one: a word in common,
    or one the start of the other ("Norrbotten" for "Norrbottens Bygg AB")."""
    ours, theirs = _name_words(typed), _name_words(registered)
    if not ours or not theirs:
        return typed.strip().casefold() == registered.strip().casefold()
    return any(a.startswith(b) or b.startswith(a) for a in ours for b in theirs)


def number_of_another(data: OwnPlacementData) -> str | None:
    """Why the organisation number does not fit the workplace the pupil named, or None. One
    mistyped digit may name another registered organisation: it is not asked on a number
    alone, or a pupil's name and school would go to a stranger. Only an approved (public)
    organisation is named back; another number may be a sole trader's personnummer."""
    known = organisation_by_number(data.org_number)
    if known is None or names_agree(data.workplace, known.name):
        return None
    if known.approved:
        return str(_("Organisationsnumret hör till %(name)s. Kontrollera numret med din "
                     "kontaktperson. Ska du vara hos %(name)s, skriv det namnet som "
                     "arbetsplats.", name=known.name))
    return str(_("Organisationsnumret hör till en annan arbetsplats. Kontrollera numret med "
                 "din kontaktperson."))


def register_own_placement(enrolment: Enrolment, data: OwnPlacementData) -> OwnPlacementOutcome:
    """The pupil found a place through their own network. A workplace the portal does not
    know is registered like any other employer (pending approval) and its placement waits
    for a risk assessment. An organisation the portal knows is only asked: nothing is written
    into its account from a pupil's link until its registered contacts confirm.

    Once per enrolment: the enrolment changes state only while it still needs a placement,
    so of two submits at once (or a submit and a published round) only one goes through."""
    if not claim(Enrolment.state, enrolment.id, EnrolmentState.NEEDS_PLACEMENT,
                 state=EnrolmentState.OWN_PLACEMENT, own_refusal=""):
        db.session.rollback()
        return OwnPlacementOutcome.ALREADY
    db.session.refresh(enrolment)
    outcome = first_wins(lambda: _own_placement(enrolment, data))
    db.session.commit()
    return outcome


def _own_placement(enrolment: Enrolment, data: OwnPlacementData) -> OwnPlacementOutcome:
    organisation = organisation_by_number(data.org_number)
    if organisation is not None:
        # Its approval, read under a share lock: an approval at this moment waits for this
        # request and sends it with the held ones (send_held_requests), or went first.
        db.session.refresh(organisation, with_for_update={"read": True})
        _ask_organisation(enrolment, organisation, data)
        return OwnPlacementOutcome.REQUESTED if organisation.approved \
            else OwnPlacementOutcome.HELD
    # The wishes stay until the counsellor approves (matching skips the pupil meanwhile):
    # a pupil who takes the own placement back finds the list as it was.
    _new_own_placement(enrolment, _new_organisation(enrolment, data), data)
    return OwnPlacementOutcome.REGISTERED


def _new_organisation(enrolment: Enrolment, data: OwnPlacementData) -> Organisation:
    organisation = Organisation(org_number=normalize_org_number(data.org_number),
                                status=OrganisationStatus.PENDING,
                                municipality_id=enrolment.period.school.municipality_id)
    _describe_organisation(organisation, data)
    db.session.add(organisation)
    return organisation


def _describe_organisation(organisation: Organisation, data: OwnPlacementData) -> None:
    organisation.name = data.workplace.strip()
    organisation.visiting_address = data.address.strip()
    organisation.postal_code = data.postal_code.strip()
    organisation.city = data.city.strip()
    organisation.contact_name = data.contact_name.strip()
    organisation.contact_email = accounts.normalize_email(data.contact_email)
    organisation.contact_phone = data.contact_phone.strip()


def _describe_placement(placement: Placement, data: OwnPlacementData) -> None:
    placement.title = _own_title(data)
    placement.tasks = data.tasks.strip()
    placement.address = data.address.strip()
    placement.postal_code = data.postal_code.strip()
    placement.city = data.city.strip()
    placement.supervisor_name = data.contact_name.strip()
    placement.supervisor_email = accounts.normalize_email(data.contact_email)
    placement.supervisor_phone = data.contact_phone.strip()


# An own placement's day until the workplace says otherwise: the employer's new-placement
# form's legal day for minors (08:00–15:00 with a 30-minute break at 11:30), so that the
# employer's form and the risk-assessment link open on hours they can save as they are.
OWN_DAY = {"day_start": time(8, 0), "day_end": time(15, 0), "break_start": time(11, 30),
           "break_minutes": 30}


def _own_placement_row(enrolment: Enrolment, organisation: Organisation,
                       data: OwnPlacementData) -> Placement:
    placement = Placement(
        organisation=organisation, title=_own_title(data), sector=organisation.sector or "",
        status=PlacementStatus.DRAFT, accepts_grade_8=enrolment.period.grade == 8,
        accepts_grade_9=enrolment.period.grade == 9, **OWN_DAY)
    _describe_placement(placement, data)
    db.session.add(placement)
    return placement


def _new_own_placement(enrolment: Enrolment, organisation: Organisation,
                       data: OwnPlacementData) -> Placement:
    """A draft placement at a workplace registered from the pupil's form, the enrolment
    pointing at it, and the email that asks the workplace for its risk assessment (held
    until the coordinator has approved the workplace: send_risk_link)."""
    placement = _own_placement_row(enrolment, organisation, data)
    db.session.flush()
    enrolment.own_placement_id = placement.id
    send_risk_link(enrolment, placement)
    return placement


# --- the risk-assessment link of an own placement ------------------------------------------

def risk_link_addresses(placement: Placement) -> list[str]:
    """Who may fill in the risk assessment of a pupil's own placement (the minor's safety
    check, through a signed link): the addresses the organisation has registered (its
    contact's and its members'), once the coordinator has approved it. Before that, nobody:
    the contact of a workplace new to the portal is what the pupil typed, and could be the
    pupil's own address or a friend's, until the coordinator has checked the workplace. An
    address the pupil types later is never one of them."""
    if not placement.organisation.approved:
        return []
    return contact_addresses(placement.organisation)


def send_risk_link(enrolment: Enrolment, placement: Placement, once: bool = False,
                   just_approved: bool = False) -> list[str]:
    """The risk-assessment link to each of risk_link_addresses (none while the organisation
    waits for the coordinator). `once`: not to an address that got the same email within the
    last minute (a double click). `just_approved`: sent with the coordinator's approval, so
    the email also says the workplace is approved (send_held_risk_links). The addresses it
    went to."""
    from portal.notifications.outbox import queued_just_now

    sent = []
    for address in risk_link_addresses(placement):
        if not (once and queued_just_now("own_placement", address)):
            messages.own_placement_registered(address, enrolment, placement,
                                              just_approved=just_approved)
            sent.append(address)
    return sent


def send_held_risk_links(organisation: Organisation) -> set[str]:
    """The coordinator has just approved an organisation registered from pupils' own
    placements: the risk-assessment links that waited for it go out now (an assessment
    already made is not asked again), each saying that the workplace is approved. Called
    once per approval (decide_organisation). The addresses they went to: those need no
    separate "approved" email."""
    waiting = db.session.execute(
        select(Enrolment, Placement).join(Placement, Placement.id == Enrolment.own_placement_id)
        .where(Placement.organisation_id == organisation.id,
               Enrolment.state == EnrolmentState.OWN_PLACEMENT,
               Placement.risk_confirmed_at.is_(None))
        .order_by(Enrolment.id)).all()
    sent: set[str] = set()
    for enrolment, placement in waiting:
        sent.update(send_risk_link(enrolment, placement, just_approved=True))
    return sent


def risk_link_waits_for(placement: Placement) -> str:
    """Why the risk-assessment link has not gone out, for the counsellor: "" once it can."""
    status = placement.organisation.status
    if status is OrganisationStatus.PENDING:
        return str(_("Länken till riskbedömningen skickas när samordnaren har godkänt "
                     "arbetsplatsen. Samordnaren kontrollerar först att kontaktpersonen finns "
                     "på arbetsplatsen, eftersom eleven har skrivit in adressen själv."))
    if status is not OrganisationStatus.APPROVED:
        return str(_("Samordnaren har inte godkänt arbetsplatsen, så platsen kan inte bli av. "
                     "Godkänn inte platsen, så kan eleven välja bland praoplatserna igen."))
    return ""


def contact_problem(enrolment: Enrolment, data: OwnPlacementData) -> str | None:
    """Why the contact person's address cannot be the one the pupil typed, or None: the
    pupil's own address or a guardian's, which the school has. The contact gets the link to
    the workplace's risk assessment for the pupil, so it has to be someone at the
    workplace."""
    typed = accounts.normalize_email(data.contact_email)
    student = enrolment.student
    if typed and typed == accounts.normalize_email(student.email or ""):
        return str(_("Det här är din egen e-postadress. Skriv e-postadressen till din "
                     "kontaktperson på arbetsplatsen."))
    if typed and typed == accounts.normalize_email(student.guardian_email or ""):
        return str(_("Det här är din vårdnadshavares e-postadress. Skriv e-postadressen till "
                     "din kontaktperson på arbetsplatsen, också om det är en förälder som "
                     "jobbar där."))
    return None


def editable_own_placement(enrolment: Enrolment) -> Placement | None:
    """The pupil's own placement while it can still be corrected: registered, and not yet
    approved by the counsellor (after that it is an assignment the school answers for)."""
    from portal.prao.placing import active_assignment

    if enrolment.state is not EnrolmentState.OWN_PLACEMENT or enrolment.own_placement_id is None:
        return None
    if active_assignment(enrolment.id) is not None:
        return None
    return db.session.get(Placement, enrolment.own_placement_id)


def own_placement_data(placement: Placement) -> OwnPlacementData:
    """What the pupil entered, to show on their page and to correct: at an organisation
    that confirmed the pupil's request, what the pupil typed into it (the placement's
    supervisor is the organisation's, not the pupil's)."""
    return typed_contact(placement)[0]


def typed_contact(placement: Placement) -> tuple[OwnPlacementData, bool]:
    """What the pupil entered (own_placement_data), and whether the placement's supervisor
    is the organisation's choice rather than what the pupil typed (it confirmed the pupil's
    request: its own people stand in, or the supervisor it named)."""
    confirmed = confirmed_request(placement)
    if confirmed is not None:
        return _typed(confirmed), True
    return OwnPlacementData(
        workplace=placement.organisation.name, org_number=placement.organisation.org_number,
        address=placement.address, postal_code=placement.postal_code, city=placement.city,
        contact_name=placement.supervisor_name, contact_email=placement.supervisor_email,
        contact_phone=placement.supervisor_phone, tasks=placement.tasks), False


def _made_for_pupil(organisation: Organisation, placement: Placement) -> bool:
    """The organisation was registered from this pupil's form and nobody else uses it: its
    details are the pupil's to correct."""
    others = [p for p in organisation.placements if p.id != placement.id]
    has_accounts = db.session.scalar(select(func.count()).select_from(User).where(
        User.organisation_id == organisation.id))
    return organisation.status is OrganisationStatus.PENDING and not others \
        and not has_accounts


def correct_own_placement(enrolment: Enrolment, data: OwnPlacementData) -> Placement | None:
    """The pupil corrects their own placement before the counsellor approves it.

    Another workplace or another contact address is a new registration: the risk-assessment
    link sent for the old one stops working and the right contact gets a new one. Anything
    else is corrected in place; new tasks need the risk assessment confirmed again. A new
    organisationsnummer that the portal already knows becomes a request to that organisation,
    as when registering; so does any change to a placement an organisation confirmed from
    the pupil's request. Returns the pupil's placement, or None when a request was sent."""
    placement = editable_own_placement(enrolment)
    if placement is None:
        raise SchoolError("workplace", _l("Din studie- och yrkesvägledare har redan godkänt "
                                          "platsen. Hör av dig till hen om något ska ändras."))
    if _same(own_placement_data(placement), data):
        return placement  # a repeated submit: nothing to correct, nobody to email again
    organisation = placement.organisation
    confirmed = confirmed_request(placement)
    ours = _made_for_pupil(organisation, placement)
    if confirmed is not None:
        # The organisation confirmed what the pupil typed before. Nothing the pupil types
        # now is written into its account (nor is its risk link sent to a typed address):
        # the change is asked of the organisation again, or of another workplace.
        confirmed.status, confirmed.placement_id = OwnPlacementStatus.WITHDRAWN, None
        result = _replace_own_placement(enrolment, placement, data, drop_organisation=False,
                                        ask_same=True)
    elif normalize_org_number(data.org_number) != organisation.org_number:
        result = _replace_own_placement(enrolment, placement, data, drop_organisation=ours)
    elif accounts.normalize_email(data.contact_email) != placement.supervisor_email:
        if organisation.approved:
            # The coordinator approved the workplace with the contact it had then: another
            # address the pupil types now is nobody's word but the pupil's.
            raise SchoolError("contact_email", _l(
                "Arbetsplatsen är redan godkänd med den kontaktperson du skrev först. Vill du "
                "byta kontaktperson, prata med din studie- och yrkesvägledare."))
        if ours:
            _describe_organisation(organisation, data)
        result = _replace_own_placement(enrolment, placement, data, drop_organisation=False)
    else:
        result = _correct_in_place(enrolment, placement, data, ours)
    audit(None, "own_placement_corrected", enrolment, detail=str(placement.id))
    db.session.commit()
    return result


def _correct_in_place(enrolment: Enrolment, placement: Placement, data: OwnPlacementData,
                      ours: bool) -> Placement:
    """The same workplace and contact address: the rest as the pupil corrected it (and the
    organisation's details too when it was made from this pupil's form)."""
    if ours:
        _describe_organisation(placement.organisation, data)
    new_tasks = data.tasks.strip() != placement.tasks
    _describe_placement(placement, data)
    if new_tasks and placement.risk_confirmed_at is not None:
        placement.risk_confirmed_at = None  # it was assessed for other tasks
        send_risk_link(enrolment, placement)
    return placement


def _same(saved: OwnPlacementData, typed: OwnPlacementData) -> bool:
    return normalize_org_number(typed.org_number) == saved.org_number and \
        accounts.normalize_email(typed.contact_email) == saved.contact_email and all(
            getattr(typed, name).strip() == getattr(saved, name)
            for name in ("workplace", "address", "postal_code", "city", "contact_name",
                         "contact_phone", "tasks"))


def _replace_own_placement(enrolment: Enrolment, old: Placement, data: OwnPlacementData,
                           drop_organisation: bool, ask_same: bool = False) -> Placement | None:
    """A new placement for the pupil (or a request, at an organisation the portal knows,
    and at the old placement's own organisation too when `ask_same`); the old one, which
    nobody approved, goes (archived if an assignment ever named it), and with it an
    organisation made only for it."""
    organisation = old.organisation
    enrolment.own_placement_id = None
    known = organisation_by_number(data.org_number)
    if known is not None and (known.id != organisation.id or ask_same):
        _ask_organisation(enrolment, known, data)
        placement = None
    elif known is not None:
        placement = _new_own_placement(enrolment, known, data)
    else:
        placement = _new_own_placement(enrolment, _new_organisation(enrolment, data), data)
    _drop_placement(old, drop_organisation)
    return placement


def _drop_placement(placement: Placement, drop_organisation: bool) -> None:
    """A pupil's own placement that nobody approved goes (archived if an assignment ever
    named it), and with it an organisation made only for it."""
    from portal.prao.models import Assignment

    organisation = placement.organisation
    named = db.session.scalar(select(Assignment.id).where(
        Assignment.placement_id == placement.id).limit(1))
    if named is not None:
        placement.status = PlacementStatus.ARCHIVED
        return
    db.session.delete(placement)
    if drop_organisation:
        db.session.flush()
        db.session.delete(organisation)


def _own_title(data: OwnPlacementData) -> str:
    """The workplace as the pupil typed it: data, in no language. (Never the pupil's name: a
    placement title may one day be shown in the public catalogue. That it is the pupil's
    own placement is the assignment's source, which each page words in its reader's
    language.)"""
    return data.workplace.strip()[:200]


# --- own placements at an organisation the portal knows ------------------------------------

def _ask_organisation(enrolment: Enrolment, organisation: Organisation,
                      data: OwnPlacementData) -> None:
    """Keep what the pupil typed and email the organisation's registered contacts (never the
    address the pupil typed). One request per enrolment: after a decline, a new one takes
    the old one's place."""
    request = db.session.scalars(select(OwnPlacementRequest).where(
        OwnPlacementRequest.enrolment_id == enrolment.id)).first()
    if request is None:
        request = OwnPlacementRequest(enrolment=enrolment)
        db.session.add(request)
    request.organisation = organisation
    request.status = OwnPlacementStatus.PENDING
    request.decided_at = request.decided_by_id = request.placement_id = None
    request.workplace, request.address = data.workplace.strip(), data.address.strip()
    request.postal_code, request.city = data.postal_code.strip(), data.city.strip()
    request.contact_name = data.contact_name.strip()
    request.contact_email = accounts.normalize_email(data.contact_email)
    request.contact_phone, request.tasks = data.contact_phone.strip(), data.tasks.strip()
    db.session.flush()
    if organisation.approved:  # an unapproved one is asked once approved
        _send_request(request)


def _send_request(request: OwnPlacementRequest) -> None:
    for email in contact_addresses(request.organisation):
        messages.own_placement_request(email, request)


def send_held_requests(organisation: Organisation) -> int:
    """The requests that waited for the organisation's approval, sent now that it has it."""
    held = db.session.scalars(select(OwnPlacementRequest).where(
        OwnPlacementRequest.organisation_id == organisation.id,
        OwnPlacementRequest.status == OwnPlacementStatus.PENDING)
        .order_by(OwnPlacementRequest.id)).all()
    for request in held:
        _send_request(request)
    return len(held)


def decline_held_requests(organisation: Organisation) -> int:
    """The requests that waited for an organisation the coordinator has rejected: declined,
    and each pupil needs a placement again, with the wishes they have (as when the
    organisation declines). A request the pupil took back at this moment is left to that."""
    held = db.session.execute(select(OwnPlacementRequest.id, OwnPlacementRequest.enrolment_id)
                              .where(OwnPlacementRequest.organisation_id == organisation.id,
                                     OwnPlacementRequest.status == OwnPlacementStatus.PENDING)
                              ).all()
    declined = 0
    for request_id, enrolment_id in held:
        if claim(OwnPlacementRequest.status, request_id, OwnPlacementStatus.PENDING,
                 status=OwnPlacementStatus.DECLINED, decided_at=utcnow()):
            claim(Enrolment.state, enrolment_id, EnrolmentState.OWN_PLACEMENT,
                  state=EnrolmentState.NEEDS_PLACEMENT)
            declined += 1
    return declined


def own_placement_request(enrolment: Enrolment) -> OwnPlacementRequest | None:
    return db.session.scalars(_request_of(), {"enrolment": enrolment.id}).first()


@cache
def _request_of() -> Select:
    """Built once, as the other statements every pupil page runs."""
    return select(OwnPlacementRequest).where(
        OwnPlacementRequest.enrolment_id == bindparam("enrolment"))


def own_placement_requests(organisation_id: int) -> list[OwnPlacementRequest]:
    """Requests waiting for one organisation, oldest first (none before it is approved)."""
    approved = select(Organisation.id).where(Organisation.id == organisation_id,
                                             Organisation.status == OrganisationStatus.APPROVED)
    stmt = (select(OwnPlacementRequest)
            .where(OwnPlacementRequest.organisation_id.in_(approved),
                   OwnPlacementRequest.status == OwnPlacementStatus.PENDING)
            .order_by(OwnPlacementRequest.created_at, OwnPlacementRequest.id)
            .options(selectinload(OwnPlacementRequest.enrolment).selectinload(Enrolment.student),
                     selectinload(OwnPlacementRequest.enrolment).selectinload(Enrolment.period)
                     .selectinload(PraoPeriod.school)))
    return list(db.session.scalars(stmt))


def decide_own_placement(request: OwnPlacementRequest, decider: User,
                         confirm: bool) -> Placement | None:
    """A member of the organisation confirms (the placement is created in their account,
    as a draft waiting for its risk assessment; returned) or declines (the pupil needs a
    placement again, with the wishes they had). Decided once: a second decision raises
    AlreadyDecided.

    The confirmed placement's supervisor is the member who confirmed, not the contact the
    pupil typed: that address could be the pupil's own or a parent's, and the supervisor's
    address gets the signed links that report the pupil's attendance and evaluate the
    pupil. What the pupil typed stays on the request, shown to the organisation as the
    pupil's contact until it names the supervisor (supervisor_named)."""
    status = OwnPlacementStatus.CONFIRMED if confirm else OwnPlacementStatus.DECLINED
    if not claim(OwnPlacementRequest.status, request.id, OwnPlacementStatus.PENDING,
                 status=status, decided_at=utcnow(), decided_by_id=decider.id):
        db.session.rollback()
        raise AlreadyDecided(request.workplace)
    db.session.refresh(request)
    enrolment = request.enrolment
    placement = None
    if confirm:
        placement = _own_placement_row(enrolment, request.organisation, _typed(request))
        _stand_in_supervisor(placement, request.organisation, decider)
        db.session.flush()
        request.placement_id = enrolment.own_placement_id = placement.id
    else:
        enrolment.state = EnrolmentState.NEEDS_PLACEMENT
    audit(decider, f"own_placement_{status.value}", enrolment)
    db.session.commit()
    return placement


def _stand_in_supervisor(placement: Placement, organisation: Organisation,
                         member: User) -> None:
    """The organisation's own people stand in for the supervisor it has yet to name: the
    member who confirmed, with the organisation's registered phone number."""
    placement.supervisor_name = member.name
    placement.supervisor_email = member.email
    placement.supervisor_phone = organisation.contact_phone
    placement.supervisor_named = False


def confirmed_request(placement: Placement) -> OwnPlacementRequest | None:
    """The pupil's request that the organisation confirmed into this placement, if any:
    what the pupil typed about the workplace and its contact."""
    return db.session.scalars(select(OwnPlacementRequest).where(
        OwnPlacementRequest.placement_id == placement.id,
        OwnPlacementRequest.status == OwnPlacementStatus.CONFIRMED)).first()


def is_pupils_own(placement: Placement) -> bool:
    """The placement is a pupil's own: registered from the pupil's form, or made when the
    organisation confirmed the pupil's request. The pupil's counsellor approves it once the
    risk assessment is done; it is never sent for the coordinator's review nor published."""
    from portal.prao.models import Assignment, AssignmentSource

    found = db.session.scalar(select(
        select(Enrolment.id).where(Enrolment.own_placement_id == placement.id).exists()
        | select(OwnPlacementRequest.id).where(
            OwnPlacementRequest.placement_id == placement.id).exists()
        | select(Assignment.id).where(Assignment.placement_id == placement.id,
                                      Assignment.source == AssignmentSource.OWN).exists()))
    return bool(found)


def _typed(request: OwnPlacementRequest) -> OwnPlacementData:
    return OwnPlacementData(
        workplace=request.workplace, org_number=request.organisation.org_number,
        address=request.address, postal_code=request.postal_code, city=request.city,
        contact_name=request.contact_name, contact_email=request.contact_email,
        contact_phone=request.contact_phone, tasks=request.tasks)


# --- taking an own placement back ------------------------------------------------------------

class OwnEnd(StrEnum):
    """How taking back a pupil's own placement went."""

    ENDED = "ended"  # the pupil chooses among the offers again
    NOTHING = "nothing"  # no own placement (any more): a repeated click, or someone else
    APPROVED = "approved"  # the counsellor approved it a moment ago: it stands
    ANSWERED = "answered"  # the organisation answered the request a moment ago


def end_own_placement(enrolment: Enrolment, user: User | None, reason: str = "") -> OwnEnd:
    """The pupil's own placement does not count, whichever way it was registered: a request
    waiting for an organisation the portal knows (approved or not) is withdrawn; a placement
    registered for it is archived when the counsellor says no (`user`), or, when the pupil
    takes it back (`user` None), goes with a workplace made only for it. The pupil then
    needs a placement, with the wishes they still have, and their page says the
    counsellor's reason while they choose again (`Enrolment.own_refusal`). Not once the
    counsellor approved it.

    The one path for the counsellor's "Godkänn inte" (prao.placing.reject_own) and the
    pupil's own "Ångra". The request's row, then the enrolment's, are changed only from the
    state this request read, in the order the organisation's answer takes them; the
    counsellor's approval takes the enrolment's row first too, so of the two only one
    happens. Does not commit (the caller audits and commits); rolls back when it changes
    nothing."""
    from portal.prao.placing import active_assignment

    request = own_placement_request(enrolment)
    if request is not None and request.status is OwnPlacementStatus.PENDING \
            and not _withdrawn(request, user):
        db.session.rollback()
        return OwnEnd.ANSWERED
    # A write that changes nothing: the enrolment's row is this request's until it commits
    # (PostgreSQL's row lock, SQLite's write lock), and still has an own placement.
    if not claim(Enrolment.state, enrolment.id, EnrolmentState.OWN_PLACEMENT,
                 state=EnrolmentState.OWN_PLACEMENT):
        db.session.rollback()
        return OwnEnd.NOTHING
    db.session.refresh(enrolment)
    if active_assignment(enrolment.id) is not None:
        db.session.rollback()
        return OwnEnd.APPROVED
    placement = db.session.get(Placement, enrolment.own_placement_id) \
        if enrolment.own_placement_id is not None else None
    enrolment.state = EnrolmentState.NEEDS_PLACEMENT
    enrolment.own_placement_id = None
    enrolment.own_refusal = reason if user is not None else ""  # the pupil's page says it
    if placement is not None:
        db.session.flush()  # the enrolment no longer points at it
        if user is None:
            _drop_placement(placement, _made_for_pupil(placement.organisation, placement))
        else:
            # Archived without the reason: that is about the pupil, kept on the enrolment
            # (which the purge blanks), not on the workplace's placement (which it keeps).
            placement.status = PlacementStatus.ARCHIVED
    return OwnEnd.ENDED


def may_take_back_own(enrolment: Enrolment, today: date) -> bool:
    """The pupil may take back their own placement themselves until the wish window closes
    (and the counsellor has not approved it, which the page knows by the assignment): after
    that the counsellor plans with the pupils who need a placement, and the pupil asks."""
    return enrolment.state is EnrolmentState.OWN_PLACEMENT \
        and window_of(enrolment.period, today) is not Window.AFTER


def take_back_own_placement(enrolment: Enrolment, today: date) -> OwnEnd:
    """The pupil's "Ångra": their own placement no longer counts and they choose among the
    offers again. A second click finds nothing to take back (NOTHING)."""
    if enrolment.state is EnrolmentState.OWN_PLACEMENT and not may_take_back_own(enrolment,
                                                                                  today):
        raise SchoolError("own", _l("Tiden för att välja är slut, så du kan inte ångra den "
                                    "egna praoplatsen här. Prata med din studie- och "
                                    "yrkesvägledare."))
    outcome = end_own_placement(enrolment, None)
    if outcome is OwnEnd.ENDED:
        audit(None, "own_placement_taken_back", enrolment)
        db.session.commit()
    return outcome


def request_waits_for(request: OwnPlacementRequest) -> str:
    """What a pending request at an organisation the portal knows waits for, for the
    counsellor: the coordinator's approval of the organisation, then the organisation."""
    status = request.organisation.status
    if status is OrganisationStatus.PENDING:
        return str(_("Väntar på att samordnaren godkänner arbetsgivaren. Sedan får "
                     "arbetsgivaren bekräfta platsen och göra riskbedömningen."))
    if status is OrganisationStatus.APPROVED:
        return str(_("Väntar på att arbetsgivaren bekräftar platsen i Praoportalen. Sedan gör "
                     "arbetsgivaren riskbedömningen."))
    return str(_("Samordnaren har inte godkänt arbetsgivaren, så platsen kan inte bli av. "
                 "Godkänn inte platsen, så kan eleven välja bland praoplatserna igen."))

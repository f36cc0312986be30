"""Pupil use cases: enrolments and the period overview, personal pupil links, wishes and
own placements. Each function that changes something commits its own work."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.audit import audit
from portal.employers.models import (
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
)
from portal.extensions import db
from portal.notifications import messages
from portal.schools.models import (
    Enrolment,
    EnrolmentState,
    PraoPeriod,
    Student,
    Wish,
)
from portal.schools.periods import Window, lopsided_sectors, wish_window, working_days
from portal.schools.services import SchoolError, period_weeks
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


def days_so_far(student_ids: list[int]) -> dict[int, int]:
    """Prao days each pupil has had or has coming (placed or own placement), all periods."""
    rows = db.session.execute(
        select(Enrolment.student_id, PraoPeriod.first_day, PraoPeriod.last_day)
        .join(PraoPeriod, PraoPeriod.id == Enrolment.period_id)
        .where(Enrolment.student_id.in_(student_ids),
               Enrolment.state.in_([EnrolmentState.ASSIGNED, EnrolmentState.OWN_PLACEMENT]))
    ).all()
    days: Counter[int] = Counter()
    for student_id, first, last in rows:
        days[student_id] += working_days(first, last)
    return dict(days)


def overview(period: PraoPeriod) -> list[OverviewRow]:
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.period_id == period.id)
        .join(Student).order_by(Student.class_name, Student.last_name, Student.first_name)
        .options(selectinload(Enrolment.student))).all()
    counts = dict(db.session.execute(
        select(Wish.enrolment_id, func.count()).join(Enrolment)
        .where(Enrolment.period_id == period.id).group_by(Wish.enrolment_id)).all())
    days = days_so_far([e.student_id for e in enrolments])
    return [OverviewRow(e, counts.get(e.id, 0), days.get(e.student_id, 0)) for e in enrolments]


# A counsellor moves a pupil between these by hand; a placement (assigned by a round, or
# the pupil's own) has its assignment and seat, which this must never leave behind.
HAND_SET_STATES = (EnrolmentState.NEEDS_PLACEMENT, EnrolmentState.EXEMPT)


def set_state(enrolment: Enrolment, state: EnrolmentState, reason: str, user: User) -> None:
    if enrolment.state not in HAND_SET_STATES or state not in HAND_SET_STATES:
        raise SchoolError("state", _l("Eleven har redan en praoplats. Läget kan inte ändras "
                                      "här."))
    if state is EnrolmentState.EXEMPT and not reason.strip():
        raise SchoolError("reason", _l("Skriv varför eleven är befriad från prao."))
    enrolment.state = state
    enrolment.exempt_reason = reason.strip() if state is EnrolmentState.EXEMPT else ""
    audit(user, "enrolment_state", enrolment, detail=state.value)
    db.session.commit()


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
    enrolment = db.session.get(Enrolment, enrolment_id) if isinstance(enrolment_id, int) else None
    if enrolment is None:
        raise LinkError("invalid")
    if enrolment.link_revoked or data.get("v") != enrolment.link_version:
        raise LinkError("revoked")
    return enrolment


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


def email_links(period: PraoPeriod, user: User, only_without_wishes: bool = False) -> int:
    """Queue each pupil's link to the school address, when the school gave one."""
    sent = 0
    for row in overview(period):
        enrolment, student = row.enrolment, row.enrolment.student
        if not student.email or enrolment.link_revoked:
            continue
        if only_without_wishes and (row.wishes or enrolment.state is not
                                    EnrolmentState.NEEDS_PLACEMENT):
            continue
        messages.pupil_link(student.email, student.first_name, period, pupil_url(enrolment),
                            reminder=only_without_wishes)
        sent += 1
    audit(user, "pupil_links_emailed", period, detail=str(sent))
    db.session.commit()
    return sent


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


def eligible_offers(enrolment: Enrolment, sector: str = "", text: str = "", page: int = 1,
                    per_page: int = 20):  # noqa: ANN201 - Flask-SQLAlchemy Pagination
    from portal.employers.catalogue.services import matching_text

    stmt = eligible_offers_stmt(enrolment).options(
        selectinload(PlacementOffer.placement).selectinload(Placement.organisation))
    if sector:
        stmt = stmt.where(Placement.sector == sector)
    stmt = matching_text(stmt, text[:200])
    stmt = stmt.order_by(Placement.title, PlacementOffer.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def wish_counts(offer_ids: list[int]) -> dict[int, int]:
    """How many pupils have wished each offer, at any rank."""
    if not offer_ids:
        return {}
    rows = db.session.execute(select(Wish.offer_id, func.count()).where(
        Wish.offer_id.in_(offer_ids)).group_by(Wish.offer_id)).all()
    return dict(rows)


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
        raise SchoolError("wishes", _l("Önskefönstret är stängt."))
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
        PlacementOffer.id).where(PlacementOffer.id.in_(possible))))
    if set(offer_ids) - eligible:
        raise SchoolError("wishes", _l("En av platserna passar inte din period, din årskurs "
                                       "eller dina behov. Välj bland platserna i listan."))


def set_wishes(enrolment: Enrolment, offer_ids: list[int], today: date) -> None:
    """Replace the pupil's ranked wishes (best first) in one transaction."""
    _check_wishes(enrolment, offer_ids, today)
    enrolment.wishes.clear()
    db.session.flush()
    enrolment.wishes.extend(Wish(offer_id=oid, rank=rank)
                            for rank, oid in enumerate(offer_ids, start=1))
    db.session.commit()


def gender_suggestion(enrolment: Enrolment, today: date) -> bool:
    """True when every wished sector had more than 80 % pupils of this pupil's gender last
    year: the page then suggests looking at other sectors too (never a block)."""
    gender = enrolment.student.gender.value
    sectors = {w.offer.placement.sector for w in enrolment.wishes}
    if not sectors or gender in ("unknown", "other"):
        return False
    return sectors <= lopsided_sectors(last_year_sector_genders(today), gender)


def last_year_sector_genders(today: date) -> dict[str, dict[str, int]]:
    """Pupils per sector and gender, by first wishes in periods of the last twelve months."""
    rows = db.session.execute(
        select(Placement.sector, Student.gender, func.count())
        .select_from(Wish).join(Enrolment).join(Student).join(PraoPeriod)
        .join(PlacementOffer, PlacementOffer.id == Wish.offer_id).join(Placement)
        .where(Wish.rank == 1, PraoPeriod.first_day >= today - timedelta(days=365),
               PraoPeriod.first_day < today)
        .group_by(Placement.sector, Student.gender)).all()
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for sector, gender, count in rows:
        counts[sector][gender.value] = count
    return counts


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


def register_own_placement(enrolment: Enrolment, data: OwnPlacementData) -> Placement | None:
    """The pupil found a place through their own network. The workplace is registered like
    any other employer (pending approval) and its placement waits for a risk assessment."""
    from portal.employers.orgnr import normalize_org_number

    # Claim the enrolment first, as publishing a round does: whichever commits first wins.
    claimed = db.session.execute(
        update(Enrolment).where(Enrolment.id == enrolment.id,
                                Enrolment.state == EnrolmentState.NEEDS_PLACEMENT)
        .values(state=EnrolmentState.OWN_PLACEMENT).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # a round placed the pupil a moment ago: nothing is saved
        db.session.rollback()
        return None
    number = normalize_org_number(data.org_number)
    organisation = db.session.scalars(select(Organisation).filter_by(org_number=number)).first()
    if organisation is None:
        organisation = Organisation(
            name=data.workplace.strip(), org_number=number, status=OrganisationStatus.PENDING,
            visiting_address=data.address.strip(), postal_code=data.postal_code.strip(),
            city=data.city.strip(), contact_name=data.contact_name.strip(),
            contact_email=accounts.normalize_email(data.contact_email),
            contact_phone=data.contact_phone.strip(),
            municipality_id=enrolment.period.school.municipality_id)
        db.session.add(organisation)
    placement = Placement(
        organisation=organisation, title=_own_title(enrolment), sector=organisation.sector or "",
        tasks=data.tasks.strip(), address=data.address.strip(),
        postal_code=data.postal_code.strip(),
        city=data.city.strip(), supervisor_name=data.contact_name.strip(),
        supervisor_email=accounts.normalize_email(data.contact_email),
        supervisor_phone=data.contact_phone.strip(), status=PlacementStatus.DRAFT,
        accepts_grade_8=enrolment.period.grade == 8, accepts_grade_9=enrolment.period.grade == 9)
    db.session.add(placement)
    db.session.flush()
    enrolment.state = EnrolmentState.OWN_PLACEMENT
    enrolment.own_placement_id = placement.id
    enrolment.wishes.clear()
    messages.own_placement_registered(placement.supervisor_email, enrolment, placement)
    db.session.commit()
    return placement


def _own_title(enrolment: Enrolment) -> str:
    # Never the pupil's name: a placement title may one day be shown in the public catalogue.
    return f"Egen praoplats, {enrolment.period.name}"

"""Placements (praoplatser) and their offers of seats per week, next term in one action and
the employer's dashboard. The rules and the commit live here;
never `request` or `flash`. Each function commits its own work, or nothing at all."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.accounts.models import User
from portal.audit import audit
from portal.concurrency import first_wins
from portal.db import utcnow
from portal.employers.models import (
    Organisation,
    OrganisationStatus,
    Placement,
    PlacementOffer,
    PlacementStatus,
    RegionSettings,
)
from portal.employers.placements import hours
from portal.employers.reference import features_mask, sector_codes
from portal.extensions import db
from portal.matching.models import MatchResult
from portal.prao.models import Assignment
from portal.schools.models import Wish
from portal.schools.services import MAX_YEARS_AHEAD
from portal.weeks import (
    WEEK_RANGE_RE,
    WeekError,
    WeekYearError,
    monday_of,
    parse_week_range,
    same_week_next_year,
    term_of,
    week_label,
)

if TYPE_CHECKING:
    from portal.employers.calendar.services import CalendarWeek

MAX_SEATS = 50
# What PlacementForm's one-time token looks like (secrets.token_urlsafe); anything else is
# ignored, never stored.
FORM_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
MAX_OFFER_WEEKS = 4  # prao is two weeks, often split; a longer block is nearly always a typo


class FieldProblems(ValueError):
    """What was typed breaks a rule: form field name -> messages to show beside that field."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in problems.values() for m in messages))
        self.problems = problems


class Refused(ValueError):
    """An action cannot be done now; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class SaveOutcome(enum.StrEnum):
    SAVED = "saved"
    SENT_FOR_REVIEW = "review"  # a published placement's content changed: the coordinator looks
    BACK_TO_DRAFT = "draft"  # something a published or pending placement needs is gone


@dataclass(frozen=True)
class PlacementData:
    """What the employer typed into the placement form, already checked by the form."""

    title: str
    sector: str
    description: str = ""
    tasks: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    municipality_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    supervisor_name: str = ""
    supervisor_phone: str = ""
    supervisor_email: str = ""
    day_start: time = time(8, 0)
    day_end: time = time(15, 0)
    break_start: time | None = time(11, 30)
    break_minutes: int = 30
    grades: frozenset[int] = frozenset({8, 9})
    languages: str = "svenska"
    features: tuple[str, ...] = ()
    protective_equipment: str = ""
    risk_hazards: str = ""
    risk_measures: str = ""
    risk_introduction: str = ""
    risk_supervisor: str = ""
    risk_confirmed: bool = False


TEXT_FIELDS = (
    "title", "sector", "description", "tasks", "address", "city", "supervisor_name",
    "supervisor_phone", "supervisor_email", "languages", "protective_equipment",
    "risk_hazards", "risk_measures", "risk_introduction", "risk_supervisor",
)
RISK_FIELDS = ("risk_hazards", "risk_measures", "risk_introduction", "risk_supervisor")
# What the coordinator reviews: changing any of these on a published placement sends it back
# for review. Contact details, languages, accessibility and coordinates do not.
CORE_FIELDS = (
    "title", "sector", "description", "tasks", "address", "postal_code", "city",
    "municipality_id", "day_start", "day_end", "break_start", "break_minutes",
    "accepts_grade_8", "accepts_grade_9", "protective_equipment", *RISK_FIELDS,
)
REQUIRED_TEXT = (
    ("title", _l("Skriv en rubrik för praoplatsen.")),
    ("description", _l("Beskriv praoplatsen.")),
    ("tasks", _l("Skriv vad eleven kommer att göra.")),
    ("address", _l("Skriv arbetsplatsens adress.")),
    ("postal_code", _l("Skriv arbetsplatsens postnummer.")),
    ("city", _l("Skriv arbetsplatsens ort.")),
    ("supervisor_name", _l("Skriv handledarens namn.")),
    ("supervisor_phone", _l("Skriv handledarens telefonnummer, så att skolan når handledaren.")),
    ("risk_hazards", _l("Riskbedömningen: beskriv riskerna för en minderårig på arbetsplatsen.")),
    ("risk_measures", _l("Riskbedömningen: beskriv åtgärderna mot riskerna.")),
    ("risk_introduction", _l("Riskbedömningen: beskriv hur eleven introduceras första dagen.")),
    ("risk_supervisor", _l("Riskbedömningen: skriv vem som är elevens handledare på plats.")),
)


# --- placements --------------------------------------------------------------------

def normalize_postal_code(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return f"{digits[:3]} {digits[3:]}" if len(digits) == 5 else value.strip()


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _snapshot(placement: Placement, names: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(getattr(placement, name) for name in names)


def _apply(placement: Placement, data: PlacementData) -> None:
    risk_before = _snapshot(placement, RISK_FIELDS)
    for name in TEXT_FIELDS:
        setattr(placement, name, _clean(getattr(data, name)))
    placement.postal_code = normalize_postal_code(data.postal_code)
    placement.municipality_id = data.municipality_id
    placement.latitude, placement.longitude = data.latitude, data.longitude
    placement.day_start, placement.day_end = data.day_start, data.day_end
    placement.break_start = data.break_start if data.break_minutes else None
    placement.break_minutes = data.break_minutes if data.break_start else 0
    placement.accepts_grade_8, placement.accepts_grade_9 = 8 in data.grades, 9 in data.grades
    placement.features = features_mask(data.features)
    if not data.risk_confirmed:
        placement.risk_confirmed_at = None
    elif placement.risk_confirmed_at is None or _snapshot(placement, RISK_FIELDS) != risk_before:
        # A changed risk assessment counts as confirmed from the moment it was confirmed anew.
        placement.risk_confirmed_at = utcnow()
    # search_text is kept by portal.employers.catalogue before every flush.


def _translated(problem: hours.HoursProblem) -> str:
    return _(problem.message, **problem.params)


def check_hours(day_start: time, day_end: time, break_start: time | None,
                break_minutes: int) -> dict[str, list[str]]:
    """The minors' hours rules as form field -> messages in the user's language."""
    found: dict[str, list[str]] = {}
    for problem in hours.hours_problems(day_start, day_end, break_start, break_minutes):
        found.setdefault(problem.field, []).append(_translated(problem))
    return found


def _refuse_illegal_hours(data: PlacementData) -> None:
    problems = check_hours(data.day_start, data.day_end, data.break_start, data.break_minutes)
    if problems:
        raise FieldProblems(problems)


def new_placement_defaults(organisation: Organisation) -> dict[str, object]:
    """A new placement's form starts from the organisation's address and contact and a legal
    day for minors (PlacementData's defaults)."""
    day = PlacementData(title="", sector="")
    return {
        "address": organisation.visiting_address, "postal_code": organisation.postal_code,
        "city": organisation.city, "municipality": organisation.municipality_id or 0,
        "sector": organisation.sector, "supervisor_name": organisation.contact_name,
        "supervisor_phone": organisation.contact_phone, "languages": day.languages,
        "day_start": day.day_start, "day_end": day.day_end, "break_start": day.break_start,
        "break_minutes": day.break_minutes, "grades": sorted(day.grades),
    }


def create_placement(organisation: Organisation, data: PlacementData, actor: User,
                     form_token: str = "") -> Placement:
    """A new draft. An organisation still waiting for approval may prepare placements.
    `form_token` is the one-time token the form was rendered with: the same form sent twice
    (a double click, even at the same moment) gets the draft the first one made."""
    _refuse_illegal_hours(data)
    token = form_token if FORM_TOKEN_RE.fullmatch(form_token or "") else None
    placement = first_wins(lambda: _new_placement(organisation, data, actor, token))
    db.session.commit()
    return placement


def _new_placement(organisation: Organisation, data: PlacementData, actor: User,
                   token: str | None) -> Placement:
    if token is not None:
        made = db.session.scalars(select(Placement).where(Placement.form_token == token)).first()
        if made is not None and made.organisation_id == organisation.id:
            return made
        if made is not None:
            token = None  # another organisation's token (never from a real form): ignore it
    placement = Placement(organisation=organisation, status=PlacementStatus.DRAFT,
                          form_token=token)
    _apply(placement, data)
    db.session.add(placement)
    db.session.flush()
    audit(actor, "placement_created", placement)
    return placement


def update_placement(placement: Placement, data: PlacementData, actor: User) -> SaveOutcome:
    _refuse_illegal_hours(data)
    core_before = _snapshot(placement, CORE_FIELDS)
    _apply(placement, data)
    placement.supervisor_named = True  # the organisation's own choice, whoever it is
    outcome = _status_after_edit(placement, _snapshot(placement, CORE_FIELDS) != core_before)
    audit(actor, "placement_updated", placement, detail=outcome.value)
    db.session.commit()
    return outcome


def _status_after_edit(placement: Placement, core_changed: bool) -> SaveOutcome:
    if placement.status not in (PlacementStatus.PENDING, PlacementStatus.PUBLISHED):
        return SaveOutcome.SAVED
    if publishable_problems(placement):
        placement.status = PlacementStatus.DRAFT
        return SaveOutcome.BACK_TO_DRAFT
    if (placement.status is PlacementStatus.PUBLISHED and core_changed
            and not auto_publish_applies(placement.organisation)):
        placement.status = PlacementStatus.PENDING
        return SaveOutcome.SENT_FOR_REVIEW
    return SaveOutcome.SAVED


def region_settings() -> RegionSettings | None:
    return db.session.scalars(select(RegionSettings).order_by(RegionSettings.id).limit(1)).first()


def auto_publish_applies(organisation: Organisation) -> bool:
    """The region publishes already approved employers' placements without review."""
    settings = region_settings()
    return (organisation.status is OrganisationStatus.APPROVED
            and settings is not None and settings.auto_publish_approved)


def risk_assessment_complete(placement: Placement | Row[*tuple[Any, ...]]) -> bool:
    """Every risk text written and the assessment confirmed (of a placement, or of a row
    with those columns by name)."""
    return (all(getattr(placement, name).strip() for name in RISK_FIELDS)
            and placement.risk_confirmed_at is not None)


def publishable_problems(placement: Placement) -> list[str]:
    """Everything that stops the placement from being published, in the user's language; an
    empty list means it may be published. The coordinator's approval checks this too."""
    problems = [str(message) for name, message in REQUIRED_TEXT
                if not (getattr(placement, name) or "").strip()]
    if placement.sector not in sector_codes():
        problems.append(_("Välj bransch."))
    if placement.municipality_id is None:
        problems.append(_("Välj vilken kommun arbetsplatsen ligger i."))
    if not (placement.accepts_grade_8 or placement.accepts_grade_9):
        problems.append(_("Välj minst en årskurs."))
    problems += [_translated(p) for p in hours.hours_problems(
        placement.day_start, placement.day_end, placement.break_start, placement.break_minutes)]
    if placement.risk_confirmed_at is None:
        problems.append(_("Riskbedömningen är inte bekräftad: kryssa i rutan att den är gjord."))
    if placement.organisation.status in (OrganisationStatus.REJECTED,
                                         OrganisationStatus.SUSPENDED):
        problems.append(_("Organisationen är inte godkänd. Kontakta samordnaren."))
    return problems


def own_placement_problems(placement: Placement) -> list[str]:
    """What a pupil's own placement still lacks before the counsellor can approve it, in the
    user's language: the risk assessment for minors and legal hours (it is never published,
    so the catalogue's title, description and weeks are not asked for)."""
    problems = [str(message) for name, message in REQUIRED_TEXT
                if name in RISK_FIELDS and not (getattr(placement, name) or "").strip()]
    problems += [_translated(p) for p in hours.hours_problems(
        placement.day_start, placement.day_end, placement.break_start, placement.break_minutes)]
    if placement.risk_confirmed_at is None:
        problems.append(_("Riskbedömningen är inte bekräftad: kryssa i rutan att den är gjord."))
    return problems


def submit_placement(placement: Placement, actor: User) -> PlacementStatus:
    """'Skicka för granskning': published at once when the region's setting allows it for an
    approved organisation, otherwise pending for the coordinator. Refused with the list of
    what is missing until the placement is complete. Sent already (a double click, a
    reload), it answers as the click that sent it did, and changes nothing."""
    if placement.status in (PlacementStatus.PENDING, PlacementStatus.PUBLISHED):
        return placement.status
    problems = publishable_problems(placement)
    if problems:
        raise Refused(problems)
    placement.rejection_reason = ""
    if auto_publish_applies(placement.organisation):
        placement.status = PlacementStatus.PUBLISHED
        placement.published_at = utcnow()
    else:
        placement.status = PlacementStatus.PENDING
    audit(actor, "placement_submitted", placement, detail=placement.status.value)
    db.session.commit()
    return placement.status


def archive_placement(placement: Placement, actor: User, today: date | None = None) -> None:
    """Take the placement out of the catalogue; kept, so a later term can copy it back."""
    this_week = monday_of(today or clock.today())
    if any(o.seats_taken and o.last_week >= this_week for o in placement.offers):
        raise Refused([_("Det finns elever bokade på kommande veckor. Kontakta samordnaren "
                         "innan du arkiverar praoplatsen.")])
    placement.status = PlacementStatus.ARCHIVED
    audit(actor, "placement_archived", placement)
    db.session.commit()


# --- offers: weeks and seats -------------------------------------------------------

def _future_weeks(text: str, today: date, max_weeks: int) -> tuple[date, date]:
    """'11–12 2027' -> (Monday, Monday), refusing the past, bad text and long blocks."""
    try:
        first, last = parse_week_range(text)
    except WeekYearError as error:
        raise FieldProblems({"weeks": [_("Kontrollera årtalet: skriv veckorna som 11–12 "
                                         "2027.")]}) from error
    except WeekError as error:
        if WEEK_RANGE_RE.match(text) is None:
            raise FieldProblems({"weeks": [_("Skriv veckorna som 11–12 2027 eller vecka 45 "
                                             "2026.")]}) from error
        raise FieldProblems({"weeks": [_("Den veckan finns inte det året. Ett år har 52 "
                                         "eller 53 veckor.")]}) from error
    this_week = monday_of(today)
    if first < this_week:
        raise FieldProblems({"weeks": [_(
            "Vecka %(weeks)s har redan varit. Välj veckor från och med vecka %(now)s.",
            weeks=week_label(first, last), now=week_label(this_week))]})
    if (last - first).days // 7 + 1 > max_weeks:
        if last.year > first.year and last.isocalendar()[1] < first.isocalendar()[1]:
            # "12–11 2027" is read over new year, as for "52–2": most likely swapped.
            raise FieldProblems({"weeks": [_(
                "Skriv den första veckan först, till exempel 11–12 2027. Veckor över nyår "
                "skrivs med det första årets årtal: 52–2 2026.")]})
        raise FieldProblems({"weeks": [_(
            "Högst %(max)d veckor i följd. Dela upp det i flera.", max=max_weeks)]})
    if first > today + timedelta(days=365 * MAX_YEARS_AHEAD):
        # Like a prao period: further ahead is a mistyped year (…2207 for 2027).
        raise FieldProblems({"weeks": [_(
            "Veckorna kan ligga högst %(n)d år fram i tiden, som skolornas praoperioder.",
            n=MAX_YEARS_AHEAD)]})
    return first, last


def _check_seats(seats: int, taken: int = 0) -> None:
    if seats < 1:
        raise FieldProblems({"seats": [_("Antalet platser måste vara minst 1.")]})
    if seats > MAX_SEATS:
        raise FieldProblems({"seats": [_("Högst %(max)d platser per erbjudande.",
                                         max=MAX_SEATS)]})
    if seats < taken:
        raise FieldProblems({"seats": [ngettext(
            "%(num)d plats är redan bokad, så antalet kan inte bli lägre än %(num)d.",
            "%(num)d platser är redan bokade, så antalet kan inte bli lägre än %(num)d.",
            taken)]})


def _lock(placement: Placement) -> None:
    """Serialize offer changes of one placement (PostgreSQL), so two overlap checks running
    at once cannot both pass. SQLite writes one transaction at a time anyway."""
    db.session.execute(select(Placement.id).where(Placement.id == placement.id).with_for_update())


def _refuse_overlap(placement: Placement, first: date, last: date,
                    exclude: PlacementOffer | None = None) -> None:
    stmt = select(PlacementOffer).where(PlacementOffer.placement_id == placement.id,
                                        PlacementOffer.first_week <= last,
                                        PlacementOffer.last_week >= first)
    if exclude is not None:
        stmt = stmt.where(PlacementOffer.id != exclude.id)
    clash = db.session.scalars(stmt.limit(1)).first()
    if clash is not None:
        raise FieldProblems({"weeks": [_(
            "Veckorna krockar med erbjudandet för vecka %(weeks)s. Ändra det i stället.",
            weeks=week_label(clash.first_week, clash.last_week))]})


def add_offer(placement: Placement, weeks: str, seats: int, actor: User,
              today: date | None = None) -> PlacementOffer:
    if placement.status is PlacementStatus.ARCHIVED:
        raise Refused([_("Praoplatsen är arkiverad. Skicka den för granskning igen först.")])
    first, last = _future_weeks(weeks, today or clock.today(), MAX_OFFER_WEEKS)
    _check_seats(seats)
    _lock(placement)
    _refuse_overlap(placement, first, last)
    offer = PlacementOffer(placement=placement, first_week=first, last_week=last, seats=seats)
    db.session.add(offer)
    db.session.flush()
    audit(actor, "offer_added", offer, detail=f"{week_label(first, last)}: {seats}")
    db.session.commit()
    return offer


def offer_has_ended(offer: PlacementOffer, today: date | None = None) -> bool:
    """Its last week is over: what it offered is history (the council's reports of that
    school year count its seats), no longer the employer's to change or remove."""
    return offer.last_week < monday_of(today or clock.today())


ENDED = _l("Veckorna har redan varit, så de kan inte ändras eller tas bort. Lägg till nya "
           "veckor i stället.")


def update_offer(offer: PlacementOffer, weeks: str, seats: int, actor: User,
                 today: date | None = None) -> None:
    today = today or clock.today()
    if offer_has_ended(offer, today):
        raise FieldProblems({"weeks": [str(ENDED)]})
    first, last = _weeks_for_edit(offer, weeks, today)
    _check_seats(seats, offer.seats_taken)
    _lock(offer.placement)
    _refuse_overlap(offer.placement, first, last, exclude=offer)
    offer.first_week, offer.last_week, offer.seats = first, last, seats
    audit(actor, "offer_updated", offer, detail=f"{week_label(first, last)}: {seats}")
    db.session.commit()


def _weeks_for_edit(offer: PlacementOffer, weeks: str, today: date) -> tuple[date, date]:
    """Unchanged weeks may stay (the block may have started); new weeks must be ahead, and
    booked pupils keep the weeks they were booked for."""
    try:
        if parse_week_range(weeks) == (offer.first_week, offer.last_week):
            return offer.first_week, offer.last_week
    except WeekError:
        pass  # _future_weeks explains it
    first, last = _future_weeks(weeks, today, MAX_OFFER_WEEKS)
    if offer.seats_taken:
        raise FieldProblems({"weeks": [_("Elever är redan bokade på de här veckorna, så "
                                         "veckorna kan inte ändras.")]})
    return first, last


def remove_offer(offer: PlacementOffer, actor: User) -> None:
    """Only weeks nobody has wished for or been placed in can go: the pupils' wishes and a
    round's results keep naming the offer (the database refuses the delete too, so a wish
    made a moment ago is caught the same way)."""
    first_wins(lambda: _remove_offer(offer, actor))
    db.session.commit()


def _remove_offer(offer: PlacementOffer, actor: User) -> None:
    if offer_has_ended(offer):
        raise Refused([str(ENDED)])
    if offer.seats_taken:
        raise Refused([_("Elever är redan bokade på de här veckorna, så erbjudandet kan inte "
                         "tas bort.")])
    problems = _offer_in_use(offer)
    if problems:
        raise Refused(problems)
    audit(actor, "offer_removed", offer,
          detail=f"{week_label(offer.first_week, offer.last_week)}: {offer.seats}")
    db.session.delete(offer)
    db.session.flush()


def _offer_in_use(offer: PlacementOffer) -> list[str]:
    problems = []
    wished = db.session.scalar(select(func.count(Wish.enrolment_id.distinct()))
                               .where(Wish.offer_id == offer.id)) or 0
    if wished:
        problems.append(ngettext(
            "%(num)d elev har önskat de här veckorna, så erbjudandet kan inte tas bort. "
            "Minska antalet platser i stället, eller kontakta samordnaren.",
            "%(num)d elever har önskat de här veckorna, så erbjudandet kan inte tas bort. "
            "Minska antalet platser i stället, eller kontakta samordnaren.", wished))
    placed = any(db.session.scalar(select(model.id).where(model.offer_id == offer.id).limit(1))
                 for model in (MatchResult, Assignment))
    if placed:
        problems.append(_("De här veckorna finns med i en matchning av elever, så erbjudandet "
                          "kan inte tas bort. Kontakta samordnaren."))
    return problems


# --- next term in one action -------------------------------------------------------

TERM_RE = re.compile(r"^(VT|HT) (\d{4})$")


@dataclass(frozen=True)
class CopyResult:
    source: str
    target: str
    copied: int
    skipped_overlap: int
    skipped_past: int
    restored: int  # archived placements that came back as drafts


def term_bounds(term: str) -> tuple[date, date]:
    """'VT 2027' -> (1 January, 30 June 2027); the inverse of portal.weeks.term_of."""
    match = TERM_RE.match(term)
    if match is None:
        raise ValueError(f"not a term: {term!r}")
    year = int(match.group(2))
    if match.group(1) == "VT":
        return date(year, 1, 1), date(year, 6, 30)
    return date(year, 7, 1), date(year, 12, 31)


def next_year_term(term: str) -> str:
    kind, year = term.split()
    return f"{kind} {int(year) + 1}"


def copyable_terms(organisation: Organisation, today: date | None = None) -> list[str]:
    """Terms that have begun in which the organisation offered seats, newest first."""
    today = today or clock.today()
    mondays = db.session.scalars(
        select(PlacementOffer.first_week).distinct().join(Placement)
        .where(Placement.organisation_id == organisation.id, PlacementOffer.first_week <= today))
    terms = {term_of(day) for day in mondays}
    return sorted(terms, key=lambda t: term_bounds(t)[0], reverse=True)


def copy_term(organisation: Organisation, term: str, actor: User,
              today: date | None = None) -> CopyResult:
    """Copy the term's offers to the same ISO weeks a year later, skipping weeks that have
    passed or that overlap an offer the placement already has. Archived placements that get
    an offer come back as drafts, to be checked and sent for review again."""
    try:
        start, end = term_bounds(term)
    except ValueError as error:
        raise FieldProblems({"term": [_("Välj en termin i listan.")]}) from error
    this_week = monday_of(today or clock.today())
    in_term = select(PlacementOffer.placement_id).where(
        PlacementOffer.first_week.between(start, end))
    # Locked like a single offer change (_lock), so the overlap checks see every offer.
    placements = db.session.scalars(
        select(Placement).where(Placement.organisation_id == organisation.id,
                                Placement.id.in_(in_term))
        .order_by(Placement.id).with_for_update()
        .options(selectinload(Placement.offers))).all()
    counts = {"copied": 0, "skipped_overlap": 0, "skipped_past": 0, "restored": 0}
    for placement in placements:
        _copy_offers(placement, start, end, this_week, counts)
    audit(actor, "term_copied", organisation, detail=f"{term}: {counts}")
    db.session.commit()
    return CopyResult(term, next_year_term(term), **counts)


def copy_placement_term(placement: Placement, term: str, actor: User | None, label: str,
                        today: date | None = None) -> CopyResult:
    """copy_term for one placement: the supervisor's "yes, next term too" from the
    evaluation (through a signed link, so the actor may be a label only)."""
    start, end = term_bounds(term)
    locked = db.session.scalars(select(Placement).where(Placement.id == placement.id)
                                .with_for_update().options(selectinload(Placement.offers))).one()
    counts = {"copied": 0, "skipped_overlap": 0, "skipped_past": 0, "restored": 0}
    _copy_offers(locked, start, end, monday_of(today or clock.today()), counts)
    audit(actor, "term_copied", locked, detail=f"{label}: {term}: {counts}")
    db.session.commit()
    return CopyResult(term, next_year_term(term), **counts)


def _copy_offers(placement: Placement, start: date, end: date, this_week: date,
                 counts: dict[str, int]) -> None:
    taken = [(o.first_week, o.last_week) for o in placement.offers]
    source = [o for o in placement.offers if start <= o.first_week <= end]
    copied = 0
    for offer in source:
        first = same_week_next_year(offer.first_week)
        last = first + (offer.last_week - offer.first_week)
        if first < this_week:
            counts["skipped_past"] += 1
        elif any(f <= last and first <= t for f, t in taken):
            counts["skipped_overlap"] += 1
        else:
            placement.offers.append(PlacementOffer(first_week=first, last_week=last,
                                                   seats=offer.seats))
            taken.append((first, last))
            copied += 1
    counts["copied"] += copied
    if copied and placement.status is PlacementStatus.ARCHIVED:
        placement.status = PlacementStatus.DRAFT
        counts["restored"] += 1


# --- the employer's dashboard ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OfferSeats:
    """An offer as the dashboard shows it: its weeks and seats."""

    id: int
    first_week: date
    last_week: date
    seats: int
    seats_taken: int

    @property
    def seats_free(self) -> int:
        return self.seats - self.seats_taken


@dataclass(frozen=True, slots=True)
class PlacementSummary:
    """A placement as the dashboard shows it, with all its offers (by first week)."""

    id: int
    title: str
    status: PlacementStatus
    rejection_reason: str
    risk_complete: bool
    offers: list[OfferSeats]


@dataclass(frozen=True)
class Dashboard:
    this_week: date
    placements: list[PlacementSummary]
    missing_risk: list[PlacementSummary]  # drafts whose risk assessment is not complete
    rejected: list[PlacementSummary]  # sent back by the coordinator, with the reason
    short_weeks: list[CalendarWeek]  # weeks where the region's schools lack seats
    seats: int  # over this organisation's offers from this week on
    seats_taken: int

    @property
    def seats_free(self) -> int:
        return self.seats - self.seats_taken

    def upcoming(self, placement: PlacementSummary) -> list[OfferSeats]:
        return [o for o in placement.offers if o.last_week >= self.this_week]

    @property
    def waiting(self) -> bool:
        return bool(self.missing_risk or self.rejected or self.short_weeks)


STATUS_ORDER = {PlacementStatus.DRAFT: 0, PlacementStatus.PENDING: 1,
                PlacementStatus.PUBLISHED: 2, PlacementStatus.ARCHIVED: 3}


@cache  # built once: the same for every organisation, its value is a parameter
def _summary_statement() -> Select[*tuple[Any, ...]]:
    """The placements with their offers (by first week), one row per offer: only the
    columns the dashboard shows (and the risk assessment's, to tell whether it is
    complete). The placements are numbered in the order the database reads them (no ORDER
    BY), the order their own query always gave them in: placements of the same status and
    title keep their places on the page."""
    # The tables' columns, not the mapped attributes: a Core statement skips the ORM's
    # compiling, a fifth of a small query's Python.
    placement, offer = Placement.__table__.c, PlacementOffer.__table__.c
    placements = select(placement.id, placement.title, placement.status,
                        placement.rejection_reason, placement.risk_confirmed_at,
                        *(placement[name] for name in RISK_FIELDS),
                        func.row_number().over().label("read_as")
                        ).where(placement.organisation_id == bindparam("organisation_id")
                                ).subquery()
    return (select(*placements.c, offer.id.label("offer_id"), offer.first_week,
                   offer.last_week, offer.seats, offer.seats_taken)
            .outerjoin(PlacementOffer.__table__, offer.placement_id == placements.c.id)
            .order_by(placements.c.read_as, offer.first_week))


def placement_summaries(organisation_id: int) -> list[PlacementSummary]:
    """The organisation's placements, drafts first, then by title: one query."""
    found: dict[int, PlacementSummary] = {}
    for row in db.session.execute(_summary_statement(), {"organisation_id": organisation_id}):
        summary = found.get(row.id)
        if summary is None:
            summary = found[row.id] = PlacementSummary(
                row.id, row.title, row.status, row.rejection_reason,
                risk_assessment_complete(row), [])
        if row[-5] is not None:  # a placement without offers has one row, without an offer
            summary.offers.append(OfferSeats(*row[-5:]))
    return sorted(found.values(), key=lambda p: (STATUS_ORDER[p.status], p.title.lower()))


def dashboard(organisation: Organisation, today: date | None = None) -> Dashboard:
    """The employer's start page: one query whatever the number of placements, and the
    county's weeks when they are not kept (three or four more)."""
    # Imported here: the calendar's rules build on this module's week checks.
    from portal.employers.calendar.services import regional_calendar, short_weeks

    today = today or clock.today()
    this_week = monday_of(today)
    placements = placement_summaries(organisation.id)
    drafts = [p for p in placements if p.status is PlacementStatus.DRAFT]
    current = [o for p in placements if p.status is not PlacementStatus.ARCHIVED
               for o in p.offers]
    upcoming = [o for o in current if o.last_week >= this_week]
    return Dashboard(
        this_week=this_week,
        placements=placements,
        missing_risk=[p for p in drafts if not p.risk_complete],
        rejected=[p for p in drafts if p.rejection_reason],
        short_weeks=short_weeks(regional_calendar(organisation, today, kept=True,
                                                      own_offers=current, prao_weeks_only=True)),
        seats=sum(o.seats for o in upcoming),
        seats_taken=sum(o.seats_taken for o in upcoming),
    )

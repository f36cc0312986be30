"""Every form and every query parameter of the portal, driven with hostile input on the real
engine (PostgreSQL refuses NUL; SQLite does not). Nothing here lists the forms: the portal is
crawled as each role from its start page, following links, and every <form> found is posted
with one field at a time replaced by NUL and other control characters, CR/LF (single-line
fields), full-width digits, a 100,000-character string and bytes that are not UTF-8.

For every answer: no 500, and nothing hostile stored anywhere. Where the input is refused
(control characters, line breaks, bad bytes, too long), nothing at all is written and, when
the form is shown back, the message sits beside the field. Query parameters of every page
(those in links and GET forms, and an unknown one) get the same.

The coverage test fails when a form escapes: a FlaskForm not derived from PortalForm, a
PortalForm never met on a crawled page, a POST route no crawled form posts to, a GET route
never visited, or a hand-made form with a field a person types into."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_wtf import FlaskForm
from sqlalchemy import JSON, Text, cast, event, select, text
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

import portal
from portal.accounts.models import Role
from portal.accounts.tokens import INVITATION_SALT, RESET_SALT, make_token
from portal.clock import today
from portal.employers.services import request_join
from portal.extensions import db as _db
from portal.extensions import limiter
from portal.formtools import FILENAME_MESSAGE, MESSAGES, PortalForm
from portal.schools.models import Wish
from portal.weeks import monday_of
from tests import factories
from tests.conftest import World, login, new_client

ROLES = ("anonymous", "pupil", "coordinator", "counsellor", "employer", "council")
SKIPPED_PREFIXES = ("/static/", "/bootstrap/", "/sprak/en")  # English: other messages
URLS_PER_ENDPOINT = 10  # pages of one kind differ by state (an own placement, a proposal)
UNKNOWN_PARAMETER = "okand_parameter"
# Inputs a person types into; hidden inputs and buttons carry the page's own values.
TYPED = frozenset({"text", "search", "email", "tel", "url", "password", "number", "date",
                   "time", "datetime-local", "month", "week", "textarea", "select",
                   "checkbox", "radio", "file"})
# Tables that may change on a refused request. A refused form shown again still shows the
# pupil it is about: that read is written to the audit log (portal.audit.audit_read). Its
# rows are still searched for hostile text below: a read event never stores what was typed.
BOOKKEEPING_TABLES: frozenset[str] = frozenset({"audit_event"})


# --- a region with one of everything, so every form appears somewhere -------------------

@dataclass
class Region:
    world: World
    seeds: dict[str, list[str]]  # where each role starts; links lead everywhere else


def _build_region(app: Flask, db: Any, world: World) -> Region:
    from portal.matching.engine import Step
    from portal.matching.services import start_round
    from portal.schools.imports.reading import encode, read_upload
    from portal.schools.models import PupilImport
    from portal.schools.pupils.services import make_link_token

    first_week = monday_of(today()) + timedelta(weeks=8)
    period = factories.PraoPeriodFactory(
        school=world.school_a, first_day=first_week, last_day=first_week + timedelta(days=11),
        wishes_open=today() - timedelta(days=7), wishes_close=today() + timedelta(days=14))
    offers = [factories.PlacementOfferFactory(
        placement__organisation=world.organisation_a, placement__title=f"Plats {n}",
        first_week=first_week, last_week=first_week + timedelta(weeks=1)) for n in range(3)]
    pupil = factories.EnrolmentFactory(period=period, student__email="elev@skola.se")
    others = [factories.EnrolmentFactory(period=period) for _ in range(2)]
    for rank, offer in enumerate(offers[:2], start=1):
        db.session.add(Wish(enrolment=pupil, offer=offer, rank=rank))
    db.session.add(Wish(enrolment=others[0], offer=offers[0], rank=1))
    # Waiting for a decision: a placement, an organisation, a join request.
    factories.PlacementFactory(organisation=world.organisation_a, status="pending",
                               published_at=None, title="Granskas")
    draft = factories.PlacementFactory(organisation=world.organisation_a, status="draft",
                                       published_at=None, title="Utkast")
    factories.OrganisationFactory(status="pending", name="Väntar AB")
    request_join(factories.UserFactory(role=Role.EMPLOYER, organisation=None),
                 world.organisation_a)
    factories.CalendarEntryFactory(school=world.school_a, first_week=first_week,
                                   last_week=first_week)
    factories.OutboxEmailFactory(status="failed")
    past = monday_of(today()) - timedelta(weeks=10)  # a term to copy to next year
    factories.PlacementOfferFactory(placement__organisation=world.organisation_a,
                                    first_week=past, last_week=past)
    rows = read_upload("Elev-ID;Förnamn;Efternamn;Klass\n1;Åsa;Öberg;8A\n".encode())
    db.session.add(PupilImport(school_id=world.school_a.id,
                               uploaded_by_id=world.users["counsellor"].id,
                               filename="elever.csv", content=encode(rows)))
    db.session.flush()
    # Pages reached by a redirect or an email, not by a link.
    preview = db.session.scalars(select(PupilImport.id)).one()
    unlinked = {"counsellor": [f"/skolor/elevimporter/{preview}"],
                "employer": ["/arbetsgivare/forfragningar", "/arbetsgivare/elever",
                             "/arbetsgivare/egna-praoplatser",
                             f"/arbetsgivare/praoplatser/{draft.id}/veckor/ny"]}
    start_round(world.users["counsellor"], [period], "none", Step.FIRST, seed=1)
    invited = factories.UserFactory(role=Role.COUNSELLOR, password_hash=None,
                                    email="inbjuden@exempel.se")
    forgetful = factories.UserFactory(role=Role.COUNCIL, email="glomsk@exempel.se")
    db.session.commit()
    with app.test_request_context():
        _published_round(db, world)
        links, employer_days = _prao_links(db, world, period, others[1], offers[2])
        seeds = {
            "anonymous": ["/", "/sprak/sv?next=/", "/praoplatser", "/logga-in", "/losenord/glomt",
                          "/arbetsgivare/registrera", "/arbetsgivare/registrera/klart",
                          "/arbetsgivare/bekrafta/ogiltig",
                          f"/inbjudan/{make_token(invited, INVITATION_SALT)}",
                          f"/losenord/aterstall/{make_token(forgetful, RESET_SALT)}", *links],
            "pupil": [f"/elev/{make_link_token(pupil)}"],
        }
    db.session.commit()  # the tokens loaded rows: close that savepoint before any request
    for role in ROLES[2:]:
        seeds[role] = ["/start", "/", *unlinked.get(role, [])]
    seeds["employer"] += employer_days
    return Region(world, seeds)


def _published_round(db: Any, world: World) -> None:
    """A round already published (over a period of its own: publishing discards the other
    drafts of its periods), which may still be withdrawn."""
    from portal.matching.engine import Step
    from portal.matching.services import publish, start_round

    period = factories.PraoPeriodFactory(school=world.school_a, name="Publicerad")
    offer = factories.PlacementOfferFactory(placement__organisation=world.organisation_a)
    db.session.add(Wish(enrolment=factories.EnrolmentFactory(period=period), offer=offer,
                        rank=1))
    db.session.commit()
    counsellor = world.users["counsellor"]
    publish(start_round(counsellor, [period], "none", Step.FIRST, seed=2).id, counsellor)


def _finished_assignment(db: Any, world: World) -> tuple[list[str], list[str]]:
    """A prao that is over, every day reported (one absence not yet judged): its
    certificate may be issued. Its days' reporting links and pages."""
    from portal.prao.attendance.links import make_token as day_token
    from portal.prao.days import prao_days
    from portal.prao.models import AssignmentState, AttendanceDay, AttendanceStatus

    first = monday_of(today()) - timedelta(weeks=4)
    period = factories.PraoPeriodFactory(school=world.school_a, first_day=first,
                                         last_day=first + timedelta(days=4), name="Förra")
    placement = factories.PlacementFactory(organisation=world.organisation_a,
                                           supervisor_email="handledare@exempel.se")
    assignment = factories.AssignmentFactory(
        enrolment__period=period, state=AssignmentState.CONFIRMED, placement=placement,
        offer=factories.PlacementOfferFactory(placement=placement, seats_taken=1,
                                              first_week=first, last_week=first))
    days = prao_days(period.first_day, period.last_day)
    for day in days:
        status = AttendanceStatus.ABSENT if day == days[-1] else AttendanceStatus.PRESENT
        db.session.add(AttendanceDay(assignment_id=assignment.id, day=day, status=status,
                                     reported_by_label="test"))
    token = day_token("handledare@exempel.se", [assignment.id], days[0])
    return [f"/narvaro/{token}", f"/narvaro/{token}/tillbud",
            *_evaluation_links(db, period, placement, assignment)], \
        [f"/arbetsgivare/narvaro?dag={days[0].isoformat()}"]


def _evaluation_links(db: Any, period: Any, placement: Any, assignment: Any) -> list[str]:
    """The finished prao's evaluations: the pupil's and the supervisor's, and a second
    pupil the supervisor has evaluated with a yes to next term (its roll-over button)."""
    from portal.feedback import services
    from portal.feedback.links import evaluation_token
    from portal.feedback.models import Audience
    from portal.prao.models import AssignmentState
    from portal.prao.services import Actor
    from portal.schools.pupils.services import make_link_token
    from tests.feedback.support import EMPLOYER_ANSWERS

    answered = factories.AssignmentFactory(
        enrolment__period=period, state=AssignmentState.CONFIRMED, placement=placement,
        offer=factories.PlacementOfferFactory(placement=placement, seats_taken=1,
                                              first_week=period.first_day,
                                              last_week=period.first_day))
    db.session.flush()
    services.submit(answered, Audience.EMPLOYER, services.current_form(Audience.EMPLOYER),
                    EMPLOYER_ANSWERS, Actor(None, "test"))
    token = evaluation_token(placement.id, [assignment.id, answered.id], period.last_day)
    return [f"/elev/{make_link_token(assignment.enrolment)}/utvardering",
            f"/handledare/utvardering/{token}"]


def _prao_links(db: Any, world: World, period: Any, enrolment: Any,
                offer: Any) -> tuple[list[str], list[str]]:
    """An assignment (with its checklist, guardian letter and certificate), a pupil's own
    placement waiting for its risk assessment, and the links that come by email: the
    supervisor's, the guardian's and the own placement's, and a certificate to check."""
    from portal.prao.certificates.services import attendance_of, certificate_of
    from portal.prao.certificates.services import snapshot as certificate_snapshot
    from portal.prao.guardians.services import make_token as guardian_token
    from portal.prao.links import own_risk_token, supervisor_token
    from portal.prao.models import (
        AssignmentState,
        Certificate,
        GuardianNotice,
        NoticeChannel,
        StepRecord,
    )
    from portal.schools.models import EnrolmentState, OwnPlacementRequest
    from portal.schools.pupils.services import make_link_token

    assignment = factories.AssignmentFactory(enrolment=enrolment, offer=offer,
                                             placement=offer.placement)
    notice = GuardianNotice(enrolment_id=enrolment.id, assignment_id=assignment.id,
                            channel=NoticeChannel.EMAIL, email="vh@exempel.se")
    db.session.add(notice)
    # Ticked by hand today by the counsellor: the checklist offers to undo it.
    counsellor = world.users["counsellor"]
    db.session.add(StepRecord(assignment_id=assignment.id, step="pupil_prepared",
                              done_by_id=counsellor.id, done_by_label=counsellor.name))
    db.session.add(Certificate(assignment_id=assignment.id, snapshot=certificate_snapshot(
        assignment, attendance_of(assignment))))
    reporting, employer_days = _finished_assignment(db, world)
    factories.AssignmentFactory(  # a guardian letter still to send
        enrolment=factories.EnrolmentFactory(period=period, state=EnrolmentState.ASSIGNED,
                                             student__guardian_email="vh2@exempel.se"),
        offer=factories.PlacementOfferFactory(placement__organisation=world.organisation_a,
                                              seats_taken=1),
        state=AssignmentState.CONFIRMED)
    db.session.add(OwnPlacementRequest(  # at a known organisation: its contacts decide
        enrolment=factories.EnrolmentFactory(period=period), organisation=offer.placement
        .organisation, workplace="Arbetsgivare A", contact_email="chef@exempel.se"))
    own = factories.PlacementFactory(status="draft", published_at=None, title="Egen plats")
    own_pupil = factories.EnrolmentFactory(period=period, state=EnrolmentState.OWN_PLACEMENT,
                                           own_placement_id=own.id)
    db.session.flush()
    code = certificate_of(assignment.id).code
    return [f"/handledare/{supervisor_token(offer.placement_id, [assignment.id], period.last_day)}",
            f"/egen-praoplats/{own_risk_token(own.id, own_pupil.id, period.last_day)}",
            f"/vardnadshavare/{guardian_token(notice, 'sv')}", "/intyg", f"/intyg/{code}",
            f"/elev/{make_link_token(enrolment)}/intyg.pdf",
            f"/elev/{make_link_token(own_pupil)}",  # an own placement: its "Ångra"
            *reporting], employer_days


@pytest.fixture
def region(app: Flask, db: Any, world: World, monkeypatch: pytest.MonkeyPatch) -> Region:
    # The council's report is read from its snapshot, as in production (the suite computes
    # it on every read): the crawl opens the report pages with ten filters each.
    monkeypatch.setitem(app.config, "REPORT_SNAPSHOT_MAX_AGE", 3600)
    return _build_region(app, db, world)


def client_for(app: Flask, region: Region, role: str) -> FlaskClient:
    client = new_client(app)
    if role in region.world.users:
        assert login(client, region.world.users[role].email).status_code == 302
    return client


# --- reading pages ---------------------------------------------------------------------

@dataclass
class Field:
    name: str
    kind: str  # an input's type, or select, textarea, button
    value: str | None  # what the browser sends untouched; None: nothing
    readonly: bool = False
    attribute: str = ""  # the value attribute, sent when a checkbox is ticked

    @property
    def typed(self) -> bool:
        return self.kind in TYPED and not self.readonly

    @property
    def single_line(self) -> bool:
        return self.kind != "textarea"


@dataclass
class Form:
    page: str
    action: str
    method: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields) - {"csrf_token"}

    def typed_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.typed)

    def by_name(self) -> dict[str, Field]:
        found: dict[str, Field] = {}
        for f in self.fields:
            found.setdefault(f.name, f)
        return found

    def pairs(self) -> list[tuple[str, str]]:
        """What a browser submits: every value, and the first named button."""
        sent = [(f.name, f.value) for f in self.fields
                if f.kind != "button" and f.value is not None]
        buttons = [(f.name, f.value or "") for f in self.fields if f.kind == "button"]
        return sent + buttons[:1]


class PageParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._first_option: str | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(self.page, a.get("action") or self.page,
                              (a.get("method") or "get").upper(),
                              a.get("enctype") == "multipart/form-data")
        elif self._form is not None and a.get("name"):
            self._field(tag, a)
        elif tag == "option" and self._select is not None:
            self._option(a)

    @staticmethod
    def _input(a: dict[str, str]) -> Field:
        kind = a.get("type", "text").lower()
        value: str | None = a.get("value", "")
        if kind in ("checkbox", "radio") and "checked" not in a or kind == "file":
            value = None
        if kind in ("submit", "image", "reset", "button"):
            kind = "button"
        return Field(a["name"], kind, value, "readonly" in a, a.get("value", ""))

    def _field(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None
        if tag == "input":
            self._form.fields.append(self._input(a))
        elif tag == "button":
            self._form.fields.append(Field(a["name"], "button", a.get("value", "")))
        elif tag == "select":
            self._select = Field(a["name"], "select", None)
            self._first_option = None
            self._form.fields.append(self._select)
            if "multiple" in a:
                self._first_option = ""  # a multiple select sends nothing unselected
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", "")
            self._form.fields.append(self._textarea)

    def _option(self, a: dict[str, str]) -> None:
        assert self._select is not None
        if self._first_option is None:
            self._first_option = a.get("value", "")
        if "selected" in a:
            self._select.value = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value = (self._textarea.value or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select" and self._select is not None:
            if self._select.value is None and self._first_option:
                self._select.value = self._first_option
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def endpoint_of(app: Flask, url: str, method: str = "GET") -> str | None:
    adapter = app.url_map.bind("portal.test")
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, method=method)
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    return endpoint


def _local(href: str, page: str) -> str | None:
    if href.startswith("?"):
        href = urlsplit(page).path + href
    if not href.startswith("/") or href.startswith("//"):
        return None
    href = href.split("#", 1)[0]
    return None if href.startswith(SKIPPED_PREFIXES) else href


@dataclass
class Crawl:
    role: str
    client: FlaskClient
    pages: dict[str, str] = field(default_factory=dict)  # url -> endpoint
    forms: list[Form] = field(default_factory=list)
    query_names: dict[str, set[str]] = field(default_factory=dict)  # endpoint -> names

    def endpoints(self) -> set[str]:
        return set(self.pages.values())


def crawl(app: Flask, region: Region, role: str) -> Crawl:
    """Every page the role reaches by following links from its start pages."""
    found = Crawl(role, client_for(app, region, role))
    queue, seen = list(region.seeds[role]), set()
    per_endpoint: dict[str, int] = {}
    while queue:
        url = queue.pop(0)
        endpoint = endpoint_of(app, url)
        if url in seen or endpoint is None or per_endpoint.get(endpoint, 0) >= URLS_PER_ENDPOINT:
            continue
        seen.add(url)
        response = found.client.get(url)
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        found.pages[url] = endpoint
        found.query_names.setdefault(endpoint, set()).update(
            name for name, _ in parse_qsl(urlsplit(url).query))
        if response.status_code in (301, 302, 303):
            queue.append(response.headers["Location"])
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = PageParser(url)
        parser.feed(response.get_data(as_text=True))
        found.forms.extend(parser.forms)
        queue.extend(link for href in parser.links if (link := _local(href, url)))
    for form in found.forms:
        if form.method == "GET" and (endpoint := endpoint_of(app, form.action)):
            found.query_names.setdefault(endpoint, set()).update(form.names())
    return found


def unique_forms(app: Flask, forms: list[Form]) -> list[Form]:
    """One form per (endpoint, field names): the same form on many rows is one form."""
    kept: dict[tuple[str | None, str, frozenset[str]], Form] = {}
    for form in forms:
        key = (endpoint_of(app, form.action, form.method), form.method, form.names())
        kept.setdefault(key, form)
    return list(kept.values())


# --- the database, as a fingerprint ------------------------------------------------------

FULL_WIDTH_DIGITS = re.compile("[\uff10-\uff19]")
HOSTILE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e"
                                "\u2066-\u2069\ufffd\ud800-\udfff]")
LONG_RUN = "Ö" * 10_000


@dataclass
class Snapshot:
    digest: str
    hostile: list[str]
    tables: dict[str, str] = field(default_factory=dict)

    def changed(self, other: Snapshot) -> list[str]:
        return sorted(t for t in self.tables if self.tables[t] != other.tables.get(t))


def snapshot(db: Any) -> Snapshot:
    """A digest of every row of every table (bookkeeping apart), and every stored text that
    carries something hostile."""
    digest, hostile, tables = hashlib.sha256(), [], {}
    for table in _db.metadata.sorted_tables:
        # JSON read as its text: decoding the report snapshots' pages took longer than
        # the rest of the read.
        columns = [cast(c, Text) if isinstance(c.type, JSON) else c for c in table.c]
        rows = db.session.execute(select(*columns)).all()
        if table.name not in BOOKKEEPING_TABLES:
            one = hashlib.sha256()
            for row in sorted(repr(tuple(r)) for r in rows):
                one.update(row.encode())
            tables[table.name] = one.hexdigest()
            digest.update(table.name.encode() + tables[table.name].encode())
        for row in rows:
            for value in row:
                if isinstance(value, str) and (HOSTILE_CHARACTERS.search(value)
                                               or FULL_WIDTH_DIGITS.search(value)
                                               or LONG_RUN in value):
                    hostile.append(f"{table.name}: {value[:80]!r}")
    # Ends this session's savepoint: left open, a later rollback of this session would
    # also undo what requests committed after it began.
    db.session.commit()
    return Snapshot(digest.hexdigest(), hostile, tables)


# --- the payloads ------------------------------------------------------------------------

FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789-"})


@dataclass(frozen=True)
class Payload:
    name: str
    refused: bool  # must the form refuse it (nothing written, a message beside the field)?

    def value(self, f: Field) -> str | bytes:
        base = f.value or ""
        if self.name == "nul":
            return f"{base}\x00x"
        if self.name == "crlf":
            return f"{base}\r\nBcc: inkraktare@exempel.se"
        if self.name == "fullwidth":
            return base.translate(FULL_WIDTH) if re.search("[0-9]", base) \
                else "556677-8899".translate(FULL_WIDTH)
        if self.name == "long":
            return "Ö" * 100_000
        return base.encode() + b"\xff\xfe"  # not UTF-8


PAYLOADS = (Payload("nul", True), Payload("crlf", True), Payload("fullwidth", False),
            Payload("long", True), Payload("invalid_utf8", True))


def payloads_for(f: Field) -> list[Payload]:
    chosen = [p for p in PAYLOADS if not (p.name == "crlf" and not f.single_line)]
    if f.kind == "file":  # a browser sends CR and LF in a file name as %0D and %0A
        chosen = [p for p in chosen if p.name != "crlf"]
    return chosen


def _encode(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


@cache
def _quoted(value: str | bytes) -> str:
    # The 100,000-character payload is quoted once, not for every field it is sent in.
    return quote_from_bytes(_encode(value))


def urlencoded(pairs: list[tuple[str, str | bytes]]) -> bytes:
    return "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in pairs).encode()


CSV = "Elev-ID;Förnamn;Efternamn;Klass\n7;Ada;Berg;8B\n".encode()


def multipart(pairs: list[tuple[str, str | bytes]], files: dict[str, str | bytes],
              ) -> tuple[bytes, str]:
    """Built by hand: a file name or a value may be bytes that are not UTF-8."""
    boundary = uuid.uuid4().hex
    body = b""
    for name, value in pairs:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                 .encode() + _encode(value) + b"\r\n")
    for name, filename in files.items():
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                 f"filename=\"".encode() + _encode(filename) + b"\"\r\n"
                 b"Content-Type: text/csv\r\n\r\n" + CSV + b"\r\n")
    return body + f"--{boundary}--\r\n".encode(), boundary


def post(client: FlaskClient, form: Form, name: str, value: str | bytes) -> Any:
    pairs: list[tuple[str, str | bytes]] = [(k, v) for k, v in form.pairs() if k != name]
    files = {f.name: "elever.csv" for f in form.fields if f.kind == "file"}
    if name in files:
        files[name] = b"elever" + _encode(value) + b".csv"
    else:
        pairs.append((name, value))
    if form.multipart:
        body, boundary = multipart(pairs, files)
        return client.post(form.action, data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    return client.post(form.action, data=urlencoded(pairs),
                       content_type="application/x-www-form-urlencoded")


def _element_text(html: str, element_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</div>', html, re.DOTALL)
    return match.group(1) if match else None


def error_beside(html: str, name: str) -> str | None:
    """The message the field carries: the form macro's `<name>-error`, or what a field laid
    out by hand names in its aria-describedby."""
    found = _element_text(html, f"{name}-error")
    if found is not None:
        return found
    for tag in re.findall(rf'<(?:input|textarea|select)[^>]*name="{re.escape(name)}"[^>]*>',
                          html):
        described = re.search(r'aria-describedby="([^"]+)"', tag)
        for element_id in described.group(1).split() if described else ():
            if (text := _element_text(html, element_id)) is not None:
                return text
    return None


def shown_again(response: Any, name: str) -> bool:
    return response.status_code in (200, 400) and f'name="{name}"' in response.get_data(
        as_text=True)


# --- which form class a rendered form is -------------------------------------------------

def portal_modules() -> Iterator[str]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if not module.name.endswith("__main__"):
            yield module.name


@cache
def form_classes() -> tuple[type[FlaskForm], ...]:
    for name in portal_modules():
        importlib.import_module(name)
    found, queue = [], list(FlaskForm.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("portal.") and cls is not PortalForm:
            found.append(cls)
    return tuple(found)


@cache
def field_names(app: Flask, cls: type[FlaskForm]) -> frozenset[str]:
    with app.test_request_context():
        return frozenset(f.name for f in cls(formdata=None)) - {"csrf_token"}


def owner(name: str, names: frozenset[str]) -> str | None:
    """The class's field a submitted name belongs to: itself, or the list a row's field is
    in (pupils-0-status: pupils)."""
    if name in names:
        return name
    return next((n for n in names if name.startswith(n + "-")), None)


def owned(form: Form, names: frozenset[str]) -> set[str]:
    return {o for n in form.names() if (o := owner(n, names)) is not None}


def matches(form: Form, names: frozenset[str]) -> bool:
    """The rendered form is this class: some of its fields (a page may leave out a hidden
    one) and, besides, only read-only inputs (the user name a password manager reads)."""
    if any(not f.readonly for f in form.fields
           if f.name in form.names() and owner(f.name, names) is None):
        return False
    return bool(owned(form, names)) or not names


def portal_form_of(app: Flask, form: Form) -> type[FlaskForm] | None:
    candidates = [(cls, field_names(app, cls)) for cls in form_classes()]
    fitting = [(cls, names) for cls, names in candidates if matches(form, names)]
    # The class sharing the most fields with the form, and leaving out the fewest.
    return max(fitting, key=lambda pair: (len(owned(form, pair[1])),
                                          -len(pair[1] - owned(form, pair[1]))))[0] \
        if fitting else None


def refusal_messages(app: Flask) -> list[str]:
    with app.test_request_context(), force_locale("sv"):
        return [str(m) for m in (*MESSAGES.values(), FILENAME_MESSAGE)]


# --- the attacks -------------------------------------------------------------------------

@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    requests: int = 0

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


# A statement that may change a row. Row locks (SELECT … FOR UPDATE) are reads; an audit
# event is bookkeeping. A false alarm only costs a snapshot, so the test errs that way.
WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|REPLACE|TRUNCATE|COPY|ALTER|DROP|CREATE)\b",
                   re.IGNORECASE)
LOCK = re.compile(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)
BOOKKEEPING_WRITE = re.compile(r"^\s*INSERT\s+INTO\s+\"?audit_event\b", re.IGNORECASE)


def is_write(statement: str) -> bool:
    return (WRITE.search(LOCK.sub("", statement)) is not None
            and BOOKKEEPING_WRITE.match(statement) is None)


_watched: list[list[str]] = []


@event.listens_for(Engine, "before_cursor_execute")
def _seen(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
    # Listening from import on: a listener added while a connection is open confuses the
    # savepoints of that connection.
    if _watched and is_write(statement):
        _watched[-1].append(statement)


@contextmanager
def writes_watched() -> Iterator[list[str]]:
    """The statements that may have written, of every engine, while the block runs."""
    _watched.append([])
    try:
        yield _watched[-1]
    finally:
        _watched.pop()


def attack_form(app: Flask, db: Any, client: FlaskClient, form: Form,
                findings: Findings) -> None:
    cls = portal_form_of(app, form)
    own = field_names(app, cls) if cls is not None else frozenset()
    messages = refusal_messages(app)
    before = snapshot(db)
    for f in form.by_name().values():
        if f.name == "csrf_token":
            continue
        for payload in payloads_for(f):
            with app.app_context():
                limiter.reset()
            with undone(db), writes_watched() as writes:
                response = post(client, form, f.name, payload.value(f))
                # Reading every table takes far longer than the request: only a request
                # that sent a writing statement can have changed or stored anything.
                after = snapshot(db) if writes else before
            findings.requests += 1
            where = f"{form.method} {form.action} [{f.name}={payload.name}] (from {form.page})"
            _judge(response, before, after, owner(f.name, own) is not None, f, payload,
                   messages, where, findings)


@contextmanager
def undone(db: Any) -> Iterator[None]:
    """Whatever the request writes is rolled back afterwards, so an input that may be
    written (full-width digits) leaves the region as it was for the next one: a savepoint
    on the test's connection, under the savepoints the request's own session makes."""
    savepoint = db.session.get_bind().begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        db.session.expire_all()


def _judge(response: Any, before: Snapshot, after: Snapshot, form_field: bool, f: Field,
           payload: Payload, messages: list[str], where: str, findings: Findings) -> None:
    """form_field: the field belongs to the PortalForm that reads this form."""
    if response.status_code >= 500:
        findings.add(where, f"status {response.status_code}")
        return
    if after.hostile:
        findings.add(where, f"stored {after.hostile[:3]}")
    # Length is a rule for what a person types: a ticked checkbox is ticked whatever its
    # value, a long file name is cut to fit, a page's own hidden value is never stored.
    must_refuse = payload.refused and form_field and not (
        payload.name == "long" and (not f.typed or f.kind == "file" or f.attribute == "y"))
    if not must_refuse:
        return
    if after.digest != before.digest:
        findings.add(where, f"written although refused: {before.changed(after)}")
    if shown_again(response, f.name):
        _judge_message(response.get_data(as_text=True), f, payload, messages, where, findings)


def _judge_message(html: str, f: Field, payload: Payload, messages: list[str], where: str,
                   findings: Findings) -> None:
    if not f.typed and any(m in html for m in messages):
        return  # a button's or a hidden value: the page may say it anywhere
    beside = error_beside(html, f.name)
    if beside is None:
        findings.add(where, "no message beside the field")
    elif payload.name != "long" and not any(m in beside for m in messages):
        findings.add(where, f"the message beside the field does not say why: {beside!r}")


GET_PAYLOADS = {"nul": "%00", "crlf": "x%0D%0Ay", "escape": "%1B", "bidi": "%E2%80%AE",
                "invalid_utf8": "%FF%FE"}


def attack_query(app: Flask, client: FlaskClient, crawled: Crawl, findings: Findings) -> None:
    first_url: dict[str, str] = {}
    for url, endpoint in crawled.pages.items():
        first_url.setdefault(endpoint, url)
    for endpoint, url in first_url.items():
        view = app.view_functions[endpoint]
        own = getattr(view, "query_form_fields", frozenset())
        names = crawled.query_names.get(endpoint, set()) | {UNKNOWN_PARAMETER}
        base = urlsplit(url).path
        for name in sorted(names):
            for payload, raw in GET_PAYLOADS.items():
                _get_and_judge(client, f"{base}?{name}={raw}", name, name in own,
                               f"GET {base}?{name}={payload}", findings)
            # Digits: the hardest case for int() (Python refuses more than 4,300 of them).
            for raw in ("9" * 100_000, "５５６６７７－８８９９"):
                response = client.get(base, query_string={name: raw})
                findings.requests += 1
                if response.status_code >= 500:
                    findings.add(f"GET {base}?{name}=…", f"status {response.status_code}")
        _get_and_judge(client, f"{base}?%00=1", "", False, f"GET {base}?%00=1", findings)


def _get_and_judge(client: FlaskClient, url: str, name: str, in_form: bool, where: str,
                   findings: Findings) -> None:
    response = client.get(url)
    findings.requests += 1
    html = response.get_data(as_text=True)
    if in_form:
        if response.status_code not in (200, 400) or error_beside(html, name) is None:
            findings.add(where, f"{response.status_code}, no message beside the field")
    elif response.status_code != 400 or "tecken som portalen inte kan läsa" not in html:
        findings.add(where, f"{response.status_code}, not the portal's 400 page")


# --- the tests ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_every_form_refuses_hostile_input(app, db, region, role):
    crawled = crawl(app, region, role)
    findings = Findings()
    for form in unique_forms(app, crawled.forms):
        if form.method == "POST":
            attack_form(app, db, crawled.client, form, findings)
    assert findings.requests > 0
    assert not findings.problems, "\n".join(findings.problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_query_parameter_refuses_hostile_input(app, db, region, role, monkeypatch):
    # The council's reports from the school year's snapshots, as in production: computing
    # every scope of the year again for each hostile address only adds time.
    monkeypatch.setitem(app.config, "REPORT_SNAPSHOT_MAX_AGE", 3600)
    crawled = crawl(app, region, role)
    findings = Findings()
    attack_query(app, crawled.client, crawled, findings)
    assert findings.requests > 0
    assert not findings.problems, "\n".join(findings.problems)


# What a page may write while it is only read: the audit trail of who read pupils' data, and
# a council report's snapshot that no job had stored yet (computed by its first reader).
WRITTEN_BY_READING = frozenset({"audit_event", "report_snapshot"})
_WRITE_RE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)


@contextmanager
def writes_of_reading_pages() -> Iterator[dict[str, set[str]]]:
    """table -> the pages (GET) that wrote to it inside the block, beyond WRITTEN_BY_READING."""
    from flask import has_request_context, request

    written: dict[str, set[str]] = {}

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        match = _WRITE_RE.match(statement)
        if (match and match.group(1).lower() not in WRITTEN_BY_READING
                and has_request_context() and request.method == "GET"):
            written.setdefault(match.group(1).lower(), set()).add(request.full_path)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield written
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


def test_every_form_and_route_is_reached_by_the_crawl(app, db, region):
    """Fails when a form escapes the tests above, with what to do about it. And no page the
    crawl opens writes while it is only read (GET), but for WRITTEN_BY_READING: a page that
    did (the region's settings, once) failed on SQLite with "database is locked" whenever
    someone else saved at that moment, and a link opened twice (or by a mail scanner) would
    act twice."""
    with writes_of_reading_pages() as written:
        crawls = [crawl(app, region, role) for role in ROLES]
    assert not written, f"pages that write while they are only read: {written}"
    forms = [form for c in crawls for form in c.forms]
    escaped = [cls.__qualname__ for cls in form_classes() if not issubclass(cls, PortalForm)]
    assert not escaped, f"derive these from portal.formtools.PortalForm: {escaped}"

    unseen = [cls.__qualname__ for cls in form_classes()
              if not any(matches(form, field_names(app, cls)) for form in forms)]
    assert not unseen, f"no crawled page shows these forms (add an object or seed): {unseen}"

    hand_made = [f"{form.action} on {form.page}: {sorted(form.typed_names())}"
                 for form in forms if form.typed_names() and form.method == "POST"
                 and portal_form_of(app, form) is None]
    assert not hand_made, f"forms with typed fields but no PortalForm: {hand_made}"

    posted = {endpoint_of(app, form.action, "POST") for form in forms if form.method == "POST"}
    post_routes = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert not post_routes - posted, f"no crawled form posts to: {post_routes - posted}"

    visited = set().union(*(c.endpoints() for c in crawls))
    get_routes = {rule.endpoint for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.endpoint.endswith("static")}
    assert not get_routes - visited, f"no crawl visits: {get_routes - visited}"


def test_the_database_fingerprint_sees_a_stored_nul(db, world):
    """The fingerprint the tests rely on notices a hostile value and any write."""
    before = snapshot(db)
    db.session.execute(text("UPDATE municipality SET name = :name WHERE id = :id"),
                       {"name": "Luleå\u202e", "id": world.municipality_a.id})
    after = snapshot(db)
    assert before.digest != after.digest
    assert not before.hostile and after.hostile


def test_a_request_that_writes_is_seen_and_one_that_only_reads_is_not(app, db, world):
    """The watch that spares the snapshot after a request that only read: a sign-in writes,
    a page with a row lock and the audit log's read event does not count as a write."""
    assert is_write('UPDATE "user" SET last_login_at = ? WHERE id = ?')
    assert is_write("WITH x AS (SELECT 1) INSERT INTO wish (offer_id) SELECT 1")
    assert not is_write("SELECT id FROM school WHERE id = %(id)s FOR NO KEY UPDATE")
    assert not is_write("INSERT INTO audit_event (actor_id, action) VALUES (?, ?)")
    assert not is_write("SELECT updated_at, last_update FROM placement")
    snapshot(db)  # ends the session's savepoint, as before every attack
    with undone(db), writes_watched() as reads:
        assert new_client(app).get("/praoplatser").status_code == 200
    assert reads == []
    with undone(db), writes_watched() as writes:
        assert login(new_client(app), world.users["coordinator"].email).status_code == 302
        snapshot(db)  # as attack_form does after a request that wrote
    assert writes


def test_what_a_request_writes_inside_undone_is_rolled_back(app, db, world):
    """The crawl's savepoint really takes back a request's commits (a sign-in writes)."""
    before = snapshot(db)
    with undone(db):
        assert login(new_client(app), world.users["coordinator"].email).status_code == 302
        assert snapshot(db).digest != before.digest
    assert snapshot(db).digest == before.digest


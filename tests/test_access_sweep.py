"""The access sweep: the demo region, every demo user, every pupil link and every signed link.

Each of them crawls the portal from its start pages (same-site GET links, bounded per
route), and the URL map adds every GET route with every object id of the region. Every
URL found is then requested as every signed-in user and anonymously, and every answer is
read as a person would (HTML, CSV, JSON, XLSX, PDF):

- nobody receives the name of a pupil outside their scope (a counsellor: the pupils of
  their schools; an employer: the pupils placed at, or bringing an own placement to, their
  organisation; a link: the pupils it is for), and a page about a pupil outside the scope
  answers 403, 404 or a redirect to log in;
- a council member never receives any pupil's first or last name, on any page or export;
- a secret link (a pupil's personal link, a supervisor's, a guardian's, an own placement's,
  a certificate's code) appears only on its owner's pages and those of the staff who hand
  it out.

Nothing here lists the routes: new pages (the council's reports among them) are met by the
crawl and the URL map, and the coverage test fails when a GET route is never requested."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from portal import clock
from portal.accounts.models import Role, User
from portal.demo import DEMO_PASSWORD, USERS
from portal.employers.models import Placement
from portal.extensions import db as _db
from portal.extensions import limiter
from portal.prao.models import Assignment, Certificate, GuardianNotice
from portal.schools.models import Enrolment, OwnPlacementRequest, PraoPeriod, Student
from tests.conftest import (
    DEMO_MOMENT,
    DemoTemplates,
    SMTPServer,
    login,
    make_app,
    new_client,
    seeded_demo,
)

# A Wednesday in a prao week: the running period has days behind it and days ahead.
NOW = DEMO_MOMENT  # when the demo region was seeded
URLS_PER_ENDPOINT = 5  # pages of one kind differ by state; more adds time, not coverage
FILES_PER_ENDPOINT = 2  # a PDF takes a tenth of a second to draw: two show the same
IDS_PER_ROUTE = 4  # object ids per route from the URL map, spread over schools and employers
SKIPPED = ("/static/", "/bootstrap/", "/sprak/")  # files, and a language switch
REDIRECTS = (301, 302, 303)
# Routes whose argument is the secret itself: the link is the key, so anyone holding it is
# let in by design. They are opened by their owners only; the token check guards them.
SECRET_ROUTES = {
    "schools.pupil_home", "schools.own_placement", "certificates.pupil_pdf", "feedback.pupil",
    "prao.supervisor", "feedback.supervisor", "feedback.supervisor_pupil",
    "attendance.link_report", "attendance.link_incident", "guardians.acknowledge",
    "prao.own_risk", "certificates.verify",
}
# Account tokens (invitation, password reset, e-mail check) are the user's own mail only.
ACCOUNT_TOKEN_ROUTES = {"accounts.accept_invitation", "accounts.reset_password",
                        "employers.verify_email"}
SECRET_LINK = re.compile(
    r"/(elev|handledare/utvardering|handledare|narvaro|vardnadshavare|egen-praoplats|intyg)"
    r"/([A-Za-z0-9_\-.]{6,})")


# --- who is who ----------------------------------------------------------------------------

@dataclass
class Actor:
    name: str  # an e-mail address, "anonymous", or the kind of link and its subject
    role: str
    seeds: list[str]
    scope: frozenset[int]  # the student ids whose names this actor may see
    email: str | None = None
    schools: frozenset[int] = frozenset()
    organisation: int | None = None


@dataclass
class Answer:
    status: int
    location: str
    text: str  # what a person reads: HTML as text, a spreadsheet's cells, a PDF's text


@dataclass
class Sweep:
    actors: list[Actor]
    names: dict[int, tuple[str, str]]  # student id -> first, last
    pupil_school: dict[int, int]
    crawled: dict[str, dict[str, Answer]] = field(default_factory=dict)  # actor -> url -> answer
    requested: dict[str, dict[str, Answer]] = field(default_factory=dict)
    endpoints: set[str] = field(default_factory=set)
    subjects: dict[str, frozenset[int]] = field(default_factory=dict)  # url -> its pupils
    owners: dict[str, int] = field(default_factory=dict)  # url -> the organisation owning it
    tokens: dict[str, tuple[str, frozenset[int], int | None]] = field(default_factory=dict)

    def answers(self) -> Iterator[tuple[Actor, str, Answer]]:
        for actor in self.actors:
            seen = {**self.crawled.get(actor.name, {}), **self.requested.get(actor.name, {})}
            for url, answer in seen.items():
                yield actor, url, answer


def _students(query: Any) -> frozenset[int]:
    return frozenset(_db.session.scalars(query))


def _employer_scope(organisation_id: int) -> frozenset[int]:
    placed = select(Enrolment.student_id) \
        .join(Assignment, Assignment.enrolment_id == Enrolment.id) \
        .join(Placement, Placement.id == Assignment.placement_id) \
        .where(Placement.organisation_id == organisation_id)
    own = select(Enrolment.student_id).join(
        OwnPlacementRequest, OwnPlacementRequest.enrolment_id == Enrolment.id).where(
        OwnPlacementRequest.organisation_id == organisation_id)
    return _students(placed) | _students(own)


def _user_actors() -> list[Actor]:
    everyone = _students(select(Student.id))
    actors = [Actor("anonymous", "anonymous", ["/", "/praoplatser", "/intyg",
                                               "/inbjudan/ogiltig", "/losenord/aterstall/ogiltig",
                                               "/arbetsgivare/bekrafta/ogiltig"], frozenset())]
    for email, *_ in USERS:
        user = _db.session.scalars(select(User).filter_by(email=email)).one()
        schools = frozenset(s.id for s in user.schools)
        if user.role is Role.COORDINATOR:
            scope = everyone
        elif user.role is Role.COUNSELLOR:
            scope = _students(select(Student.id).where(Student.school_id.in_(schools)))
        elif user.role is Role.EMPLOYER and user.organisation_id is not None:
            scope = _employer_scope(user.organisation_id)
        else:
            scope = frozenset()
        actors.append(Actor(email, user.role.value, ["/start", "/"], scope, email, schools,
                            user.organisation_id))
    return actors


def _sampled_enrolments() -> list[Enrolment]:
    """The first and the last pupil of every period (every pupil's pages are alike; the
    states differ between periods and the crawl of the staff meets every pupil)."""
    found: dict[int, list[Enrolment]] = {}
    for enrolment in _db.session.scalars(select(Enrolment).order_by(Enrolment.id)):
        found.setdefault(enrolment.period_id, []).append(enrolment)
    picked = {e.id: e for group in found.values() for e in (group[0], group[-1])}
    own = _db.session.scalars(select(Enrolment).where(Enrolment.own_placement_id.is_not(None)))
    return [*picked.values(), *(e for e in own if e.id not in picked)]


def _link_actors() -> list[Actor]:
    """A pupil link for every enrolment, a guardian link for every letter, and for every
    placement with pupils the supervisor's confirmation, attendance and evaluation links
    and the own placement's risk link: as the portal's e-mails would carry them."""
    from portal.feedback.links import evaluation_token
    from portal.prao.attendance.links import make_token as day_token
    from portal.prao.guardians.services import make_token as guardian_token
    from portal.prao.links import own_risk_token, supervisor_token
    from portal.schools.pupils.services import make_link_token

    actors = []
    for enrolment in _sampled_enrolments():
        actors.append(Actor(f"pupil {enrolment.id}", "pupil",
                            [f"/elev/{make_link_token(enrolment)}"],
                            frozenset({enrolment.student_id})))
        if enrolment.own_placement_id is not None:
            token = own_risk_token(enrolment.own_placement_id, enrolment.id,
                                   enrolment.period.last_day)
            actors.append(Actor(f"own risk {enrolment.id}", "own_risk",
                                [f"/egen-praoplats/{token}"], frozenset({enrolment.student_id})))
    for notice in _db.session.scalars(select(GuardianNotice).where(
            GuardianNotice.assignment_id.is_not(None))):
        actors.append(Actor(f"guardian {notice.id}", "guardian",
                            [f"/vardnadshavare/{guardian_token(notice, 'sv')}"],
                            frozenset({_db.session.get_one(
                                Enrolment, notice.enrolment_id).student_id})))
    groups: dict[tuple[int, int], list[Assignment]] = {}
    for assignment in _db.session.scalars(select(Assignment).order_by(Assignment.id)):
        groups.setdefault((assignment.placement_id, assignment.enrolment.period_id),
                          []).append(assignment)
    for (placement_id, period_id), found in groups.items():
        placement = _db.session.get_one(Placement, placement_id)
        period = _db.session.get_one(PraoPeriod, period_id)
        ids = [a.id for a in found]
        day = min(max(period.first_day, clock.today()), period.last_day)
        actors.append(Actor(
            f"supervisor {placement_id}/{period_id}", "supervisor",
            [f"/handledare/{supervisor_token(placement_id, ids, period.last_day)}",
             f"/narvaro/{day_token(placement.supervisor_email, ids, day)}",
             f"/handledare/utvardering/{evaluation_token(placement_id, ids, period.last_day)}"],
            frozenset(a.enrolment.student_id for a in found)))
    return actors


# --- the secret links: what each one is for, and who may be shown it ----------------------

def _payload(token: str) -> Any:
    """A signed token's data, read without its key (what is inside is not secret; that
    the token appears somewhere is what is checked)."""
    for parts in (2, 1):  # payload.timestamp.signature, or payload.signature
        try:
            data = URLSafeSerializer("unused").load_payload(token.rsplit(".", parts)[0].encode())
        except BadData:
            continue
        if isinstance(data, dict):
            return data
    return None  # not a signed token: a certificate's code


def _subject(kind: str, secret: str) -> tuple[frozenset[int], int | None]:
    """The pupils a secret link is for, and the organisation it belongs to (if any)."""
    data = _payload(secret)
    if kind == "intyg":
        certificate = _db.session.scalars(select(Certificate).filter_by(
            code=secret.replace("-", "").upper())).first()
        if certificate is None:
            return frozenset(), None
        assignment = _db.session.get_one(Assignment, certificate.assignment_id)
        return frozenset({assignment.enrolment.student_id}), None
    if not isinstance(data, dict):
        return frozenset(), None
    if kind == "elev" or kind == "egen-praoplats":
        enrolment = _db.session.get(Enrolment, data.get("e"))
        return (frozenset({enrolment.student_id}) if enrolment else frozenset()), None
    if kind == "vardnadshavare":
        notice = _db.session.get(GuardianNotice, data.get("g"))
        enrolment = _db.session.get(Enrolment, notice.enrolment_id) if notice else None
        return (frozenset({enrolment.student_id}) if enrolment else frozenset()), None
    assignments = [_db.session.get(Assignment, i) for i in data.get("a", [])]
    found = [a for a in assignments if a is not None]
    organisation = None
    if found:
        organisation = _db.session.get_one(Placement, found[0].placement_id).organisation_id
    return frozenset(a.enrolment.student_id for a in found), organisation


def may_hold(actor: Actor, kind: str, subjects: frozenset[int], organisation: int | None,
             pupil_school: dict[int, int]) -> bool:
    """Who may be shown a secret link: the people it is for, and the staff who hand it out
    (a counsellor prints the links of their schools' pupils and the guardians' letters).
    The coordinator sees every e-mail in the outbox (links included) to resend it."""
    if actor.role == "coordinator":
        return True
    if not subjects:  # a link to nothing (expired, withdrawn): it opens nothing
        return True
    if actor.role in ("pupil", "guardian", "own_risk", "supervisor"):
        return subjects <= actor.scope
    if actor.role == "counsellor":  # prints the pupils' links and letters, issues certificates
        return kind in ("elev", "vardnadshavare", "egen-praoplats", "intyg") and \
            all(pupil_school[s] in actor.schools for s in subjects)
    # An employer signs in: its supervisors' links come to them by e-mail, never on a page.
    return False


# --- reading an answer as a person would ------------------------------------------------

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def readable(response: Any) -> str:
    data = response.get_data()
    kind = response.mimetype
    if kind == "application/pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    if kind.endswith("spreadsheetml.sheet"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(html.unescape(book.read(n).decode()) for n in book.namelist()
                             if n.endswith(".xml"))
    text = data.decode("utf-8", "replace")
    if kind == "application/json":
        return json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def _local(href: str, page: str) -> str | None:
    if href.startswith("?"):
        href = urlsplit(page).path + href
    href = href.removeprefix("http://portal.test")
    if not href.startswith("/") or href.startswith("//"):
        return None
    href = href.split("#", 1)[0]
    return None if href.startswith(SKIPPED) else href


def endpoint_of(app: Flask, url: str) -> str | None:
    try:
        endpoint, _ = app.url_map.bind("portal.test").match(urlsplit(url).path, method="GET")
    except (RequestRedirect, HTTPException):
        return None
    return endpoint


def client_for(app: Flask, actor: Actor) -> FlaskClient:
    client = new_client(app)
    if actor.email is not None:
        assert login(client, actor.email, DEMO_PASSWORD).status_code == 302, actor.email
    return client


def fetch(client: FlaskClient, url: str) -> tuple[Answer, str]:
    response = client.get(url)
    answer = Answer(response.status_code, response.headers.get("Location", ""),
                    readable(response))
    return answer, response.get_data(as_text=True) if response.mimetype == "text/html" else ""


def cap(url: str) -> int:
    return FILES_PER_ENDPOINT if urlsplit(url).path.endswith(".pdf") else URLS_PER_ENDPOINT


def crawl(app: Flask, actor: Actor) -> dict[str, Answer]:
    """Every page the actor reaches by following links from its start pages."""
    client, found = client_for(app, actor), {}
    queue, per_endpoint = list(actor.seeds), {}  # type: ignore[var-annotated]
    while queue:
        url = queue.pop(0)
        endpoint = endpoint_of(app, url)
        if url in found or endpoint is None or per_endpoint.get(endpoint, 0) >= cap(url):
            continue
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        found[url], page = fetch(client, url)
        if found[url].status in REDIRECTS:
            queue.append(found[url].location)
        parser = _Links()
        parser.feed(page)
        queue.extend(link for href in parser.links if (link := _local(href, url)))
    return found


# --- the URL map: every GET route with every object id ------------------------------------

# A route's arguments, the pupils the object is about, the organisation that owns it.
Row = tuple[dict[str, Any], frozenset[int], int | None]


def _spread(rows: list[Any], school_of: dict[int, int]) -> list[Row]:
    """At most IDS_PER_ROUTE rows, taken in turn from each school and employer."""
    groups: dict[Any, list[Any]] = {}
    for row in rows:
        subjects = row[1]
        key = (min((school_of[s] for s in subjects), default=None), row[2])
        groups.setdefault(key, []).append(row)
    picked: list[Row] = []
    while len(picked) < IDS_PER_ROUTE and any(groups.values()):
        for group in groups.values():
            if group and len(picked) < IDS_PER_ROUTE:
                picked.append(group.pop(0))
    return picked


def _id_values(app: Flask) -> dict[str, list[Any]]:
    """Each route argument's values in the region, with the pupils each one is about."""
    from portal.employers.models import Organisation, PlacementOffer
    from portal.matching.models import MatchingRun, MatchResult
    from portal.notifications.models import OutboxEmail
    from portal.reports.registry import by_key
    from portal.schools.models import Municipality, PupilImport, School

    def plain(model: Any, name: str) -> list[Row]:
        return [({name: i}, frozenset(), None) for i in _db.session.scalars(select(model.id))]

    def owned(model: Any, name: str, organisation: Any) -> list[Row]:
        return [({name: i}, frozenset(), org) for i, org in _db.session.execute(
            select(model.id, organisation))]

    values: dict[str, list[Any]] = {
        "assignment_id": [({"assignment_id": a.id}, frozenset({a.enrolment.student_id}),
                           a.placement.organisation_id)
                          for a in _db.session.scalars(select(Assignment))],
        "student_id": [({"student_id": i}, frozenset({i}), None)
                       for i in _db.session.scalars(select(Student.id))],
        "enrolment_id": [({"period_id": e.period_id, "enrolment_id": e.id},
                          frozenset({e.student_id}), None) for e in _db.session.scalars(
                              select(Enrolment))],
        "result_id": [({"run_id": r.run_id, "result_id": r.id}, frozenset(), None)
                      for r in _db.session.scalars(select(MatchResult))],
        "placement_id": owned(Placement, "placement_id", Placement.organisation_id),
        "offer_id": owned(PlacementOffer, "offer_id", select(Placement.organisation_id).where(
            Placement.id == PlacementOffer.placement_id).scalar_subquery()),
        "organisation_id": owned(Organisation, "organisation_id", Organisation.id),
        "period_id": plain(PraoPeriod, "period_id"),
        "school_id": plain(School, "school_id"),
        "municipality_id": plain(Municipality, "municipality_id"),
        "run_id": plain(MatchingRun, "run_id"),
        "import_id": [({"import_id": i}, _students(select(Student.id).where(
            Student.external_id == "D-1001")), None)
            for i in _db.session.scalars(select(PupilImport.id))],
        "email_id": plain(OutboxEmail, "email_id"),
        # The council report's indicators: every table's export.
        "key": [({"key": key}, frozenset(), None) for key in by_key()],
    }
    return values


def _choices(rule: Any, name: str) -> list[str]:
    converter = rule._converters.get(name)  # noqa: SLF001 - werkzeug keeps them here only
    items = getattr(converter, "items", None)
    return sorted(items) if items else []


def mapped_urls(app: Flask) -> dict[str, tuple[frozenset[int], int | None]]:
    """A URL for every GET route with object ids (a few ids of each kind, spread over the
    schools and employers), with the pupils it is about and the organisation owning it."""
    school_of = {s.id: s.school_id for s in _db.session.scalars(select(Student))}
    values = {k: _spread(rows, school_of) for k, rows in _id_values(app).items()}
    found: dict[str, tuple[frozenset[int], int | None]] = {}
    adapter = app.url_map.bind("portal.test")
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint in SECRET_ROUTES \
                or rule.endpoint in ACCOUNT_TOKEN_ROUTES or rule.rule.startswith(SKIPPED):
            continue
        pairs = [k for k in ("enrolment_id", "result_id") if k in rule.arguments]
        key = next(iter(pairs + [k for k in rule.arguments if k in values]), None)
        rows = values[key] if key else [({}, frozenset(), None)]
        extra = [n for n in rule.arguments if n not in (rows[0][0] if rows else {})]
        for args, subjects, organisation in rows:
            for name in extra:
                options = _choices(rule, name) or (["pupil", "employer"]
                                                   if name == "audience" else [])
                for option in options:
                    found[adapter.build(rule.endpoint, {**args, name: option})] = \
                        subjects, organisation
            if not extra:
                found[adapter.build(rule.endpoint, args)] = subjects, organisation
    return found


# --- the sweep ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer,
          demo_templates: DemoTemplates) -> Iterator[Sweep]:
    """The demo region on a database of its own (a copy of the run's seeded at NOW, for the
    module's tests)."""
    url, drop = seeded_demo(demo_templates(NOW), Path(tmp_path_factory.mktemp("sweep")))
    # The sweep only reads: the council's report is computed once per scope and kept, as the
    # jobs command keeps it in production (computing it draws every chart in two languages).
    app = make_app(url, smtp_server.port, REPORT_SNAPSHOT_MAX_AGE=3600)
    clock.set_now(NOW)
    try:
        with app.app_context():
            _pupil_import()
            limiter.reset()
            yield run_sweep(app)
            _db.session.remove()
            _db.engine.dispose()
    finally:
        clock.set_now(None)
        drop()


def _pupil_import() -> None:
    """A counsellor's upload waiting in its preview (the demo has none): it names a pupil
    of Bergsskolan, whose counsellor alone may see it."""
    from portal.schools.imports.reading import encode, read_upload
    from portal.schools.models import PupilImport

    counsellor = _db.session.scalars(select(User).filter_by(email=USERS[1][0])).one()
    rows = read_upload("Elev-ID;Förnamn;Efternamn;Klass\nD-1001;Åsa;Lindqvist;8A\n".encode())
    _db.session.add(PupilImport(school_id=counsellor.schools[0].id,
                                uploaded_by_id=counsellor.id, filename="elever.csv",
                                content=encode(rows)))
    _db.session.commit()


def run_sweep(app: Flask) -> Sweep:
    with app.test_request_context():
        actors = _user_actors() + _link_actors()
    students = _db.session.scalars(select(Student)).all()
    found = Sweep(actors, {s.id: (s.first_name, s.last_name) for s in students},
                  {s.id: s.school_id for s in students})
    mapped = mapped_urls(app)
    found.subjects = {url: subjects for url, (subjects, _) in mapped.items()}
    found.owners = {url: org for url, (_, org) in mapped.items() if org is not None}
    _db.session.rollback()  # SQLite: a request's BEGIN IMMEDIATE waits for no reader here
    for actor in actors:
        found.crawled[actor.name] = crawl(app, actor)
    urls = cross_urls(app, found)
    for actor in actors:
        if actor.role in ("pupil", "guardian", "own_risk", "supervisor"):
            continue  # no session: without their link they are anonymous
        client, crawled = client_for(app, actor), found.crawled[actor.name]
        found.requested[actor.name] = {
            u: fetch(client, u)[0] for u in sorted(urls) if u not in crawled}
    for answers in (*found.crawled.values(), *found.requested.values()):
        found.endpoints |= {e for u in answers if (e := endpoint_of(app, u))}
    for _, _, answer in found.answers():
        for kind, secret in SECRET_LINK.findall(answer.text):
            found.tokens.setdefault(secret, (kind, *_subject(kind, secret)))
    _db.session.rollback()
    return found


def cross_urls(app: Flask, found: Sweep) -> set[str]:
    """The URL map's URLs and the crawled ones (a few per route; secret links excepted):
    what every signed-in user and the anonymous visitor request."""
    urls, per_endpoint = set(found.subjects), {}  # type: ignore[var-annotated]
    for url in sorted({u for pages in found.crawled.values() for u in pages} - urls):
        endpoint = endpoint_of(app, url)
        if endpoint not in SECRET_ROUTES and per_endpoint.get(endpoint, 0) < cap(url):
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
            urls.add(url)
    return urls


# --- the checks ----------------------------------------------------------------------------

def name_patterns(first: str, last: str) -> list[str]:
    return [f"{first} {last}", f"{last}, {first}", f"{last} {first}"]


WORD = re.compile(r"\w+")


@cache
def _words_of(name: str) -> frozenset[str]:
    return frozenset(WORD.findall(name))


def _word_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and WORD.match(text, index) is not None


def _found(pattern: str, text: str) -> bool:
    """The pattern as words of their own in the text. str.find, then the edges: a regular
    expression with a look-behind scans every position, and the sweep looks for thousands
    of names in some thousand answers."""
    start = text.find(pattern)
    while start != -1:
        if not _word_at(text, start - 1) and not _word_at(text, start + len(pattern)):
            return True
        start = text.find(pattern, start + 1)
    return False


def names_shown(text: str, names: dict[int, tuple[str, str]], outside: frozenset[int]
                ) -> list[str]:
    """Names of pupils outside the scope on the page. A name that a pupil inside the scope
    shares (two schools may each have an Alice Berglund) proves nothing and is left out.
    A name can only be on the page if each of its words is a word of the page: that cheap
    test comes first (some 20,000 answers × hundreds of pupils)."""
    on_page = frozenset(WORD.findall(text))
    candidates = [s for s in outside if _words_of(" ".join(names[s])) <= on_page]
    if not candidates:
        return []
    inside = {pattern for student in frozenset(names) - outside
              for pattern in name_patterns(*names[student])}
    return [pattern for student in candidates for pattern in name_patterns(*names[student])
            if pattern not in inside and _found(pattern, text)]


def words_shown(text: str, names: dict[int, tuple[str, str]]) -> list[str]:
    """Any pupil's first or last name as a word of its own (the council's check); a name's
    parts of two letters ("An" of "Văn An") are checked as part of the whole name only."""
    words = {w for pair in names.values() for name in pair for w in name.split() if len(w) > 2}
    words |= {name for pair in names.values() for name in pair}
    on_page = frozenset(WORD.findall(text))
    return sorted(w for w in words if _words_of(w) <= on_page and _found(w, text))


def to_login(answer: Answer) -> bool:
    return answer.status in REDIRECTS and "/logga-in" in answer.location


def test_nobody_sees_a_pupil_outside_their_scope(sweep):
    leaks = []
    for actor, url, answer in sweep.answers():
        outside = frozenset(sweep.names) - actor.scope
        if shown := names_shown(answer.text, sweep.names, outside):
            leaks.append(f"{actor.name} {url} ({answer.status}): {shown}")
    assert not leaks, "\n".join(leaks)


def test_a_page_about_a_pupil_outside_the_scope_is_refused(sweep):
    """A URL naming a pupil's enrolment, assignment or register answers 403, 404 or a
    redirect to log in to everyone whose scope that pupil is outside."""
    let_in = []
    for actor, url, answer in sweep.answers():
        subjects = sweep.subjects.get(url, frozenset())
        if subjects and not subjects <= actor.scope and not (
                answer.status in (403, 404) or to_login(answer)):
            let_in.append(f"{actor.name} {url}: {answer.status} {answer.location}")
    assert not let_in, "\n".join(let_in)


def test_an_employer_is_refused_another_organisations_pages(sweep):
    """A placement, its weeks, an assignment or an organisation of another employer: 403,
    404 or a redirect, unless the page is public (the catalogue shows it to anyone)."""
    anonymous = sweep.requested["anonymous"] | sweep.crawled["anonymous"]
    public = {url for url, answer in anonymous.items() if answer.status == 200}
    shown = [f"{actor.name} {url}: {answer.status}" for actor, url, answer in sweep.answers()
             if actor.role == "employer" and url not in public
             and sweep.owners.get(url, actor.organisation) != actor.organisation
             and answer.status == 200]
    assert not shown, "\n".join(shown)
    assert len({sweep.owners[u] for u in sweep.owners}) >= 3  # the demo's organisations


def test_the_council_never_receives_a_pupils_name(sweep):
    council = [a for a in sweep.actors if a.role == "council"]
    assert council
    pages = 0
    for actor, url, answer in sweep.answers():
        if actor.role != "council":
            continue
        pages += answer.status == 200
        assert not words_shown(answer.text, sweep.names), (url, words_shown(
            answer.text, sweep.names))
    assert pages >= 5  # the start page, the reports and their exports were read


def test_secret_links_appear_only_on_their_owners_pages(sweep):
    assert {kind for kind, *_ in sweep.tokens.values()} >= {"elev", "handledare", "narvaro"}
    shown = []
    for actor, url, answer in sweep.answers():
        for kind, secret in SECRET_LINK.findall(answer.text):
            _, subjects, organisation = sweep.tokens[secret]
            if not may_hold(actor, kind, subjects, organisation, sweep.pupil_school):
                shown.append(f"{actor.name} {url}: /{kind}/{secret[:12]}…")
    assert not shown, "\n".join(sorted(set(shown)))


def test_the_sweep_covers_every_route_and_every_user(sweep, app):
    get_routes = {rule.endpoint for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.rule.startswith(SKIPPED)}
    assert not get_routes - sweep.endpoints, f"never requested: {get_routes - sweep.endpoints}"
    roles = {a.role for a in sweep.actors}
    assert roles >= {"anonymous", "coordinator", "counsellor", "employer", "council", "pupil",
                     "supervisor", "guardian"}
    assert len({a.name for a in sweep.actors if a.role == "counsellor"}) >= 2
    assert len({a.organisation for a in sweep.actors if a.role == "employer"}) >= 2
    for actor in sweep.actors:  # every start page opened
        assert any(a.status == 200 for a in sweep.crawled[actor.name].values()), actor.name


# --- the checks can fail -------------------------------------------------------------------

def test_the_name_checks_see_a_name_in_any_order():
    names = {1: ("Åsa", "Lindqvist"), 2: ("Nguyễn", "Văn An")}
    assert names_shown("<td>Lindqvist, Åsa</td>", names, frozenset({1}))
    assert names_shown("Nguyễn Văn An", names, frozenset({2}))
    assert not names_shown("Åsa Lindqvist", names, frozenset({2}))
    assert words_shown("Elev: Åsa", names) == ["Åsa"]
    assert words_shown("Vanadis", names) == []
    assert words_shown("An elev", names) == []  # two letters: only the whole last name
    assert words_shown("Familjen Văn An", names) == ["Văn", "Văn An"]
    # A name inside a longer word is no name; the second place it stands may be.
    assert not names_shown("Åsa Lindqvistsson", names, frozenset({1}))
    assert names_shown("XÅsa Lindqvist, Åsa Lindqvist.", names, frozenset({1}))


def test_a_secret_link_is_judged_by_whom_it_is_for():
    counsellor = Actor("syv", "counsellor", [], frozenset({1}), schools=frozenset({10}))
    employer = Actor("chef", "employer", [], frozenset({1}), organisation=5)
    schools = {1: 10, 2: 11}
    assert may_hold(counsellor, "elev", frozenset({1}), None, schools)
    assert not may_hold(counsellor, "elev", frozenset({2}), None, schools)
    assert not may_hold(counsellor, "narvaro", frozenset({1}), 5, schools)
    assert not may_hold(employer, "elev", frozenset({1}), None, schools)
    assert not may_hold(employer, "narvaro", frozenset({1}), 5, schools)
    supervisor = Actor("handledare", "supervisor", [], frozenset({1, 2}))
    assert may_hold(supervisor, "narvaro", frozenset({2}), 5, schools)
    assert not may_hold(supervisor, "narvaro", frozenset({3}), 5, schools)

"""Fixtures: the app on the real engine (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), a database rolled back after every test, a real SMTP server, and sign-in helpers."""

from __future__ import annotations

import contextvars
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, orm

from portal import clock, create_app
from portal.accounts.models import Role, User
from portal.extensions import db as _db
from portal.extensions import limiter
from tests import factories
from tests.databases import create_database

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- a real SMTP server -------------------------------------------------------------

@dataclass
class Mailbox:
    """What the SMTP server received, parsed as the recipient's mail program would."""

    messages: list[EmailMessage] = field(default_factory=list)
    # address -> SMTP reply, for recipients the server turns away
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """aiosmtpd on a fixed local port; stop() and start() take it down and bring it back."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def running(self) -> bool:
        return self.controller is not None


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    if server.running:
        server.stop()


@pytest.fixture
def mailbox(smtp_server: SMTPServer) -> Mailbox:
    smtp_server.mailbox.messages.clear()
    smtp_server.mailbox.refuse.clear()
    return smtp_server.mailbox


# --- the app and its database ------------------------------------------------------

def make_app(database_url: str, smtp_port: int, **extra: Any) -> Flask:
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_SUPPRESS_SEND": False,  # a real SMTP server receives every email
        "PORTAL_BASE_URL": "http://portal.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "REPORT_SNAPSHOT_MAX_AGE": 0,  # the council report computed on fresh data
        # "Update now" computes while the page waits, however slow a busy CI machine is.
        "REPORT_REFRESH_INLINE_SECONDS": 600,
        "SHARED_FIGURES_MAX_AGE": 0,  # an employer's short weeks read on fresh data
        **extra,
    })


MigratedDatabase = Callable[[str, Path], tuple[str, Callable[[], None]]]


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory,
                      smtp_server: SMTPServer) -> Iterator[MigratedDatabase]:
    """Makes (url, drop) of a new database at the migrations' head. The migrations run once
    per test run, into a template that each new database copies: migrating takes half a
    second, a copy a few milliseconds, and some hundred tests want a database of their own.
    tests/test_migrations.py still migrates empty databases itself."""
    template, drop_template = create_database("template", tmp_path_factory.mktemp("template"))
    application = make_app(template, smtp_server.port)
    with application.app_context():
        upgrade()
        _db.engine.dispose()  # a template must have no connection open

    def new(label: str, tmp_dir: Path) -> tuple[str, Callable[[], None]]:
        return create_database(label, tmp_dir, template=template)

    yield new
    drop_template()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer,
        migrated_database: MigratedDatabase) -> Iterator[Flask]:
    url, drop = migrated_database("suite", tmp_path_factory.mktemp("db"))
    application = make_app(url, smtp_server.port)
    yield application
    with application.app_context():
        _db.engine.dispose()
    drop()


# The demo region's spring: the autumn's prao is over and evaluated, the spring's under way,
# and Ascension Day (Thursday 6 May 2027) in its week.
DEMO_MOMENT = datetime(2027, 5, 5, 9, 30, tzinfo=clock.STOCKHOLM)
# Its autumn: the spring term's wish window open in the same school year.
AUTUMN_DEMO_MOMENT = datetime(2026, 11, 30, 9, 30, tzinfo=clock.STOCKHOLM)
DemoTemplates = Callable[[datetime], str]


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer,
                   migrated_database: MigratedDatabase) -> Iterator[DemoTemplates]:
    """`template(moment)`: the url of a database with the demo region seeded at that moment
    (`flask demo seed`, once per run and moment), for copies: seeding takes seconds, a copy
    milliseconds, and a score of tests read the same demo. tests/test_demo.py still seeds
    empty databases itself."""
    made: dict[datetime, tuple[str, Callable[[], None]]] = {}

    def template(moment: datetime) -> str:
        if moment not in made:
            made[moment] = _seeded_template(migrated_database, smtp_server, moment,
                                            tmp_path_factory.mktemp("demo"))
        return made[moment][0]

    yield template
    for _url, drop in made.values():
        drop()


def _seeded_template(migrated_database: MigratedDatabase, smtp_server: SMTPServer,
                     moment: datetime, tmp_dir: Path) -> tuple[str, Callable[[], None]]:
    url, drop = migrated_database("demo", tmp_dir)
    application = make_app(url, smtp_server.port)
    clock.set_now(moment)
    try:
        with application.app_context():
            result = application.test_cli_runner().invoke(args=["demo", "seed"])
            assert result.exit_code == 0, result.output
            _db.session.remove()
            _db.engine.dispose()  # a template must have no connection open
    finally:
        clock.set_now(None)
    return url, drop


def seeded_demo(template: str, tmp_dir: Path) -> tuple[str, Callable[[], None]]:
    """(url, drop) of a new database copied from a demo template."""
    return create_database("demo", tmp_dir, template=template)


def _demo_app(templates: DemoTemplates, moment: datetime,
              tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer
              ) -> Iterator[Flask]:
    url, drop = seeded_demo(templates(moment), tmp_path_factory.mktemp("demo-app"))
    application = make_app(url, smtp_server.port)
    yield application
    with application.app_context():
        _db.engine.dispose()
    drop()


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer,
             demo_templates: DemoTemplates) -> Iterator[Flask]:
    """The app on a copy of the demo region seeded at DEMO_MOMENT; with `demo_db`, each
    test's writes are rolled back. The clock is the test's: set it to DEMO_MOMENT to read
    the demo as seeded."""
    yield from _demo_app(demo_templates, DEMO_MOMENT, tmp_path_factory, smtp_server)


@pytest.fixture(scope="session")
def autumn_demo_app(tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer,
                    demo_templates: DemoTemplates) -> Iterator[Flask]:
    """As `demo_app`, seeded at AUTUMN_DEMO_MOMENT; with `autumn_demo_db`."""
    yield from _demo_app(demo_templates, AUTUMN_DEMO_MOMENT, tmp_path_factory, smtp_server)


@pytest.fixture
def demo_db(demo_app: Flask) -> Iterator[Any]:
    """As `db`, on the demo region's database."""
    with rolled_back(demo_app) as database:
        yield database


@pytest.fixture
def autumn_demo_db(autumn_demo_app: Flask) -> Iterator[Any]:
    with rolled_back(autumn_demo_app) as database:
        yield database


@pytest.fixture
def separate_app(tmp_path: Path, smtp_server: SMTPServer,
                 migrated_database: MigratedDatabase) -> Iterator[Flask]:
    """An app on its own freshly migrated database where commits are real: for tests of
    several connections at once, which one rolled-back transaction cannot show."""
    url, drop = migrated_database("separate", tmp_path)
    application = make_app(url, smtp_server.port)
    yield application
    with application.app_context():
        _db.engine.dispose()
    drop()


class _TestSession(orm.Session):
    """A plain SQLAlchemy session (Flask-SQLAlchemy's would pick the engine, not our
    connection), accepting the `db` argument Flask-SQLAlchemy passes."""

    def __init__(self, db: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """Every test runs inside one outer transaction that is rolled back afterwards; the
    code's own commits become savepoints."""
    with rolled_back(app) as database:
        yield database


@contextmanager
def rolled_back(app: Flask) -> Iterator[Any]:
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session({
            "bind": connection,
            "class_": _TestSession,
            "join_transaction_mode": "create_savepoint",
        })
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def set_clock() -> Iterator[Callable[[datetime], None]]:
    """Stop the portal's clock at a moment of the test's choosing (an aware datetime, or a
    naive one read as Swedish time); it runs again after the test."""

    def stop_at(moment: datetime) -> None:
        clock.set_now(moment if moment.tzinfo else moment.replace(tzinfo=clock.STOCKHOLM))

    yield stop_at
    clock.set_now(None)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app: Flask) -> None:
    with app.app_context():
        limiter.reset()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would: the test's own app
    context (and its `g`, signed-in user and session) is never shared with a request."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


def new_client(app: Flask) -> FlaskClient:
    """Another browser: its own cookies, its own session."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def client(app: Flask, db: Any) -> FlaskClient:
    return new_client(app)


# --- helpers -----------------------------------------------------------------------

def csrf_token(client: FlaskClient) -> str:
    """The token a real browser would post: read from a form the portal rendered. Signed
    in, the login page redirects to the start page (the council's computes a report); the
    contact page carries the same token, in the menu's log-out form."""
    response = client.get("/logga-in")
    if response.status_code in (301, 302, 303):
        response = client.get("/kontakt")
    page = response.get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, "no form with a CSRF token on the page"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client), **data}, **kwargs)


@dataclass
class World:
    """A small region: two schools in two municipalities, two organisations, one user
    of each role (counsellor at school A, employer at organisation A)."""

    municipality_a: Any
    municipality_b: Any
    school_a: Any
    school_b: Any
    organisation_a: Any
    organisation_b: Any
    users: dict[str, User]


@pytest.fixture
def world(db: Any) -> World:
    mun_a = factories.MunicipalityFactory(name="Luleå", code="2580")
    mun_b = factories.MunicipalityFactory(name="Piteå", code="2581")
    school_a = factories.SchoolFactory(name="Skola A", municipality=mun_a)
    school_b = factories.SchoolFactory(name="Skola B", municipality=mun_b)
    org_a = factories.OrganisationFactory(name="Arbetsgivare A")
    org_b = factories.OrganisationFactory(name="Arbetsgivare B")
    # factory_boy's calls return the models, which its types do not say.
    users = cast(dict[str, User], {
        "coordinator": factories.UserFactory(role=Role.COORDINATOR,
                                             email="samordnare@exempel.se"),
        "counsellor": factories.UserFactory(role=Role.COUNSELLOR, email="syv@exempel.se",
                                            schools=[school_a]),
        "employer": factories.UserFactory(role=Role.EMPLOYER, email="chef@exempel.se",
                                          organisation=org_a),
        "council": factories.UserFactory(role=Role.COUNCIL, email="rad@exempel.se",
                                         municipality=None),
    })
    db.session.commit()
    return World(mun_a, mun_b, school_a, school_b, org_a, org_b, users)


def login(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> Any:
    return post_form(client, "/logga-in", {"email": email, "password": password})


@pytest.fixture
def login_as(client: FlaskClient, world: World) -> Callable[[str], User]:
    """Sign the test client in through the real login form as the world's user of a role."""

    def sign_in(role: str) -> User:
        user = world.users[role]
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


# --- Redis: the one on 127.0.0.1:6379, or a private one where none runs ------------

@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        yield url
        return
    except redis.ConnectionError:
        binary = shutil.which("redis-server")
        assert binary, "the tests of several processes need Redis: apt-get install redis-server"
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",  # noqa: S603
                               "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path_factory.mktemp("redis"))],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    wait_for(lambda: redis.Redis.from_url(url).ping(), "redis-server", server)
    yield url
    server.terminate()
    server.wait(10)


def wait_for(probe: Any, what: str, process: subprocess.Popen[Any], log: Path | None = None,
             seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text() if log else ""
            raise AssertionError(f"{what} stopped at start-up:\n{output[-3000:]}")
        try:
            if probe():
                return
        except (OSError, redis.ConnectionError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not start within {seconds} s")


@contextmanager
def statements_sent(bind: Any, only: tuple[str, ...] = (),
                    leaving_out: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Every statement sent through `bind` (an engine, or the test's connection, which the
    requests share) inside the block: `only` those that start with one of these words,
    `leaving_out` those that do (the test's savepoints, say)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        first = statement.lstrip().upper()
        if (not only or first.startswith(only)) and not first.startswith(leaving_out):
            statements.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", record)


def summary_and_page_order(page: str) -> tuple[list[str], list[str]]:
    """The field ids the error summary links to, in its order, and the same ids in the
    order their fields come on the page (after the summary)."""
    start = page.index('id="felsammanfattning"')
    end = page.index("</ul>", start)
    listed = re.findall(r'<a href="#([^"]+)"', page[start:end])
    on_page = sorted(set(listed), key=lambda field_id: page.index(f'id="{field_id}"', end))
    return listed, on_page

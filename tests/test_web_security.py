"""CSRF, security headers, error pages and hostile input: never a 500, never half-saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from tests.conftest import csrf_token, login, post_form


def test_form_without_csrf_token_is_refused_in_swedish(client, world):
    response = client.post("/logga-in", data={"email": world.users["coordinator"].email,
                                              "password": "whatever-it-is"})
    assert response.status_code == 400
    assert "Formuläret hade gått ut" in response.get_data(as_text=True)


def test_csrf_token_from_another_session_is_refused(client, app, world):
    from tests.conftest import new_client

    foreign = csrf_token(new_client(app))
    response = client.post("/logga-in", data={"csrf_token": foreign,
                                              "email": world.users["coordinator"].email,
                                              "password": "en-lång-mening-om-prao"})
    assert response.status_code == 400


def test_invite_without_csrf_changes_nothing(client, login_as, db):
    login_as("coordinator")
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/anvandare/bjud-in", data={"name": "X", "email": "x@exempel.se",
                                                      "role": "council", "municipality": "0"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == before


@pytest.mark.parametrize("path", ["/", "/logga-in", "/finns-inte", "/samordnare"])
def test_security_headers_on_every_response(client, world, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client, login_as):
    login_as("coordinator")
    for path in ("/", "/samordnare", "/anvandare/bjud-in", "/utkorg"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html
        for tag in html.split("<script")[1:]:
            assert tag.split(">", 1)[0].strip().startswith("src="), path


def test_reset_page_leaks_no_referrer_and_is_not_cached(client, world):
    response = client.get("/losenord/aterstall/nagot")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(client, world):
    response = login(client, world.users["coordinator"].email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _production(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://prao.region.se/")


def _set_or_unset(monkeypatch, name, value):
    if value is None:
        monkeypatch.delenv(name, raising=False)
    else:
        monkeypatch.setenv(name, value)


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    from portal.config import load_settings

    _production(monkeypatch)
    settings = load_settings(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["PORTAL_BASE_URL"] == "https://prao.region.se"


@pytest.mark.parametrize(("address", "kept"), [
    (" HTTPS://Prao.Region.se/ ", "https://prao.region.se"),
    ("https://prao.region.se:8443", "https://prao.region.se:8443"),
    ("https://10.1.2.3", "https://10.1.2.3"),  # an address inside the region's own network
])
def test_production_takes_an_https_origin_as_links_start(monkeypatch, tmp_path,
                                                          address, kept):
    from portal.config import load_settings

    _production(monkeypatch)
    monkeypatch.setenv("PORTAL_BASE_URL", address)
    assert load_settings(tmp_path)["PORTAL_BASE_URL"] == kept


# Unset, production would email every pupil, guardian and supervisor a link to 127.0.0.1;
# over plain http its Secure session cookies would not come back; and a link is the address
# followed by a page's path, so anything after the host breaks every one.
UNUSABLE_BASE_URLS = [
    None, "", "prao.region.se", "http://prao.region.se", "https://", "https://[::1",
    "https://prao.region.se:port",
    "https://localhost:5000", "https://localhost.", "https://127.0.0.1", "https://127.1",
    "https://0.0.0.0", "https://[::1]", "https://[::ffff:127.0.0.1]",
    "https://kommun.se/prao", "https://prao.region.se?x=1", "https://prao.region.se#top",
    "https://anna:hemligt@prao.region.se",
]


@pytest.mark.parametrize(("name", "value"), [
    ("SECRET_KEY", None),
    # Memory counts per gunicorn worker and per server: an attacker would get the login
    # limit once per process (tests/test_several_servers.py counts across two).
    ("RATELIMIT_STORAGE_URI", None), ("RATELIMIT_STORAGE_URI", "memory://"),
    *(("PORTAL_BASE_URL", url) for url in UNUSABLE_BASE_URLS),
])
def test_production_refuses_to_start_with_an_unsafe_setting(monkeypatch, tmp_path, name,
                                                            value):
    from portal.config import ConfigurationError, load_settings

    _production(monkeypatch)
    _set_or_unset(monkeypatch, name, value)
    with pytest.raises(ConfigurationError, match=name):
        load_settings(tmp_path)


def test_development_links_point_at_the_local_server(monkeypatch, tmp_path):
    from portal.config import load_settings

    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    assert load_settings(tmp_path)["PORTAL_BASE_URL"] == "http://127.0.0.1:5000"


def test_development_generates_and_keeps_a_secret_key(monkeypatch, tmp_path):
    from portal.config import load_settings

    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_settings(tmp_path)["SECRET_KEY"]
    assert len(first) >= 40
    assert load_settings(tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_from_environment(monkeypatch, tmp_path):
    from portal.config import load_settings

    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/prao")
    assert load_settings(tmp_path)["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u@db.example:5432/prao")
    monkeypatch.delenv("DATABASE_URL")
    assert load_settings(tmp_path)["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


@pytest.mark.parametrize(("path", "code", "text"), [
    ("/finns-inte", 404, "Sidan finns inte"),
    ("/sprak/de", 404, "Sidan finns inte"),
    ("/skolor/abc", 404, "Sidan finns inte"),
])
def test_error_pages_are_swedish(client, world, path, code, text):
    response = client.get(path)
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert text in html and "Traceback" not in html and "werkzeug" not in html.lower()


def test_forbidden_page_is_swedish(client, login_as):
    login_as("employer")
    response = client.get("/utkorg")
    assert response.status_code == 403
    assert "Du har inte behörighet till sidan" in response.get_data(as_text=True)


def test_wrong_method_page_is_swedish(client, world):
    response = client.put("/logga-in")
    assert response.status_code == 405
    assert "Det går inte att göra så här" in response.get_data(as_text=True)


def test_server_error_page_is_swedish_and_leaks_nothing(app, world):
    from tests.conftest import new_client

    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("portal.main.views.render_template",
                          lambda *a, **k: 1 / 0)
            response = new_client(app).get("/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Något gick fel hos oss" in html
    assert "ZeroDivisionError" not in html and "Traceback" not in html


def test_oversized_post_gets_a_swedish_page(client, world):
    token = csrf_token(client)
    response = client.post("/logga-in", data={"csrf_token": token, "email": "a" * (3 << 20),
                                              "password": "x"})
    assert response.status_code == 413
    assert "för stort" in response.get_data(as_text=True)


def test_oversized_email_field_is_explained(client, world):
    response = post_form(client, "/logga-in", {"email": "a" * 300 + "@exempel.se",
                                               "password": "x"})
    assert response.status_code == 200
    assert "högst 254 tecken" in response.get_data(as_text=True)


def test_non_utf8_bytes_are_answered_not_crashed(client, world):
    token = csrf_token(client)
    body = b"csrf_token=" + token.encode() + b"&email=%FF%FE%80abc&password=%C3%28x"
    response = client.post("/logga-in", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Skriv e-postadressen som namn@exempel.se." in response.get_data(as_text=True)


def test_malformed_multipart_is_answered_not_crashed(client, world):
    response = client.post("/logga-in", data=b"--xyz\r\nnonsense",
                           content_type="multipart/form-data; boundary=xyz")
    assert response.status_code == 400


def test_html_in_input_is_shown_as_text(client, world):
    response = post_form(client, "/logga-in", {"email": "<script>alert(1)</script>",
                                               "password": "x"})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_language_switch_does_not_redirect_off_site(client, world):
    response = client.get("/sprak/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_behind_a_proxy_throttling_counts_the_real_client(smtp_server, tmp_path, monkeypatch):
    from portal.extensions import limiter
    from tests.conftest import make_app, new_client

    app = make_app(f"sqlite:///{tmp_path / 'proxy.sqlite'}", smtp_server.port, PROXY_COUNT=1,
                   LOGIN_LIMIT_PER_IP="2 per minute")
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        limiter.reset()

    def attempt(client, ip: str) -> int:
        token = csrf_token(client)
        return client.post("/logga-in", data={"csrf_token": token, "email": f"x{ip}@a.se",
                                              "password": "fel"},
                           headers={"X-Forwarded-For": ip}).status_code

    one, two = new_client(app), new_client(app)
    assert [attempt(one, "10.0.0.1") for _ in range(3)] == [200, 200, 429]
    assert attempt(two, "10.0.0.2") == 200
    with app.app_context():
        limiter.reset()
        from portal.extensions import db

        db.engine.dispose()


def _app_with_failing_query(separate_app):
    """A test-only page that breaks the session as a failed write does: a unique violation
    at flush, which leaves the transaction unusable until it is rolled back."""
    from portal.accounts.permissions import public
    from portal.extensions import db as database

    @separate_app.route("/test/databasfel")
    @public
    def broken_write() -> str:
        taken = database.session.scalars(select(User)).first()
        database.session.add(User(email=taken.email.upper(), name="Dubblett", role="council"))
        database.session.flush()
        return "never"

    separate_app.config["PROPAGATE_EXCEPTIONS"] = False
    with separate_app.app_context():
        from tests import factories

        factories.UserFactory(email="samordnare@exempel.se")
        database.session.commit()
        database.session.remove()
    return separate_app


@pytest.mark.parametrize(("lang", "title"), [("sv", "Något gick fel hos oss"),
                                             ("en", "Something went wrong on our side")])
def test_database_error_gives_the_portals_own_500_page(separate_app, lang, title):
    """After a failed statement the error page itself must not fail: the session is rolled
    back first, so the signed-in user's page renders, in their language, with every header."""
    from tests.conftest import new_client

    app = _app_with_failing_query(separate_app)
    client = new_client(app)
    assert login(client, "samordnare@exempel.se").status_code == 302
    client.get(f"/sprak/{lang}")
    response = client.get("/test/databasfel")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert f"<h1>{title}</h1>" in html and f'lang="{lang}"' in html
    assert "IntegrityError" not in html and "Traceback" not in html
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Logga ut" in html or "Log out" in html  # the signed-in user's page, read afresh


def test_error_page_that_cannot_render_is_still_the_portals_own(app, world, monkeypatch):
    from tests.conftest import new_client

    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        monkeypatch.setattr("portal.main.views.render_template", lambda *a, **k: 1 / 0)
        monkeypatch.setattr("portal.errors.render_template", lambda *a, **k: 1 / 0)
        response = new_client(app).get("/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "<h1>Något gick fel hos oss</h1>" in response.get_data(as_text=True)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("query", ["endpoint=x", "status=pending&endpoint=x&endpoint=y"])
def test_query_keys_that_collide_with_page_links_are_ignored(client, login_as, db, query):
    from tests import factories

    for _ in range(51):
        factories.OutboxEmailFactory()
    db.session.commit()
    login_as("coordinator")
    response = client.get(f"/utkorg?{query}")
    assert response.status_code == 200
    assert 'href="/utkorg?' in response.get_data(as_text=True)


def test_path_value_in_the_query_does_not_break_or_change_page_links(client, login_as, db,
                                                                      world):
    from portal.matching import services as matching
    from portal.matching.engine import Step
    from tests import factories

    period = factories.PraoPeriodFactory(school=world.school_a)
    for _ in range(51):
        factories.EnrolmentFactory(period=period)
    db.session.commit()
    run = matching.start_round(world.users["coordinator"], [period], "none",
                               last_step=Step.FIRST, seed=1)
    login_as("coordinator")
    response = client.get(f"/matchning/{run.id}?run_id={run.id + 1}&endpoint=x")
    assert response.status_code == 200
    assert f'href="/matchning/{run.id}?sida=2"' in response.get_data(as_text=True)


def test_required_select_offers_an_empty_placeholder_and_explains_it(client, world):
    """HTML asks a required <select> to start with an empty-valued placeholder; choosing it
    is answered in Swedish beside the field, never with WTForms' English coercion error."""
    html = client.get("/arbetsgivare/registrera").get_data(as_text=True)
    assert '<option value="">Välj kommun</option>' in html
    response = post_form(client, "/arbetsgivare/registrera", {"municipality": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Välj kommun." in html and "coerce" not in html


def _pupil_link(app, db, world) -> tuple[str, int]:
    from portal.schools.pupils import services as schools
    from tests import factories

    period = factories.PraoPeriodFactory(school=world.school_a)
    enrolment = factories.EnrolmentFactory(period=period)
    db.session.commit()
    with app.test_request_context():
        return "/elev/" + schools.make_link_token(enrolment), period.id


def _assert_secret_page(response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_carrying_a_pupils_link_are_not_cached_nor_leaked(app, client, db, world,
                                                                 login_as):
    link, period_id = _pupil_link(app, db, world)
    for path in (link, f"{link}?sector=x&sida=2", f"{link}/egen-plats", "/elev/trasig-lank"):
        _assert_secret_page(client.get(path))
    _assert_secret_page(post_form(client, link, {"action": "add", "offer": "0"}))
    login_as("counsellor")
    class_list = client.get(f"/perioder/{period_id}/lankar")
    payload = link.split(".", 1)[0]  # the signature's timestamp differs from second to second
    assert class_list.status_code == 200 and payload in class_list.get_data(as_text=True)
    _assert_secret_page(class_list)


def test_every_route_with_a_token_is_a_secret_page(app):
    """New secret-link routes are covered without being listed: any <token> in the path."""
    from portal.security import SHOWS_SECRET_LINKS

    secret = app.extensions["portal_secret_endpoints"]
    token_routes = {r.endpoint for r in app.url_map.iter_rules() if "token" in r.arguments}
    assert {"schools.pupil_home", "schools.own_placement", "accounts.reset_password",
            "accounts.accept_invitation", "employers.verify_email"} <= token_routes <= secret
    assert SHOWS_SECRET_LINKS.issubset(app.view_functions)  # no stale name in the list


def test_ordinary_pages_may_be_cached_and_keep_a_same_origin_referrer(client, world):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_period_year_group_starts_with_an_empty_placeholder(client, world, login_as):
    login_as("counsellor")
    url = f"/skolor/{world.school_a.id}/perioder/ny"
    assert '<option value="">Välj årskurs</option>' in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {"name": "Prao", "grade": ""})
    assert response.status_code == 200
    assert "Välj årskurs." in response.get_data(as_text=True)

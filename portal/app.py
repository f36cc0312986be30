"""Praoportalen: the application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as portal_config
from portal.urls import DatabaseIdConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | str | dict | None = None) -> Flask:
    app = Flask(
        "portal",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    # Before any route is added: every <int:id> then stops at the largest database id.
    app.url_map.converters["int"] = DatabaseIdConverter
    overrides = portal_config.resolve(config)
    app.config.update(portal_config.load_settings(Path(app.instance_path)))
    app.config.update(overrides)
    if not logging.getLogger().handlers:  # leave a host's own logging setup alone
        logging.basicConfig(level=logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if app.config["PROXY_COUNT"]:
        # The client's address and scheme come from the trusted proxies, not from the socket:
        # login throttling counts per real client, and Secure cookies see https.
        count = app.config["PROXY_COUNT"]
        # Flask's documented way to wrap the WSGI app; its stubs declare wsgi_app a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    register_extensions(app)
    register_blueprints(app)
    register_shell_and_commands(app)
    from portal import assets, audit, errors, inputs, security, templating
    from portal.employers.catalogue.services import register_search_listeners

    register_search_listeners()  # search_text kept on every flush, not as an import side effect
    errors.init_app(app)
    audit.init_app(app)
    inputs.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    templating.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    from portal import i18n
    from portal.accounts.services import load_user
    from portal.db import configure_sqlite, end_reading_transaction, track_reading_transactions
    from portal.extensions import babel, bootstrap, csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        track_reading_transactions(db.engine)

    @app.teardown_appcontext  # registered after Flask-SQLAlchemy's, so it runs before it
    def _end_reads(error: BaseException | None) -> None:
        if error is None and db.session.registry.has():
            end_reading_transaction(db.session())

    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    # Views are imported here, not in the packages, so models never import views.
    from portal.accounts import views as accounts
    from portal.employers import views as employers
    from portal.employers.calendar import views as _calendar  # noqa: F401 - on employers.bp
    from portal.employers.catalogue import views as _catalogue  # noqa: F401 - on employers.bp
    from portal.employers.placements import views as _placements  # noqa: F401 - on employers.bp
    from portal.feedback import views as feedback
    from portal.main import views as main
    from portal.matching import views as matching
    from portal.notifications import views as notifications
    from portal.prao import views as prao
    from portal.prao.attendance import views as attendance
    from portal.prao.certificates import views as certificates
    from portal.prao.guardians import views as guardians
    from portal.privacy import views as privacy
    from portal.reports import views as reports
    from portal.schools import views as schools
    from portal.schools.imports import views as _imports  # noqa: F401 - on schools.bp
    from portal.schools.pupils import views as _pupils  # noqa: F401 - on schools.bp

    for module in (main, accounts, notifications, schools, employers, matching, prao,
                   guardians, certificates, attendance, feedback, privacy,
                   reports):
        app.register_blueprint(module.bp)


def register_shell_and_commands(app: Flask) -> None:
    from portal import cli, models
    from portal.extensions import db

    app.shell_context_processor(lambda: {"db": db, **{n: getattr(models, n)
                                                      for n in models.__all__}})
    cli.init_app(app)

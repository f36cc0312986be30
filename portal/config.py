"""Settings read from the environment; one place so a deployment is documented by this file."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.utils import import_string


class ConfigurationError(RuntimeError):
    """The portal refuses to start with settings that would be unsafe."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigurationError(
            "SECRET_KEY saknas: portalen startar inte i produktion utan en hemlig nyckel."
        )
    # A development machine keeps one generated key so sessions survive restarts.
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def _base_url(production: bool) -> str:
    """The public address emailed links start with. In production a missing or plain-http
    address would send every pupil, guardian and supervisor a link that does not work for
    them (the development default points at the sender's own machine), and the session
    cookies are Secure, so the portal refuses to start. Links are this address followed by
    the page's path, so it must be a bare https origin: no path, query or login."""
    url = os.environ.get("PORTAL_BASE_URL", "").strip().rstrip("/")
    if not production:
        return url or "http://127.0.0.1:5000"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks the port ("https://x.se:abc")
    except ValueError:
        parts = None
    if (parts is None or parts.scheme != "https" or not parts.hostname or parts.path
            or parts.query or parts.fragment or parts.username or parts.password
            or _is_local(parts.hostname)):
        raise ConfigurationError(
            "PORTAL_BASE_URL saknas eller duger inte: i produktion är det portalens publika "
            "https-adress utan sökväg, t.ex. https://prao.region.se, som länkarna i e-posten "
            "börjar med."
        )
    return f"https://{parts.netloc.lower()}"


def _is_local(hostname: str) -> bool:
    """The machine itself, however written (localhost., 127.1, ::ffff:127.0.0.1, 0.0.0.0)."""
    host = hostname.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:  # the short IPv4 forms a resolver accepts too: 127.1, 2130706433
            address = ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return False  # a name
    mapped = getattr(address, "ipv4_mapped", None)
    return any(a.is_loopback or a.is_unspecified for a in (address, mapped) if a is not None)


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'praoportalen.sqlite'}"
    # Hosting platforms still hand out the old scheme; psycopg 3 needs its own driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _ratelimit_storage(production: bool) -> str:
    uri = os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
    if production and (not uri or uri.startswith("memory://")):
        # Memory counts per process: with gunicorn's workers and several servers an attacker
        # gets the login limit once per process, so production counts in one shared store.
        raise ConfigurationError(
            "RATELIMIT_STORAGE_URI saknas: i produktion räknas inloggningsförsök i en delad "
            "lagring som alla appservrar når, t.ex. redis://redis:6379/0."
        )
    return uri or "memory://"


def _shared_figures_uri() -> str:
    """SHARED_FIGURES_URI; unset, the sign-in throttling's Redis when it is one; "off": none."""
    uri = os.environ.get("SHARED_FIGURES_URI", "").strip()
    if uri:
        return "" if uri == "off" else uri
    limits = os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
    return limits if limits.startswith(("redis://", "rediss://")) else ""


def load_settings(instance_path: Path) -> dict[str, object]:
    """Build the Flask config mapping from the environment."""
    production = os.environ.get("PORTAL_ENV", "development") == "production"
    return {
        "PORTAL_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # No ping before each checkout: it cost every page a round trip to the database
        # (a tenth of the catalogue's time under load). A connection is renewed after half
        # an hour instead, and one that broke (the database restarted) fails one request,
        # after which SQLAlchemy renews the whole pool.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        "PORTAL_BASE_URL": _base_url(production),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Praoportalen <no-reply@praoportalen.local>"
        ),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "10")),
        # `flask jobs run` delivers the outbox only where an SMTP server was named, so the
        # demo's mail waits in the outbox instead of failing against localhost:25.
        "JOBS_SEND_MAIL": _bool("JOBS_SEND_MAIL", bool(os.environ.get("MAIL_SERVER"))),
        "RATELIMIT_STORAGE_URI": _ratelimit_storage(production),
        # Keeps this portal's counters apart from other users of the same Redis.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "praoportalen"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "20 per minute"),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        # Per client every post counts; per address every accepted one (each sends an email).
        "REGISTRATION_LIMIT_PER_IP": os.environ.get("REGISTRATION_LIMIT_PER_IP", "20 per hour"),
        "REGISTRATION_LIMIT_PER_ADDRESS": os.environ.get("REGISTRATION_LIMIT_PER_ADDRESS",
                                                         "3 per hour"),
        "PASSWORD_RESET_LIMIT_PER_ACCOUNT": os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT",
                                                           "3 per hour"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Forms are small; the pupil import of a later issue raises its own limit.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "PORTAL_LANGUAGES": ("sv", "en"),
        "PASSWORD_RESET_MAX_AGE": 3600,
        # 0 computes the council report on every read (the tests); otherwise readers get
        # the stored snapshot and the jobs command refreshes it hourly (reports/snapshots.py).
        "REPORT_SNAPSHOT_MAX_AGE": 3600,
        # The coordinator's "update now" computes a scope whose last computation took at
        # most this many seconds while the page waits; a slower one (a municipality takes
        # 10-15 s at national scale, the country 25 s) is left to the jobs command.
        "REPORT_REFRESH_INLINE_SECONDS": float(os.environ.get("REPORT_REFRESH_INLINE_SECONDS",
                                                             "5")),
        # Seconds a process keeps figures many readers share (portal/kept.py): a county's
        # short weeks, a prao week's offers, last year's gender split; 0 never (the tests).
        "SHARED_FIGURES_MAX_AGE": int(os.environ.get("SHARED_FIGURES_MAX_AGE", "60")),
        # ...and shares them with every process and app server through this Redis.
        "SHARED_FIGURES_URI": _shared_figures_uri(),
        "INVITATION_MAX_AGE": 14 * 24 * 3600,
        # An email the server cannot take yet is retried this long before it is given up.
        "OUTBOX_RETRY_HOURS": int(os.environ.get("OUTBOX_RETRY_HOURS", "72")),
        # Behind a load balancer: how many proxies set X-Forwarded-For/-Proto in front of us.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        # Months after a pupil's last prao period ended before `flask retention purge`
        # removes the pupil's personal data (README: Personuppgifter / GDPR).
        "RETENTION_MONTHS": int(os.environ.get("RETENTION_MONTHS", "24")),
        # Months the log of who read or changed personal data is kept: long enough to answer
        # a question about a prao after the pupil's data is gone, then purged too.
        "LOG_RETENTION_MONTHS": int(os.environ.get("LOG_RETENTION_MONTHS", "36")),
        "PORTAL_CONTACT_EMAIL": os.environ.get("PORTAL_CONTACT_EMAIL", "prao@region.example.se"),
        # Who runs the portal and shares the controller's duties with the schools' huvudmän,
        # and the data protection officer (art. 37): both named in the privacy notice.
        # Unset, the notice says "the region's association of municipalities" in the
        # reader's language.
        "PORTAL_OPERATOR": os.environ.get("PORTAL_OPERATOR", ""),
        "PRIVACY_OFFICER_EMAIL": os.environ.get("PRIVACY_OFFICER_EMAIL", "")
        or os.environ.get("PORTAL_CONTACT_EMAIL", "prao@region.example.se"),
    }


def resolve(config: object | str | dict | None) -> dict[str, object]:
    """Accept a mapping, an object or an import path for overrides (tests use a mapping)."""
    if config is None:
        return {}
    if isinstance(config, str):
        config = import_string(config)
    if isinstance(config, dict):
        return dict(config)
    return {key: getattr(config, key) for key in dir(config) if key.isupper()}

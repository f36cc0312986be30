"""HTTP security headers for every response."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# Pages that carry a secret link must not be cached, and their address must never leave
# as a referrer: every route with a <token> in its path (a pupil's own pages, password
# reset, invitation, address verification), and the pages listed here that show such links.
SHOWS_SECRET_LINKS = frozenset({
    "schools.class_list",  # every pupil's personal link and QR code
})
# Blueprints whose every page names a pupil or carries a pupil's, a supervisor's or a
# guardian's key in its address: evaluations, certificates and guardians' letters.
PRIVATE_BLUEPRINTS = frozenset({"feedback", "certificates", "guardians"})


def secret_endpoints(app: Flask) -> frozenset[str]:
    with_token = {rule.endpoint for rule in app.url_map.iter_rules()
                  if "token" in rule.arguments
                  or rule.endpoint.partition(".")[0] in PRIVATE_BLUEPRINTS}
    return frozenset(with_token | SHOWS_SECRET_LINKS)


def is_secret_url(url: str) -> bool:
    """Is this address one of our secret pages (or does it carry a token in its query)?
    Used to keep such links out of sight wherever the portal shows a stored email."""
    parts = urlsplit(url)
    if any(key.lower().endswith("token") for key in parse_qs(parts.query)):
        return True
    base = current_app.config["PORTAL_BASE_URL"]
    path = urlsplit(url[len(base):]).path if url.startswith(base) else parts.path
    try:
        endpoint, _args = current_app.url_map.bind("portal.invalid").match(path, method="GET")
    except (HTTPException, RoutingException):
        return False
    return endpoint in current_app.extensions["portal_secret_endpoints"]


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint in current_app.extensions["portal_secret_endpoints"]:
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    """Called after every blueprint is registered, so the URL map is complete."""
    app.extensions["portal_secret_endpoints"] = secret_endpoints(app)
    app.after_request(add_security_headers)

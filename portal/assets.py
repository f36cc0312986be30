"""Static files (the portal's and Bootstrap-Flask's) addressed by their content: every URL
the portal writes to one carries `v`, a digest of the file, and an answer to such a URL may
be kept a year. A phone then loads the stylesheets and scripts once, not again on every page
(Flask's default makes it ask each time whether they changed), and a changed file has
another address, so nobody keeps an old one. An address with no `v`, or an old one, is
answered as before: asked again every time."""

from __future__ import annotations

import hashlib
import os
import stat
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

VERSION = "v"
YEAR = 365 * 24 * 3600
KEPT = f"public, max-age={YEAR}, immutable"


def _folder(app: Flask, endpoint: str) -> str | None:
    """The folder the endpoint serves files from, None for an endpoint that serves none."""
    if endpoint == "static":
        return app.static_folder
    blueprint, dot, name = endpoint.rpartition(".")
    if not dot or name != "static" or blueprint not in app.blueprints:
        return None
    return app.blueprints[blueprint].static_folder


@lru_cache(maxsize=256)
def _digest(path: str, modified_ns: int, size: int) -> str:
    # Keyed by the file's time and size as well: a file changed under a running
    # development server gets its new digest.
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:16]


def version(app: Flask, endpoint: str, filename: str) -> str | None:
    """The digest of a static file as it is now, None when there is no such file (or the
    name is none a file can have: a NUL, a folder)."""
    folder = _folder(app, endpoint)
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        found = os.stat(path)
        if not stat.S_ISREG(found.st_mode):
            return None
        return _digest(path, found.st_mtime_ns, found.st_size)
    except (OSError, ValueError):
        return None


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    filename = values.get("filename")
    if VERSION in values or not isinstance(filename, str) or not endpoint.endswith("static"):
        return
    found = version(current_app, endpoint, filename)
    if found is not None:
        values[VERSION] = found


def _keep_if_current(response: Response) -> Response:
    endpoint, filename = request.endpoint, (request.view_args or {}).get("filename")
    if not endpoint or not isinstance(filename, str) or response.status_code not in (200, 304):
        return response
    # Only a static file's own digest: any other page, or a file gone meanwhile, has none.
    found = version(current_app, endpoint, filename)
    if found is not None and request.args.get(VERSION) == found:
        response.headers["Cache-Control"] = KEPT
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_keep_if_current)

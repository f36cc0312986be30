"""What every template can use: the permission check, the language and the role names."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.accounts.models import Role
from portal.accounts.permissions import can
from portal.employers.reference import sector_label
from portal.i18n import LANGUAGE_NAMES, current_language
from portal.inputs import multiline

ROLE_LABELS = {
    Role.COORDINATOR: _l("Samordnare"),
    Role.COUNSELLOR: _l("Studie- och yrkesvägledare"),
    Role.EMPLOYER: _l("Arbetsgivare"),
    Role.COUNCIL: _l("Samverkansrådet"),
}


def _language_switch() -> dict[str, str]:
    """The other language and the link that switches to it, back to this same page."""
    other = "en" if current_language() == "sv" else "sv"
    target = request.full_path.rstrip("?") if request else "/"
    return {"code": other, "name": LANGUAGE_NAMES[other],
            "url": url_for("main.set_language", code=other, next=target)}


def page_url(page: int) -> str:
    """This page's address with another page number, every filter kept (repeated ones too).
    Names starting with an underscore are url_for's own options, never taken from the query."""
    args = {key: values for key, values in request.args.lists()
            if not key.startswith("_") and key != "sida"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, sida=page)


def init_app(app: Flask) -> None:
    app.add_template_filter(multiline)  # emails: keep this value's lines
    @app.context_processor
    def inject() -> dict[str, object]:
        return {
            "can": lambda action, obj=None: can(current_user, action, obj),
            "lang": current_language(),
            "language_switch": _language_switch,
            "page_url": page_url,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "sector_label": lambda code: sector_label(code, current_language()),
        }

"""Organisation pages. Placements, offers and the catalogue grow here in the employer issue."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from portal.accounts.permissions import authorize
from portal.employers import bp
from portal.employers.models import Organisation
from portal.extensions import db


@bp.route("/organisationer/<int:organisation_id>")
def organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = db.session.get(Organisation, organisation_id)
    authorize("organisation.view", organisation)
    return render_template("employers/organisation.html", organisation=organisation)

"""School pages. Municipalities, schools, pupils and periods grow here in the schools issue."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from portal.accounts.permissions import authorize
from portal.extensions import db
from portal.schools import bp
from portal.schools.models import School


@bp.route("/skolor/<int:school_id>")
def school(school_id: int) -> ResponseReturnValue:
    school = db.session.get(School, school_id)
    authorize("school.view", school)
    return render_template("schools/school.html", school=school)

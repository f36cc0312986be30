"""The regional prao calendar (which the coordinator fills in). Thin: check, call a service,
show."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from portal.accounts.permissions import authorize, can, require
from portal.employers.blueprint import bp
from portal.employers.calendar import services as service
from portal.employers.calendar.forms import CalendarEntryForm
from portal.employers.models import CalendarEntry
from portal.extensions import db
from portal.formtools import choices
from portal.schools.models import Municipality, School


def _attach(form: FlaskForm, error: service.FieldProblems) -> None:
    for name, messages in error.problems.items():
        getattr(form, name).errors.extend(messages)


@bp.route("/kalender")
@require("calendar.view")
def calendar() -> ResponseReturnValue:
    organisation = current_user.organisation if current_user.organisation_id else None
    weeks = service.regional_calendar(organisation)
    entries = service.upcoming_calendar_entries() if can(current_user, "calendar.edit") else []
    return render_template("employers/calendar.html", weeks=weeks, entries=entries,
                           organisation=organisation)


@bp.route("/kalender/ny", methods=["GET", "POST"])
@require("calendar.edit")
def calendar_entry_new() -> ResponseReturnValue:
    form = CalendarEntryForm()
    schools = db.session.scalars(select(School).join(School.municipality)
                                 .order_by(Municipality.name, School.name)).all()
    form.school.choices = choices([("", _("Välj skola"))]
                                  + [(s.id, f"{s.name} ({s.municipality.name})")
                                     for s in schools])
    if form.validate_on_submit():
        try:
            service.add_calendar_entry(db.session.get(School, form.school.data),
                                       form.weeks.data, form.pupils.data, current_user)
        except service.FieldProblems as error:
            _attach(form, error)
        else:
            flash(_("Praoveckorna är inlagda i kalendern."), "success")
            return redirect(url_for("employers.calendar", _anchor="skolveckor"))
    return render_template("employers/calendar_entry.html", form=form)


@bp.route("/kalender/<int:entry_id>/ta-bort", methods=["POST"])
@require("calendar.edit")
def calendar_entry_delete(entry_id: int) -> ResponseReturnValue:
    entry = db.session.get(CalendarEntry, entry_id)
    authorize("calendar.edit", entry)
    service.remove_calendar_entry(entry, current_user)
    flash(_("Raden är borttagen ur kalendern."), "success")
    return redirect(url_for("employers.calendar", _anchor="skolveckor"))

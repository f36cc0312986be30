"""School pages: the coordinator's municipalities and schools, the counsellor's periods.
Pupils' pages are in `pupils.views`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.accounts.permissions import get_authorized, require
from portal.audit import audit_read
from portal.clock import today
from portal.formtools import choices
from portal.prao import overview as prao_overview
from portal.prao.attendance import overview as attendance
from portal.prao.attendance.overview import PupilRow
from portal.schools import services
from portal.schools.blueprint import bp
from portal.schools.forms import MunicipalityForm, PeriodForm, SchoolForm
from portal.schools.models import EnrolmentState, Municipality, PraoPeriod, School
from portal.schools.period_rows import PupilRowWriter, own_not_approved
from portal.schools.periods import Window
from portal.schools.pupils import services as pupils
from portal.urls import page_number


def _field_error(form: object, error: services.SchoolError) -> None:
    _beside_fields(form, error.problems)


def _beside_fields(form: object, problems: services.Problems) -> None:
    for field, message in problems:
        getattr(form, field).errors.append(str(message))


# --- coordinator: municipalities and schools -------------------------------------------

def _save_municipality(form: MunicipalityForm,
                       municipality: Municipality | None) -> ResponseReturnValue | None:
    if not form.validate_on_submit():
        return None
    try:
        services.save_municipality(municipality, form.name.data, form.code.data, current_user)
    except services.SchoolError as error:
        _field_error(form, error)
        return None
    except services.MunicipalityExists:
        flash(_("Kommunen finns redan."), "info")
    else:
        flash(_("Kommunen är sparad."), "success")
    return redirect(url_for("schools.municipalities"))


@bp.route("/samordnare/kommuner", methods=["GET", "POST"])
@require("municipality.manage")
def municipalities() -> ResponseReturnValue:
    form = MunicipalityForm()
    return _save_municipality(form, None) or render_template(
        "schools/municipalities.html", form=form, municipalities=services.municipalities())


@bp.route("/samordnare/kommuner/<int:municipality_id>", methods=["GET", "POST"])
@require("municipality.manage")
def municipality(municipality_id: int) -> ResponseReturnValue:
    found = get_authorized("municipality.manage", Municipality, municipality_id)
    form = MunicipalityForm(obj=found)
    return _save_municipality(form, found) or render_template(
        "schools/municipality.html", form=form, municipality=found)


def _school_form(school: School | None) -> SchoolForm:
    form = SchoolForm(obj=school)
    form.municipality.choices = choices(
        [("", _("Välj kommun")), *services.municipality_choices()])
    form.counsellors.choices = choices((c.id, f"{c.name} ({c.email})")
                                       for c in services.counsellors())
    if school is not None and request.method == "GET":
        form.municipality.data = school.municipality_id
        form.counsellors.data = [c.id for c in school.active_counsellors]
    return form


def _school_data(form: SchoolForm) -> services.SchoolData:
    return services.SchoolData(name=form.name.data, unit_code=form.unit_code.data,
                               address=form.address.data or "",
                               municipality_id=form.municipality.data,
                               counsellor_ids=form.counsellors.data or [])


def _save_school(form: SchoolForm, school: School | None) -> ResponseReturnValue | None:
    if not form.validate_on_submit():
        return None
    try:
        services.save_school(school, _school_data(form), current_user)
    except services.SchoolError as error:
        _field_error(form, error)
        return None
    flash(_("Skolan är sparad."), "success")
    return redirect(url_for("schools.schools"))


@bp.route("/samordnare/skolor", methods=["GET", "POST"])
@require("school.manage")
def schools() -> ResponseReturnValue:
    form = _school_form(None)
    query = request.args.get("q", "")[:200]
    return _save_school(form, None) or render_template(
        "schools/schools.html", form=form, query=query,
        pagination=services.schools(page_number(request.args), query))


@bp.route("/samordnare/skolor/<int:school_id>", methods=["GET", "POST"])
@require("school.manage")
def edit_school(school_id: int) -> ResponseReturnValue:
    school = get_authorized("school.manage", School, school_id)
    form = _school_form(school)
    return _save_school(form, school) or render_template(
        "schools/edit_school.html", form=form, school=school)


# --- a school and its periods ----------------------------------------------------------

@bp.route("/skolor/<int:school_id>")
def school(school_id: int) -> ResponseReturnValue:
    school = get_authorized("school.view", School, school_id)
    return render_template("schools/school.html", school=school,
                           periods=services.periods_of([school.id]))


@bp.route("/skolor/<int:school_id>/perioder/ny", methods=["GET", "POST"])
@require("period.create")
def new_period(school_id: int) -> ResponseReturnValue:
    school = get_authorized("period.create", School, school_id)
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            period = services.create_period(school, _period_data(form), current_user, today(),
                                            short_accepted=bool(form.short_ok.data))
        except services.ShortPeriod:
            pass  # the warning and its box are shown below
        except services.SchoolError as error:
            _field_error(form, error)
        else:
            flash(ngettext("Perioden är skapad med %(num)d elev.",
                           "Perioden är skapad med %(num)d elever.", len(period.enrolments)),
                  "success")
            return redirect(url_for("schools.period", period_id=period.id))
    elif form.is_submitted():
        _date_problems(form)
    return render_template("schools/new_period.html", form=form, school=school,
                           short=_short_days(form))


def _short_days(form: PeriodForm) -> int | None:
    """The period's prao days when fewer than ten, once both its days are read: told
    beside them with a box to accept it, whatever else the form still needs."""
    first, last = form.first_day, form.last_day
    if first.data is None or last.data is None or first.errors or last.errors:
        return None
    return services.short_period_days(first.data, last.data)


def _date_problems(form: PeriodForm) -> None:
    """The dates' rules, beside a problem of another field (a missing name): every problem
    is told at once. Only when all four dates were read; the overlap waits for the rest."""
    dates = (form.first_day, form.last_day, form.wishes_open, form.wishes_close)
    if any(field.data is None or field.errors for field in dates):
        return
    _beside_fields(form, services.period_problems(_period_data(form), today()))


def _period_data(form: PeriodForm) -> services.PeriodData:
    return services.PeriodData(name=form.name.data, grade=form.grade.data,
                               first_day=form.first_day.data, last_day=form.last_day.data,
                               wishes_open=form.wishes_open.data,
                               wishes_close=form.wishes_close.data)


def _period(period_id: int, action: str = "period.view") -> PraoPeriod:
    return get_authorized(action, PraoPeriod, period_id)


@bp.route("/perioder/<int:period_id>")
@require("period.view")
def period(period_id: int) -> ResponseReturnValue:
    found = _period(period_id)
    # The attendance overview has the pupils and their prao days: the pupil list reuses them.
    present = attendance.period_overview(found)
    rows, wishes = present.rows, pupils.period_wish_counts(found)
    audit_read("read_period", found, pupils=len(rows))
    prao = prao_overview.period_summary(found, present.live())
    return render_template(
        "schools/period.html", period=found, rows=rows, cells=PupilRowWriter(
            found.id, prao, wishes), without=_without_wishes(rows, wishes),
        own_waiting=[row for row in rows if own_not_approved(row, prao.placed)],
        days=present.prao_days, short_by=present.short_by, window=pupils.window_of(
            found, today()), windows=Window, prao=prao, attendance=present.counts,
        over=services.period_is_over(found, today()))


def _without_wishes(rows: list[PupilRow], wishes: dict[int, int]) -> int:
    """Pupils still to be placed who have entered no wish: the reminder's count."""
    return sum(1 for row in rows if row.enrolment.state is EnrolmentState.NEEDS_PLACEMENT
               and not wishes.get(row.enrolment.id))

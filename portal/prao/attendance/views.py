"""Attendance pages: the supervisor's day behind the signed link (a phone in one hand), the
employer's day and pupil pages, the counsellor's period overview and assignment record
with absences, follow-ups and incidents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import clock
from portal.accounts.permissions import get_authorized, public, require
from portal.audit import audit_read
from portal.extensions import db
from portal.formtools import choices, reads_query
from portal.prao import worktime
from portal.prao.attendance import bp, dayrows, links, overview, services
from portal.prao.attendance.forms import (
    FOLLOW_UP_LABELS,
    INCIDENT_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    DayChoiceForm,
    DayReportForm,
    EmployerDayReportForm,
    ExcuseForm,
    FollowUpForm,
    IncidentForm,
    LinkIncidentForm,
)
from portal.prao.attendance.overview import Reported
from portal.prao.attendance.period_rows import AttendanceRowWriter
from portal.prao.attendance.services import AttendanceError, Entry, Placed, Reporter
from portal.prao.days import is_prao_day
from portal.prao.models import (
    AlertKind,
    Assignment,
    AttendanceDay,
    AttendanceStatus,
    FollowUpKind,
    Incident,
    IncidentKind,
    IncidentSeverity,
)
from portal.schools.models import PraoPeriod


def _labels() -> dict[str, object]:
    return {"status_labels": STATUS_LABELS, "alert_labels": {
        AlertKind.ABSENT: _("Frånvaro"), AlertKind.NOT_REPORTED: _("Ingen rapport kl. 10"),
        AlertKind.HOURS: _("Arbetstid utanför reglerna")},
        "follow_up_labels": FOLLOW_UP_LABELS, "incident_labels": INCIDENT_LABELS,
        "severity_labels": SEVERITY_LABELS, "av_url": services.ARBETSMILJOVERKET_URL}


# --- the day's form, shared by the link and the employer ---------------------------------------

def _pupil(where: Placed) -> dayrows.Pupil:
    assignment, placement = where.assignment, where.assignment.placement
    return dayrows.Pupil(assignment.id, where.name, assignment.enrolment.period.school.name,
                         placement.title, placement.day_start, placement.day_end,
                         placement.break_minutes)


def _new_rows(pupils: list[dayrows.Pupil], done: Mapping[int, Reported]
              ) -> list[dayrows.DayRow]:
    return [dayrows.new_row(index, pupil, done.get(pupil.assignment_id))
            for index, pupil in enumerate(pupils)]


def _entries(form: DayReportForm) -> list[Entry] | None:
    """The rows with a status, or None after marking rows that name no pupil."""
    entries, broken = [], False
    for row in form.pupils:
        sub = row.form
        if not sub.status.data:
            continue
        try:
            aid = int(sub.assignment.data)
        except (TypeError, ValueError):
            sub.status.errors.append(_("Eleven finns inte."))
            broken = True
            continue
        entries.append(Entry(aid, AttendanceStatus(sub.status.data), sub.start.data,
                             sub.end.data, sub.break_minutes.data))
    return None if broken else entries


def _place_problems(form: DayReportForm, error: AttendanceError) -> list[str]:
    """Each message beside its field; those of the whole form come back for the top."""
    rows = {row.form.assignment.data: row.form for row in form.pupils}
    general = []
    for problem in error.problems:
        sub = rows.get(str(problem.assignment_id)) if problem.assignment_id else None
        if sub is not None:
            target = sub.status if problem.field == "day" else getattr(sub, problem.field)
            target.errors.append(str(problem.message))
        elif problem.field == "day" and hasattr(form, "day"):
            form.day.errors.append(str(problem.message))
        else:
            general.append(str(problem.message))
    return general


def _save_day(form: DayReportForm, entries: list[Entry] | None, day: date,
              allowed: dict[int, Placed], reporter: Reporter
              ) -> services.ReportOutcome | list[str]:
    """`entries` are `_entries(form)`, read once: reading them marks the broken rows."""
    if entries is None:
        return []
    try:
        return services.report_day(day, entries, allowed, reporter)
    except AttendanceError as error:
        db.session.rollback()
        return _place_problems(form, error)


def _flash_outcome(outcome: services.ReportOutcome) -> None:
    if outcome.saved and outcome.unchanged:  # every pupil sent accounted for
        flash(ngettext("Närvaron är sparad för %(num)d elev.",
                       "Närvaron är sparad för %(num)d elever.", outcome.saved) + " "
              + ngettext("%(num)d elev var redan rapporterad likadant.",
                         "%(num)d elever var redan rapporterade likadant.", outcome.unchanged)
              + " " + _("Tack!"), "success")
    elif outcome.saved:
        flash(ngettext("Närvaron är sparad för %(num)d elev. Tack!",
                       "Närvaron är sparad för %(num)d elever. Tack!", outcome.saved), "success")
    else:
        flash(_("Ingenting var ändrat, så ingenting nytt sparades."), "info")
    for name, breaches in outcome.breaches.values():
        for breach in breaches:
            flash(_("%(name)s: %(problem)s", name=name, problem=_(
                worktime.BREACH_MESSAGES[breach.code], **breach.params)) + " " +
                _("Studie- och yrkesvägledaren får veta det."), "warning")


def _posted_rows(form: DayReportForm, pupils: list[Placed]) -> list[dayrows.DayRow]:
    by_id = {str(p.assignment.id): p for p in pupils}
    return [dayrows.posted_row(row, _pupil(where) if where is not None else None)
            for row in form.pupils
            for where in [by_id.get(row.form.assignment.data)]]


# --- the supervisor's signed link --------------------------------------------------------------

def _link(token: str) -> tuple[links.SupervisorLink, list[Placed]]:
    link = links.read_token(token)
    pupils = overview.link_pupils(link)
    if not pupils:
        raise links.LinkError("empty")
    return link, pupils


@bp.errorhandler(links.LinkError)
def link_problem(error: links.LinkError) -> ResponseReturnValue:
    return render_template("prao/attendance/link_problem.html", reason=error.reason), 404


def _link_reporter(link: links.SupervisorLink) -> Reporter:
    return Reporter(None, _("Handledare %(email)s (länk)", email=link.email))


@bp.route("/narvaro/<token>", methods=["GET", "POST"])
@public
def link_report(token: str) -> ResponseReturnValue:
    if request.method == "GET":
        return _show_link(token)
    link, pupils = _link(token)
    audit_read("read_attendance_link", None, pupils=len(pupils), detail="link")
    form = DayReportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        result = _save_day(form, _entries(form), link.day,
                           {p.assignment.id: p for p in pupils}, _link_reporter(link))
        if isinstance(result, services.ReportOutcome):
            _flash_outcome(result)
            return redirect(url_for("attendance.link_report", token=token))
        problems = result
    # Read only now: a saved report goes straight to the page that shows it.
    reported = overview.reported([p.assignment.id for p in pupils], link.day)
    return _link_page(form, link, token, _posted_rows(form, pupils), problems, reported), 400


def _show_link(token: str) -> ResponseReturnValue:
    """The day's form as the supervisor opens it: the link's pupils are read as plain rows
    (`overview.link_rows`), the same pupils `_link` loads as objects for a report."""
    link = links.read_token(token)
    pupils = overview.link_rows(link)
    if not pupils:
        raise links.LinkError("empty")
    audit_read("read_attendance_link", None, pupils=len(pupils), detail="link")
    reported = overview.reported([p.assignment_id for p in pupils], link.day)
    return _link_page(DayReportForm(), link, token, _new_rows(pupils, reported), [],
                      reported), 200


def _link_page(form: DayReportForm, link: links.SupervisorLink, token: str,
               rows: list[dayrows.DayRow], problems: list[str],
               reported: Mapping[int, Reported]) -> str:
    return render_template("prao/attendance/link_report.html", form=form, token=token,
                           link=link, rows=rows, problems=problems, reported=reported,
                           **_labels())


@bp.route("/narvaro/<token>/tillbud", methods=["GET", "POST"])
@public
def link_incident(token: str) -> ResponseReturnValue:
    link, pupils = _link(token)
    audit_read("read_incident_link", None, pupils=len(pupils), detail="link")
    by_id = {p.assignment.id: p for p in pupils}
    form = LinkIncidentForm()
    form.pupil.choices = choices([("", _("Välj elev"))] + [
        (p.assignment.id, p.name) for p in pupils])
    if request.method == "GET":
        form.day.data, form.at.data = link.day, clock.local_now().time().replace(
            second=0, microsecond=0)
        saved = db.session.get(Incident, request.args.get("sparad", 0, type=int) or 0)
        if saved is not None and saved.assignment_id not in by_id:
            saved = None
        return render_template("prao/attendance/incident_form.html", form=form, token=token,
                               saved=saved, saved_pupil=by_id[saved.assignment_id].name
                               if saved is not None else None, **_labels())
    valid = form.validate_on_submit()
    where = by_id.get(form.pupil.data or 0)
    if form.is_submitted() and where is None and not form.pupil.errors:
        # Only when no pupil is chosen: another field's mistake is not the pupil's.
        form.pupil.errors.append(_("Välj en av eleverna i listan."))
    if valid and where is not None:
        incident = _save_incident(form, where, _link_reporter(link))
        if incident is not None:
            return redirect(url_for("attendance.link_incident", token=token,
                                    sparad=incident.id))
    return render_template("prao/attendance/incident_form.html", form=form, token=token,
                           saved=None, **_labels()), 400


def _save_incident(form: IncidentForm, where: Placed, reporter: Reporter) -> Incident | None:
    try:
        incident = services.report_incident(where, services.IncidentData(
            kind=IncidentKind(form.kind.data), severity=IncidentSeverity(form.severity.data),
            day=form.day.data, at=form.at.data, what=form.what.data or "",
            injury=form.injury.data or "", measures=form.measures.data or ""), reporter)
    except AttendanceError as error:
        db.session.rollback()
        for problem in error.problems:
            getattr(form, problem.field).errors.append(str(problem.message))
        return None
    flash(_("Händelsen är rapporterad. Skolans studie- och yrkesvägledare och samordnaren "
            "har fått ett mejl."), "success")
    return incident


# --- the employer --------------------------------------------------------------------------

def _organisation_id() -> int:
    if current_user.organisation_id is None:
        abort(404)
    return int(current_user.organisation_id)


def _employer_reporter() -> Reporter:
    return Reporter(current_user, current_user.name)


@bp.route("/arbetsgivare/narvaro", methods=["GET", "POST"])
@require("attendance.report")
@reads_query(DayChoiceForm)
def employer_day() -> ResponseReturnValue:
    organisation_id = _organisation_id()
    choice = DayChoiceForm(request.args)
    choice.validate()
    form = EmployerDayReportForm()
    day, problems = choice.chosen(clock.today()), []
    if request.method == "POST":
        day = form.day.data or day
    if request.method == "POST" and form.validate_on_submit():
        entries = _entries(form)
        posted = [e.assignment_id for e in entries or []]
        result = _save_day(form, entries, day, services.of_organisation(organisation_id, posted),
                           _employer_reporter())
        if isinstance(result, services.ReportOutcome):
            _flash_outcome(result)
            return redirect(url_for("attendance.employer_day", dag=day.isoformat()))
        problems = result
    pupils = overview.employer_pupils(organisation_id, day)
    audit_read("read_employer_day", current_user.organisation, pupils=len(pupils),
               detail=day.isoformat())
    reported = overview.reported([p.assignment.id for p in pupils], day)
    if request.method == "GET":
        form.day.data = day
        rows = _new_rows([_pupil(p) for p in pupils], reported)
    else:
        rows = _posted_rows(form, pupils)
    return render_template(
        "prao/attendance/employer_day.html", form=form, choice=choice, day=day,
        rows=rows, problems=problems, prao_day=is_prao_day(day),
        future=day > clock.today(), reported=reported,
        **_labels()), 400 if request.method == "POST" else 200


def _assignment(assignment_id: int, action: str) -> Placed:
    """Load and authorize in one call: 404 outside the user's scope, or when missing."""
    get_authorized(action, Assignment, assignment_id)
    found = services.placed([assignment_id]).get(assignment_id)
    if found is None:
        abort(404)
    return found


@bp.route("/arbetsgivare/narvaro/elev/<int:assignment_id>")
@require("attendance.report")
def employer_pupil(assignment_id: int) -> ResponseReturnValue:
    where = _assignment(assignment_id, "attendance.report")
    days = overview.reported_days(assignment_id)
    audit_read("read_employer_pupil", where.assignment)
    worked = [worktime.WorkedDay(d.day, d.start_time, d.end_time, d.break_minutes)
              for d in days if d.start_time and d.end_time]
    return render_template("prao/attendance/employer_pupil.html", where=where, days=days,
                           incidents=overview.incidents_of(assignment_id),
                           reportable=where.assignment.state in services.REPORTABLE,
                           breaches=worktime.breaches(worked),
                           minutes=sum(worktime.worked_minutes(w) for w in worked),
                           messages=worktime.BREACH_MESSAGES, hours_text=worktime.hours_text,
                           **_labels())


# --- the counsellor ------------------------------------------------------------------------

@bp.route("/perioder/<int:period_id>/narvaro")
@require("attendance.follow")
def period_overview(period_id: int) -> ResponseReturnValue:
    period = get_authorized("attendance.follow", PraoPeriod, period_id)
    today = clock.today()
    audit_read("read_attendance_period", period)
    return render_template("prao/attendance/period.html",
                           overview=overview.period_overview(period),
                           cells=AttendanceRowWriter(today, _not_prao_day(today)))


def _not_prao_day(day: date) -> str:
    """Why `day` is no prao day ("" when it is one): nobody reports a weekend or a
    Swedish public holiday, so the overview must not call it "not reported"."""
    if is_prao_day(day):
        return ""
    return _("helg") if day.weekday() >= 5 else _("helgdag")


def _render_record(where: Placed, follow_up: FollowUpForm | None = None,
                   status: int = 200) -> ResponseReturnValue:
    audit_read("read_attendance_record", where.assignment)
    return render_template("prao/attendance/record.html", record=overview.record(where),
                           follow_up=follow_up or FollowUpForm(), excuse=ExcuseForm(),
                           today=clock.today(), hours_text=worktime.hours_text,
                           worked_minutes=_worked_minutes, **_labels()), status


def _worked_minutes(day: AttendanceDay) -> int:
    if day.start_time is None or day.end_time is None:
        return 0
    return worktime.worked_minutes(worktime.WorkedDay(day.day, day.start_time, day.end_time,
                                                      day.break_minutes))


@bp.route("/uppfoljning/<int:assignment_id>")
@require("attendance.follow")
def record(assignment_id: int) -> ResponseReturnValue:
    return _render_record(_assignment(assignment_id, "attendance.follow"))


@bp.route("/uppfoljning/<int:assignment_id>/franvaro", methods=["POST"])
@require("attendance.excuse")
def excuse(assignment_id: int) -> ResponseReturnValue:
    where = _assignment(assignment_id, "attendance.excuse")
    form = ExcuseForm()
    if not form.validate_on_submit():
        flash(_("Välj dag och om frånvaron var giltig eller ogiltig."), "danger")
    else:
        try:
            services.mark_excused(where, form.day.data, form.excused.data == "yes",
                                  current_user)
        except AttendanceError as error:
            db.session.rollback()
            flash(str(error.problems[0].message), "danger")
        else:
            flash(_("Frånvaron är bedömd."), "success")
    return redirect(url_for("attendance.record", assignment_id=assignment_id) + "#dagar")


@bp.route("/uppfoljning/<int:assignment_id>/kontakt", methods=["POST"])
@require("followup.record")
def follow_up(assignment_id: int) -> ResponseReturnValue:
    where = _assignment(assignment_id, "followup.record")
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.log_follow_up(where, services.FollowUpData(
                kind=FollowUpKind(form.kind.data), enjoys=form.enjoys.data or "",
                adjust=form.adjust.data or "", tasks=form.tasks.data or "",
                plan=form.plan.data or "", questions=form.questions.data or "",
                note=form.note.data or ""), current_user)
        except AttendanceError as error:
            db.session.rollback()
            for problem in error.problems:
                getattr(form, problem.field).errors.append(str(problem.message))
        else:
            flash(_("Uppföljningen är sparad."), "success")
            return redirect(url_for("attendance.record", assignment_id=assignment_id) +
                            "#uppfoljning")
    return _render_record(where, form, 400)


@bp.route("/uppfoljning/<int:assignment_id>/tillbud", methods=["GET", "POST"])
@require("incident.report")
def incident(assignment_id: int) -> ResponseReturnValue:
    return _incident(assignment_id, "incident.report",
                     url_for("attendance.record", assignment_id=assignment_id))


@bp.route("/arbetsgivare/narvaro/elev/<int:assignment_id>/tillbud", methods=["GET", "POST"])
@require("incident.employer")
def employer_incident(assignment_id: int) -> ResponseReturnValue:
    """The signed-in employer where the pupil is reports, as a supervisor's link does."""
    return _incident(assignment_id, "incident.employer",
                     url_for("attendance.employer_pupil", assignment_id=assignment_id))


def _incident(assignment_id: int, action: str, back: str) -> ResponseReturnValue:
    where = _assignment(assignment_id, action)
    if where.assignment.state not in services.REPORTABLE:
        flash(_("Eleven är inte bekräftad på arbetsplatsen än. En olycka eller ett tillbud "
                "rapporteras när eleven är där på prao."), "info")
        return redirect(back)
    audit_read("read_incident_form", where.assignment)
    form = IncidentForm()
    if request.method == "GET":
        form.day.data = min(clock.today(), where.assignment.enrolment.period.last_day)
        form.at.data = clock.local_now().time().replace(second=0, microsecond=0)
    elif form.validate_on_submit():
        found = _save_incident(form, where, Reporter(current_user, current_user.name))
        if found is not None:
            return redirect(back + "#handelser")
    return render_template("prao/attendance/incident_form.html", form=form, where=where,
                           token=None, saved=None, back=back, **_labels()), \
        400 if request.method == "POST" else 200

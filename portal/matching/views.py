"""Matching rounds: start one over chosen periods, review the draft with every pupil's
explanation, move pupils by hand, run it again or discard it, publish after a summary, and
withdraw a published round while no employer has answered.

The blueprint lives here rather than in the package's __init__, so that importing the
pure engine (portal.matching.engine, and its command line) never imports Flask."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.accounts.permissions import can, get_authorized, require
from portal.audit import audit_read
from portal.clock import today
from portal.extensions import db
from portal.formtools import choices
from portal.matching import services
from portal.matching.engine import Step
from portal.matching.forms import MoveForm, RoundForm
from portal.matching.models import MatchingRun, MatchResult, RunStatus
from portal.schools.models import PraoPeriod
from portal.schools.services import period_is_over, periods_for
from portal.urls import page_number

bp = Blueprint("matching", __name__)


def _my_periods() -> list[PraoPeriod]:
    return periods_for(current_user)


@bp.route("/matchning", methods=["GET", "POST"])
@require("matching.run")
def rounds() -> ResponseReturnValue:
    periods = _my_periods()
    # A period that is over is a record: no new round places its pupils.
    open_periods = [p for p in periods if not period_is_over(p, today())]
    form = RoundForm()
    form.periods.choices = choices((p.id, f"{p.name} – {p.school.name}") for p in open_periods)
    if form.validate_on_submit():
        chosen = [p for p in open_periods if p.id in set(form.periods.data)]
        try:
            run = services.start_round(current_user, chosen, form.policy.data,
                                       Step(form.last_step.data), form.seed.data)
        except services.MatchingError as error:
            form.periods.errors.append(str(error))
        else:
            flash(_("Rundan är klar. Granska resultatet innan du publicerar."), "success")
            return redirect(url_for("matching.run", run_id=run.id))
    # A region-wide round touching one's periods is the coordinator's, not the counsellor's.
    runs = [r for r in services.runs_for([p.id for p in periods])
            if can(current_user, "matching.run", r)]
    return render_template("matching/rounds.html", form=form, runs=runs)


def _run(run_id: int) -> MatchingRun:
    return get_authorized("matching.run", MatchingRun, run_id)


def _wishes_still_open(found: MatchingRun) -> list[PraoPeriod]:
    """The round's periods whose pupils may still wish: a wish made after the round ran is
    not in it, so a draft published now leaves those pupils out."""
    return [p for p in found.periods if p.wishes_close >= today()]


@bp.route("/matchning/<int:run_id>")
@require("matching.run")
def run(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    only_unplaced = request.args.get("visa") == "utan-plats"
    page = services.results_page(found, only_unplaced, page_number(request.args))
    audit_read("read_matching_run", found, detail=f"page {page_number(request.args)}")
    return render_template(
        "matching/run.html", run=found, page=page, stats=services.stats(found),
        first_stats=json.loads(found.stats), sectors=services.seats_left_by_sector(found),
        only_unplaced=only_unplaced, statuses=RunStatus, policies=services.PRIORITY_POLICIES,
        steps=services.STEP_LABELS, wishes_open=_wishes_still_open(found),
        withdraw=services.withdraw_plan(found) if found.status is RunStatus.PUBLISHED else None)


@bp.route("/matchning/<int:run_id>/elev/<int:result_id>", methods=["GET", "POST"])
@require("matching.run")
def move(run_id: int, result_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    result = db.session.get(MatchResult, result_id)
    if result is None or result.run_id != found.id:
        abort(404)
    if found.status is not RunStatus.DRAFT:
        flash(str(services.NOT_A_DRAFT[found.status]), "info")
        return redirect(url_for("matching.run", run_id=run_id))
    options = services.move_options(found, result)
    form = MoveForm()
    form.offer.choices = choices([(0, _("Ingen plats"))] + [
        (o.id, ngettext("%(title)s, %(org)s (%(num)d ledig)",
                        "%(title)s, %(org)s (%(num)d lediga)", left,
                        title=o.placement.title, org=o.placement.organisation.name))
        for o, left in options])
    if form.validate_on_submit():
        try:
            services.move(found.id, result.id, form.offer.data or None, current_user)
        except services.RoundChanged as error:
            flash(str(error), "warning")
            return redirect(url_for("matching.run", run_id=run_id))
        except services.MatchingError as error:
            form.offer.errors.append(str(error))
        else:
            flash(_("Eleven är flyttad."), "success")
            return redirect(url_for("matching.run", run_id=run_id))
    elif request.method == "GET":
        form.offer.data = result.offer_id or 0
    audit_read("read_matching_result", result.enrolment)
    return render_template("matching/move.html", run=found, result=result, form=form,
                           no_seat_fits=not options)


@bp.route("/matchning/<int:run_id>/publicera", methods=["GET", "POST"])
@require("matching.run")
def publish(run_id: int) -> ResponseReturnValue:
    """GET: what publishing would do, to confirm; POST: publish."""
    found = _run(run_id)
    if request.method == "GET":
        if found.status is not RunStatus.DRAFT:
            flash(str(services.PUBLISH_REFUSED[found.status]), "info")
            return redirect(url_for("matching.run", run_id=run_id))
        return render_template("matching/publish.html", run=found,
                               plan=services.publish_plan(found),
                               wishes_open=_wishes_still_open(found))
    try:
        done = services.publish(found.id, current_user)
    except services.MatchingError as error:
        flash(str(error), "warning")
    else:
        flash(_published_message(done), "success")
    return redirect(url_for("matching.run", run_id=run_id))


def _published_message(done: services.Published) -> str:
    parts = [ngettext("Rundan är publicerad: %(num)d elev har fått en föreslagen plats.",
                      "Rundan är publicerad: %(num)d elever har fått en föreslagen plats.",
                      done.placed)]
    if done.skipped:
        parts.append(ngettext(
            "%(num)d elev hade fått en egen plats eller befriats sedan rundan kördes och "
            "hoppades över.",
            "%(num)d elever hade fått en egen plats eller befriats sedan rundan kördes och "
            "hoppades över.", done.skipped))
    parts.append(ngettext("%(num)d e-postmeddelande ligger i utkorgen.",
                          "%(num)d e-postmeddelanden ligger i utkorgen.", done.emails))
    return " ".join(parts)


@bp.route("/matchning/<int:run_id>/dra-tillbaka", methods=["GET", "POST"])
@require("matching.run")
def withdraw(run_id: int) -> ResponseReturnValue:
    """GET: what withdrawing would do (or why it cannot), to confirm; POST: withdraw."""
    found = _run(run_id)
    if request.method == "GET":
        if found.status is not RunStatus.PUBLISHED:
            flash(str(services.WITHDRAW_REFUSED[found.status]), "info")
            return redirect(url_for("matching.run", run_id=run_id))
        return render_template("matching/withdraw.html", run=found,
                               plan=services.withdraw_plan(found))
    try:
        count = services.withdraw(found.id, current_user)
    except services.MatchingError as error:
        flash(str(error), "warning")
    else:
        flash(ngettext("Rundan är tillbakadragen: %(num)d föreslagen plats är borttagen och "
                       "rundan är ett utkast igen.",
                       "Rundan är tillbakadragen: %(num)d föreslagna platser är borttagna och "
                       "rundan är ett utkast igen.", count), "success")
    return redirect(url_for("matching.run", run_id=run_id))


@bp.route("/matchning/<int:run_id>/kor-om", methods=["POST"])
@require("matching.run")
def rerun(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    try:
        run = services.rerun(found.id, current_user)
    except services.MatchingError as error:
        flash(str(error), "warning")
        return redirect(url_for("matching.run", run_id=run_id))
    flash(_("Rundan är körd igen med samma lottfrö på dagens önskemål och platser. Den gamla "
            "rundan är kasserad."), "success")
    return redirect(url_for("matching.run", run_id=run.id))


@bp.route("/matchning/<int:run_id>/kassera", methods=["POST"])
@require("matching.run")
def discard(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    try:
        services.discard(found.id, current_user)
    except services.MatchingError as error:
        flash(str(error), "warning")
    else:
        flash(_("Utkastet är kasserat."), "success")
    return redirect(url_for("matching.run", run_id=run_id))

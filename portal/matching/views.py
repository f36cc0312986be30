"""Matching rounds: start one over chosen periods, review the draft with every pupil's
explanation, move pupils by hand, publish.

The blueprint lives here rather than in the package's __init__, so that importing the
pure engine (portal.matching.engine, and its command line) never imports Flask."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import authorize, can, require
from portal.extensions import db
from portal.formtools import choices
from portal.matching import services
from portal.matching.forms import MoveForm, RoundForm
from portal.matching.models import MatchingRun, MatchResult, RunStatus
from portal.schools.models import PraoPeriod
from portal.schools.services import periods_for
from portal.urls import page_number

bp = Blueprint("matching", __name__)


def _my_periods() -> list[PraoPeriod]:
    return periods_for(current_user)


@bp.route("/matchning", methods=["GET", "POST"])
@require("matching.run")
def rounds() -> ResponseReturnValue:
    periods = _my_periods()
    form = RoundForm()
    form.periods.choices = choices((p.id, f"{p.name} – {p.school.name}") for p in periods)
    if form.validate_on_submit():
        chosen = [p for p in periods if p.id in set(form.periods.data)]
        try:
            run = services.start_round(current_user, chosen, form.policy.data,
                                       form.second_round.data, form.seed.data)
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
    run = db.session.get(MatchingRun, run_id)
    authorize("matching.run", run)
    return run


@bp.route("/matchning/<int:run_id>")
@require("matching.run")
def run(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    only_unplaced = request.args.get("visa") == "utan-plats"
    page = services.results_page(found, only_unplaced, page_number(request.args))
    return render_template(
        "matching/run.html", run=found, page=page, stats=services.stats(found),
        first_stats=json.loads(found.stats), sectors=services.seats_left_by_sector(found),
        only_unplaced=only_unplaced, statuses=RunStatus, policies=services.PRIORITY_POLICIES)


@bp.route("/matchning/<int:run_id>/elev/<int:result_id>", methods=["GET", "POST"])
@require("matching.run")
def move(run_id: int, result_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    result = db.session.get(MatchResult, result_id)
    if result is None or result.run_id != found.id:
        abort(404)
    options = services.move_options(found, result)
    form = MoveForm()
    form.offer.choices = choices([(0, _("Ingen plats"))] + [
        (o.id, _("%(title)s, %(org)s (%(left)d lediga)", title=o.placement.title,
                 org=o.placement.organisation.name, left=left)) for o, left in options])
    if form.validate_on_submit():
        try:
            services.move(found.id, result.id, form.offer.data or None, current_user)
        except services.MatchingError as error:
            form.offer.errors.append(str(error))
        else:
            flash(_("Eleven är flyttad."), "success")
            return redirect(url_for("matching.run", run_id=run_id))
    elif request.method == "GET":
        form.offer.data = result.offer_id or 0
    return render_template("matching/move.html", run=found, result=result, form=form)


@bp.route("/matchning/<int:run_id>/publicera", methods=["POST"])
@require("matching.run")
def publish(run_id: int) -> ResponseReturnValue:
    found = _run(run_id)
    try:
        placed = services.publish(found.id, current_user)
    except services.MatchingError as error:
        flash(str(error), "danger")
    else:
        flash(_("Rundan är publicerad: %(n)d elever har fått en föreslagen plats och "
                "e-post ligger i utkorgen.", n=placed), "success")
    return redirect(url_for("matching.run", run_id=run_id))

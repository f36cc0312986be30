"""The council's report pages, their exports and the coordinator's targets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal.accounts.models import Role
from portal.accounts.permissions import can, require
from portal.formtools import choices
from portal.reports import services, snapshots
from portal.reports.forms import RefreshForm, TargetForm, decimal
from portal.reports.tables import TERM_LABELS, Scope

bp = Blueprint("reports", __name__)


def _args(scope: Scope) -> dict[str, Any]:
    """The filters that name the scope, for links back to the same report."""
    found: dict[str, Any] = {"lasar": str(scope.school_year)}
    if scope.term is not None:
        found["termin"] = scope.term.value
    if scope.municipality_id is not None:
        found["kommun"] = str(scope.municipality_id)
    return found


def _scope() -> Scope:
    try:
        return services.read_scope(request.args, current_user)
    except services.OutOfScope:
        abort(404)


def _sections(scope: Scope, sections: services.Sections) -> Markup:
    # Rendered by Jinja with autoescape: every text in it is escaped already.
    return Markup(render_template(  # noqa: S704
        "reports/_sections.html", scope=scope, sections=sections, cell=services.cell_text,
        figure=services.headline_text, row_label=services.row_label,
        target=services.target_text, bound=services.bound_text,
        mark=services.headline_mark))


@bp.route("/rapporter")
@require("report.read")
def report() -> ResponseReturnValue:
    scope = _scope()
    may_refresh = can(current_user, "report.refresh")
    body, updated = services.rendered_sections(scope, lambda sections: _sections(scope, sections))
    municipalities = services.municipalities_for(current_user)
    return render_template(
        "reports/report.html", scope=scope, body=body, updated=updated,
        refresh_form=RefreshForm() if may_refresh else None,
        refresh_requested=snapshots.refresh_requested_at(scope) if may_refresh else None,
        refresh_url=url_for("reports.refresh", **_args(scope)),
        municipality_name=services.municipality_name(scope, municipalities),
        years=services.school_years(), terms=TERM_LABELS, municipalities=municipalities,
        region_allowed=not (current_user.role is Role.COUNCIL
                            and current_user.municipality_id is not None))


@bp.route("/rapporter/uppdatera", methods=["POST"])
@require("report.refresh")
def refresh() -> ResponseReturnValue:
    """The coordinator computes the scope's figures again now (the jobs command does it
    hourly); back to the same report."""
    scope = _scope()
    if RefreshForm().validate_on_submit():
        if services.refresh(scope):
            flash(_("Rapporten är uppdaterad."), "success")
        else:
            flash(_("Uppdateringen är beställd. Rapporten tar en stund att räkna fram och "
                    "görs i bakgrunden. Ladda om sidan om några minuter."), "info")
    return redirect(url_for("reports.report", **_args(scope)))


@bp.route("/rapporter/<key>.<any(csv, xlsx):extension>")
@require("report.read")
def export(key: str, extension: str) -> ResponseReturnValue:
    scope = _scope()
    shown = services.one_table(key, scope)
    if shown is None:
        abort(404)
    made = services.to_csv(shown, scope) if extension == "csv" else services.to_xlsx(shown, scope)
    return Response(made.content, content_type=made.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{made.filename}"'})


@bp.route("/rapporter/mal", methods=["GET", "POST"])
@require("target.edit")
def targets() -> ResponseReturnValue:
    form = TargetForm()
    indicators = services.target_choices()
    form.units = {c.key: c.unit for c in indicators}
    form.indicator.choices = choices([("", _("Välj indikator")),
                                      *((c.key, _(c.title)) for c in indicators)])
    form.municipality.choices = choices([("", _("Hela regionen")), *(
        (m.id, m.name) for m in services.municipalities_for(current_user))])
    years = services.school_years()
    form.school_year.choices = choices([("", _("Välj läsår")), *(
        (y, Scope(y).label) for y in years)])
    if form.validate_on_submit():
        value = decimal(form.value.data or "")
        assert value is not None  # validate_value accepted it
        if services.set_target(current_user, form.indicator.data,
                               form.municipality.data or None, form.school_year.data, value):
            flash(_("Målet är sparat."), "success")
            return redirect(url_for("reports.targets"))
        flash(_("Målet kunde inte sparas: kommunen finns inte längre. Välj igen."), "danger")
    titles = {c.key: c.title for c in indicators}
    ceilings = {c.key for c in indicators if not c.higher_is_better}
    return render_template("reports/targets.html", form=form, targets=services.all_targets(),
                           titles=titles, units=form.units, ceilings=ceilings,
                           figure=services.target_text)

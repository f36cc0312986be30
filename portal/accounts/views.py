"""Sign-in, sign-out, password reset, invitations and the coordinator's accounts: the list,
one account's role and scope, switching an account off and on."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.accounts import bp, services
from portal.accounts.forms import (
    AccessForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    SetPasswordForm,
)
from portal.accounts.models import Role, User
from portal.accounts.permissions import INVITABLE_ROLES, public, require
from portal.accounts.tokens import TokenError
from portal.extensions import db, limiter
from portal.formtools import PortalForm, choices
from portal.schools.models import Municipality, School
from portal.templating import ROLE_LABELS
from portal.urls import page_number, safe_next


def _client_ip() -> str:
    return request.remote_addr or ""


def _account_key() -> str:
    return "login-account:" + services.normalize_email(request.form.get("email", ""))


def _failed_attempt(response: Response) -> bool:
    # A successful sign-in redirects; only a form shown again costs an attempt.
    return response.status_code != 302


def _start_session(user: User) -> None:
    chosen = session.get("lang")  # the language switched to before signing in
    session.clear()  # a fresh session on every sign-in: nothing carried over
    login_user(user)
    services.record_login(user, _client_ip(), chosen)
    session["lang"] = user.language


@bp.route("/logga-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"],
               deduct_when=_failed_attempt)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key, deduct_when=_failed_attempt)
@public
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.start"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and not user.active:
            # Only said to someone who knows the password, so it reveals nothing.
            form.email.errors.append(_("Ditt konto är avstängt. Kontakta samordnaren i "
                                       "regionen om du ska använda portalen igen."))
        elif user is not None and services.needs_verification(user):
            # Only said to someone who knows the password, so it reveals nothing.
            services.resend_verification(user)
            form.email.errors.append(_("Bekräfta din e-postadress innan du loggar in. Vi har "
                                       "skickat en ny länk till %(email)s.", email=user.email))
        elif user is not None:
            _start_session(user)
            return redirect(safe_next(request.args.get("next"), url_for("main.start")))
        else:
            # One message whether the email is unknown or the password wrong.
            form.password.errors.append(_("Fel e-postadress eller lösenord."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    lang = session.get("lang")
    services.end_sessions(current_user, _client_ip())
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Du är utloggad."), "success")
    return redirect(url_for("main.index"))


def _reset_key() -> str:
    return "reset-account:" + services.normalize_email(request.form.get("email", ""))


@bp.route("/losenord/glomt", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_reset_key)
@public
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, _client_ip())
        flash(_("Om adressen finns hos oss har vi skickat en länk för att välja ett nytt "
                "lösenord. Länken gäller i en timme."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _token_problem(error: TokenError, purpose: str) -> ResponseReturnValue:
    return render_template("accounts/link_problem.html", reason=error.reason,
                           purpose=purpose), 400


@bp.route("/losenord/aterstall/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> ResponseReturnValue:
    try:
        user = services.user_for_reset(token)
    except TokenError as error:
        return _token_problem(error, "reset")
    form = SetPasswordForm(account_email=user.email, account_name=user.name)
    if form.validate_on_submit():
        services.reset_password(token, form.password.data, _client_ip())
        flash(_("Ditt lösenord är bytt. Logga in med det nya lösenordet."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form, purpose="reset", user=user)


@bp.route("/inbjudan/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> ResponseReturnValue:
    try:
        user = services.user_for_invitation(token)
    except TokenError as error:
        return _token_problem(error, "invitation")
    form = SetPasswordForm(account_email=user.email, account_name=user.name)
    if form.validate_on_submit():
        user = services.accept_invitation(token, form.password.data, _client_ip())
        _start_session(user)
        flash(_("Välkommen! Ditt konto är klart."), "success")
        return redirect(url_for("main.start"))
    return render_template("accounts/set_password.html", form=form, purpose="invitation",
                           user=user)


@bp.route("/anvandare")
@require("user.list")
def users() -> ResponseReturnValue:
    page = page_number(request.args)
    query = request.args.get("q", "")[:200]
    return render_template("accounts/users.html", query=query,
                           pagination=services.list_users(page, query))


# From this many schools on, the list gets a search box (a region has a few dozen, the
# country 1,400).
SCHOOL_FILTER_FROM = 12


def _scope_choices(form: InviteForm | AccessForm) -> None:
    form.role.choices = choices([("", _("Välj roll"))]
                                + [(r.value, ROLE_LABELS[r]) for r in INVITABLE_ROLES])
    # A country has many schools of one name: the municipality tells them apart.
    schools = db.session.execute(
        select(School.id, School.name, Municipality.name)
        .join(Municipality, Municipality.id == School.municipality_id)
        .order_by(School.name, Municipality.name, School.id))
    form.schools.choices = choices((id_, f"{name} ({place})") for id_, name, place in schools)
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name))
    form.municipality.choices = choices([(0, _("Hela regionen"))]
                                        + [(m.id, m.name) for m in municipalities])


def _invite_form() -> InviteForm:
    form = InviteForm()
    _scope_choices(form)
    return form


def _access_form(user: User) -> AccessForm:
    form = AccessForm(data=None if request.method == "POST" else {
        "role": user.role.value, "schools": [s.id for s in user.schools],
        "municipality": user.municipality_id or 0})
    _scope_choices(form)
    return form


@bp.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
@require("user.manage")
def user(user_id: int) -> ResponseReturnValue:
    target = db.get_or_404(User, user_id)
    # Nothing of one's own to change here: a coordinator's role is changed by another one.
    form = (_access_form(target) if target.role is not Role.EMPLOYER
            and target.id != current_user.id else None)
    if form is not None and form.validate_on_submit():
        try:
            changed = services.change_access(
                current_user, target.id, role=Role(form.role.data),
                school_ids=form.schools.data or [],
                municipality_id=form.municipality.data or None)
        except services.AccountError as error:
            _show_account_error(form, error)
        else:
            flash(_("Behörigheten är ändrad.") if changed
                  else _("Inget ändrades: behörigheten var redan sådan."),
                  "success" if changed else "info")
            return redirect(url_for("accounts.user", user_id=target.id))
    return render_template("accounts/user.html", target=target, form=form,
                           retention_months=current_app.config["RETENTION_MONTHS"],
                           school_filter_from=SCHOOL_FILTER_FROM)


def _show_account_error(form: PortalForm, error: services.AccountError) -> None:
    if error.field and hasattr(form, error.field):
        getattr(form, error.field).errors.append(str(error.message))
    else:
        flash(str(error.message), "danger")


@bp.route("/anvandare/<int:user_id>/<any('stang-av', 'oppna'):switch>", methods=["POST"])
@require("user.manage")
def switch(user_id: int, switch: str) -> ResponseReturnValue:
    target = db.get_or_404(User, user_id)
    active = switch == "oppna"
    if PortalForm().validate_on_submit():
        try:
            changed = services.set_active(current_user, target.id, active)
        except services.AccountError as error:
            flash(str(error.message), "danger")
        else:
            flash(_switch_message(target, active, changed), "success" if changed else "info")
    return redirect(url_for("accounts.user", user_id=target.id))


@bp.route("/anvandare/<int:user_id>/bjud-in-igen", methods=["POST"])
@require("user.manage")
def reinvite(user_id: int) -> ResponseReturnValue:
    target = db.get_or_404(User, user_id)
    if PortalForm().validate_on_submit():
        try:
            sent = services.resend_invitation(current_user, target.id)
        except services.AccountError as error:
            flash(str(error.message), "danger")
        else:
            flash(_("En ny inbjudan till %(email)s ligger i utkorgen och skickas strax.",
                    email=target.email) if sent else
                  _("Inbjudan skickades nyss. Ingen ny skickades."),
                  "success" if sent else "info")
    return redirect(url_for("accounts.user", user_id=target.id))


def _switch_message(user: User, active: bool, changed: bool) -> str:
    if active and changed and not user.has_password:
        return _("Kontot är öppet igen. %(name)s har inte valt lösenord, så en ny inbjudan "
                 "ligger i utkorgen och skickas strax.", name=user.name)
    if active:
        return (_("%(name)s kan logga in igen.", name=user.name) if changed
                else _("%(name)s kunde redan logga in.", name=user.name))
    return (_("%(name)s är avstängd och utloggad överallt.", name=user.name) if changed
            else _("%(name)s var redan avstängd.", name=user.name))


@bp.route("/anvandare/bjud-in", methods=["GET", "POST"])
@require("user.invite")
def invite() -> ResponseReturnValue:
    form = _invite_form()
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                current_user, email=form.email.data, name=form.name.data,
                role=Role(form.role.data), school_ids=form.schools.data or [],
                municipality_id=form.municipality.data or None,
                language=form.language.data)
        except services.AccountError as error:
            getattr(form, error.field).errors.append(str(error.message))
        else:
            flash(_("Inbjudan till %(email)s ligger i utkorgen och skickas strax.",
                    email=user.email), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/invite.html", form=form,
                           school_filter_from=SCHOOL_FILTER_FROM)

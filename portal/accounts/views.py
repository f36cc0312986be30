"""Sign-in, sign-out, password reset, invitations and the coordinator's user list."""

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
from portal.accounts.forms import ForgotPasswordForm, InviteForm, LoginForm, SetPasswordForm
from portal.accounts.models import Role, User
from portal.accounts.permissions import INVITABLE_ROLES, public, require
from portal.accounts.tokens import TokenError
from portal.extensions import db, limiter
from portal.formtools import choices
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
        if user is not None and services.needs_verification(user):
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
    return render_template("accounts/users.html", pagination=services.list_users(page))


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.role.choices = choices([("", _("Välj roll"))]
                                + [(r.value, ROLE_LABELS[r]) for r in INVITABLE_ROLES])
    schools = db.session.scalars(select(School).order_by(School.name))
    form.schools.choices = choices((s.id, s.name) for s in schools)
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name))
    form.municipality.choices = choices([(0, _("Hela regionen"))]
                                        + [(m.id, m.name) for m in municipalities])
    return form


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
    return render_template("accounts/invite.html", form=form)

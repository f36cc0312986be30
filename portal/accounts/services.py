"""Account use cases: sign-in, password reset, invitations, email verification. Each commits
its own work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import cache
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import Role, User, new_session_token
from portal.accounts.tokens import (
    INVITATION_SALT,
    RESET_SALT,
    VERIFY_EMAIL_SALT,
    TokenError,
    make_token,
    read_token,
)
from portal.audit import audit
from portal.concurrency import first_wins
from portal.db import utcnow
from portal.extensions import db
from portal.notifications import messages
from portal.notifications.outbox import queued_just_now
from portal.schools.models import Municipality, School
from portal.textrules import normalise

VERIFY_MAX_AGE = 7 * 24 * 3600
# The same invitation sent again within this time is a repeat (a double click, a reload),
# answered as sent; later, the address is taken.
REPEAT_WINDOW = timedelta(minutes=10)
# A reset asked for again within a minute sends no second email (the first link works):
# notifications.outbox.queued_just_now.
# Checked when the email is unknown, so both answers take as long.
_DUMMY_HASH = generate_password_hash("praoportalen-ingen-användare")


class AccountError(ValueError):
    """A rule was broken; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message  # lazily translated: rendered in the user's language


def normalize_email(email: str) -> str:
    """The address as accounts are found by it: NFKC as every form reads text (full-width
    'ｖ' is 'v'), so the login limit per account counts every way of writing it as one."""
    return normalise(email).strip().lower()


def find_user(email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == normalize_email(email))
    return db.session.scalars(stmt).first()


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user  # possibly switched off: the caller says so, to the one who knows the password


def record_login(user: User, ip: str, language: str | None = None) -> None:
    """`language`: the one the user chose with the switch before signing in, kept for their
    emails; without one the user's stored language is theirs again."""
    user.last_login_at = utcnow()
    if language is not None and language in current_app.config["PORTAL_LANGUAGES"]:
        user.language = language
    audit(user, "login", user, ip=ip)
    db.session.commit()


def end_sessions(user: User, ip: str) -> None:
    """Sign out everywhere: a new session token makes every copy of the session cookie (and
    every unused emailed link, which names the token) worthless, not just this browser's."""
    user.session_token = new_session_token()
    audit(user, "logout", user, ip=ip)
    db.session.commit()


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an email: the portal's public address, never the request's Host."""
    return current_app.config["PORTAL_BASE_URL"] + url_for(endpoint, **values)


def request_password_reset(email: str, ip: str) -> None:
    """Queue a reset link when the account exists; say nothing either way. An unknown
    address does the same work (a link signed, the email rendered, an audit row written),
    only the email is never kept: both answers take as long. The same request twice (a
    double click) sends one email: the second finds the first's link on its way."""
    address = normalize_email(email)
    _lock_account(address)
    user = find_user(address)
    known = user is not None and user.active and user.password_hash is not None
    recipient = user if known and user is not None else _stand_in(email)
    if queued_just_now("password_reset", recipient.email) and known:
        db.session.rollback()
        return
    link = external_url("accounts.reset_password", token=make_token(recipient, RESET_SALT))
    queued = messages.password_reset(recipient, link)
    if known:
        audit(user, "password_reset_requested", user, ip=ip)
    else:
        db.session.expunge(queued)
        audit(None, "password_reset_requested", ip=ip, detail="no such account")
    db.session.commit()


def _lock_account(address: str) -> None:
    """A no-op UPDATE of the account opening a fresh transaction: a row lock on PostgreSQL,
    the write lock on SQLite. A second request at the same moment waits until the first
    commits its email, then sees it. An unknown address matches no row, at the same cost."""
    db.session.rollback()
    db.session.execute(update(User).where(func.lower(User.email) == address)
                       .values(session_token=User.session_token)
                       .execution_options(synchronize_session=False))


def _stand_in(email: str) -> User:
    """A user that is never stored, for the work an unknown address must cost as well."""
    return User(id=0, email=normalize_email(email)[:254], name="", language="sv",
                session_token=new_session_token())


def user_for_reset(token: str) -> User:
    return read_token(token, RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE"])


def reset_password(token: str, password: str, ip: str) -> User:
    user = user_for_reset(token)
    set_password(user, password)
    audit(user, "password_reset", user, ip=ip)
    db.session.commit()
    return user


def user_for_invitation(token: str) -> User:
    user = read_token(token, INVITATION_SALT, current_app.config["INVITATION_MAX_AGE"])
    if user.password_hash is not None:
        raise TokenError("used")
    return user


def accept_invitation(token: str, password: str, ip: str) -> User:
    user = user_for_invitation(token)
    set_password(user, password)
    user.email_verified_at = utcnow()  # the link reached the address: it is proven
    audit(user, "invitation_accepted", user, ip=ip)
    db.session.commit()
    return user


def _check_invite_scope(role: Role, schools: list[School]) -> None:
    if role is Role.COUNSELLOR and not schools:
        raise AccountError("schools", _l("Välj minst en skola för studie- och yrkesvägledaren."))


def set_language(user: User, language: str) -> None:
    """The signed-in user switched the page language: their emails follow it from now on."""
    if user.language != language:
        user.language = language
        db.session.commit()


def invite_user(inviter: User, *, email: str, name: str, role: Role,
                school_ids: Iterable[int] = (), municipality_id: int | None = None,
                language: str = "sv") -> User:
    """Create the account without a password and queue the invitation, in one transaction.
    The same invitation sent twice at once (a double click) makes one account and one email,
    and both answers say it is sent."""
    user = first_wins(lambda: _invite(inviter, email, name, role, list(school_ids),
                                      municipality_id, language))
    db.session.commit()
    return user


def _invite(inviter: User, email: str, name: str, role: Role, school_ids: list[int],
            municipality_id: int | None, language: str) -> User:
    email = normalize_email(email)
    existing = find_user(email)
    if existing is not None and _same_invitation(existing, inviter, role):
        return existing  # the repeat of a double click: its invitation is in the outbox
    if existing is not None:
        raise AccountError("email", _l("Det finns redan ett konto med den e-postadressen."))
    schools = list(db.session.scalars(select(School).where(School.id.in_(school_ids))))
    _check_invite_scope(role, schools)
    municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
    user = User(email=email, name=name.strip(), role=role, invited_by_id=inviter.id,
                language=language,
                schools=schools if role is Role.COUNSELLOR else [],
                municipality=municipality if role is Role.COUNCIL else None)
    db.session.add(user)
    db.session.flush()
    _send_invitation(user, inviter)
    audit(inviter, "user_invited", user, detail=role.value)
    return user


def _send_invitation(user: User, inviter: User) -> None:
    link = external_url("accounts.accept_invitation", token=make_token(user, INVITATION_SALT))
    messages.invitation(user, inviter, link)


def _same_invitation(existing: User, inviter: User, role: Role) -> bool:
    """The account is this inviter's invitation of a moment ago, not yet accepted."""
    return (existing.password_hash is None and existing.invited_by_id == inviter.id
            and existing.role is role and utcnow() - existing.created_at < REPEAT_WINDOW)


def list_users(page: int, query: str = "", per_page: int = 50) -> Pagination:
    stmt = select(User).order_by(User.role, func.lower(User.name), User.id)
    words = query.strip().lower()
    if words:
        stmt = stmt.where(func.lower(User.name).contains(words, autoescape=True)
                          | func.lower(User.email).contains(words, autoescape=True))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


# --- the coordinator manages accounts ------------------------------------------------------

def _lock_for_management(actor: User, user_id: int) -> User:
    """Lock the active coordinators (in id order, so two managers never wait on each other
    in a circle), then the account. The actor must still be one of them: of two
    coordinators switching each other off at the same moment, the second is refused, and
    the region always keeps one."""
    coordinators = db.session.scalars(
        select(User.id).where(User.role == Role.COORDINATOR, User.active)
        .order_by(User.id).with_for_update()).all()
    if actor.id not in coordinators:
        raise AccountError("", _l("Ditt konto får inte längre hantera användare."))
    user = db.session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise LookupError(user_id)
    return user


def _scope_text(user: User) -> str:
    """The account's access in words for the audit log."""
    scope = ", ".join(s.name for s in user.schools) if user.role is Role.COUNSELLOR else (
        user.municipality.name if user.municipality else "")
    return f"{user.role.value}" + (f" ({scope})" if scope else "")


def change_access(actor: User, user_id: int, *, role: Role, school_ids: Iterable[int],
                  municipality_id: int | None) -> bool:
    """Give a staff account another role or scope; True when something changed. Employers'
    accounts follow their organisation and are not changed here; nobody changes their own
    role (a coordinator cannot lock themselves out)."""
    user = _lock_for_management(actor, user_id)
    if user.role is Role.EMPLOYER or role is Role.EMPLOYER:
        raise AccountError("role", _l("En arbetsgivares konto hör till organisationen och "
                                      "byter inte roll."))
    if user.id == actor.id and role is not user.role:
        raise AccountError("role", _l("Du kan inte ändra din egen roll. Be en annan "
                                      "samordnare."))
    schools = list(db.session.scalars(select(School).where(School.id.in_(list(school_ids)))))
    _check_invite_scope(role, schools)
    municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
    before = _scope_text(user)
    user.role = role
    user.schools = schools if role is Role.COUNSELLOR else []
    user.municipality = municipality if role is Role.COUNCIL else None
    after = _scope_text(user)
    if after == before:
        db.session.rollback()
        return False
    audit(actor, "user_access_changed", user, detail=f"{before} -> {after}")
    db.session.commit()
    return True


def set_active(actor: User, user_id: int, active: bool) -> bool:
    """Switch an account off (it can no longer sign in, and every session of it ends at
    once) or on again; True when this request changed it, False when it already was so
    (a double click, or another coordinator a moment before)."""
    user = _lock_for_management(actor, user_id)
    if user.id == actor.id:
        raise AccountError("", _l("Du kan inte stänga av ditt eget konto."))
    if user.active is active:
        db.session.rollback()
        return False
    if user.purged_at is not None:
        raise AccountError("", _l("Kontot är gallrat: namn, adress och lösenord är borta. "
                                  "Bjud in personen på nytt i stället."))
    user.active = active
    user.deactivated_at = None if active else utcnow()
    user.session_token = new_session_token()  # ends every session and unused link
    if active and user.password_hash is None:
        _send_invitation(user, actor)  # the old invitation died with the switch-off
    audit(actor, "user_reopened" if active else "user_blocked", user)
    db.session.commit()
    return True


def resend_invitation(actor: User, user_id: int) -> bool:
    """Send an invited account, still without a password, a new invitation: the first one
    never arrived, or its link grew too old. The earlier link keeps working until either is
    used. False when one was queued to the address a moment ago (a double click): one
    email, not two."""
    user = _lock_for_management(actor, user_id)
    if user.password_hash is not None or not user.active:
        raise AccountError("", _l("Kontot har redan ett lösenord eller är avstängt: det "
                                  "behöver ingen ny inbjudan."))
    if queued_just_now("invitation", user.email):
        db.session.rollback()
        return False
    _send_invitation(user, actor)
    audit(actor, "invitation_resent", user)
    db.session.commit()
    return True



def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, rotated on password change."""
    uid, _, token = user_id.partition(":")
    if not uid.isdigit():
        return None
    user = db.session.scalar(_user_statement(), {"id": int(uid)})
    if user is None or not user.active or user.session_token != token:
        return None
    return user


@cache  # built once: every request reads its user with it
def _user_statement() -> Select[User]:
    # An employer's organisation and a council member's municipality come with the user:
    # nearly every page of theirs reads them, each in a query of its own otherwise.
    return (select(User).where(User.id == bindparam("id"))
            .options(joinedload(User.organisation), joinedload(User.municipality)))


# --- email verification (employers register themselves) ----------------------------------

def send_verification(user: User) -> None:
    link = external_url("employers.verify_email",
                                 token=make_token(user, VERIFY_EMAIL_SALT))
    messages.verify_email(user, link)


def resend_verification(user: User) -> None:
    send_verification(user)
    db.session.commit()


def verify_email(token: str) -> User:
    user = read_token(token, VERIFY_EMAIL_SALT, VERIFY_MAX_AGE)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit(user, "email_verified", user)
        db.session.commit()
    return user


def needs_verification(user: User) -> bool:
    """Employers register themselves, so their address must be proven before they sign in."""
    return user.role is Role.EMPLOYER and user.email_verified_at is None


def token_user_or_none(token: str) -> tuple[User | None, str | None]:
    try:
        return verify_email(token), None
    except TokenError as error:
        return None, error.reason

"""Account forms. Every message is Swedish first and sits beside its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.passwords import password_problem
from portal.formtools import PortalForm, address_checks
from portal.i18n import LANGUAGE_NAMES

EMAIL_MAX = 254


def email_field(label: object = None, autocomplete: str = "email",
                description: object = "", sendable: bool = True) -> EmailField:
    """An address; `autocomplete="off"` when it is someone else's (the browser would offer
    the user's own). `sendable`: one the portal will email, so one an email can reach (not
    a sign-in's, which only looks an account up)."""
    return EmailField(
        label or _l("E-postadress"), description=description,
        validators=[
            DataRequired(message=_l("Fyll i en e-postadress.")),
            Length(max=EMAIL_MAX, message=_l("E-postadressen får ha högst %(max)d tecken.")),
            *address_checks(sendable),
        ],
        render_kw={"autocomplete": autocomplete},
    )


def language_field() -> SelectField:
    """The language of the portal's emails to this user. The names are each language's own."""
    names = [SelectChoice(code, name, render_kw={"lang": code})
             for code, name in LANGUAGE_NAMES.items()]
    # AnyOf, not DataRequired: a select whose every option is a real choice must not carry
    # `required` (HTML asks a required select for an empty placeholder option first).
    return SelectField(_l("Språk i e-post från portalen"), choices=names, default="sv",
                       validate_choice=False,
                       validators=[AnyOf(list(LANGUAGE_NAMES), message=_l("Välj ett språk."))])


class LoginForm(PortalForm):
    email = email_field(sendable=False)
    password = PasswordField(
        _l("Lösenord"),
        validators=[DataRequired(message=_l("Fyll i ditt lösenord.")),
                    Length(max=1000, message=_l("Lösenordet är för långt."))],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(PortalForm):
    email = email_field()


class SetPasswordForm(PortalForm):
    password = PasswordField(
        _l("Nytt lösenord"),
        description=_l("Minst 12 tecken. Tips: en mening med flera ord är lätt att minnas "
                       "och svår att gissa."),
        validators=[DataRequired(message=_l("Välj ett lösenord."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Upprepa lösenordet"),
        validators=[DataRequired(message=_l("Skriv lösenordet en gång till.")),
                    EqualTo("password", message=_l("Lösenorden är inte likadana."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args: object, account_email: str = "", account_name: str = "",
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # A password built on the user's own name or address is among the first guessed.
        self.account_email = account_email
        self.account_name = account_name

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", self.account_email, self.account_name)
        if problem:
            raise ValidationError(problem)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_field() -> SelectField:
    return SelectField(_l("Roll"), validators=[DataRequired(message=_l("Välj en roll."))])


def schools_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        _l("Skolor (för studie- och yrkesvägledare)"), coerce=int, validate_choice=True
    )


def municipality_field() -> SelectField:
    return SelectField(
        _l("Kommun (för samverkansrådet)"), coerce=int,
        description=_l("Lämna som hela regionen om rådsledamoten ska se alla kommuner."),
    )


class InviteForm(PortalForm):
    name = StringField(
        _l("Namn"),
        validators=[DataRequired(message=_l("Fyll i namnet.")),
                    Length(max=200, message=_l("Namnet får ha högst %(max)d tecken."))],
        render_kw={"autocomplete": "off"},
    )
    email = email_field()
    role = role_field()
    schools = schools_field()
    municipality = municipality_field()
    language = language_field()


class AccessForm(PortalForm):
    """What an account may see: its role and, for some roles, its schools or municipality."""

    role = role_field()
    schools = schools_field()
    municipality = municipality_field()

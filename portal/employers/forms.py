"""Forms for employer registration, the organisation's details, join requests and the
coordinator's decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.accounts.forms import SetPasswordForm, email_field, language_field
from portal.employers.orgnr import org_number_problem
from portal.formtools import PortalForm, choices, id_or_zero


def _text(label: str, max_length: int, required: bool = True, **kwargs: object) -> StringField:
    validators = [DataRequired(message=_l("Fyll i fältet."))] if required else [Optional()]
    validators.append(Length(max=max_length,
                             message=_l("Högst %(max)d tecken.", max=max_length)))
    return StringField(label, validators=validators, **kwargs)


def _sector_field() -> SelectField:
    return SelectField(_l("Bransch"), validators=[DataRequired(message=_l("Välj bransch."))])


def _postal_code_field() -> StringField:
    return StringField(
        _l("Postnummer"),
        validators=[DataRequired(message=_l("Fyll i postnumret.")),
                    Regexp(r"^[0-9]{3} ?[0-9]{2}\Z", message=_l("Skriv postnumret som 123 45."))],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"},
    )


def _municipality_field() -> SelectField:
    return SelectField(_l("Kommun"), coerce=id_or_zero,
                       validators=[DataRequired(message=_l("Välj kommun."))])


def _phone_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(message=_l("Fyll i ett telefonnummer.")),
                    Regexp(r"^[0-9 +()\-]{6,20}\Z",
                           message=_l("Skriv telefonnumret med siffror, till exempel "
                                      "070-123 45 67."))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


class RegistrationForm(SetPasswordForm):
    # The organisation and its contact first, the inherited password fields last.
    field_order = ("organisation_name", "org_number", "sector", "visiting_address",
                   "postal_code", "city", "municipality", "contact_name", "email", "phone",
                   "language", "password", "confirm")

    organisation_name = _text(_l("Organisationens namn"), 200)
    org_number = StringField(
        _l("Organisationsnummer"),
        description=_l("Tio siffror, till exempel 556677-8899. Enskild firma: ditt "
                       "personnummer."),
        validators=[DataRequired(message=_l("Fyll i organisationsnumret."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    sector = _sector_field()
    visiting_address = _text(_l("Besöksadress"), 300, render_kw={"autocomplete": "address-line1"})
    postal_code = _postal_code_field()
    city = _text(_l("Ort"), 100, render_kw={"autocomplete": "address-level2"})
    municipality = _municipality_field()
    contact_name = _text(_l("Ditt namn (kontaktperson)"), 200, render_kw={"autocomplete": "name"})
    email = email_field(_l("Din e-postadress"))
    phone = _phone_field(_l("Telefon"))
    language = language_field()

    def validate_org_number(self, field: StringField) -> None:
        problem = org_number_problem(field.data or "")
        if problem == "format":
            raise ValidationError(_l("Skriv organisationsnumret som tio siffror: NNNNNN-NNNN."))
        if problem == "check":
            raise ValidationError(_l("Organisationsnumret stämmer inte: kontrollsiffran är fel. "
                                     "Kontrollera att du har skrivit rätt."))

    def validate_password(self, field: object) -> None:
        self.account_email = self.email.data or ""
        self.account_name = self.contact_name.data or ""
        super().validate_password(field)


class OrganisationForm(PortalForm):
    """The organisation's details, kept current by its employers (the organisationsnummer,
    its identity, is not changed)."""

    organisation_name = _text(_l("Organisationens namn"), 200)
    sector = _sector_field()
    visiting_address = _text(_l("Besöksadress"), 300, render_kw={"autocomplete": "address-line1"})
    postal_code = _postal_code_field()
    city = _text(_l("Ort"), 100, render_kw={"autocomplete": "address-level2"})
    municipality = _municipality_field()
    contact_name = _text(_l("Kontaktperson"), 200)
    contact_email = email_field(_l("Kontaktpersonens e-postadress"))
    contact_phone = _phone_field(_l("Kontaktpersonens telefon"))
    # The button a rejected organisation's employer presses to send it for review again.
    resubmit = SubmitField(_l("Spara och skicka för granskning igen"))
    save = SubmitField(_l("Spara"))


class DecisionForm(PortalForm):
    decision = RadioField(
        _l("Beslut"),
        choices=choices([("approve", _l("Godkänn")), ("reject", _l("Avslå"))]),
        validators=[DataRequired(message=_l("Välj godkänn eller avslå."))],
    )
    reason = TextAreaField(
        _l("Motivering (skickas med e-post)"),
        description=_l("Krävs vid avslag. Skriv vad som behöver ändras."),
        validators=[Length(max=2000, message=_l("Högst %(max)d tecken.", max=2000))],
    )

    def validate_reason(self, field: TextAreaField) -> None:
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("Skriv en motivering när du avslår."))


class JoinDecisionForm(PortalForm):
    decision = RadioField(choices=choices([("approve", _l("Godkänn")), ("reject", _l("Avslå"))]),
                          validators=[DataRequired()])


class SettingsForm(PortalForm):
    auto_publish_approved = BooleanField(
        _l("Publicera praoplatser från redan godkända arbetsgivare utan granskning"),
        description=_l("Nya arbetsgivare granskas alltid. Praoplatser måste ändå ha en "
                       "färdig riskbedömning innan de publiceras."),
    )

"""Forms for municipalities, schools, prao periods, enrolments and the pupil's own placement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.accounts.forms import MultiCheckboxField, email_field
from portal.employers.orgnr import org_number_problem
from portal.formtools import choices, id_or_zero
from portal.schools.models import EnrolmentState


def _required(message: object) -> DataRequired:
    return DataRequired(message=message)


def _max(n: int) -> Length:
    return Length(max=n, message=_l("Högst %(max)d tecken.", max=n))


class MunicipalityForm(FlaskForm):
    name = StringField(_l("Kommunens namn"), validators=[_required(_l("Fyll i namnet.")),
                                                         _max(100)])
    code = StringField(_l("Kommunkod"), description=_l("Fyra siffror, till exempel 2580."),
                       validators=[_required(_l("Fyll i kommunkoden.")),
                                   Regexp(r"^\d{4}\Z", message=_l("Kommunkoden är fyra siffror."))],
                       render_kw={"inputmode": "numeric"})


class SchoolForm(FlaskForm):
    name = StringField(_l("Skolans namn"), validators=[_required(_l("Fyll i namnet.")),
                                                       _max(200)])
    unit_code = StringField(
        _l("Skolenhetskod"), description=_l("Åtta siffror, från Skolverkets skolenhetsregister."),
        validators=[_required(_l("Fyll i skolenhetskoden.")),
                    Regexp(r"^\d{8}\Z", message=_l("Skolenhetskoden är åtta siffror."))],
        render_kw={"inputmode": "numeric"})
    address = StringField(_l("Adress"), validators=[Optional(), _max(300)])
    municipality = SelectField(_l("Kommun"), coerce=id_or_zero,
                               validators=[_required(_l("Välj kommun."))])
    counsellors = MultiCheckboxField(_l("Studie- och yrkesvägledare"), coerce=int)


class PeriodForm(FlaskForm):
    name = StringField(_l("Namn"), description=_l("Till exempel ”Prao vt 2027 åk 8”."),
                       validators=[_required(_l("Fyll i ett namn.")), _max(120)])
    grade = SelectField(_l("Årskurs"), coerce=id_or_zero,
                        choices=choices([("", _l("Välj årskurs")), (8, "8"), (9, "9")]),
                        validators=[_required(_l("Välj årskurs."))])
    first_day = DateField(_l("Första dagen"), validators=[_required(_l("Välj ett datum."))])
    last_day = DateField(_l("Sista dagen"), validators=[_required(_l("Välj ett datum."))])
    wishes_open = DateField(_l("Eleverna kan önska från"),
                            validators=[_required(_l("Välj ett datum."))])
    wishes_close = DateField(_l("Eleverna kan önska till och med"),
                             validators=[_required(_l("Välj ett datum."))])


STATE_LABELS = {
    EnrolmentState.NEEDS_PLACEMENT: _l("Behöver en praoplats"),
    EnrolmentState.OWN_PLACEMENT: _l("Har en egen praoplats"),
    EnrolmentState.ASSIGNED: _l("Har fått en praoplats"),
    EnrolmentState.EXEMPT: _l("Befriad från prao"),
}


class EnrolmentStateForm(FlaskForm):
    state = RadioField(_l("Läge"), choices=choices(
        (s.value, STATE_LABELS[s]) for s in (EnrolmentState.NEEDS_PLACEMENT,
                                             EnrolmentState.EXEMPT)),
        validators=[_required(_l("Välj ett läge."))])
    reason = TextAreaField(_l("Skäl för befrielse"), validators=[_max(1000)])


class OwnPlacementForm(FlaskForm):
    workplace = StringField(_l("Arbetsplatsens namn"),
                            validators=[_required(_l("Fyll i arbetsplatsens namn.")), _max(200)])
    org_number = StringField(
        _l("Organisationsnummer"),
        description=_l("Finns på arbetsplatsens webbplats eller på allabolag.se. Fråga din "
                       "kontaktperson om du inte hittar det."),
        validators=[_required(_l("Fyll i organisationsnumret."))],
        render_kw={"inputmode": "numeric"})
    address = StringField(_l("Adress"), validators=[_required(_l("Fyll i adressen.")),
                                                    _max(300)])
    postal_code = StringField(_l("Postnummer"), validators=[
        _required(_l("Fyll i postnumret.")),
        Regexp(r"^\d{3} ?\d{2}\Z", message=_l("Skriv postnumret som 123 45."))])
    city = StringField(_l("Ort"), validators=[_required(_l("Fyll i orten.")), _max(100)])
    contact_name = StringField(_l("Kontaktperson på arbetsplatsen"),
                               validators=[_required(_l("Fyll i ett namn.")), _max(200)])
    contact_email = email_field(_l("Kontaktpersonens e-post"))
    contact_phone = StringField(_l("Kontaktpersonens telefon"), validators=[
        _required(_l("Fyll i ett telefonnummer.")),
        Regexp(r"^[0-9 +()\-]{6,20}\Z", message=_l("Skriv telefonnumret med siffror."))])
    tasks = TextAreaField(_l("Vad ska du göra där?"),
                          validators=[_required(_l("Skriv några ord om vad du ska göra.")),
                                      _max(2000)])

    def validate_org_number(self, field: StringField) -> None:
        if org_number_problem(field.data or ""):
            raise ValidationError(_l("Organisationsnumret stämmer inte. Det är tio siffror, "
                                     "till exempel 556677-8899."))

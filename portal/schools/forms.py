"""Forms for municipalities, schools, prao periods, enrolments and the pupil's own placement."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.accounts.forms import MultiCheckboxField
from portal.formtools import PortalForm, choices, id_or_zero


def _required(message: object) -> DataRequired:
    return DataRequired(message=message)


def _max(n: int) -> Length:
    return Length(max=n, message=_l("Högst %(max)d tecken.", max=n))


class MunicipalityForm(PortalForm):
    name = StringField(_l("Kommunens namn"), validators=[_required(_l("Fyll i namnet.")),
                                                         _max(100)])
    code = StringField(_l("Kommunkod"), description=_l("Fyra siffror, till exempel 2580."),
                       validators=[_required(_l("Fyll i kommunkoden.")),
                                   Regexp(r"^[0-9]{4}\Z",
                                          message=_l("Kommunkoden är fyra siffror."))],
                       render_kw={"inputmode": "numeric"})


class SchoolForm(PortalForm):
    # "0" or "-1" is a slip of the keyboard, and no list could tell such schools apart.
    name = StringField(_l("Skolans namn"), validators=[
        _required(_l("Fyll i namnet.")), _max(200),
        Regexp(r".*?[^\W\d_]", flags=re.S,
               message=_l("Skolans namn behöver minst en bokstav."))])
    unit_code = StringField(
        _l("Skolenhetskod"), description=_l("Åtta siffror, från Skolverkets skolenhetsregister."),
        validators=[_required(_l("Fyll i skolenhetskoden.")),
                    Regexp(r"^[0-9]{8}\Z", message=_l("Skolenhetskoden är åtta siffror."))],
        render_kw={"inputmode": "numeric"})
    address = StringField(_l("Adress"), validators=[Optional(), _max(300)])
    municipality = SelectField(_l("Kommun"), coerce=id_or_zero,
                               validators=[_required(_l("Välj kommun."))])
    counsellors = MultiCheckboxField(_l("Studie- och yrkesvägledare"), coerce=int)


class PeriodForm(PortalForm):
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
    # Shown only beside the warning of a period with fewer than ten prao days.
    short_ok = BooleanField(_l("Skapa perioden ändå, med färre än tio praodagar"))

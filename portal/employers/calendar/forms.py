"""The form for a school's prao weeks in the regional calendar."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.employers.calendar.services import MAX_PUPILS
from portal.employers.placements.forms import TOO_LONG, WholeNumberField
from portal.formtools import PortalForm, id_or_zero


class CalendarEntryForm(PortalForm):
    school = SelectField(_l("Skola"), coerce=id_or_zero,
                         validators=[DataRequired(message=_l("Välj skola."))])
    weeks = StringField(
        _l("Praoveckor"), description=_l("Till exempel 11–12 2027."),
        validators=[DataRequired(message=_l("Skriv vilka veckor, till exempel 11–12 2027.")),
                    Length(max=40, message=TOO_LONG)])
    pupils = WholeNumberField(
        _l("Antal elever"), invalid=_l("Skriv antalet elever med siffror, till exempel 60."),
        validators=[InputRequired(message=_l("Skriv hur många elever skolan väntar sig.")),
                    NumberRange(min=1, max=MAX_PUPILS, message=_l(
                        "Skriv ett antal elever mellan %(min)s och %(max)s."))],
        render_kw={"inputmode": "numeric"})

"""The audit log's filters, read from the address (GET): a filtered view can be bookmarked."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from portal.employers.placements.forms import WholeNumberField, _ClearParseError
from portal.formtools import PortalForm
from portal.urls import MAX_DB_ID

# Events are stamped from 2026 on; outside these years a date is a typing error (and year 1
# or 9999 would overflow the conversion to UTC).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _plausible(form: PortalForm, field: DateField) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Skriv ett datum mellan år %(first)d och %(last)d.",
                                 first=FIRST_YEAR, last=LAST_YEAR))


class DayField(_ClearParseError, DateField):
    pass


DAY_FORMAT = _l("Skriv datumet så här: 2027-03-15.")


class AuditFilterForm(PortalForm):
    class Meta:
        csrf = False

    elev = WholeNumberField(
        _l("Elevens nummer"), invalid=_l("Skriv ett nummer, till exempel 123."),
        description=_l("Numret i adressen till elevens registerutdrag."),
        validators=[Optional(), NumberRange(min=1, max=MAX_DB_ID,
                                            message=_l("Skriv ett nummer, till exempel 123."))])
    anvandare = EmailField(
        _l("Användarens e-postadress"),
        validators=[Optional(), Length(max=254, message=_l("Skriv högst %(max)d tecken.",
                                                            max=254))])
    fran = DayField(_l("Från och med"), invalid=DAY_FORMAT, validators=[Optional(), _plausible])
    till = DayField(_l("Till och med"), invalid=DAY_FORMAT, validators=[Optional(), _plausible])

    def validate_till(self, field: DateField) -> None:
        first: date | None = self.fran.data
        if field.data is not None and first is not None and field.data < first:
            raise ValidationError(_l("Slutdagen kan inte vara före startdagen."))

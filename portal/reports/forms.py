"""The coordinator's form for a council target."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import DataRequired

from portal.formtools import PortalForm, id_or_zero
from portal.reports.tables import Unit


def decimal(text: str) -> float | None:
    """"85", "85,5" or "85.5" as a number; None for anything else (full-width digits,
    letters, an exponent, inf)."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned or len(cleaned) > 12 or not cleaned.isascii() \
            or not all(ch.isdigit() or ch == "." for ch in cleaned) or cleaned.count(".") > 1 \
            or cleaned == ".":
        return None
    return float(cleaned)


class TargetForm(PortalForm):
    indicator = SelectField(_l("Indikator"),
                            validators=[DataRequired(message=_l("Välj indikator."))])
    municipality = SelectField(_l("Gäller"), coerce=id_or_zero)
    school_year = SelectField(_l("Läsår"), coerce=id_or_zero,
                              validators=[DataRequired(message=_l("Välj läsår."))])
    value = StringField(_l("Mål (önskat läge)"),
                        description=_l("I indikatorns enhet: en andel i procent (0–100, till "
                                       "exempel 92,5), ett medelvärde (1–5, till exempel 4,2) "
                                       "eller procentenheter (0–100)."),
                        validators=[DataRequired(message=_l("Fyll i ett mål."))],
                        render_kw={"inputmode": "decimal"})
    # The chosen indicator's unit, by key: set by the view from the indicators' headlines.
    units: dict[str, Unit]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {}

    def validate_value(self, field: Any) -> None:
        number = decimal(field.data or "")
        if self.units.get(self.indicator.data or "") is Unit.AVERAGE:
            if number is None or not 1 <= number <= 5:
                raise ValidationError(_l("Indikatorn är ett medelvärde: skriv ett tal mellan 1 "
                                         "och 5, till exempel 4,2."))
        elif number is None or not 0 <= number <= 100:
            raise ValidationError(_l("Skriv ett tal mellan 0 och 100, till exempel 92,5."))


class RefreshForm(PortalForm):
    """The coordinator's "update now" on the report: no fields, the scope is in the URL."""

"""The catalogue's search form. It is read from the address (GET), so a search can be
bookmarked and shared; a search changes nothing, so it needs no CSRF token."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SearchField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal.accounts.forms import MultiCheckboxField
from portal.formtools import PortalForm
from portal.weeks import WeekError, parse_week_range

TEXT_MAX = 200


class CatalogueForm(PortalForm):
    class Meta:
        csrf = False

    q = SearchField(
        _l("Sökord"),
        description=_l("Till exempel butik, snickare eller djur."),
        validators=[Optional(), Length(max=TEXT_MAX,
                                       message=_l("Skriv högst %(max)d tecken.", max=TEXT_MAX))],
    )
    # default "": a filter missing from the address means "all", not an invalid choice
    bransch = SelectField(_l("Bransch"), default="",
                          invalid_choice_message=_l("Välj en bransch i listan."))
    kommun = SelectField(_l("Kommun"), default="",
                         invalid_choice_message=_l("Välj en kommun i listan."))
    vecka = StringField(
        _l("Vecka"),
        description=_l("Vecka och år, till exempel 11 2027. Två veckor: 11–12 2027."),
        validators=[Optional(), Length(max=40, message=_l("Skriv veckan som 11 2027."))],
        render_kw={"list": "veckor", "autocomplete": "off"},
    )
    arskurs = SelectField(_l("Årskurs"), default="",
                          invalid_choice_message=_l("Välj årskurs 8 eller 9."))
    tillganglighet = MultiCheckboxField(
        _l("Tillgänglighet"),
        description=_l("Visar platser som har allt du kryssar i."),
        invalid_choice_message=_l("Välj bland alternativen i listan."),
    )
    lediga = BooleanField(_l("Bara platser som har lediga platser kvar"))

    def validate_vecka(self, field: StringField) -> None:
        try:
            self.weeks = parse_week_range(field.data)
        except WeekError as error:
            raise ValidationError(_l("Skriv veckan som vecka och år, till exempel 11 2027."))\
                from error

    weeks: tuple[date, date] | None = None

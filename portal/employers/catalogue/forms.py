"""The catalogue's search form. It is read from the address (GET), so a search can be
bookmarked and shared; a search changes nothing, so it needs no CSRF token."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SearchField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal import clock
from portal.accounts.forms import MultiCheckboxField
from portal.formtools import PortalForm, SharedSelectField
from portal.weeks import WEEK_QUERY_RE, WeekError, WeekYearError, parse_week_query

TEXT_MAX = 200
WEEK_FORMAT = _l("Skriv veckan som ett veckonummer, till exempel 11, v. 11 eller 11 2027.")


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
    bransch = SharedSelectField(_l("Bransch"), default="",
                          invalid_choice_message=_l("Välj en bransch i listan."))
    kommun = SharedSelectField(_l("Kommun"), default="",
                         invalid_choice_message=_l("Välj en kommun i listan."))
    vecka = StringField(
        _l("Vecka"),
        description=_l("Till exempel 11 eller v. 11 (den kommande vecka 11), eller med år: "
                       "11 2027. Två veckor: 11–12."),
        validators=[Optional(), Length(max=40, message=WEEK_FORMAT)],
        render_kw={"list": "veckor", "autocomplete": "off"},
    )
    arskurs = SharedSelectField(_l("Årskurs"), default="",
                          invalid_choice_message=_l("Välj årskurs 8 eller 9."))
    tillganglighet = MultiCheckboxField(
        _l("Tillgänglighet"),
        description=_l("Visar platser som har allt du kryssar i."),
        invalid_choice_message=_l("Välj bland alternativen i listan."),
    )
    lediga = BooleanField(_l("Bara platser som har lediga platser kvar"))

    def validate_vecka(self, field: StringField) -> None:
        """A week without a year is the coming one (portal.weeks.parse_week_query)."""
        try:
            self.weeks = parse_week_query(field.data, clock.today())
        except WeekYearError as error:
            raise ValidationError(_l("Kontrollera årtalet: skriv veckan som 11 2027.")) \
                from error
        except WeekError as error:
            if WEEK_QUERY_RE.match(field.data) is None:
                raise ValidationError(WEEK_FORMAT) from error
            raise ValidationError(_l("Den veckan finns inte det året. Ett år har 52 eller 53 "
                                     "veckor.")) from error

    weeks: tuple[date, date] | None = None
    municipalities: tuple[tuple[int, str], ...] = ()  # the kommun field's, as read

"""Forms for placements, offers of weeks and seats, and next term.
Every message is Swedish first and sits beside its field."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from portal.accounts.forms import MultiCheckboxField
from portal.employers.placements.services import MAX_SEATS, PlacementData, check_hours
from portal.formtools import PortalForm, address_checks

TOO_LONG = _l("Högst %(max)d tecken. Texten är nu %(length)d tecken.")
# Sweden's extent, with a margin: a workplace in the region is never outside it.
LATITUDES, LONGITUDES = (55.0, 69.5), (10.5, 24.5)


class _ClearParseError:
    """A field whose 'not a number/time' message is our own plain Swedish sentence."""

    def __init__(self, *args: Any, invalid: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError as error:
            raise ValueError(str(self.invalid)) from error

    def pre_validate(self, form: Any) -> None:
        # Not a number: that one message, not also the range's ("at least 1", "at most 50")
        # that no number was compared with.
        raw = self.raw_data  # type: ignore[attr-defined]
        if self.process_errors and raw and str(raw[0]).strip():  # type: ignore[attr-defined]
            raise StopValidation()
        super().pre_validate(form)  # type: ignore[misc]


class WholeNumberField(_ClearParseError, IntegerField):
    pass


class DecimalNumberField(_ClearParseError, FloatField):
    pass


class ClockField(_ClearParseError, TimeField):
    pass


def _text(label: object, max_length: int, required: object = None, area: bool = False,
          **kwargs: Any) -> StringField:
    validators: list[Any] = [DataRequired(message=required)] if required else [Optional()]
    validators.append(Length(max=max_length, message=TOO_LONG))
    return (TextAreaField if area else StringField)(label, validators=validators, **kwargs)


def _clock(label: object, required: bool = True, **kwargs: Any) -> ClockField:
    validators: list[Any] = [InputRequired(message=_l("Skriv en tid, till exempel 08:00."))] \
        if required else [Optional()]
    return ClockField(label, validators=validators,
                      invalid=_l("Skriv tiden som timmar och minuter, till exempel 08:00."),
                      **kwargs)


def _coordinate(label: object, bounds: tuple[float, float]) -> DecimalNumberField:
    return DecimalNumberField(
        label, invalid=_l("Skriv koordinaten som ett decimaltal, till exempel 65.5848."),
        validators=[Optional(), NumberRange(min=bounds[0], max=bounds[1], message=_l(
            "Koordinaten ska ligga mellan %(min)s och %(max)s (inom Sverige)."))],
        render_kw={"inputmode": "decimal"})


class PlacementForm(PortalForm):
    title = _text(_l("Rubrik"), 200, _l("Skriv en rubrik."),
                  description=_l("Till exempel ”Kock i restaurangkök”."))
    sector = SelectField(_l("Bransch"), validators=[DataRequired(message=_l("Välj bransch."))])
    description = _text(_l("Beskrivning av praoplatsen"), 5000, area=True, render_kw={"rows": 6})
    tasks = _text(_l("Det här får eleven göra"), 2000, area=True, render_kw={"rows": 4})

    address = _text(_l("Arbetsplatsens adress"), 300,
                    render_kw={"autocomplete": "address-line1"})
    postal_code = StringField(
        _l("Postnummer"),
        validators=[Optional(), Regexp(r"^[0-9]{3} ?[0-9]{2}\Z",
                                       message=_l("Skriv postnumret som 123 45."))],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    city = _text(_l("Ort"), 100, render_kw={"autocomplete": "address-level2"})
    municipality = SelectField(_l("Kommun"), coerce=int)
    latitude = _coordinate(_l("Latitud (valfritt)"), LATITUDES)
    longitude = _coordinate(_l("Longitud (valfritt)"), LONGITUDES)

    supervisor_name = _text(_l("Handledarens namn"), 200)
    supervisor_phone = StringField(
        _l("Handledarens telefon"),
        validators=[Optional(), Length(max=40, message=TOO_LONG),
                    Regexp(r"^[0-9 +()\-]{6,20}\Z", message=_l(
                        "Skriv telefonnumret med siffror, till exempel 070-123 45 67."))],
        render_kw={"inputmode": "tel"})
    supervisor_email = EmailField(
        _l("Handledarens e-postadress (valfritt)"),
        validators=[Optional(), Length(max=254, message=TOO_LONG),
                    *address_checks()])

    day_start = _clock(_l("Dagen börjar"), description=_l("Tidigast 06:00."))
    day_end = _clock(_l("Dagen slutar"), description=_l(
        "Senast 20:00. Högst 7 timmars arbete, rasten oräknad."))
    break_start = _clock(_l("Rasten börjar"), required=False, description=_l(
        "Senast 4,5 timmar efter att dagen börjat. Lämna tomt om dagen är högst 4,5 timmar."))
    break_minutes = WholeNumberField(
        _l("Rastens längd i minuter"), default=30,
        description=_l("Minst 30 minuter när dagen är längre än 4,5 timmar."),
        invalid=_l("Skriv rastens längd som ett antal minuter, till exempel 30."),
        validators=[InputRequired(message=_l("Skriv rastens längd i minuter (0 om ingen rast).")),
                    NumberRange(min=0, max=180, message=_l("Skriv mellan 0 och 180 minuter."))],
        render_kw={"inputmode": "numeric"})

    grades = MultiCheckboxField(_l("Årskurser som kan göra prao här"), coerce=int)
    languages = _text(_l("Språk på arbetsplatsen"), 200,
                      description=_l("Till exempel ”svenska, engelska”."))
    features = MultiCheckboxField(_l("Tillgänglighet"))

    risk_hazards = _text(_l("Risker för en minderårig på arbetsplatsen"), 2000, area=True,
                         render_kw={"rows": 4})
    risk_measures = _text(_l("Åtgärder mot riskerna"), 2000, area=True, render_kw={"rows": 4},
                          description=_l("Till exempel arbetsuppgifter eleven inte gör, "
                                         "maskiner eleven inte använder."))
    protective_equipment = _text(  # after the risks and measures, as on the page
        _l("Skyddsutrustning"), 2000, area=True, render_kw={"rows": 3},
        description=_l("Vad eleven behöver ha på sig och vem som lånar ut det."))
    risk_introduction = _text(_l("Introduktion första dagen"), 2000, area=True,
                              render_kw={"rows": 3})
    risk_supervisor = _text(_l("Namngiven handledare som ansvarar för eleven"), 200)
    risk_confirmed = BooleanField(_l(
        "Jag bekräftar att riskbedömningen för minderåriga är gjord och att åtgärderna gäller "
        "när eleven är här."))
    # A new token every time the form is shown: the same form sent twice makes one placement.
    form_token = HiddenField(default=lambda: secrets.token_urlsafe(24))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        checks = [self._coordinates_paired(), self._hours_legal()]
        return valid and all(checks)

    def _hours_legal(self) -> bool:
        times = (self.day_start.data, self.day_end.data, self.break_minutes.data)
        fields = (self.day_start, self.day_end, self.break_start, self.break_minutes)
        if any(value is None for value in times) or any(field.errors for field in fields):
            # Each missing, unreadable or out-of-range value has its own message already; a
            # 20-digit break would only add a break that ends in a nonsense hour.
            return False
        problems = check_hours(self.day_start.data, self.day_end.data, self.break_start.data,
                               self.break_minutes.data)
        for name, messages in problems.items():
            getattr(self, name).errors.extend(messages)
        return not problems

    def _coordinates_paired(self) -> bool:
        if self.latitude.errors or self.longitude.errors:
            return False
        if (self.latitude.data is None) == (self.longitude.data is None):
            return True
        missing = self.longitude if self.longitude.data is None else self.latitude
        missing.errors.append(_l("Fyll i både latitud och longitud, eller ingen av dem."))
        return False

    def validate_grades(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Välj minst en årskurs."))

    def to_data(self) -> PlacementData:
        return PlacementData(
            title=self.title.data, sector=self.sector.data,
            description=self.description.data or "", tasks=self.tasks.data or "",
            address=self.address.data or "", postal_code=self.postal_code.data or "",
            city=self.city.data or "", municipality_id=self.municipality.data or None,
            latitude=self.latitude.data, longitude=self.longitude.data,
            supervisor_name=self.supervisor_name.data or "",
            supervisor_phone=self.supervisor_phone.data or "",
            supervisor_email=self.supervisor_email.data or "",
            day_start=self.day_start.data, day_end=self.day_end.data,
            break_start=self.break_start.data, break_minutes=self.break_minutes.data,
            grades=frozenset(self.grades.data or ()), languages=self.languages.data or "",
            features=tuple(self.features.data or ()),
            protective_equipment=self.protective_equipment.data or "",
            risk_hazards=self.risk_hazards.data or "", risk_measures=self.risk_measures.data or "",
            risk_introduction=self.risk_introduction.data or "",
            risk_supervisor=self.risk_supervisor.data or "",
            risk_confirmed=bool(self.risk_confirmed.data))


class OfferForm(PortalForm):
    weeks = StringField(
        _l("Veckor"),
        description=_l("Till exempel 11–12 2027 eller vecka 45 2026. Högst fyra veckor i följd."),
        validators=[DataRequired(message=_l("Skriv vilka veckor, till exempel 11–12 2027.")),
                    Length(max=40, message=TOO_LONG)])
    seats = WholeNumberField(
        _l("Antal platser"),
        description=_l("Hur många elever som kan vara här samtidigt, 1–%(max)d.", max=MAX_SEATS),
        invalid=_l("Skriv antalet platser med siffror, till exempel 2."),
        validators=[InputRequired(message=_l("Skriv hur många platser.")),
                    NumberRange(min=1, message=_l("Antalet platser måste vara minst 1.")),
                    NumberRange(max=MAX_SEATS,
                                message=_l("Högst %(max)d platser per erbjudande."))],
        render_kw={"inputmode": "numeric"})


class NextTermForm(PortalForm):
    # Every option is a real term, so the select carries no `required` (HTML asks a required
    # select for an empty placeholder option first); the server still requires a choice.
    term = SelectField(_l("Kopiera från terminen"),
                       validators=[DataRequired(message=_l("Välj en termin."))],
                       render_kw={"required": False})

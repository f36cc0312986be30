"""Forms of the prao process. The risk assessment of an own placement reuses the placement
form's own fields, so both ask the same questions with the same rules."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from portal.employers.placements.forms import TOO_LONG, PlacementForm, _clock, _text
from portal.employers.placements.hours import EARLIEST_START, LATEST_END
from portal.employers.placements.services import check_hours
from portal.formtools import PortalForm, choices, id_or_zero
from portal.prao import checklist
from portal.prao.placing import OwnRiskData


class PlaceForm(PortalForm):
    offer = SelectField(_l("Praoplats"), coerce=id_or_zero,
                        validators=[DataRequired(message=_l("Välj en praoplats."))])
    reason = TextAreaField(
        _l("Skäl (krävs om platsen saknar något eleven behöver)"),
        validators=[Optional(), Length(max=1000, message=TOO_LONG)], render_kw={"rows": 3},
        description=_l("Till exempel ”arbetsplatsen har bekräftat en ramp”."))


class RespondForm(PortalForm):
    """The employer's or the supervisor's answer for one pupil; the buttons name the
    decision. The page lays the fields out by hand, one card per pupil."""

    assignment = IntegerField(widget=HiddenInput(), validators=[Optional()])  # which pupil
    decision = RadioField(choices=choices([("confirm", _l("Bekräfta")),
                                           ("decline", _l("Tacka nej"))]),
                          validators=[DataRequired(message=_l("Välj Bekräfta eller Tacka nej."))],
                          invalid_choice_message=_l("Välj Bekräfta eller Tacka nej."))
    reason = TextAreaField(validators=[Optional(), Length(max=1000, message=TOO_LONG)])
    # "start" from the employer's start page: the answer, or its problem, is shown there.
    back = StringField(widget=HiddenInput(), validators=[Optional()])


class OwnDecisionForm(PortalForm):
    """The counsellor's answer on a pupil's own placement (buttons name the action)."""

    action = RadioField(choices=choices([("approve", _l("Godkänn den egna platsen")),
                                         ("reject", _l("Godkänn inte")),
                                         ("resend", _l("Skicka länken till riskbedömningen "
                                                       "igen"))]))
    reason = TextAreaField(validators=[Optional(), Length(max=1000, message=TOO_LONG)])


class FirstDayFields:
    """Day one, for the pupil's page."""

    first_day_start = _clock(_l("Första dagen börjar"), required=False, description=_l(
        "Lämna tomt om första dagen börjar som vanligt."))
    first_day_ask_for = _text(_l("Fråga efter"), 200, description=_l(
        "Vem eleven frågar efter när hen kommer, och var."))
    bring_and_wear = _text(_l("Ta med och ha på dig"), 2000, area=True, render_kw={"rows": 3},
                           description=_l("Till exempel matlåda, kläder efter väder, "
                                          "skor som tål vatten."))

    def validate_first_day_start(self, field: Field) -> None:
        """Day one keeps the minors' hours too: nothing between 20:00 and 06:00."""
        if field.data is not None and not EARLIEST_START <= field.data < LATEST_END:
            raise ValidationError(_l(
                "Dagen börjar %(start)s. Minderåriga får inte arbeta mellan 20:00 och 06:00, så "
                "dagen kan börja tidigast 06:00.", start=field.data.strftime("%H:%M")))


class FirstDayForm(FirstDayFields, PortalForm):
    pass


class OwnRiskForm(FirstDayFields, PortalForm):
    """The risk assessment for minors of a pupil's own placement: the same fields and hour
    rules as a published placement's."""

    # Borrowed and inherited fields would otherwise come where they were first written.
    field_order = ("day_start", "day_end", "break_start", "break_minutes", "risk_hazards",
                   "risk_measures", "protective_equipment", "risk_introduction",
                   "risk_supervisor", "first_day_start", "first_day_ask_for", "bring_and_wear",
                   "risk_confirmed")

    day_start = PlacementForm.day_start
    day_end = PlacementForm.day_end
    break_start = PlacementForm.break_start
    break_minutes = PlacementForm.break_minutes
    protective_equipment = PlacementForm.protective_equipment
    risk_hazards = _text(_l("Risker för en minderårig på arbetsplatsen"), 2000,
                         _l("Beskriv riskerna för en minderårig på arbetsplatsen."), area=True,
                         render_kw={"rows": 4})
    risk_measures = _text(_l("Åtgärder mot riskerna"), 2000,
                          _l("Beskriv åtgärderna mot riskerna."), area=True,
                          render_kw={"rows": 4})
    risk_introduction = _text(_l("Introduktion första dagen"), 2000,
                              _l("Beskriv hur eleven introduceras första dagen."), area=True,
                              render_kw={"rows": 3})
    risk_supervisor = _text(_l("Namngiven handledare som ansvarar för eleven"), 200,
                            _l("Skriv vem som är elevens handledare på plats."))
    risk_confirmed = PlacementForm.risk_confirmed

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        hours_ok = self._hours_legal()
        if not self.risk_confirmed.data:
            self.risk_confirmed.errors = [*self.risk_confirmed.errors, _l(
                "Kryssa i rutan när riskbedömningen är gjord.")]
            return False
        return valid and hours_ok

    def _hours_legal(self) -> bool:
        times = (self.day_start.data, self.day_end.data, self.break_minutes.data)
        if any(value is None for value in times) or self.break_start.errors:
            return False
        problems = check_hours(self.day_start.data, self.day_end.data, self.break_start.data,
                               self.break_minutes.data)
        for name, messages in problems.items():
            getattr(self, name).errors.extend(messages)
        return not problems

    def to_data(self) -> OwnRiskData:
        return OwnRiskData(
            day_start=self.day_start.data, day_end=self.day_end.data,
            break_start=self.break_start.data, break_minutes=self.break_minutes.data,
            protective_equipment=self.protective_equipment.data or "",
            risk_hazards=self.risk_hazards.data, risk_measures=self.risk_measures.data,
            risk_introduction=self.risk_introduction.data,
            risk_supervisor=self.risk_supervisor.data,
            first_day_start=self.first_day_start.data,
            first_day_ask_for=self.first_day_ask_for.data or "",
            bring_and_wear=self.bring_and_wear.data or "")


class TickForm(PortalForm):
    """The counsellor ticks one checklist step (a hidden field names it)."""

    step = RadioField(choices=choices((step.key, step.label) for step in checklist.STEPS),
                      validators=[DataRequired(message=_l("Det steget finns inte på "
                                                          "checklistan."))],
                      invalid_choice_message=_l("Det steget finns inte på checklistan."))

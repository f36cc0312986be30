"""Forms for starting a matching round and moving a pupil by hand."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from portal.accounts.forms import MultiCheckboxField
from portal.employers.placements.forms import WholeNumberField
from portal.formtools import PortalForm, choices
from portal.matching.engine import Step
from portal.matching.services import PRIORITY_POLICIES, STEP_CHOICES


class RoundForm(PortalForm):
    periods = MultiCheckboxField(_l("Praoperioder"), coerce=int,
                                 validators=[DataRequired(message=_l("Välj minst en period."))])
    policy = RadioField(_l("Förtur"), default="none",
                        choices=choices(PRIORITY_POLICIES.items()),
                        validators=[DataRequired(message=_l("Välj en förtursregel."))])
    last_step = RadioField(_l("Omgångar"), default=Step.SECOND.value,
                           choices=choices((s.value, label) for s, label in STEP_CHOICES.items()),
                           validators=[DataRequired(message=_l("Välj omgångar."))])
    seed = WholeNumberField(
        _l("Lottfrö (lämna tomt för att dra ett nytt)"),
        invalid=_l("Skriv lottfröet med siffror, till exempel 12345."),
        description=_l("Fyll bara i för att köra om en tidigare runda och få samma resultat."),
        validators=[Optional(), NumberRange(min=0, max=2**31 - 1,
                                            message=_l("Ett heltal från 0 till 2147483647."))])


class _OfferField(SelectField):
    """The list holds the offers with a free seat when the page was shown: one not in it
    now has most likely been filled since, by another move."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(str(_l(
                "Platsen är inte ledig längre, eller passar inte eleven. Välj en annan i "
                "listan."))) from error


class MoveForm(PortalForm):
    offer = _OfferField(_l("Ny plats"), coerce=int, validators=[Optional()])

"""Forms for starting a matching round and moving a pupil by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional

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


class MoveForm(PortalForm):
    offer = SelectField(_l("Ny plats"), coerce=int,
                        validators=[Optional()])

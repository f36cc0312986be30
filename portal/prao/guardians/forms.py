"""Forms of the guardian letter: its language, sending it, the guardian's address and the
guardian's acknowledgement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, SelectField
from wtforms.validators import Length, Optional

from portal.formtools import PortalForm, address_checks, choices
from portal.prao.guardians.letter import LANGUAGE_NAMES, LETTER_LANGUAGES

EMAIL_MAX = 254


def language_field() -> SelectField:
    return SelectField(_l("Brevets språk"),
                       choices=choices((code, LANGUAGE_NAMES[code]) for code in LETTER_LANGUAGES),
                       default=LETTER_LANGUAGES[0],
                       validate_choice=False)  # anything else falls back to Swedish


class SendLetterForm(PortalForm):
    lang = language_field()
    next = HiddenField()


class GuardianEmailForm(PortalForm):
    guardian_email = EmailField(
        _l("Vårdnadshavarens e-postadress"),
        description=_l("Frivillig. Finns en adress kan brevet skickas med e-post och "
                       "vårdnadshavaren kvittera det med en länk."),
        validators=[Optional(),
                    Length(max=EMAIL_MAX, message=_l("E-postadressen får ha högst %(max)d "
                                                     "tecken.")),
                    *address_checks()],
        render_kw={"autocomplete": "off"})
    # Shown only when the address is a portal user's or a workplace's.
    staff_ok = BooleanField(_l("Adressen är vårdnadshavarens egen"))


class AcknowledgeForm(PortalForm):
    """Only the CSRF token: the signed link says who and what."""

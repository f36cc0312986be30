"""Forms of the certificate: issuing it, and typing a verification code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from portal.formtools import PortalForm


class IssueForm(PortalForm):
    next = HiddenField()


class VerifyForm(PortalForm):
    """A GET form: nothing is changed, and the code may be typed from a paper anywhere."""

    class Meta:
        csrf = False

    kod = StringField(_l("Kontrollkod"),
                      description=_l("Koden står längst ned på intyget, till exempel "
                                     "ABCDE FGHIJ KLMNO PQRST UVWXY Z."),
                      validators=[DataRequired(message=_l("Skriv koden från intyget.")),
                                  Length(max=64, message=_l("Koden är för lång."))],
                      render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                 "spellcheck": "false"})

"""Forms about pupils: an enrolment's state and the pupil's own placement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from portal.accounts.forms import email_field
from portal.employers.orgnr import org_number_problem
from portal.formtools import PortalForm, choices
from portal.schools.forms import _max, _required
from portal.schools.models import EnrolmentState
from portal.urls import MAX_DB_ID

STATE_LABELS = {
    EnrolmentState.NEEDS_PLACEMENT: _l("Behöver en praoplats"),
    EnrolmentState.OWN_PLACEMENT: _l("Har en egen praoplats"),
    EnrolmentState.ASSIGNED: _l("Har fått en praoplats"),
    EnrolmentState.EXEMPT: _l("Befriad från prao"),
}


class EnrolmentStateForm(PortalForm):
    state = RadioField(_l("Läge"), choices=choices(
        (s.value, STATE_LABELS[s]) for s in (EnrolmentState.NEEDS_PLACEMENT,
                                             EnrolmentState.EXEMPT)),
        validators=[_required(_l("Välj ett läge."))])
    reason = TextAreaField(_l("Skäl för befrielse"), validators=[_max(1000)])


class LinkForm(PortalForm):
    """Revoke or reissue a pupil's link (the buttons name the action)."""

    action = RadioField(choices=choices([("revoke", _l("Spärra länken")),
                                         ("reissue", _l("Skapa en ny länk"))]))


class OwnPlacementForm(PortalForm):
    workplace = StringField(_l("Arbetsplatsens namn"),
                            validators=[_required(_l("Fyll i arbetsplatsens namn.")), _max(200)])
    org_number = StringField(
        _l("Organisationsnummer"),
        description=_l("Finns på arbetsplatsens webbplats eller på allabolag.se. Fråga din "
                       "kontaktperson om du inte hittar det."),
        validators=[_required(_l("Fyll i organisationsnumret."))],
        render_kw={"inputmode": "numeric"})
    address = StringField(_l("Adress"), validators=[_required(_l("Fyll i adressen.")),
                                                    _max(300)])
    postal_code = StringField(_l("Postnummer"), validators=[
        _required(_l("Fyll i postnumret.")),
        Regexp(r"^[0-9]{3} ?[0-9]{2}\Z", message=_l("Skriv postnumret som 123 45."))])
    city = StringField(_l("Ort"), validators=[_required(_l("Fyll i orten.")), _max(100)])
    # The contact person's, not the pupil's: the browser must not offer the pupil's own
    # name, address or number (the risk assessment would be mailed to the pupil).
    contact_name = StringField(_l("Kontaktperson på arbetsplatsen"),
                               validators=[_required(_l("Fyll i ett namn.")), _max(200)],
                               render_kw={"autocomplete": "off"})
    contact_email = email_field(_l("Kontaktpersonens e-post"), autocomplete="off",
                                description=_l("Adressen till någon som jobbar på "
                                               "arbetsplatsen, inte din egen eller din "
                                               "vårdnadshavares."))
    contact_phone = StringField(_l("Kontaktpersonens telefon"), validators=[
        _required(_l("Fyll i ett telefonnummer.")),
        Regexp(r"^[0-9 +()\-]{6,20}\Z", message=_l("Skriv telefonnumret med siffror."))],
        render_kw={"autocomplete": "off", "inputmode": "tel"})
    tasks = TextAreaField(_l("Vad ska du göra där?"),
                          validators=[_required(_l("Skriv några ord om vad du ska göra.")),
                                      _max(2000)])

    def validate_org_number(self, field: StringField) -> None:
        problem = org_number_problem(field.data or "")
        if problem == "format":
            raise ValidationError(_l("Organisationsnumret stämmer inte. Det är tio siffror, "
                                     "till exempel 556677-8899."))
        if problem == "check":
            # Ten digits that do not add up: the last one is a check digit.
            raise ValidationError(_l("Organisationsnumret går inte ihop: den sista siffran "
                                     "stämmer inte med de andra. Jämför siffrorna med "
                                     "arbetsplatsens nummer, till exempel på deras webbplats "
                                     "eller ett kvitto."))


NOT_AN_OFFER = _l("Den platsen finns inte. Välj bland platserna i listan.")
NOT_A_BUTTON = _l("Det gick inte att ändra dina val. Använd knapparna på sidan.")


class WishForm(PortalForm):
    """One button on the pupil's page: the offer (a hidden field) and what to do with it
    (the button's value). A crafted value is refused here, before anything is read."""

    offer = IntegerField(widget=HiddenInput(), invalid_value_message=NOT_AN_OFFER, validators=[
        InputRequired(message=NOT_AN_OFFER), NumberRange(1, MAX_DB_ID, message=NOT_AN_OFFER)])
    action = RadioField(choices=choices([("add", _l("Lägg till")), ("remove", _l("Ta bort")),
                                         ("up", _l("Upp")), ("down", _l("Ner"))]),
                        validators=[InputRequired(message=NOT_A_BUTTON)],
                        invalid_choice_message=NOT_A_BUTTON)


class EmailLinksForm(PortalForm):
    """Email the pupils their links: to all, or (reminder=1) to those without wishes."""

    reminder = RadioField(choices=choices([("1", _l("Bara elever utan önskemål"))]),
                          validators=[Optional()],
                          invalid_choice_message=_l("Välj en av knapparna på sidan."))


class TakeBackOwnForm(PortalForm):
    """The pupil's "Ångra" on their own placement: one button, nothing to fill in."""

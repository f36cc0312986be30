"""Forms: a day's attendance (one row per pupil), the day chooser, an absence's judgement,
a follow-up with GR's five questions, and an incident."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from portal.employers.placements.forms import WholeNumberField
from portal.formtools import PortalForm, PortalSubform, choices, id_or_zero
from portal.prao.models import AttendanceStatus, FollowUpKind, IncidentKind, IncidentSeverity

STATUS_LABELS = {
    AttendanceStatus.PRESENT: _l("Närvarande"),
    AttendanceStatus.ABSENT: _l("Frånvarande"),
    AttendanceStatus.LATE: _l("Kom sent"),
}
FOLLOW_UP_LABELS = {FollowUpKind.CONTACT: _l("Kontakt (telefon, mejl)"),
                    FollowUpKind.VISIT: _l("Besök på arbetsplatsen")}
INCIDENT_LABELS = {IncidentKind.ACCIDENT: _l("Olycka"),
                   IncidentKind.NEAR_MISS: _l("Tillbud (nära att hända)")}
SEVERITY_LABELS = {IncidentSeverity.MINOR: _l("Lindrig"),
                   IncidentSeverity.SERIOUS: _l("Allvarlig")}
MAX_TEXT = 2000


def _max(n: int) -> Length:
    return Length(max=n, message=_l("Högst %(max)d tecken.", max=n))


class PupilDayForm(PortalSubform):
    """One pupil's row. Left without a status, the pupil is simply not reported now."""

    assignment = HiddenField()
    status = RadioField(_l("Närvaro"), validators=[Optional()],
                        choices=choices((s.value, label) for s, label in STATUS_LABELS.items()))
    start = TimeField(_l("Började"), validators=[Optional()])
    end = TimeField(_l("Slutade"), validators=[Optional()])
    break_minutes = WholeNumberField(
        _l("Rast (minuter)"), default=0,
        invalid=_l("Skriv ett heltal med siffror, till exempel 30."),
        validators=[Optional(), NumberRange(min=0, max=480,
                                            message=_l("Rasten är mellan 0 och 480 minuter."))],
        render_kw={"inputmode": "numeric", "min": 0, "max": 480})


class DayReportForm(PortalForm):
    """The supervisor's form behind the signed link: the day is the link's."""

    pupils = FieldList(FormField(PupilDayForm))


class EmployerDayReportForm(DayReportForm):
    day = DateField(_l("Dag"), validators=[DataRequired(_l("Välj en dag."))])


class DayChoiceForm(PortalForm):
    """The employer chooses which day to show (a GET form: no CSRF, no state)."""

    class Meta:
        csrf = False

    dag = DateField(_l("Dag"), validators=[Optional()])

    def chosen(self, default: date) -> date:
        return self.dag.data if self.dag.data and not self.dag.errors else default


class ExcuseForm(PortalForm):
    day = DateField(_l("Dag"), validators=[DataRequired(_l("Välj en dag."))])
    excused = SelectField(_l("Frånvaron"), choices=choices(
        [("yes", _l("Giltig")), ("no", _l("Ogiltig"))]),
        validators=[DataRequired(_l("Välj giltig eller ogiltig."))])


class FollowUpForm(PortalForm):
    kind = RadioField(_l("Hur"), default=FollowUpKind.CONTACT.value,
                      choices=choices((k.value, label) for k, label in FOLLOW_UP_LABELS.items()),
                      validators=[InputRequired(_l("Välj kontakt eller besök."))])
    enjoys = TextAreaField(_l("Trivs eleven?"), validators=[_max(MAX_TEXT)])
    adjust = TextAreaField(_l("Något att justera?"), validators=[_max(MAX_TEXT)])
    tasks = TextAreaField(_l("Vilka arbetsuppgifter har eleven haft hittills?"),
                          validators=[_max(MAX_TEXT)])
    plan = TextAreaField(_l("Vad är planen för resten av veckan?"),
                         validators=[_max(MAX_TEXT)])
    questions = TextAreaField(_l("Finns det frågor?"), validators=[_max(MAX_TEXT)])
    note = TextAreaField(_l("Anteckning"), validators=[_max(MAX_TEXT)])


class IncidentForm(PortalForm):
    kind = RadioField(_l("Olycka eller tillbud"),
                      choices=choices((k.value, label) for k, label in INCIDENT_LABELS.items()),
                      validators=[InputRequired(_l("Välj olycka eller tillbud."))])
    severity = RadioField(
        _l("Hur allvarligt?"),
        description=_l("Allvarligt: en skada som behöver vård, eller något som kunde ha lett "
                       "till en sådan."),
        choices=choices((s.value, label) for s, label in SEVERITY_LABELS.items()),
        validators=[InputRequired(_l("Välj hur allvarligt det var."))])
    day = DateField(_l("Datum"), validators=[DataRequired(_l("Välj ett datum."))])
    at = TimeField(_l("Klockslag"), validators=[DataRequired(_l("Fyll i ett klockslag."))])
    what = TextAreaField(_l("Vad hände?"), validators=[
        DataRequired(_l("Beskriv vad som hände.")), _max(MAX_TEXT)])
    injury = TextAreaField(_l("Skada"), description=_l("Vilken skada, om någon."),
                           validators=[_max(MAX_TEXT)])
    measures = TextAreaField(_l("Åtgärder"), description=_l("Vad gjordes, och vad görs för "
                                                            "att det inte ska hända igen?"),
                             validators=[_max(MAX_TEXT)])


class LinkIncidentForm(IncidentForm):
    """The supervisor's incident form: which of the link's pupils, first."""

    field_order = ("pupil",)

    pupil = SelectField(_l("Elev"), coerce=id_or_zero,
                        validators=[DataRequired(_l("Välj elev."))])

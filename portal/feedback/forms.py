"""Forms of the evaluations. The questions are data, so an evaluation is a list of answer
rows (answers-0-score, …) that the page lays out by hand, one fieldset per question; the
coordinator's question editor is a list of question rows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from portal.formtools import PortalForm, PortalSubform, choices

TOO_LONG = _l("Högst %(max)d tecken. Texten är nu %(length)d tecken.")
SCORES = choices((str(n), str(n)) for n in range(1, 6))
KIND_LABELS = {"likert": _l("Påstående, 1–5"), "text": _l("Fritext"),
               "yesno": _l("Ja eller nej")}


class AnswerForm(PortalSubform):
    """One question's answer; only the field of the question's kind is shown. A row of
    EvaluationForm, which checks its input."""

    score = RadioField(choices=SCORES, validators=[Optional()], validate_choice=False)
    choice = RadioField(choices=choices([("yes", _l("Ja")), ("no", _l("Nej"))]),
                        validators=[Optional()], validate_choice=False)
    text = TextAreaField(validators=[Optional(), Length(max=2000, message=TOO_LONG)])


class EvaluationForm(PortalForm):
    form_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    answers = FieldList(FormField(AnswerForm), min_entries=0, max_entries=40)


class SupervisorEvaluationForm(EvaluationForm):
    """The supervisor answers for one pupil of the link at a time."""

    assignment = IntegerField(widget=HiddenInput(), validators=[Optional()])


class QuestionForm(PortalSubform):
    """A row of QuestionsForm, which checks its input."""

    key = StringField(_l("Nyckel"), validators=[Optional(), Length(max=40, message=TOO_LONG)])
    kind = SelectField(_l("Typ"), choices=choices(KIND_LABELS.items()),
                       validators=[Optional()])
    label_sv = StringField(_l("Frågan på svenska"),
                           validators=[Optional(), Length(max=300, message=TOO_LONG)])
    label_en = StringField(_l("Frågan på engelska"),
                           validators=[Optional(), Length(max=300, message=TOO_LONG)])


class QuestionsForm(PortalForm):
    based_on = IntegerField(widget=HiddenInput(), validators=[Optional()])
    questions = FieldList(FormField(QuestionForm), min_entries=0, max_entries=31)


class RollOverForm(PortalForm):
    """One click: the same weeks next year (a button; the page's URL names the pupil)."""

"""Small helpers every domain's forms share, and the base class every form derives from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from wtforms import Field, FieldList, FormField, PasswordField, TextAreaField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField

from portal.inputs import Problem, normalise, text_problem, without_refused

MESSAGES = {
    Problem.LINE_BREAK: _l("Fältet ska vara en enda rad. Ta bort radbrytningen."),
    Problem.CONTROL: _l("Texten innehåller ett osynligt tecken, till exempel en tabb eller "
                        "ett styrtecken, som inte kan sparas. Skriv texten i stället för att "
                        "klistra in den."),
    Problem.UNREADABLE: _l("Texten innehåller tecken som inte gick att läsa (fel "
                           "teckenkodning). Skriv texten igen."),
}
FILENAME_MESSAGE = _l("Filnamnet innehåller tecken som inte kan användas. Byt namn på filen "
                      "och välj den igen.")

V = TypeVar("V", bound=Callable[..., Any])


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice objects (tuples are deprecated)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def id_or_zero(value: object) -> int:
    """Coerce for a required <select> of database ids whose placeholder ("Välj …") has an
    empty value, as HTML asks of a required select: the placeholder reads as 0, which
    DataRequired then refuses with the field's own message."""
    if value is None or value == "":
        return 0
    return int(value)  # type: ignore[call-overload]


class _Input:
    """One field's submitted values, normalised, with the first problem found."""

    def __init__(self, field_class: type[Field]) -> None:
        self.multiline = issubclass(field_class, TextAreaField)
        # A password is compared with its hash as typed; NFKC would lock out whoever
        # chose one with characters it changes.
        self.keep_as_typed = issubclass(field_class, PasswordField)
        self.problem: object = None

    def text(self, value: str) -> str:
        if not self.keep_as_typed:
            value = normalise(value, self.multiline)
        problem = text_problem(value, self.multiline)
        if problem is None:
            return value
        self.problem = self.problem or MESSAGES[problem]
        return without_refused(value, self.multiline)

    def file(self, upload: FileStorage) -> FileStorage:
        name = normalise(upload.filename or "")
        if text_problem(name):
            self.problem = self.problem or FILENAME_MESSAGE
            name = without_refused(name)
        upload.filename = name
        return upload

    def value(self, value: object) -> object:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, FileStorage):
            return self.file(value)
        return value


def _class_in(form_class: type, name: str) -> type[Field] | None:
    unbound = getattr(form_class, name, None)
    return unbound.field_class if isinstance(unbound, UnboundField) else None


def _nested_class(field: Field, rest: str) -> type[Field] | None:
    """The class of the field a FieldList or FormField names `<its name>-<rest>`."""
    if isinstance(field, FormField):
        return _class_in(field.form_class, rest)
    if not isinstance(field, FieldList):
        return None
    entry = field.unbound_field
    _, _, inner = rest.partition("-")  # "0-note": entry 0's field "note"
    if not inner:
        return entry.field_class
    if issubclass(entry.field_class, FormField):
        return _class_in(entry.kwargs.get("form_class") or entry.args[0], inner)
    return None


def _field_class(form: Any, key: str) -> type[Field] | None:
    """The class of the field a submitted name belongs to (a list's rows too): None for a
    name the form does not read, and for its CSRF token."""
    for field in form:
        if isinstance(field, CSRFTokenField):
            continue
        if key == field.name:
            return type(field)
        if key.startswith(field.name + "-"):
            return _nested_class(field, key[len(field.name) + 1:])
    return None


def _checked(form: Any, formdata: Any) -> MultiDict[str, Any]:
    """A copy of the form data with every field's values normalised; the problems are kept
    by submitted name until the fields (a list's rows among them) exist to carry them."""
    checked: MultiDict[str, Any] = MultiDict()
    for key in formdata:
        values = formdata.getlist(key)
        field_class = _field_class(form, key)
        if field_class is not None:
            field_input = _Input(field_class)
            values = [field_input.value(value) for value in values]
            if field_input.problem:
                form._input_problems[key] = field_input.problem
        checked.setlist(key, values)
    return checked


def _leaves(fields: Iterable[Field]) -> Iterator[Field]:
    for field in fields:
        if isinstance(field, FieldList):
            yield from _leaves(field.entries)
        elif isinstance(field, FormField):
            yield from _leaves(field.form)
        else:
            yield field


def _refresh_errors(fields: Iterable[Field]) -> None:
    """Lists and sub-forms keep their own copies of their rows' errors; recount them."""
    for field in fields:
        if isinstance(field, FormField):
            _refresh_errors(field.form)
            field.form._errors = None
        elif isinstance(field, FieldList):
            _refresh_errors(field.entries)
            errors = [entry.errors for entry in field.entries]
            field.errors = errors if any(errors) else []


class PortalForm(FlaskForm):
    """Every form of the portal. Submitted text is NFKC-normalised; a control character,
    a bidi override or an undecodable byte in any field, a line break or tab in a
    single-line field (all but TextAreaField) and such a character in an uploaded file's
    name are refused with a message beside the field. Nothing is silently stripped: the
    form is invalid, so nothing is saved."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if formdata is _Auto and _is_submitted() and request.is_json:
                # The portal's forms are HTML forms; a JSON body's lists and numbers would
                # reach the fields as Python objects.
                formdata = ImmutableMultiDict()
            wrapped = super().wrap_formdata(form, formdata)
            return None if wrapped is None else _checked(form, wrapped)

    def process(self, formdata: Any = None, obj: Any = None, data: Any = None,
                extra_filters: Any = None, **kwargs: Any) -> None:
        self._input_problems: dict[str, object] = {}  # submitted name -> message
        super().process(formdata, obj, data, extra_filters, **kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Added after the field's own validators: Optional() would clear them (a text of
        # nothing but refused characters is empty once they are taken out).
        refused = False
        for field in _leaves(self):
            message = self._input_problems.get(field.name)
            if message is not None:
                field.errors = [message, *(e for e in field.errors if e != message)]
                refused = True
        _refresh_errors(self)
        self._errors = None
        return valid and not refused


def reads_query(form_class: type[PortalForm]) -> Callable[[V], V]:
    """Marks a view whose filter form reads the query string (method GET). The request
    check in portal.inputs then leaves that form's fields to the form, which shows the
    message beside the field instead of the bare 400 page."""
    names = frozenset(name for name in dir(form_class)
                      if isinstance(getattr(form_class, name, None), UnboundField))

    def mark(view: V) -> V:
        view.query_form = form_class  # type: ignore[attr-defined]
        view.query_form_fields = names  # type: ignore[attr-defined]
        return view

    return mark

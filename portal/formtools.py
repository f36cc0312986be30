"""Small helpers every domain's forms share, the base class every form derives from, and
the quick rendering the form macros use (templates/macros/form.html)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, TypeVar

from babel import support
from flask import has_request_context, request
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from flask_wtf.i18n import translations as wtforms_translations
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    PasswordField,
    SelectField,
    TextAreaField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import Choice, SelectChoice, SelectFieldBase
from wtforms.fields.core import UnboundField
from wtforms.form import FormMeta
from wtforms.i18n import messages_path
from wtforms.validators import Email, ValidationError
from wtforms.widgets import Input, Select
from wtforms.widgets.core import clean_key

from portal.textrules import (
    Problem,
    normalise,
    sendable_local_part,
    text_problem,
    without_refused,
)

MESSAGES = {
    Problem.LINE_BREAK: _l("Fältet ska vara en enda rad. Ta bort radbrytningen."),
    # Read by 14-year-olds too: what happened and what to do, no "styrtecken".
    Problem.CONTROL: _l("Texten innehåller ett osynligt tecken som inte kan sparas. Det "
                        "följer ofta med när man klistrar in text. Skriv texten själv i "
                        "stället."),
    Problem.UNREADABLE: _l("Texten innehåller tecken som inte gick att läsa (fel "
                           "teckenkodning). Skriv texten igen."),
}
FILENAME_MESSAGE = _l("Filnamnet innehåller tecken som inte kan användas. Byt namn på filen "
                      "och välj den igen.")

# WTForms' own messages, for input a field cannot read and a choice the form did not offer,
# in the portal's words. Its Swedish catalogue words some of them badly ("kunde inte
# ceorce:a"), and a sub-form (FormField) has no catalogue at all: a Swedish page showed
# "Not a valid time value." beside a pupil's attendance.
OWN_WTFORMS_MESSAGES = {
    "Not a valid time value.": _l("Skriv tiden som timmar och minuter, till exempel 08:00."),
    "Not a valid date value.": _l("Skriv datumet som år-månad-dag, till exempel 2027-03-15."),
    "Not a valid datetime value.": _l("Skriv datum och tid, till exempel 2027-03-15 08:00."),
    "Not a valid integer value.": _l("Skriv ett heltal med siffror, till exempel 30."),
    "Not a valid decimal value.": _l("Skriv ett tal med siffror, till exempel 2.5."),
    "Not a valid float value.": _l("Skriv ett tal med siffror, till exempel 2.5."),
    "Invalid Choice: could not coerce.": _l("Välj ett av alternativen i listan."),
    "Not a valid choice.": _l("Välj ett av alternativen i listan."),
    "Invalid choice(s): one or more data inputs could not be coerced.":
        _l("Välj bland alternativen i listan."),
    "This field is required.": _l("Fyll i fältet."),
    # A multiple choice with a value not in its list (only a crafted form sends one).
    "'%(value)s' is not a valid choice for this field.": _l("Välj bland alternativen i listan."),
}


# WTForms' catalogue per language. flask_wtf parses the .mo file again in every request
# that builds a form (a tenth of a small form page's calls); the file is the installed
# package's and never changes while the server runs, so each language's is read once.
_CATALOGUES: dict[str, Any] = {}


def _catalogue() -> Any:
    """WTForms' catalogue in the request's language, as flask_wtf's i18n loads it; outside a
    request flask_wtf's own object (which then leaves the messages in English)."""
    if not has_request_context():
        return wtforms_translations
    locale = get_locale()
    key = str(locale)
    found = _CATALOGUES.get(key)
    if found is None:
        found = _CATALOGUES[key] = support.Translations.load(
            messages_path(), [locale], domain="wtforms")
    return found


class PortalTranslations:
    """WTForms' messages: the portal's own where it has one, else WTForms' catalogue."""

    def gettext(self, string: str) -> str:
        own = OWN_WTFORMS_MESSAGES.get(string)
        return str(own) if own is not None else str(_catalogue().gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        own = OWN_WTFORMS_MESSAGES.get(singular)
        if own is not None:
            return str(own)
        return str(_catalogue().ngettext(singular, plural, n))


TRANSLATIONS = PortalTranslations()

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
# --- rendering fields cheaply ------------------------------------------------------------
# WTForms writes every attribute through Markup.format and every <option> through its own
# html_params call, and a checkbox list first builds a whole bound field per choice: on the
# catalogue page that was half of each request (issue 9, item 21). These write the same HTML
# with plain string formatting; any other widget is rendered by WTForms as before.

def _built(html: str) -> Markup:
    """HTML this module wrote itself, every value in it passed through escape()."""
    return Markup(html)  # noqa: S704 - the callers escape every value they put in


def quick_params(**kwargs: Any) -> Markup:
    """The same attributes as WTForms' html_params, sorted by name, without Markup.format."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = clean_key(key)
        if value is True:
            params.append(str(escape(name)))
        elif value is not False:
            params.append(f'{escape(name)}="{escape(value)}"')
    return _built(" ".join(params))


class QuickSelect(Select):
    """WTForms' select widget, its options written by plain string formatting."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        shared = getattr(field, "choices", None)
        if isinstance(shared, SharedChoices) and shared.answers(field) and not self.multiple:
            return _built(f"{self._open(field, kwargs)}{shared.options(field.data)}</select>")
        if field.has_groups():
            return super().__call__(field, **kwargs)
        html = [self._open(field, kwargs)]
        html.extend(self.render_option(choice) for choice in field.iter_choices())
        html.append("</select>")
        return _built("".join(html))

    def _open(self, field: Any, kwargs: dict[str, Any]) -> str:
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        for name in self.validation_attrs:
            if name not in kwargs and getattr(field.flags, name, False):
                kwargs[name] = getattr(field.flags, name)
        return f"<select {quick_params(name=field.name, **kwargs)}>"

    @classmethod
    def render_option(cls, choice: Choice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        label = choice.label or choice.value
        return _built(f'<option {selected}value="{escape(value)}">{escape(label)}</option>')


_QUICK_SELECTS = {False: QuickSelect(), True: QuickSelect(multiple=True)}


class SharedChoices(list[SelectChoice]):
    """A single select's choices, built once and then shared, unchanged, by every request
    that shows them (the catalogue's 290 municipalities): their <option>s are written
    once, and a value is checked against them in one lookup, where WTForms builds a
    Choice per option for each rendering and each check (a fifth of a search's work)."""

    def __init__(self, pairs: Iterable[tuple[str, object]]) -> None:
        super().__init__(choices(pairs))
        values = [choice.value for choice in self]
        # Only plain choices with distinct text values: anything else renders as before.
        self.plain = (all(isinstance(value, str) for value in values)
                      and len(set(values)) == len(values)
                      and not any(c.render_kw or c.optgroup is not None for c in self))
        self._index = {value: index for index, value in enumerate(values)}
        self._written: tuple[list[str], list[str]] | None = None

    def answers(self, field: SelectFieldBase) -> bool:
        """Whether this list can stand in for the field's own pass over its choices: a
        plain list of a text field (coerce=str), so that a choice is selected when its
        value equals the field's data."""
        return self.plain and getattr(field, "coerce", None) is str

    def has(self, data: object) -> bool:
        return isinstance(data, str) and data in self._index

    def options(self, data: object) -> str:
        """The <option>s, the one whose value is `data` (if any) selected, as QuickSelect
        writes them."""
        plain, selected = self._written or self._write()
        index = self._index.get(data) if isinstance(data, str) else None
        if index is None:
            return "".join(plain)
        return "".join(plain[:index]) + selected[index] + "".join(plain[index + 1:])

    def _write(self) -> tuple[list[str], list[str]]:
        written = tuple(
            [str(QuickSelect.render_option(Choice(value=c.value, label=c.label,
                                                  selected=selected, render_kw=c.render_kw)))
             for c in self] for selected in (False, True))
        self._written = (written[0], written[1])
        return self._written


class SharedSelectField(SelectField):
    """A SelectField that checks a submitted value in one lookup when its choices are
    SharedChoices (see there); rendered like any SelectField."""

    def pre_validate(self, form: Any) -> None:
        shared = self.choices
        if not isinstance(shared, SharedChoices) or not shared.has(self.data) \
                or not shared.answers(self):
            super().pre_validate(form)  # its own check and message; rare: a refused value


def render_field(field: Field, **kwargs: Any) -> Markup:
    """What `field(**kwargs)` renders, written the quick way for inputs and selects."""
    widget = field.widget
    if field.render_kw:  # as WTForms' DefaultMeta.render_field merges them
        kwargs = {**field.render_kw, **kwargs}
    if type(widget) is Select:
        return _QUICK_SELECTS[widget.multiple](field, **kwargs)
    if isinstance(widget, Input):
        quick = copy.copy(widget)  # widgets are shared: the copy takes the quick writer
        quick.html_params = quick_params
        return quick(field, **kwargs)
    return widget(field, **kwargs)


def render_label(field: Field, css: str) -> Markup:
    """The field's <label>, as `field.label(class_=css)` writes it."""
    return _built(f'<label class="{escape(css)}" for="{escape(field.id)}">'
                  f"{escape(field.label.text)}</label>")


def _option_value(value: object) -> str:
    return "" if value is None else str(value)


def render_choices(field: SelectFieldBase, input_class: str, label_class: str) -> Markup:
    """A checkbox or radio list as Bootstrap's form-check blocks: the HTML of WTForms' option
    subfields rendered with these classes, without building a subfield per choice."""
    widget = field.option_widget
    common = dict(field.render_kw or {})
    for name in widget.validation_attrs:  # as WTForms' Input widget copies the flags
        if name not in common and getattr(field.flags, name, False):
            common[name] = getattr(field.flags, name)
    params = quick_params(**common)
    extra = f" {params}" if params else ""
    field_id, name = escape(field.id), escape(field.name)
    input_class, label_class = escape(input_class), escape(label_class)
    listed = list(field.iter_choices())
    if any(choice.render_kw for choice in listed):
        return Markup("\n").join(
            Markup('<div class="form-check">{} {}</div>').format(
                option(class_=input_class), option.label(class_=label_class))
            for option in field)
    html = []
    for index, choice in enumerate(listed):
        checked = "checked " if choice.selected else ""
        label = choice.label or choice.value
        html.append(
            f'<div class="form-check"><input {checked}class="{input_class}" '
            f'id="{field_id}-{index}" name="{name}" type="{widget.input_type}" '
            f'value="{escape(_option_value(choice.value))}"{extra}> '
            f'<label class="{label_class}" for="{field_id}-{index}">{escape(label)}</label>'
            f"</div>")
    return _built("\n".join(html))


# --- a whole form field: label, hint, error and input ---------------------------------
# What the `field` macro of templates/macros/form.html writes, done here in one call: the
# macro's own logic (a few nested macro calls, dicts built per field) cost as much as all
# the fields' inputs. The HTML is the same: a visible label, the hint and the error beside
# the field and linked to it with aria-describedby, aria-invalid on a field with an error.

CHOICE_LISTS = ("MultiCheckboxField", "RadioField")
SELECTS = ("SelectField", "SharedSelectField")


def _hint_and_errors(field: Field, description: str) -> str:
    html = []
    if description:
        html.append(f'<div id="{escape(field.id)}-hint" class="form-text">'
                    f"{escape(description)}</div>")
    if field.errors:
        error_word = escape(gettext("Fel:"))
        errors = "<br>".join(f'<span class="visually-hidden">{error_word} </span>{escape(e)}'
                             for e in field.errors)
        html.append(f'<div id="{escape(field.id)}-error" class="invalid-feedback d-block">'
                    f"{errors}</div>")
    return "\n".join(html)


def render_form_field(field: Field, required: bool = False) -> Markup:
    """The `field` macro's HTML for one field (see the comment above)."""
    # A lazily translated text is looked up each time it is read: read it once.
    description = str(field.description or "")
    described = " ".join(([f"{field.id}-hint"] if description else [])
                         + ([f"{field.id}-error"] if field.errors else []))
    attrs: dict[str, Any] = {}
    if described:
        attrs["aria-describedby"] = described
    if field.errors:
        attrs["aria-invalid"] = "true"
    if required:
        attrs["required"] = True
    invalid = " is-invalid" if field.errors else ""
    notes = _hint_and_errors(field, description)
    if field.type == "BooleanField":
        return _built(f'<div class="mb-3 form-check">'
                      f'{render_field(field, class_="form-check-input" + invalid, **attrs)}\n'
                      f'{render_label(field, "form-check-label")}\n{notes}</div>')
    if field.type in CHOICE_LISTS:
        described_attr = f' aria-describedby="{escape(described)}"' if described else ""
        # The id (and tabindex) is where the error summary's link to the field lands.
        return _built(f'<fieldset class="mb-3" id="{escape(field.id)}" tabindex="-1"'
                      f'{described_attr}>'
                      f'<legend class="form-label fs-6">{escape(field.label.text)}</legend>\n'
                      f"{notes}\n"
                      f'{render_choices(field, "form-check-input", "form-check-label")}'
                      f"</fieldset>")
    css = ("form-select" if field.type in SELECTS else "form-control") + invalid
    return _built(f'<div class="mb-3">{render_label(field, "form-label")}\n{notes}\n'
                  f"{render_field(field, class_=css, **attrs)}</div>")


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


class _PortalFormMeta(FormMeta):
    """WTForms orders a form's fields as they were created: a parent class's fields, or a
    field borrowed from another form, come where they were first written. A form whose page
    shows them otherwise names its fields in `field_order`, so that the form's order, the
    one the error summary lists the errors in, is the page's."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        order = cls.__dict__.get("field_order")
        if order and cls.__dict__.get("_unbound_fields") is None:
            fields = sorted(((name, value) for name in dir(cls) if not name.startswith("_")
                             and hasattr(value := getattr(cls, name), "_formfield")),
                            key=lambda pair: (pair[1].creation_counter, pair[0]))
            unknown = set(order) - {name for name, _ in fields}
            if unknown:
                raise TypeError(f"{cls.__name__}.field_order names no field {sorted(unknown)}")
            place = {name: i for i, name in enumerate(order)}
            # Named fields first, in the page's order; any others after, as written.
            cls._unbound_fields = sorted(fields, key=lambda pair: place.get(pair[0], len(place)))
        return super().__call__(*args, **kwargs)


class PortalForm(FlaskForm, metaclass=_PortalFormMeta):
    """Every form of the portal. Submitted text is NFKC-normalised; a control character,
    a bidi override or an undecodable byte in any field, a line break or tab in a
    single-line field (all but TextAreaField) and such a character in an uploaded file's
    name are refused with a message beside the field. Nothing is silently stripped: the
    form is invalid, so nothing is saved."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> PortalTranslations:
            return TRANSLATIONS

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if formdata is _Auto and _is_submitted() and request.is_json:
                # The portal's forms are HTML forms; a JSON body's lists and numbers would
                # reach the fields as Python objects.
                formdata = ImmutableMultiDict()
            wrapped = super().wrap_formdata(form, formdata)
            return None if wrapped is None else _checked(form, wrapped)

    # The page's order of the fields, when it is not the order they were written in (see
    # _PortalFormMeta); named in the class that needs it, not inherited.
    field_order: ClassVar[tuple[str, ...]] = ()

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


class PortalSubform(Form):
    """A form repeated inside a PortalForm (FieldList of FormField): WTForms gives a
    sub-form the meta of its own class, not its parent's, so it needs the messages too.
    The parent's checks of the submitted text reach its fields all the same."""

    class Meta:
        def get_translations(self, form: Any) -> PortalTranslations:
            return TRANSLATIONS


class SendableEmail:
    """After WTForms' Email: an address an email can be sent to (textrules.sendable_local_part).
    Quiet when an earlier validator already said the address is wrong."""

    def __call__(self, form: Any, field: Field) -> None:
        if field.data and not field.errors and not sendable_local_part(field.data):
            raise ValidationError(_l("E-post kan inte skickas till en adress med å, ä, ö "
                                     "eller andra specialtecken före @."))


def address_checks(sendable: bool = True) -> list[Any]:
    """An email address's checks after its length: its form (WTForms' Email, with the
    portal's message) and, for one the portal will email, SendableEmail."""
    return [Email(message=_l("Skriv e-postadressen som namn@exempel.se."),
                  check_deliverability=False), *([SendableEmail()] if sendable else [])]


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

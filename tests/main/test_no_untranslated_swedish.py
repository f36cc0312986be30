"""No Swedish text reaches an English reader untranslated: every word a page, a form, a flash
message or an email shows goes through gettext (`_`, `ngettext`, `{% trans %}`), in the
templates and in the Python code.

Templates: the text between tags (and the attributes people read: aria-label, title,
placeholder, alt, value) must contain no word at all outside gettext, whatever the language,
and a string literal inside {{ }} or {% %} must not look Swedish.
Python: a string literal that looks Swedish (å, ä, ö or a common Swedish word) must be a
msgid; docstrings, identifier-like values and the import's column aliases (data the reader
matches file headers against, listed below by place) are not text for a reader.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[2]

# Names whose positional arguments are msgids. `_l` is also portal.texts.mark, the marker of
# the pure modules that import no Flask.
GETTEXT = {"_", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext", "_l", "pgettext",
           "npgettext"}

# Words that are Swedish and (almost) never English, matched as whole words in any case.
SWEDISH_WORDS = {
    "och", "inte", "för", "eller", "elev", "elever", "eleven", "eleverna", "finns", "saknas",
    "måste", "är", "har", "ska", "kan", "som", "med", "av", "till", "den", "det", "du", "din",
    "ditt", "dina", "vid", "utan", "redan", "ingen", "inga", "alla", "vecka", "veckor",
    "dag", "dagar", "plats", "platser", "skola", "skolan", "välj", "sparades", "hej",
}
SWEDISH_RE = re.compile(r"[åäöÅÄÖ]|\b(" + "|".join(sorted(SWEDISH_WORDS)) + r")\b",
                        re.IGNORECASE)
# A value such as "tillganglighet", "needs_step_free" or "#elev-": no reader sees it.
IDENTIFIER_RE = re.compile(r"^[a-zåäö0-9_./<>:#-]*$")

# Python places whose Swedish strings are data, not text: (module, assigned name or called
# function; "*" for every module or the whole module).
DATA_PLACES = {
    ("*", "route"),  # URL rules
    # The pupil import recognises Swedish headers ("Förnamn") and values ("Flicka", "åk 8"),
    # and its export writes a file in that same format, to be imported again.
    ("portal/schools/imports/columns.py", "header_keys"),
    ("portal/schools/imports/reading.py", "header_keys"),
    ("portal/schools/imports/reading.py", "GRADE_RE"),
    ("portal/schools/imports/export.py", "create_sheet"),
    # The catalogue's week filter reads what people type: "vecka 11", "v. 11".
    ("portal/weeks.py", "_WORD"),
    # The demo region's content: names, addresses and placements, as users would type them.
    ("portal/demo.py", "*"),
    # The national data set's generated content, as users would type it.
    ("portal/nationaldata.py", "*"),
    ("portal/nationalwords.py", "*"),
    # The evaluations' first questions: data in both languages, which the coordinator edits.
    ("portal/feedback/questions.py", "*"),
    ("portal/reports/demo.py", "*"),
    # The operator's command line and start-up errors: no reader with a language choice.
    ("portal/cli.py", "*"),
    ("portal/config.py", "ConfigurationError"),
}

# Words a template may show in any language: the portal's name and code-like tokens.
TEMPLATE_WORDS = {"Praoportalen", "WCAG", "PDF", "CSV", "XLSX", "QR"}
WORD_RE = re.compile(r"[^\W\d_]{2,}")
_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)')"""
READ_ATTRIBUTES_RE = re.compile(
    r"\s(?:aria-label|aria-description|aria-roledescription|aria-valuetext|title|placeholder"
    r"|alt)" + _VALUE, re.IGNORECASE)
# A button's value is shown only on <input type="submit|button|reset">.
INPUT_BUTTON_RE = re.compile(
    r"<input\b[^<>]*\btype\s*=\s*[\"']?(?:submit|button|reset)\b[^<>]*>", re.IGNORECASE)
VALUE_RE = re.compile(r"\svalue" + _VALUE, re.IGNORECASE)
TAG_RE = re.compile(r"<!--.*?-->|<[^<>]*>", re.DOTALL)
ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-f]+|\w+);", re.IGNORECASE)
CODE_RE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
PLACEHOLDER = "\x00"  # stands for whatever {{ }} and {% %} put there
LINK_PATH_RE = re.compile(PLACEHOLDER + r"/\S*")  # {{ base_url }}/logga-in in a text email

@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Overrides the suite's autouse fixture: this file reads source files only, so it needs
    no app and no database and runs in about a second."""


ENV = Environment(autoescape=True,
                  extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"])


def _templates() -> list[Path]:
    return sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt"})


def _visible_text(source: str) -> str:
    """The template with every {{ }}/{% %} and every {% trans %} block replaced by a
    placeholder: what is left is text the template writes as it stands."""
    parts: list[str] = []
    in_trans = False
    tag: list[str] = []
    for _line, kind, value in ENV.lex(source):
        if kind == "block_begin":
            tag = []
        elif kind == "name" and not tag:
            tag.append(value)
            in_trans = value == "trans" or (in_trans and value != "endtrans")
        if kind == "data" and not in_trans:
            parts.append(value)
        elif not parts or parts[-1] != PLACEHOLDER:
            parts.append(PLACEHOLDER)
    return "".join(parts)


def untranslated_template_words(source: str, plain: bool) -> list[str]:
    """Words written as they stand; `plain` for email text, which has no tags."""
    text = _visible_text(source)
    found: list[str] = []
    if not plain:
        text = CODE_RE.sub(" ", text)
        read = [*READ_ATTRIBUTES_RE.finditer(text)]
        read += [m for tag in INPUT_BUTTON_RE.findall(text) for m in VALUE_RE.finditer(tag)]
        for match in read:
            found += WORD_RE.findall((match.group(1) or match.group(2) or "").replace(
                PLACEHOLDER, " "))
        text = TAG_RE.sub(" ", text)
    text = ENTITY_RE.sub(" ", LINK_PATH_RE.sub(" ", text))
    found += WORD_RE.findall(text.replace(PLACEHOLDER, " "))
    return [word for word in found if word not in TEMPLATE_WORDS]


def _gettext_call(node: nodes.Node) -> bool:
    return (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name)
            and node.node.name in GETTEXT)


def _template_literals(node: nodes.Node, inside_gettext: bool = False) -> Iterator[str]:
    if isinstance(node, nodes.Const) and isinstance(node.value, str) and not inside_gettext:
        yield node.value
    if _gettext_call(node):
        for arg in node.args:
            yield from _template_literals(arg, True)
        for child in [*node.kwargs, *([node.dyn_args] if node.dyn_args else [])]:
            yield from _template_literals(child)
        return
    for child in node.iter_child_nodes():
        yield from _template_literals(child, inside_gettext)


def swedish_template_literals(source: str) -> list[str]:
    return [s for s in _template_literals(ENV.parse(source))
            if SWEDISH_RE.search(s) and not IDENTIFIER_RE.match(s)]


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _target_names(node: ast.AST) -> set[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _data_place(module: str, name: str) -> bool:
    return bool({(module, name), ("*", name), (module, "*")} & DATA_PLACES)


def _excluded(tree: ast.AST, module: str) -> set[int]:
    """ids of the constants that are not text for a reader."""
    skip = _docstrings(tree)
    if _data_place(module, "*"):
        return skip | {id(c) for c in ast.walk(tree) if isinstance(c, ast.Constant)}
    for node in ast.walk(tree):
        skip |= {id(c) for n in _not_text(node, module) for c in ast.walk(n)
                 if isinstance(c, ast.Constant)}
    return skip


def _not_text(node: ast.AST, module: str) -> list[ast.AST]:
    """The parts of this node whose strings are msgids, keys or data."""
    if isinstance(node, ast.Call):
        name = _call_name(node)
        if name in GETTEXT:
            return list(node.args)
        return [node] if _data_place(module, name) else []
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return [node] if any(_data_place(module, n) for n in _target_names(node)) else []
    if isinstance(node, ast.Dict):
        return [key for key in node.keys if key is not None]
    return []


def swedish_python_literals(source: str, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    skip = _excluded(tree, module)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and SWEDISH_RE.search(node.value)
            and not IDENTIFIER_RE.match(node.value)]


def test_templates_write_no_word_outside_gettext():
    found = []
    for path in _templates():
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        words = untranslated_template_words(source, plain=path.suffix == ".txt")
        if words:
            found.append(f"{name}: {' '.join(dict.fromkeys(words))}")
        found += [f"{name}: {s!r}" for s in swedish_template_literals(source)]
    assert not found, "wrap in {{ _(...) }} or {% trans %}:\n" + "\n".join(found)


def test_python_has_no_swedish_text_outside_gettext():
    found = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        for line, text in swedish_python_literals(path.read_text(encoding="utf-8"), module):
            found.append(f"{module}:{line}: {text!r}")
    assert not found, "wrap in _() / ngettext() / _l():\n" + "\n".join(found)


# The checks themselves: each must catch what it is for and let the rest through.

@pytest.mark.parametrize("source", [
    "<p>Spara</p>",
    "<p>{{ x }} elever</p>",
    '<input placeholder="Sök här">',
    '<a href="{{ url }}" title="Stäng">{{ _("x") }}</a>',
    '<input type="submit" class="btn" value="Spara">',
    "<button>{{ _('Spara') }} nu</button>",
])
def test_template_check_flags_text_outside_gettext(source):
    assert untranslated_template_words(source, plain=False)


@pytest.mark.parametrize("source", [
    "<p>{{ _('Spara') }}</p>",
    "<p>{% trans n=3 %}{{ n }} elever{% pluralize %}{{ n }} elever{% endtrans %}</p>",
    '<a class="btn btn-primary" href="{{ url_for(\'x\') }}">{{ _("Ja") }}</a>',
    "<p>Praoportalen &middot; {{ year }} &ndash;</p>",
    '<input placeholder="{{ _(\'Sök\') }}">',
    '<button type="submit" name="decision" value="approve">{{ _("Godkänn") }}</button>',
])
def test_template_check_lets_translated_text_through(source):
    assert not untranslated_template_words(source, plain=False)


def test_template_check_flags_swedish_literals_outside_gettext():
    assert swedish_template_literals("{{ field(f.x, hint='Välj en skola') }}")
    assert not swedish_template_literals("{{ field(f.x, hint=_('Välj en skola')) }}")
    assert not swedish_template_literals("{% if status == 'draft' %}{% endif %}")


def test_python_check_flags_swedish_outside_gettext():
    source = '''"""Om elever."""
flash("Sparat för eleven")
flash(_("Sparat för eleven"))
x = {"försök": 1, "a": "Inga platser"}
y = f"{n} elever"
'''
    found = swedish_python_literals(source, "portal/x.py")
    assert [text for _line, text in found] == ["Sparat för eleven", "Inga platser", " elever"]

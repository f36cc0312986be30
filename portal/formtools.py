"""Small helpers every domain's forms share."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


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

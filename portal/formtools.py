"""Small helpers every domain's forms share."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice objects (tuples are deprecated)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]

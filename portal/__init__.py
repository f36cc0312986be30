"""Praoportalen.

Importing the package loads no Flask, so the pure rules (matching, hours, weeks, periods,
organisationsnummer) import without it. `create_app` lives in `portal.app` and is re-exported
lazily: `portal:create_app` and `from portal import create_app` keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from portal.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Sweden's municipalities as SCB lists them (kommunkod and name), kept as data in the
repository: a coordinator's new municipality is checked against it, and the national data
set is made from it."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def official_municipalities() -> dict[str, str]:
    """kommunkod -> name, for the 290 municipalities, in the file's order."""
    text = resources.files("portal.data").joinpath("municipalities.csv").read_text("utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}

"""Swedish organisationsnummer: NNNNNN-NNNN, the last digit a Luhn check digit.

Sole traders use their personnummer (YYMMDD-NNNN), which has the same shape and check."""

from __future__ import annotations

import re

ORG_NUMBER_RE = re.compile(r"^([0-9]{6})-?([0-9]{4})\Z")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def normalize_org_number(raw: str) -> str | None:
    """'5566778899' or '556677-8899' -> '556677-8899'; None when the shape or check is wrong."""
    match = ORG_NUMBER_RE.match(raw.strip().replace(" ", ""))
    if match is None:
        return None
    digits = match.group(1) + match.group(2)
    return f"{match.group(1)}-{match.group(2)}" if luhn_ok(digits) else None


def org_number_problem(raw: str) -> str | None:
    """Why the number is refused, as a code the form turns into Swedish: format or check."""
    if ORG_NUMBER_RE.match(raw.strip().replace(" ", "")) is None:
        return "format"
    return None if normalize_org_number(raw) else "check"

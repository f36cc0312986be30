"""The record of processing (portal/privacy/RECORD_OF_PROCESSING.md, GDPR art. 30) keeps up
with the database: every table has a section, every column of a table holding personal data
is listed with what it holds and what the purge does with it, and nothing is listed that
no longer exists. A new field without a line in the record fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Table

import portal.models  # noqa: F401 - every domain's tables on the metadata
from portal.db import Base

RECORD = Path(__file__).resolve().parents[2] / "portal" / "privacy" / "RECORD_OF_PROCESSING.md"
PERSONAL_PART = "## Tabeller med personuppgifter"
OTHER_PART = "## Tabeller utan personuppgifter"

# Tables with no personal data at all, each for a reason a reviewer can check. Moving a
# table here is a change to this test, so it is seen in review.
NON_PERSONAL = {
    "municipality": "name, code and a setting of a municipality",
    "calendar_entry": "a school's prao weeks and a head count",
    "placement_offer": "a placement's weeks and seats",
    "matching_run_period": "which periods a matching round covered",
    "region_settings": "the region's switches",
    "report_snapshot": "aggregates, suppressed when shown",
    "report_refresh": "a scope and a moment: which report to compute again",
    "report_year_claim": "a school year and a moment: which runner computes its reports",
}
# A column named like this is about a person: never in a table said to hold no personal data.
PERSONAL_NAME = re.compile(
    r"(^|_)(email|phone|first_name|last_name|contact|ip|label|note|reason)($|_)"
    r"|_by_id$|^user_id$")


def _sections(part: str) -> dict[str, str]:
    """`### \\`table\\`` heading -> its text, within one part of the record."""
    found: dict[str, str] = {}
    for block in re.split(r"^### ", part, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        match = re.fullmatch(r"`(\w+)`", heading.strip())
        assert match, f"a table section's heading is the table's name in backticks: {heading}"
        assert match.group(1) not in found, f"{match.group(1)} has two sections"
        found[match.group(1)] = body
    return found


def _record() -> tuple[dict[str, str], dict[str, str]]:
    text = RECORD.read_text(encoding="utf-8")
    assert PERSONAL_PART in text and OTHER_PART in text
    personal = text.split(PERSONAL_PART, 1)[1].split(OTHER_PART, 1)[0]
    other = text.split(OTHER_PART, 1)[1]
    return _sections(personal), _sections(other)


def _tables() -> dict[str, Table]:
    return dict(Base.metadata.tables)


def _listed_fields(section: str) -> list[str]:
    """The fields in the first cell of the section's table rows."""
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.M)


def test_every_table_has_a_section_and_no_section_is_stale() -> None:
    personal, other = _record()
    assert not set(personal) & set(other)
    assert set(personal) | set(other) == set(_tables())


def test_the_tables_without_personal_data_are_the_ones_agreed() -> None:
    _personal, other = _record()
    assert set(other) == set(NON_PERSONAL)
    for name, body in other.items():
        assert body.strip(), f"{name}: say why it holds no personal data"


@pytest.mark.parametrize("name", sorted(NON_PERSONAL))
def test_a_table_without_personal_data_has_no_column_about_a_person(name: str) -> None:
    columns = [c.name for c in _tables()[name].columns]
    assert not [c for c in columns if PERSONAL_NAME.search(c)], (
        f"{name} has a column about a person: move its section to the personal part and "
        "list every field")


def test_every_column_of_a_table_with_personal_data_is_listed_once() -> None:
    personal, _other = _record()
    problems = []
    for name, section in sorted(personal.items()):
        columns = [c.name for c in _tables()[name].columns]
        listed = _listed_fields(section)
        missing = [c for c in columns if c not in listed]
        stale = [f for f in listed if f not in columns]
        twice = sorted({f for f in listed if listed.count(f) > 1})
        if missing or stale or twice:
            problems.append(f"{name}: missing {missing}, no longer in the model {stale}, "
                            f"listed twice {twice}")
        for row in re.findall(r"^\| `\w+` \|.*$", section, flags=re.M):
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            if len(cells) != 3 or not all(cells):
                problems.append(f"{name}: say what the field holds and what the purge does: "
                                f"{row}")
    assert not problems, "\n".join(problems)


def test_the_record_names_the_duties_it_must_document() -> None:
    text = RECORD.read_text(encoding="utf-8")
    for category in ("### 1. Elever", "### 2. Vårdnadshavare",
                     "### 3. Arbetsgivarnas kontaktpersoner", "### 4. Personal med konto"):
        assert category in text, category
    for must in ("artikel 6.1 e", "Samtycke är inte grunden", "skollagen 10 kap. 8 a §",
                 "RETENTION_MONTHS", "flask retention purge", "MAIL_SERVER", "audit_event",
                 "/integritet", "PRIVACY_OFFICER_EMAIL", "PORTAL_OPERATOR"):
        assert must in text, must


def test_the_readme_links_the_record() -> None:
    readme = (RECORD.parents[2] / "README.md").read_text(encoding="utf-8")
    gdpr = readme.split("## Personuppgifter / GDPR", 1)[1].split("\n## ", 1)[0]
    assert "(portal/privacy/RECORD_OF_PROCESSING.md)" in gdpr

"""Dates and times follow Swedish conventions in both languages: 2027-03-15, a 24-hour
clock, moments read in Europe/Stockholm. Only spelled-out month and day names follow the
reader's language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from portal.templating import (
    clock_time,
    iso_date,
    iso_datetime,
    long_date,
    long_day,
    short_day,
)
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("moment", "shown"), [
    (datetime(2026, 11, 28, 3, 34, tzinfo=UTC), "2026-11-28 04:34"),  # winter: UTC+1
    (datetime(2027, 6, 30, 22, 5, tzinfo=UTC), "2027-07-01 00:05"),  # summer: UTC+2
    (datetime(2027, 3, 15, 13, 5), "2027-03-15 14:05"),  # a naive stored moment is UTC
])
def test_moments_are_shown_in_stockholm_as_iso_date_and_24_hour_time(moment, shown):
    assert iso_datetime(moment) == shown
    assert iso_date(moment) == shown[:10] and clock_time(moment) == shown[11:]


def test_plain_dates_and_times_and_nothing():
    assert iso_date(date(2027, 3, 5)) == "2027-03-05"
    assert clock_time(time(8, 0)) == "08:00" and clock_time(time(16, 30)) == "16:30"
    assert iso_date(None) == iso_datetime(None) == clock_time(None) == long_date(None) == ""


def test_month_and_day_names_are_in_the_language_the_order_is_swedish(app):
    with app.app_context():
        assert long_date(date(2027, 3, 15), "sv") == "15 mars 2027"
        assert long_date(date(2027, 3, 15), "en") == "15 March 2027"
        assert short_day(date(2027, 3, 15), "en") == "Mon 15 Mar"
        assert short_day(date(2027, 3, 15), "sv").startswith("mån 15 mars")
        assert long_day(date(2027, 3, 16), "sv") == "tisdag 16 mars"
        assert long_day(date(2027, 3, 16), "en") == "Tuesday 16 March"


def test_english_pages_show_swedish_style_dates(client, db, login_as):
    email = factories.OutboxEmailFactory()
    email.created_at = datetime(2026, 11, 28, 15, 34, tzinfo=UTC)
    db.session.commit()
    client.get("/sprak/en")
    login_as("coordinator")
    html = client.get("/utkorg").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "2026-11-28 16:34" in html
    # Searched without the CSRF tokens, whose random letters may spell "PM".
    text = re.sub(r'name="csrf_token" value="[^"]*"|<meta name="csrf-token" content="[^"]*"',
                  "", html)
    assert "11/28/26" not in text and not re.search(r"\b[AP]M\b", text)


# The locale's own short formats ("3/15/27, 2:05 PM") and hand-made ones must not come back.
LOCALE_FORMAT_RE = re.compile(r"\b(datetimeformat|dateformat|timeformat|format_datetime)\b"
                              r"|\.strftime\(|\.isoformat\(\)\s*\}\}")


def test_every_template_formats_dates_through_the_portals_filters():
    templates = [p for p in sorted((ROOT / "templates").rglob("*.*"))
                 if p.suffix in {".html", ".txt"}]
    found = [f"{path.relative_to(ROOT)}:{number}" for path in templates
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if LOCALE_FORMAT_RE.search(line)]
    assert not found, "use | date, | datetime, | time, | long_date, | long_day or | short_day: " + \
        ", ".join(found)

"""The coordinator's list pages that grow with the country, on the national data set.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/prao_nat \\
        .venv/bin/python benchmarks/coordinator_pages.py

DATABASE_URL names a database that holds the national data set (`flask demo national`,
README *Performance*); nothing is written to it but the sign-in and the audit log's reads.
The national coordinator signs in through the form, then each page is requested
COORDINATOR_BENCH_RUNS times (default 5) through Flask's test client, one request at a time:
the checklist overview's first and twentieth page of schools, the accounts list, a search
in it, and the log of personal data. Printed per page: the size and the best and median
time; the last line is one JSON object with them (`<name>_ms`, `<name>_kb`).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, like the tests

from portal import create_app
from portal.demo import DEMO_PASSWORD

PAGES = {
    "checklist_overview": "/samordnare/checklistor",
    "checklist_overview_page_20": "/samordnare/checklistor?sida=20",
    "accounts": "/anvandare",
    "accounts_search": "/anvandare?q=syv1",
    "audit_log": "/samordnare/logg",
}
COORDINATOR = "samordnare@nationell.praoportalen.se"


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        sys.exit("DATABASE_URL must name the PostgreSQL database of `flask demo national`.")
    runs = int(os.environ.get("COORDINATOR_BENCH_RUNS", "5"))
    app = create_app({"WTF_CSRF_ENABLED": False, "LOGIN_LIMIT_PER_IP": "1000 per minute",
                      "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute"})
    client = app.test_client()
    signed_in = client.post("/logga-in", data={"email": COORDINATOR,
                                               "password": DEMO_PASSWORD})
    if signed_in.status_code != 302:
        sys.exit(f"{COORDINATOR} could not sign in: is the national data set loaded?")
    figures: dict[str, float] = {"runs": runs}
    for name, url in PAGES.items():
        times, size = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.data)
        figures[f"{name}_ms"] = round(statistics.median(times), 1)
        figures[f"{name}_best_ms"] = round(min(times), 1)
        figures[f"{name}_kb"] = round(size / 1024, 1)
        print(f"{url:<40} {size / 1024:7.1f} KB  best {min(times):7.1f} ms  "
              f"median {statistics.median(times):7.1f} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

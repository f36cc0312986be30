"""Computing a school year's council reports, as the jobs command does, on the national data set.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/prao_nat \\
        .venv/bin/python benchmarks/report_year.py

DATABASE_URL names a database that holds the national data set (`flask demo national`, at
any `--scale`; the 290 municipalities are there at every scale). Suppression is joint across
a school year's scopes (the region and each municipality, for the year and for either
term), so a year is computed at once (portal.reports.snapshots.compute_year, without
charts); its snapshots are written to the database, as the job writes them. The last line
is one JSON object: scopes, pupils, seconds (wall) and cpu_seconds (this process; the rest
of the wall time is the database and the machine's other work).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, like the tests

from sqlalchemy import func, select

from portal import clock, create_app
from portal.extensions import db
from portal.reports import snapshots
from portal.reports.tables import school_year_of
from portal.schools.models import Student


def main() -> None:
    # Each round of suppression rule 4 says how many scopes it looked at and what it hid.
    logging.basicConfig(format="%(asctime)s %(message)s")
    logging.getLogger("portal.reports.suppression").setLevel(logging.DEBUG)
    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
                      "SECRET_KEY": "benchmark", "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        pupils = db.session.scalar(select(func.count()).select_from(Student))
        year = school_year_of(clock.today())
        started, cpu = time.perf_counter(), time.process_time()
        done = snapshots.compute_year(year, set())
        figures = {"school_year": year, "scopes": len(done), "pupils": pupils,
                   "seconds": round(time.perf_counter() - started, 1),
                   "cpu_seconds": round(time.process_time() - cpu, 1)}
    print(f"school year {year}: {figures['scopes']} scopes, {pupils} pupils, "
          f"{figures['seconds']} s ({figures['cpu_seconds']} s of this process's CPU)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

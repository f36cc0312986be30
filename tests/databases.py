"""Throw-away databases for a test run: a SQLite file, or a fresh PostgreSQL database
made from TEST_DATABASE_URL, so parallel or repeated runs never see each other's rows."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    parsed = make_url(url)
    return str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))


def create_database(label: str, tmp_dir: Path,
                    template: str | None = None) -> tuple[str, Callable[[], None]]:
    """Return (url, drop) for a new database: empty, or a copy of `template` (the url of a
    database no connection is open to)."""
    base = postgres_url()
    if base is None:
        path = tmp_dir / f"{label}-{secrets.token_hex(4)}.sqlite"
        if template is not None:
            source = make_url(template).database
            assert source is not None
            shutil.copyfile(source, path)

        def remove() -> None:
            # WAL mode keeps two files beside the database while it is open.
            for end in ("", "-wal", "-shm"):
                path.with_name(path.name + end).unlink(missing_ok=True)

        return f"sqlite:///{path}", remove
    name = f"prao_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template is not None else ""
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        # A test database is thrown away, crash or not: a commit need not wait for the disk.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    return url, drop

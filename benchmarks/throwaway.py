"""A throw-away PostgreSQL database for one benchmark run, made on the server named by
BENCH_POSTGRES_URL (default: the local server's `test` database as the place to create it)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def create_database(label: str) -> tuple[str, Callable[[], None]]:
    """A new empty database: its URL, and the function that drops it again."""
    server = make_url(SERVER).set(drivername="postgresql+psycopg")
    name = f"prao_bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop

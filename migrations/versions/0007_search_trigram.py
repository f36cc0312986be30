"""catalogue search finds words inside compounds: trigram indexes beside the stemmed ones

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 09:00:00

Search text gains the sector's Swedish name and (on SQLite) the plain words beside the
stems; see portal.employers.catalogue. Every placement's search_text is written again.

* PostgreSQL: the pg_trgm extension (trusted since PostgreSQL 13: the database's owner may
  create it) and a GIN trigram index over search_text, for LIKE '%root%'. The document of
  0004's expression index becomes a stored generated column, search_vector, and the index
  ix_placement_search is made again over that column: testing and ordering the rows a
  search found then reads each row's vector instead of rebuilding it from the text.
* SQLite: a second FTS5 table over search_text with the trigram tokenizer (SQLite 3.34 or
  later), kept in step by triggers like those of 0004. A batch migration that rebuilds the
  placement table drops these triggers too: it must create them again (SQLITE_TRIGGERS).

These objects are out of the models' reach; portal.db.include_name hides them from
autogenerate. The downgrade leaves the pg_trgm extension installed (other objects may use
it) and writes search_text back as 0004 did.
"""
import sqlite3

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0014'
branch_labels = None
depends_on = None

PG_INDEX = "ix_placement_search_trigram"
# The very document of 0004's expression index, now stored.
PG_DOCUMENT = ("setweight(to_tsvector('swedish'::regconfig, title), 'A') || "
               "setweight(to_tsvector('swedish'::regconfig, search_text), 'B')")
SQLITE_TABLE = "placement_fts_trigram"
SQLITE_FTS = (f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(search_text, "
              "content='placement', content_rowid='id', tokenize='trigram')")
# External content: the index is told of every change to placement.search_text.
SQLITE_TRIGGERS = {
    "placement_fts_trigram_insert": f"""
        CREATE TRIGGER placement_fts_trigram_insert AFTER INSERT ON placement BEGIN
          INSERT INTO {SQLITE_TABLE} (rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "placement_fts_trigram_delete": f"""
        CREATE TRIGGER placement_fts_trigram_delete AFTER DELETE ON placement BEGIN
          INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}, rowid, search_text)
          VALUES ('delete', old.id, old.search_text);
        END""",
    "placement_fts_trigram_update": f"""
        CREATE TRIGGER placement_fts_trigram_update AFTER UPDATE OF search_text ON placement
        BEGIN
          INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}, rowid, search_text)
          VALUES ('delete', old.id, old.search_text);
          INSERT INTO {SQLITE_TABLE} (rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}


def _rows():
    return op.get_bind().execute(sa.text(
        "SELECT p.id, p.title, o.name, p.description, p.tasks, p.city, p.sector "
        "FROM placement p JOIN organisation o ON o.id = p.organisation_id")).all()


def _write(texts):
    if texts:
        op.get_bind().execute(sa.text("UPDATE placement SET search_text = :text WHERE id = :id"),
                              [{"id": id_, "text": text} for id_, text in texts])


def _as_0004_wrote_it(title, name, description, tasks, city, dialect):
    from portal.employers.catalogue.services import stems

    body = "\n".join([name, description or "", tasks or "", city or ""])
    if dialect == "sqlite":
        return " ".join(stems(f"{title}\n{title}\n{body}"))
    return body


def upgrade():
    from portal.employers.catalogue.services import search_document

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # made again below, over the stored vector
        op.execute("DROP INDEX IF EXISTS ix_placement_search")
    _write([(row[0], search_document(row[1], row[2], row[3] or "", row[4] or "", row[5] or "",
                                     dialect, sector=row[6] or ""))
            for row in _rows()])
    if dialect == "sqlite":
        if sqlite3.sqlite_version_info < (3, 34):
            raise RuntimeError(f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram "
                               "tokenizer: the catalogue search needs SQLite 3.34 or later")
        op.execute(SQLITE_FTS)
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)
        op.execute(f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"ALTER TABLE placement ADD COLUMN search_vector tsvector "
                   f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED")
        op.execute("CREATE INDEX ix_placement_search ON placement USING gin (search_vector)")
        op.execute(f"CREATE INDEX {PG_INDEX} ON placement USING gin (search_text gin_trgm_ops)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
        op.execute("DROP INDEX IF EXISTS ix_placement_search")
        op.execute("ALTER TABLE placement DROP COLUMN IF EXISTS search_vector")
    _write([(row[0], _as_0004_wrote_it(*row[1:6], dialect)) for row in _rows()])
    if dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_placement_search ON placement USING gin (({PG_DOCUMENT}))")

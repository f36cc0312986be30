"""catalogue search: FTS5 table and triggers (SQLite), GIN index (PostgreSQL), title index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:30:00

Neither search object can be described by the models, so autogenerate is told to leave
them alone (portal.db.include_name). On SQLite a batch migration that rebuilds the placement
table drops its triggers: such a migration must create them again (see SQLITE_TRIGGERS).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Must stay the very expression portal.employers.catalogue.services.postgres_document() builds, or
# the planner cannot use the index.
PG_DOCUMENT = ("setweight(to_tsvector('swedish'::regconfig, title), 'A') || "
               "setweight(to_tsvector('swedish'::regconfig, search_text), 'B')")

SQLITE_FTS = ("CREATE VIRTUAL TABLE placement_fts USING fts5(search_text, "
              "content='placement', content_rowid='id', "
              "tokenize='unicode61 remove_diacritics 0')")
# External content: the index is told of every change to placement.search_text.
SQLITE_TRIGGERS = {
    "placement_fts_insert": """
        CREATE TRIGGER placement_fts_insert AFTER INSERT ON placement BEGIN
          INSERT INTO placement_fts (rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "placement_fts_delete": """
        CREATE TRIGGER placement_fts_delete AFTER DELETE ON placement BEGIN
          INSERT INTO placement_fts (placement_fts, rowid, search_text)
          VALUES ('delete', old.id, old.search_text);
        END""",
    "placement_fts_update": """
        CREATE TRIGGER placement_fts_update AFTER UPDATE OF search_text ON placement BEGIN
          INSERT INTO placement_fts (placement_fts, rowid, search_text)
          VALUES ('delete', old.id, old.search_text);
          INSERT INTO placement_fts (rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}


def _fill_search_text(dialect):
    """Placements made before this revision get their search text, as the app computes it."""
    from portal.employers.catalogue.services import search_document

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT p.id, p.title, o.name, p.description, p.tasks, p.city "
        "FROM placement p JOIN organisation o ON o.id = p.organisation_id")).all()
    if rows:
        bind.execute(sa.text("UPDATE placement SET search_text = :text WHERE id = :id"),
                     [{"id": row[0], "text": search_document(*row[1:], dialect=dialect)}
                      for row in rows])


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_index('ix_placement_title', 'placement', ['title', 'id'], unique=False)
    _fill_search_text(dialect)
    if dialect == "sqlite":
        op.execute(SQLITE_FTS)
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)
        op.execute("INSERT INTO placement_fts (placement_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_placement_search ON placement USING gin (({PG_DOCUMENT}))")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS placement_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_placement_search")
    op.drop_index('ix_placement_title', table_name='placement')

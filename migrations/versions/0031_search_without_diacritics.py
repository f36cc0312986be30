"""catalogue search without diacritics: search_text also holds its words without å, ä, ö

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30 06:40:00

The catalogue's searched text now holds, beside each word that has diacritics, the word
as it is typed without them (luleå lulea, äldre aldre; on SQLite their stems too), so that
"lulea" finds Luleå; see portal.employers.catalogue.services.folded. Every placement's
search_text is written again, as the app computes it. The search indexes follow by
themselves: the FTS5 tables through their triggers (SQLite), the stored search_vector
and the GIN indexes (PostgreSQL). The downgrade writes it back as 0007 wrote it.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def _rows():
    return op.get_bind().execute(sa.text(
        "SELECT p.id, p.title, o.name, p.description, p.tasks, p.city, p.sector, "
        "p.search_text FROM placement p JOIN organisation o ON o.id = p.organisation_id")).all()


def _write(document):
    """search_text as `document` computes it, written only where it changes."""
    dialect = op.get_bind().dialect.name
    changed = []
    for id_, title, name, description, tasks, city, sector, old in _rows():
        text = document(title or "", name or "", description or "", tasks or "", city or "",
                        dialect, sector or "")
        if text != old:
            changed.append({"id": id_, "text": text})
    if changed:
        op.get_bind().execute(sa.text("UPDATE placement SET search_text = :text WHERE id = :id"),
                              changed)


def _as_0007_wrote_it(title, name, description, tasks, city, dialect, sector):
    """search_document as it was before this revision: no words without diacritics."""
    from portal.employers.catalogue.services import stems, words
    from portal.employers.reference import sector_label

    body = (name, description, tasks, city, sector_label(sector) if sector else "")
    lines = "\n".join(" ".join(words(part)) for part in (title, *body))
    if dialect == "sqlite":
        stemmed = " ".join(stems("\n".join((title, title, *body))))
        return f"{stemmed}\n" + "\n".join(" ".join(words(part))
                                          for part in (title, title, *body))
    return lines


def upgrade():
    from portal.employers.catalogue.services import search_document

    _write(lambda *row: search_document(*row[:6], sector=row[6]))


def downgrade():
    _write(_as_0007_wrote_it)

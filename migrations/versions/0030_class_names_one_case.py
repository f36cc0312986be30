"""class names stored as the pupil import now reads them: "8c" and "8 c" are 8C

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-30 06:10:00

The import used to keep a class name as the file wrote it, so "8c" and "8C" were two
classes on the class list. It now tidies each name (portal/schools/classnames.py); this
tidies the names stored before, the same way, in Python: SQLite's upper() changes ASCII
letters only, and 8ö must become 8Ö on both engines. Only the rows whose name changes are
written. Nothing refers to a class by its name, so names that become equal simply join.
The old spellings are not kept: the downgrade leaves the names as they are.
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

# A frozen copy of portal.schools.classnames.class_name as of this migration.
_SPACE_AFTER_YEAR = re.compile(r"(?<=\d) (?=[^\W\d_])")


def _class_name(text):
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    text = _SPACE_AFTER_YEAR.sub("", text)
    return "".join(upper if len(upper := char.upper()) == 1 else char for char in text)


student = sa.table("student", sa.column("id", sa.Integer), sa.column("class_name", sa.String))


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(student.c.id, student.c.class_name)
                        .where(student.c.class_name != "")).all()
    changed = [{"row_id": row_id, "name": _class_name(name)} for row_id, name in rows
               if _class_name(name) != name]
    if changed:
        bind.execute(student.update().where(student.c.id == sa.bindparam("row_id"))
                     .values(class_name=sa.bindparam("name")), changed)


def downgrade():
    pass  # the old spellings of the class names are not kept

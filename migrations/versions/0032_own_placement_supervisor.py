"""a pupil's own placement at an organisation the portal knows: the supervisor's address is
one the organisation registered, never the contact the pupil typed

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-30 12:00:00

When an organisation confirmed a pupil's own-placement request, its new placement took the
contact the pupil had typed as its supervisor. That address (which could be the pupil's own
or a parent's) then got the morning attendance links, the evaluation reminders and every
other supervisor's link for the pupil. The portal now puts the confirming member there
instead, until the organisation names the supervisor (placement.supervisor_named, added
here: false for such a stand-in).

The backfill: a placement made from a confirmed request whose supervisor address is still
the one the pupil typed, and not an address the organisation registered (its contact
address or a member's), gets the member who confirmed (while that account is active and
still the organisation's; otherwise the organisation's contact), the organisation's
phone, and supervisor_named false, so the organisation is asked to name the supervisor.
A supervisor the organisation changed since is left as it is. The downgrade drops the
column and does not bring the typed addresses back.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

placement = sa.table('placement', sa.column('id', sa.Integer),
                     sa.column('organisation_id', sa.Integer),
                     sa.column('supervisor_name', sa.String),
                     sa.column('supervisor_email', sa.String),
                     sa.column('supervisor_phone', sa.String),
                     sa.column('supervisor_named', sa.Boolean))
request = sa.table('own_placement_request', sa.column('status', sa.String),
                   sa.column('contact_email', sa.String), sa.column('placement_id', sa.Integer),
                   sa.column('decided_by_id', sa.Integer))
organisation = sa.table('organisation', sa.column('id', sa.Integer),
                        sa.column('contact_name', sa.String),
                        sa.column('contact_email', sa.String),
                        sa.column('contact_phone', sa.String))
user = sa.table('user_account', sa.column('id', sa.Integer), sa.column('name', sa.String),
                sa.column('email', sa.String), sa.column('active', sa.Boolean),
                sa.column('organisation_id', sa.Integer))


def _low(text):
    return (text or '').strip().lower()


def upgrade():
    op.add_column('placement', sa.Column('supervisor_named', sa.Boolean(), nullable=False,
                                         server_default=sa.true()))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(placement.c.id, placement.c.supervisor_email, request.c.contact_email,
                  request.c.decided_by_id, organisation.c.id, organisation.c.contact_name,
                  organisation.c.contact_email, organisation.c.contact_phone)
        .join(request, request.c.placement_id == placement.c.id)
        .join(organisation, organisation.c.id == placement.c.organisation_id)
        .where(request.c.status == 'confirmed')).all()
    changed = []
    for (placement_id, supervisor, typed, decider_id, organisation_id, contact_name,
         contact_email, contact_phone) in rows:
        if _low(supervisor) != _low(typed):
            continue  # the organisation named another supervisor since
        members = {_low(email): (id_, name, email, active) for id_, name, email, active in
                   bind.execute(sa.select(user.c.id, user.c.name, user.c.email, user.c.active)
                                .where(user.c.organisation_id == organisation_id))}
        if _low(supervisor) and (_low(supervisor) == _low(contact_email)
                                 or _low(supervisor) in members):
            continue  # the pupil typed an address the organisation registered
        decider = next((m for m in members.values() if m[0] == decider_id and m[3]), None)
        name, email = (decider[1], decider[2]) if decider else (contact_name, contact_email)
        changed.append({'row_id': placement_id, 'name': name or '', 'email': email or '',
                        'phone': contact_phone or ''})
    if changed:
        bind.execute(placement.update().where(placement.c.id == sa.bindparam('row_id'))
                     .values(supervisor_name=sa.bindparam('name'),
                             supervisor_email=sa.bindparam('email'),
                             supervisor_phone=sa.bindparam('phone'),
                             supervisor_named=False), changed)


def downgrade():
    op.drop_column('placement', 'supervisor_named')

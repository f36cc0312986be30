"""One function per message the portal sends. Each only queues; the caller commits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.notifications.outbox import enqueue

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.notifications.models import OutboxEmail


def password_reset(user: User, link: str) -> OutboxEmail:
    return enqueue(user.email, "password_reset", user=user, link=link)


def invitation(user: User, inviter: User, link: str) -> OutboxEmail:
    return enqueue(user.email, "invitation", user=user, inviter=inviter, link=link)

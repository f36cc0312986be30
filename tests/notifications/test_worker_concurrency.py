"""Two mail workers at once: every message is delivered, none twice."""

from __future__ import annotations

import threading

from sqlalchemy import select

from portal.extensions import db
from portal.notifications.models import OutboxEmail, OutboxStatus
from portal.notifications.worker import send_due


def test_two_workers_never_send_the_same_message(separate_app, mailbox):
    with separate_app.app_context():
        db.session.add_all(OutboxEmail(recipient=f"elev{n}@skola.se", subject=f"Nr {n}",
                                       body_text="Hej") for n in range(40))
        db.session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            with separate_app.app_context():
                start.wait()
                while send_due(limit=5).sent:
                    pass
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == 40 and len(set(ids)) == 40
    with separate_app.app_context():
        statuses = set(db.session.scalars(select(OutboxEmail.status)))
        db.session.remove()
    assert statuses == {OutboxStatus.SENT}

"""The GDPR duties for minors' data: the coordinator's audit log, a pupil's register
extract (registerutdrag, art. 15) and the retention purge. Routes: views.py; the purge:
retention.py and `flask retention purge` (portal/cli.py); the public privacy notice:
notice.py and /integritet, linked from every pupil page, letter and email."""

from flask import Blueprint, current_app

bp = Blueprint("privacy", __name__)


def notice_url() -> str:
    """The privacy notice's absolute address, for emails and letters; built without a
    request (the jobs run from cron), from the portal's public address."""
    adapter = current_app.url_map.bind("portal.invalid", script_name="/")
    return current_app.config["PORTAL_BASE_URL"] + adapter.build("privacy.notice")

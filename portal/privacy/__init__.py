"""The GDPR duties for minors' data: the coordinator's audit log, a pupil's register
extract (registerutdrag, art. 15) and the retention purge. Routes: views.py; the purge:
retention.py and `flask retention purge` (portal/cli.py)."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

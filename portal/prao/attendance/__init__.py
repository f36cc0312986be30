"""Daily attendance, the alerts it raises, the ten-day count, follow-ups and incidents: the
"during" part of the prao. The blueprint; its routes live in views.py, imported by
create_app."""

from flask import Blueprint

bp = Blueprint("attendance", __name__)

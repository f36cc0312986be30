"""The letter to a pupil's guardians about the placement (printable page, PDF, email) and
their acknowledgement of the risk information through a signed link. Routes: views.py."""

from flask import Blueprint

bp = Blueprint("guardians", __name__)

"""The main blueprint; its routes live in views.py, imported by create_app."""

from flask import Blueprint

bp = Blueprint("main", __name__)

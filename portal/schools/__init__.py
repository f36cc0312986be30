"""The schools blueprint; its routes live in views.py, imported by create_app."""

from flask import Blueprint

bp = Blueprint("schools", __name__)

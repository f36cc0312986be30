"""Assignments and the quality-assured prao process that follows each one. The blueprint;
its routes live in views.py, imported by create_app."""

from flask import Blueprint

bp = Blueprint("prao", __name__)

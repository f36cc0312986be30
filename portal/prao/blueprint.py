"""The prao blueprint; its routes live in the views modules, imported by create_app."""

from flask import Blueprint

bp = Blueprint("prao", __name__)

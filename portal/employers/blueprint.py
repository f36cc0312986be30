"""The employers blueprint; its routes live in the views modules, imported by create_app."""

from flask import Blueprint

bp = Blueprint("employers", __name__)

"""The schools blueprint; its routes live in the views modules, imported by create_app."""

from flask import Blueprint

bp = Blueprint("schools", __name__)

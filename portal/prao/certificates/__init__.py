"""The praointyg: issued once attendance is complete, a PDF with a verification code and a
QR code, and the public page that confirms it. Routes: views.py."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

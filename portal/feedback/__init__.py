"""Evaluations: versioned questions, the pupil's and the supervisor's answers, reminders,
answer rates and the feedback back to employers. Routes: views.py."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)

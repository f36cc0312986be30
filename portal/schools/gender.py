"""A pupil's gender as the school's system states it. Pure, so the import's reader uses it
without the database."""

from __future__ import annotations

import enum


class Gender(enum.StrEnum):
    """Kept for equity statistics only, as the school's system states it."""

    GIRL = "girl"
    BOY = "boy"
    OTHER = "other"
    UNKNOWN = "unknown"

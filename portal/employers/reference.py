"""Fixed lists kept as data in the repository: occupational fields (sectors) and the
accessibility features a workplace offers and a pupil's needs are matched against."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Entry:
    code: str
    sv: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


def _read(name: str) -> tuple[Entry, ...]:
    text = resources.files("portal.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(Entry(**row) for row in csv.DictReader(text.splitlines()))


@cache
def sectors() -> tuple[Entry, ...]:
    return _read("sectors.csv")


@cache
def features() -> tuple[Entry, ...]:
    """In file order: a feature's position is its bit in Placement.features (append only)."""
    return _read("features.csv")


def sector_codes() -> frozenset[str]:
    return frozenset(e.code for e in sectors())


def sector_label(code: str, lang: str = "sv") -> str:
    return next((e.label(lang) for e in sectors() if e.code == code), code)


def features_mask(codes: list[str] | tuple[str, ...] | set[str]) -> int:
    """Feature codes -> bit mask; unknown codes raise KeyError."""
    bits = {entry.code: 1 << index for index, entry in enumerate(features())}
    mask = 0
    for code in codes:
        mask |= bits[code]
    return mask


def feature_codes(mask: int) -> list[str]:
    return [entry.code for index, entry in enumerate(features()) if mask & (1 << index)]

"""Standards as data (pure: no Django). ``load("national-2017", province="hebei")``."""

from dudao.standards.loader import (
    StandardError,
    available_provinces,
    available_standards,
    load,
    unconfirmed_values,
)
from dudao.standards.schema import LEVELS, CountyItem, Indicator, Standard, Threshold

__all__ = [
    "LEVELS",
    "CountyItem",
    "Indicator",
    "Standard",
    "StandardError",
    "Threshold",
    "available_provinces",
    "available_standards",
    "load",
    "unconfirmed_values",
]

"""Path converters for the numbers in the site's URLs: a bounded year and a bounded id (ADR 0021).

Django's ``<int:…>`` takes any run of digits, so ``/census/county/139901/18446744073709551616/`` reached
the database with a number it cannot hold (a 500). ``<year:…>`` is 1990–2100, the years the platform
keeps; ``<id:…>`` at most 18 digits, below the largest id the database holds. Anything else matches no
URL: 404, before any view runs. ``tests/security/test_fuzz_pages.py`` holds that no pattern uses ``int``.
"""

from __future__ import annotations

from django.urls import register_converter

MIN_YEAR, MAX_YEAR = 1990, 2100


class YearConverter:
    regex = "[0-9]{4}"  # any four digits reverse (a link to 1900 can be written); only 1990–2100 resolve

    def to_python(self, value: str) -> int:
        year = int(value)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"year {year} outside {MIN_YEAR}-{MAX_YEAR}")  # no match: 404
        return year

    def to_url(self, value: int) -> str:
        return str(value)


class IdConverter:
    regex = "[0-9]{1,18}"  # below 10**18, so below dudao.parsing.MAX_ID (2**63 - 1)

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(YearConverter, "year")
register_converter(IdConverter, "id")

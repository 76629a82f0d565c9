"""The evidence world: the reports' world with files uploaded in every place a county uploads evidence
(``documents``, tests/reports/conftest.py)."""

from tests.reports.conftest import census, documents, rect, shared_census, shared_rect, stored  # noqa: F401

"""Every overview page is addressed by unit code, school year and standard id.

Names: overview:county (cockpit), overview:schools, overview:school, overview:region (city or
province), overview:balance, overview:whatif.
"""

from django.urls import path  # noqa: F401

app_name = "overview"
urlpatterns: list = [
    # county pages: county/<code>/<year>/<standard_id>/...
    # school page: school/<code>/<year>/<standard_id>/
    # city and province: region/<code>/<year>/<standard_id>/
]

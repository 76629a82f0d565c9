"""Every overview page is addressed by unit code, school year and standard id.

Names: overview:county (cockpit), overview:schools, overview:school, overview:region (city or
province), overview:nation (the provinces), overview:balance, overview:whatif.
"""

from django.urls import path

from dudao.overview.views import balance, county, region, school, whatif

app_name = "overview"
urlpatterns: list = [
    # county pages: county/<code>/<year>/<standard_id>/...
    path("county/<str:code>/", county.latest, name="county_latest"),
    path("county/<str:code>/switch/", county.switch, name="county_switch"),
    path("county/<str:code>/<year:year>/<str:standard_id>/", county.cockpit, name="county"),
    path("county/<str:code>/<year:year>/<str:standard_id>/schools/", county.schools, name="schools"),
    path("county/<str:code>/<year:year>/<str:standard_id>/balance/", balance.balance, name="balance"),
    path("county/<str:code>/<year:year>/<str:standard_id>/whatif/", whatif.whatif, name="whatif"),
    path("county/<str:code>/<year:year>/<str:standard_id>/whatif/compute/", whatif.compute, name="whatif_compute"),
    # school page: school/<code>/<year>/<standard_id>/
    path("school/<str:code>/<year:year>/<str:standard_id>/", school.school, name="school"),
    # city and province: region/<code>/<year>/<standard_id>/
    path("region/<str:code>/<year:year>/<str:standard_id>/", region.region, name="region"),
    # the nation: nation/<year>/<standard_id>/
    path("nation/<year:year>/<str:standard_id>/", region.nation, name="nation"),
    path("region/evaluate/<str:code>/<year:year>/<str:standard_id>/", region.evaluate, name="evaluate_county"),
]

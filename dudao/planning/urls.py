"""Planning pages, addressed like the overview's: county/<code>/<year>/<standard_id>/...

Names: planning:forecast (enrolment forecast), planning:seats (学位预警), planning:plan (the cheapest plan).
"""

from django.urls import path

from dudao.planning.views import forecast

app_name = "planning"
urlpatterns: list = [
    path("county/<str:code>/forecast/", forecast.forecast_latest, name="forecast_latest"),
    path("county/<str:code>/<year:year>/<str:standard_id>/forecast/", forecast.forecast, name="forecast"),
]

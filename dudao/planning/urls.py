"""Planning pages, addressed like the overview's: county/<code>/<year>/<standard_id>/...

Names: planning:forecast (enrolment forecast), planning:seats (学位预警), planning:projected (达标预测),
planning:plan (the cheapest plan).
"""

from django.urls import path

from dudao.planning.views import forecast, seats

app_name = "planning"
urlpatterns: list = [
    path("county/<str:code>/forecast/", forecast.forecast_latest, name="forecast_latest"),
    path("county/<str:code>/<year:year>/<str:standard_id>/forecast/", forecast.forecast, name="forecast"),
    path("county/<str:code>/<year:year>/<str:standard_id>/seats/", seats.seats, name="seats"),
    path("county/<str:code>/<year:year>/<str:standard_id>/projected/", seats.projected, name="projected"),
]

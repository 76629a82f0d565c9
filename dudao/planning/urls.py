"""Planning pages, addressed like the overview's: county/<code>/<year>/<standard_id>/...

Names: planning:births (births, known changes, grade history; its upload, confirm, templates and the known
change forms), planning:forecast (enrolment forecast), planning:seats (学位预警), planning:projected
(达标预测), planning:plan (the cheapest plan).
"""

from django.urls import path

from dudao.planning.views import births, forecast, seats

app_name = "planning"
urlpatterns: list = [
    path("county/<str:code>/births/", births.births, name="births"),
    path("county/<str:code>/births/upload/", births.upload, name="births_upload"),
    path("county/<str:code>/births/confirm/", births.confirm, name="births_confirm"),
    path("county/<str:code>/births/template/<str:kind>.xlsx", births.template, name="births_template"),
    path("county/<str:code>/births/changes/new/", births.change_new, name="change_new"),
    path("county/<str:code>/births/changes/<id:pk>/", births.change_edit, name="change_edit"),
    path("county/<str:code>/births/changes/<id:pk>/delete/", births.change_delete, name="change_delete"),
    path("county/<str:code>/forecast/", forecast.forecast_latest, name="forecast_latest"),
    path("county/<str:code>/<year:year>/<str:standard_id>/forecast/", forecast.forecast, name="forecast"),
    path("county/<str:code>/<year:year>/<str:standard_id>/seats/", seats.seats, name="seats"),
    path("county/<str:code>/<year:year>/<str:standard_id>/projected/", seats.projected, name="projected"),
]

"""Planning pages, addressed like the overview's: county/<code>/<year>/<standard_id>/...

Names: planning:births (births, known changes, grade history; its upload, confirm, templates and the known
change forms), planning:forecast (enrolment forecast), planning:seats (学位预警), planning:projected
(达标预测), planning:plan (the cheapest plan), planning:plan_run (compute and store one) and
planning:plan_items (turn a stored plan into rectification items and department tasks).
"""

from django.urls import path

from dudao.planning.views import births, forecast, plan, seats

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
    path("county/<str:code>/<year:year>/<str:standard_id>/plan/", plan.plan, name="plan"),
    path("county/<str:code>/<year:year>/<str:standard_id>/plan/run/", plan.plan_run, name="plan_run"),
    path("county/<str:code>/<year:year>/<str:standard_id>/plan/<id:pk>/items/", plan.plan_to_items, name="plan_items"),
]

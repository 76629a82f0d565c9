"""Planning pages, addressed like the overview's: county/<code>/<year>/<standard_id>/...

Names: planning:forecast (enrolment forecast), planning:seats (学位预警), planning:plan (the cheapest plan)
planning:plan_run (compute and store one) and
planning:plan_items (turn a stored plan into rectification items and department tasks).
"""

from django.urls import path

from dudao.planning.views import plan

app_name = "planning"
urlpatterns: list = [
    path("county/<str:code>/<year:year>/<str:standard_id>/plan/", plan.plan, name="plan"),
    path("county/<str:code>/<year:year>/<str:standard_id>/plan/run/", plan.plan_run, name="plan_run"),
    path("county/<str:code>/<year:year>/<str:standard_id>/plan/<id:pk>/items/", plan.plan_to_items, name="plan_items"),
]

"""Planning pages, addressed like the overview's: county/<code>/<year>/<standard_id>/...

Names: planning:forecast (enrolment forecast), planning:seats (学位预警), planning:plan (the cheapest plan).
"""

app_name = "planning"
urlpatterns: list = []

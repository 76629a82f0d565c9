"""Background jobs: jobs:list, jobs:detail, jobs:status (JSON), jobs:result (the file), and the POSTs that
queue a job for a place: jobs:evaluate, jobs:reports; and the export of a survey's results, jobs:survey_export."""

from django.urls import path

from dudao.jobs import views

app_name = "jobs"
urlpatterns: list = [
    path("", views.job_list, name="list"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/status/", views.job_status, name="status"),
    path("<id:pk>/result/", views.result, name="result"),
    path("evaluate/<str:code>/<year:year>/<str:standard_id>/", views.evaluate, name="evaluate"),
    path("reports/<str:code>/<year:year>/<str:standard_id>/", views.reports, name="reports"),
    path("survey/<id:pk>/export/", views.survey_export, name="survey_export"),
]

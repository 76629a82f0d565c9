from django.urls import path

from dudao.reports import sampling_views, views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("county/<str:code>/<year:year>/<str:standard_id>/", views.county, name="county"),
    path("county/<str:code>/<year:year>/<str:standard_id>/report.docx", views.report, name="report"),
    path("county/<str:code>/<year:year>/<str:standard_id>/annex.xlsx", views.annex, name="annex"),
    path("county/<str:code>/<year:year>/<str:standard_id>/template.docx", views.template, name="template"),
    path("county/<str:code>/<year:year>/<str:standard_id>/evidence.zip", views.pack, name="pack"),
    path("county/<str:code>/<year:year>/<str:standard_id>/sampling/", sampling_views.draws, name="draws"),
    path("sampling/<id:pk>/", sampling_views.draw, name="draw"),
    path("sampling/<id:pk>/school/<id:school>/", sampling_views.checklist, name="checklist"),
]

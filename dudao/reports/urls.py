from django.urls import path

from dudao.reports import sampling_views, views

app_name = "reports"
COUNTY = "county/<str:code>/<year:year>/<str:standard_id>/"
urlpatterns = [
    path("", views.home, name="home"),
    path(COUNTY, views.county, name="county"),
    path(COUNTY + "report.docx", views.report, name="report"),
    path(COUNTY + "note.docx", views.note, name="note"),
    path(COUNTY + "heading/", views.heading, name="heading"),
    path(COUNTY + "practice/", views.practice, name="practice"),
    path(COUNTY + "practice/<id:pk>/", views.practice_text, name="practice_text"),
    path(COUNTY + "annex.xlsx", views.annex, name="annex"),
    path(COUNTY + "template.docx", views.template, name="template"),
    path(COUNTY + "evidence.zip", views.pack, name="pack"),
    path(COUNTY + "sampling/", sampling_views.draws, name="draws"),
    path("sampling/<id:pk>/", sampling_views.draw, name="draw"),
    path("sampling/<id:pk>/school/<id:school>/", sampling_views.checklist, name="checklist"),
]

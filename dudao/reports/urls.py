from django.urls import path

from dudao.reports import views

app_name = "reports"
urlpatterns = [
    path("county/<str:code>/<int:year>/<str:standard_id>/", views.county, name="county"),
    path("county/<str:code>/<int:year>/<str:standard_id>/report.docx", views.report, name="report"),
    path("county/<str:code>/<int:year>/<str:standard_id>/annex.xlsx", views.annex, name="annex"),
    path("county/<str:code>/<int:year>/<str:standard_id>/evidence.zip", views.pack, name="pack"),
]

from django.urls import path

from dudao.evidence import views

app_name = "evidence"
urlpatterns = [
    path("county/<str:code>/<year:year>/<str:standard_id>/", views.by_indicator, name="by_indicator"),
    path("county/<str:code>/<year:year>/<str:standard_id>/files/<str:key>/links/", views.link, name="link"),
]

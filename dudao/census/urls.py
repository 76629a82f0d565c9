from django.urls import path

from dudao.census import views

app_name = "census"
urlpatterns = [
    path("county/<str:code>/<int:year>/", views.county_completeness, name="completeness"),
    path("county/<str:code>/<int:year>/import/", views.upload, name="upload"),
    path("county/<str:code>/<int:year>/deadline/", views.deadline, name="deadline"),
    path("county/<str:code>/<int:year>/lock/", views.lock, name="lock"),
    path("county/<str:code>/<int:year>/unlock/", views.lock, {"unlock": True}, name="unlock"),
    path("school/<str:code>/<int:year>/", views.school_year, name="school"),
    path("school/<str:code>/<int:year>/<str:level>/", views.save, name="save"),
    path("record/<int:pk>/<str:action>/", views.transition, name="transition"),
]
